"""Reads for the leads pages: what a party may see and do. No writes here."""

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.access import current_organisation
from marketplace.extensions import db
from marketplace.leads.models import (
    OPEN_LEAD_STATES,
    Collaboration,
    Lead,
    Message,
    OutcomeReport,
    SavedSearch,
    Subscription,
)
from marketplace.leads.rules import interest_error
from marketplace.needs.models import Need
from marketplace.needs.rules import accepts_responses
from marketplace.offers.models import Offer
from marketplace.orgs.models import Organisation
from marketplace.taxonomy.models import ActivityDomain

MAX_LEADS = 200


def organisation_or_404(org_id: int) -> Organisation:
    return db.get_or_404(Organisation, org_id)


def published_offers(org_id: int) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer).where(Offer.organisation_id == org_id, Offer.state == "published").order_by(Offer.title)
        )
    )


def leads_of(org_id: int) -> list[Lead]:
    """The organisation's leads on both sides, the ones waiting for it first, then the newest."""
    leads = db.session.scalars(
        select(Lead)
        .where(or_(Lead.supplier_org_id == org_id, Lead.buyer_org_id == org_id), Lead.state != "suggested")
        .options(selectinload(Lead.need), selectinload(Lead.supplier), selectinload(Lead.buyer))
        .order_by(Lead.updated_at.desc())
        .limit(MAX_LEADS)
    ).all()
    return sorted(leads, key=lambda lead: not is_waiting_for(lead, org_id))


def role_of(lead: Lead, org_id: int) -> str:
    return "buyer" if lead.buyer_org_id == org_id else "supplier"


def is_waiting_for(lead: Lead, org_id: int) -> bool:
    return lead.state in OPEN_LEAD_STATES and lead.waiting_for == role_of(lead, org_id)


def waiting_leads(org_id: int, limit: int = 10) -> list[Lead]:
    """Leads where the other party waits for this organisation's answer (for Mijn Werkbrug)."""
    return list(
        db.session.scalars(
            select(Lead)
            .where(
                Lead.state.in_(OPEN_LEAD_STATES),
                or_(
                    (Lead.buyer_org_id == org_id) & (Lead.waiting_for == "buyer"),
                    (Lead.supplier_org_id == org_id) & (Lead.waiting_for == "supplier"),
                ),
            )
            .options(selectinload(Lead.need), selectinload(Lead.supplier), selectinload(Lead.buyer))
            .order_by(Lead.updated_at)
            .limit(limit)
        )
    )


def open_outcome_questions(org_id: int, limit: int = 10) -> list[OutcomeReport]:
    """Outcome questions sent to this organisation and not answered yet."""
    return list(
        db.session.scalars(
            select(OutcomeReport)
            .where(
                OutcomeReport.organisation_id == org_id,
                OutcomeReport.requested_at.is_not(None),
                OutcomeReport.answered_at.is_(None),
            )
            .options(selectinload(OutcomeReport.need))
            .limit(limit)
        )
    )


def thread_messages(lead: Lead) -> list[Message]:
    """The messages of a lead, oldest first, with their sender and author loaded in two queries."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.lead_id == lead.id)
            .options(selectinload(Message.sender), selectinload(Message.author))
            .order_by(Message.id)
        )
    )


def lead_actions(lead: Lead, role: str) -> dict:
    """Which buttons the thread page shows to this party (the services check again on submit)."""
    open_lead = lead.state in OPEN_LEAD_STATES and lead.state != "suggested"
    reserved = lead.need.kind == "reserved_contract"
    is_buyer = role == "buyer"
    return {
        "decline": lead.state in OPEN_LEAD_STATES,
        "agree": is_buyer and open_lead and not reserved and lead.need.state in ("open", "in_discussion"),
        "award": is_buyer
        and reserved
        and lead.need.state in ("open", "in_discussion")
        and lead.state in OPEN_LEAD_STATES,
        "shortlist": is_buyer and reserved and lead.state in OPEN_LEAD_STATES,
        "answer_invitation": role == "supplier" and lead.state == "invited",
        "write": lead.state not in ("declined", "withdrawn", "suggested"),
    }


def collaborations_of(org_id: int) -> list[Collaboration]:
    return list(
        db.session.scalars(
            select(Collaboration)
            .where(or_(Collaboration.supplier_org_id == org_id, Collaboration.buyer_org_id == org_id))
            .options(
                selectinload(Collaboration.need),
                selectinload(Collaboration.supplier),
                selectinload(Collaboration.buyer),
            )
            .order_by(Collaboration.starts_on.desc())
        )
    )


def outcome_of(need: Need, organisation) -> OutcomeReport | None:
    return db.session.scalar(
        select(OutcomeReport).where(OutcomeReport.need_id == need.id, OutcomeReport.organisation_id == organisation.id)
    )


def subscriptions_of(user_id: int) -> list[Subscription]:
    return list(
        db.session.scalars(select(Subscription).where(Subscription.user_id == user_id).order_by(Subscription.id))
    )


def saved_searches_of(user_id: int) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.id)))


def domain_labels() -> dict[str, ActivityDomain]:
    return {d.code: d for d in db.session.scalars(select(ActivityDomain))}


def _suggestions(need: Need, leads: list[Lead]) -> list:
    """Matching suppliers the buyer can still invite (those without a lead beyond a suggestion)."""
    from marketplace.search.views import matching_suppliers

    taken = {lead.supplier_org_id for lead in leads if lead.state != "suggested"}
    seen, rows = set(), []
    for match in matching_suppliers(need):
        org_id = match.offer.organisation_id
        if org_id in taken or org_id in seen:
            continue
        seen.add(org_id)
        rows.append(match)
    return rows


def need_panel(need: Need) -> dict:
    """What the leads part of a need's page shows to the person looking (template global)."""
    organisation = current_organisation()
    if organisation is None:
        return {"role": None}
    if organisation.id == need.organisation_id:
        leads = list(
            db.session.scalars(
                select(Lead)
                .where(Lead.need_id == need.id)
                .options(selectinload(Lead.supplier), selectinload(Lead.offer))
                .order_by(Lead.is_shortlisted.desc(), Lead.updated_at.desc())
            )
        )
        accepts = accepts_responses(need)
        return {
            "role": "buyer",
            "leads": [lead for lead in leads if lead.state != "suggested"],
            "suggestions": _suggestions(need, leads) if accepts else [],
            "accepts": accepts,
            "reserved": need.kind == "reserved_contract",
            "ask_outcome": need.state in ("closed", "awarded") or (need.kind == "reserved_contract" and not accepts),
        }
    if not organisation.is_social_economy:
        return {"role": None}
    lead = db.session.scalar(select(Lead).where(Lead.need_id == need.id, Lead.supplier_org_id == organisation.id))
    shown = lead if lead is not None and lead.state != "suggested" else None
    return {
        "role": "supplier",
        "lead": shown,
        "refusal": None if shown else interest_error(need, organisation, lead.state if lead else None),
    }


def lead_or_404(lead_id: int) -> Lead:
    lead = db.get_or_404(Lead, lead_id)
    if lead.party_role(current_organisation()) is None:
        abort(404)
    return lead
