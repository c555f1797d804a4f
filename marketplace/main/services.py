"""What the home page and Mijn Werkbrug show."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import SOCIAL_KINDS, Organisation


def home_figures() -> dict:
    """A few live counts for the home page."""
    suppliers = db.session.scalar(
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.kind.in_(SOCIAL_KINDS), Organisation.verification_state == "verified")
    )
    offers = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.state == "published"))
    contracts = db.session.scalar(
        select(func.count()).select_from(Need).where(Need.kind == "reserved_contract", Need.state == "open")
    )
    return {"suppliers": suppliers or 0, "offers": offers or 0, "contracts": contracts or 0}


def dashboard_for(organisation: Organisation | None) -> dict:
    """The acting organisation's own offers and needs, newest first."""
    if organisation is None:
        return {"organisation": None, "offers": [], "needs": []}
    offers = db.session.scalars(
        select(Offer).where(Offer.organisation_id == organisation.id).order_by(Offer.updated_at.desc()).limit(10)
    ).all()
    needs = db.session.scalars(
        select(Need).where(Need.organisation_id == organisation.id).order_by(Need.updated_at.desc()).limit(10)
    ).all()
    return {
        "organisation": organisation,
        "offers": offers,
        "needs": needs,
        **_offers_and_needs_extra(organisation, needs),
        **_leads_extra(organisation),
    }


def _offers_and_needs_extra(organisation: Organisation, needs) -> dict:
    """What the offers/needs part of Mijn Werkbrug adds: what the organisation may post, what waits for it."""
    from marketplace.database import utcnow
    from marketplace.needs.rules import display_state, may_post_need
    from marketplace.offers.rules import may_create_offer

    now = utcnow()
    drafts = db.session.scalar(
        select(func.count()).select_from(Need).where(Need.organisation_id == organisation.id, Need.state == "draft")
    ) + db.session.scalar(
        select(func.count()).select_from(Offer).where(Offer.organisation_id == organisation.id, Offer.state == "draft")
    )
    open_contracts = 0
    if organisation.is_social_economy:
        open_contracts = db.session.scalar(
            select(func.count())
            .select_from(Need)
            .where(Need.kind == "reserved_contract", Need.state.in_(("open", "in_discussion")), Need.deadline_at > now)
        )
    return {
        "may_offer": may_create_offer(organisation) is None,
        "may_post_contract": may_post_need(organisation, "reserved_contract") is None,
        "need_display_states": {need.id: display_state(need, now) for need in needs},
        "drafts": drafts or 0,
        "open_contracts": open_contracts or 0,
    }


def _leads_extra(organisation: Organisation) -> dict:
    """What the leads part of Mijn Werkbrug adds: leads and outcome questions waiting for an answer."""
    from marketplace.leads.queries import open_outcome_questions, waiting_leads

    return {
        "waiting_leads": waiting_leads(organisation.id),
        "outcome_questions": open_outcome_questions(organisation.id),
    }
