"""Writes on leads, messages and collaborations. Each public function is one transaction and commits once
(unless called with commit=False), with its event rows and its outgoing mail in that same transaction.

Refusals raise NotAllowed (a message for the user) or RuleViolation ({field: message}) and change nothing.
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.events.services import record_event
from marketplace.extensions import db
from marketplace.leads import rules
from marketplace.leads.models import Collaboration, Lead, Message, OutcomeReport
from marketplace.leads.notifications import absolute_url, mail_organisation
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.offers.validation import NotAllowed, RuleViolation, collect, parse_decimal, parse_text

# Within this time the same message from the same organisation is taken as a double submit.
DUPLICATE_WINDOW = timedelta(minutes=5)


def lead_for(need: Need, supplier) -> Lead | None:
    return db.session.scalar(select(Lead).where(Lead.need_id == need.id, Lead.supplier_org_id == supplier.id))


def _published_offers(supplier) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.organisation_id == supplier.id, Offer.state == "published")
            .options(selectinload(Offer.domains))
            .order_by(Offer.id)
        )
    )


def _best_offer(need: Need, supplier, offers: list[Offer] | None = None) -> Offer | None:
    """The supplier's published offer that shares most activity domains with the need."""
    offers = _published_offers(supplier) if offers is None else offers
    need_domains = {d.code for d in need.domains}
    return max(offers, key=lambda o: len(need_domains & {d.code for d in o.domains}), default=None)


def _new_lead(need: Need, supplier, offer: Offer | None) -> Lead:
    offer = offer or _best_offer(need, supplier)
    lead = Lead(
        need=need,
        supplier_org_id=supplier.id,
        buyer_org_id=need.organisation_id,
        offer_id=offer.id if offer else None,
        state="suggested",
    )
    db.session.add(lead)
    db.session.flush()
    return lead


def _lead_link(lead: Lead) -> str:
    return absolute_url("leads.thread", lead_id=lead.id)


def _event(kind: str, lead: Lead, actor=None, **extra):
    return record_event(kind, need=lead.need, supplier=lead.supplier, lead_id=lead.id, actor=actor, **extra)


def _finish(obj, action: str, actor, commit: bool):
    db.session.flush()
    record_audit(action, obj, actor_id=getattr(actor, "id", None))
    if commit:
        db.session.commit()
    return obj


def _into_discussion(lead: Lead, actor) -> None:
    from marketplace.needs.services import start_discussion

    lead.state = "in_discussion"
    if lead.need.state == "open":
        # One action, one audit row: the lead's own.
        start_discussion(lead.need, actor=actor, commit=False, audit=False)


def _first_answer(lead: Lead, actor, now: datetime) -> None:
    """The supplier's first reply on this lead (interest, answering an invitation or a message)."""
    if lead.first_answer_at is None:
        lead.first_answer_at = now
        _event("first_answer", lead, actor)


def suggest_match(need: Need, supplier, offer: Offer | None = None, actor=None, commit: bool = True) -> Lead | None:
    """Record that matching put this need before this supplier (once per pair); None if it already was."""
    if supplier.id == need.organisation_id or lead_for(need, supplier) is not None:
        return None
    lead = _new_lead(need, supplier, offer)
    lead.suggested_at = utcnow()
    _event("match_suggested", lead, actor)
    return _finish(lead, "lead.suggest", actor, commit)


def suggest_matches(needs: list[Need], supplier) -> list[Lead]:
    """`suggest_match` for many needs at once (a digest): one query for what exists, one flush. Does not commit."""
    ids = [n.id for n in needs if n.organisation_id != supplier.id]
    if not ids:
        return []
    existing = set(
        db.session.scalars(select(Lead.need_id).where(Lead.supplier_org_id == supplier.id, Lead.need_id.in_(ids)))
    )
    offers, now = _published_offers(supplier), utcnow()
    leads = []
    for need in needs:
        if need.id in existing or need.organisation_id == supplier.id:
            continue
        offer = _best_offer(need, supplier, offers)
        lead = Lead(
            need=need,
            supplier=supplier,
            supplier_org_id=supplier.id,
            buyer_org_id=need.organisation_id,
            offer_id=offer.id if offer else None,
            state="suggested",
            suggested_at=now,
        )
        db.session.add(lead)
        leads.append(lead)
    db.session.flush()
    for lead in leads:
        _event("match_suggested", lead)
    return leads


def express_interest(
    need: Need,
    supplier,
    actor=None,
    message: str = "",
    availability: str = "",
    offer: Offer | None = None,
    now: datetime | None = None,
) -> Lead:
    """A supplier shows interest in a need (or answers an invitation), with a short message and its availability."""
    now = now or utcnow()
    lead = lead_for(need, supplier)
    reason = rules.interest_error(need, supplier, lead.state if lead else None, now)
    if reason:
        raise NotAllowed(reason)
    errors = {}
    availability, error = rules.clean_availability(availability)
    if error:
        errors["availability"] = error
    body = ""
    if str(message or "").strip():
        body, error = rules.clean_message(message)
        if error:
            errors["message"] = error
    if errors:
        raise RuleViolation(errors)
    if offer is not None and offer.organisation_id != supplier.id:
        raise NotAllowed(_("Kies een aanbod van uw eigen organisatie."))
    answering_invitation = lead is not None and lead.state == "invited"
    if lead is None:
        lead = _new_lead(need, supplier, offer)
    elif offer is not None:
        lead.offer_id = offer.id
    lead.availability = availability
    lead.interest_at = now
    lead.updated_at = now
    lead.waiting_for = "buyer"
    lead.decline_reason = lead.declined_by = ""
    if answering_invitation:
        _into_discussion(lead, actor)
    else:
        lead.state = "interested"
    _event("interest_expressed", lead, actor)
    _first_answer(lead, actor, now)
    if body:
        _add_message(lead, supplier, actor, body, now)
    mail_organisation(
        lead.buyer_org_id,
        "lead_interest",
        lambda: _("%(supplier)s toont interesse in uw vraag %(title)s", supplier=supplier.name, title=need.title),
        "lead_interest",
        _lead_link(lead),
        lead=lead,
        need=need,
        supplier=supplier,
        message=body,
        answering_invitation=answering_invitation,
    )
    return _finish(lead, "lead.interest", actor, True)


def invite_supplier(
    need: Need, supplier, actor=None, message: str = "", offer: Offer | None = None, now: datetime | None = None
) -> Lead:
    """The buyer invites a supplier (usually one the matching suggested) to answer its need."""
    now = now or utcnow()
    lead = lead_for(need, supplier)
    reason = rules.invitation_error(need, supplier, lead.state if lead else None, now)
    if reason:
        raise NotAllowed(reason)
    body = ""
    if str(message or "").strip():
        body, error = rules.clean_message(message)
        if error:
            raise RuleViolation({"message": error})
    if lead is None:
        lead = _new_lead(need, supplier, offer)
    lead.state = "invited"
    lead.invited_at = lead.updated_at = now
    lead.waiting_for = "supplier"
    _event("invitation_sent", lead, actor)
    if body:
        _add_message(lead, need.organisation, actor, body, now)
    mail_organisation(
        supplier.id,
        "lead_invitation",
        lambda: _("%(buyer)s nodigt u uit voor %(title)s", buyer=need.organisation.name, title=need.title),
        "lead_invitation",
        _lead_link(lead),
        lead=lead,
        need=need,
        message=body,
    )
    return _finish(lead, "lead.invite", actor, True)


def _add_message(lead: Lead, sender, actor, body: str, now: datetime) -> Message:
    message = Message(
        lead=lead, sender_org_id=sender.id, author_id=getattr(actor, "id", None), body=body, created_at=now
    )
    db.session.add(message)
    lead.last_message_at = now
    return message


def send_message(lead: Lead, sender, actor=None, body: str = "", now: datetime | None = None) -> Message:
    """Add a message to a lead's thread and tell the other organisation."""
    now = now or utcnow()
    role = lead.party_role(sender)
    reason = rules.message_error(lead, role, now)
    if reason:
        raise NotAllowed(reason)
    text, error = rules.clean_message(body)
    if error:
        raise RuleViolation({"body": error})
    last = lead.messages[-1] if lead.messages else None
    if (
        last is not None
        and last.sender_org_id == sender.id
        and last.body == text
        and now - last.created_at < DUPLICATE_WINDOW
    ):
        # The same message sent again at once is a double click or a resubmitted form: keep one.
        return last
    message = _add_message(lead, sender, actor, text, now)
    lead.updated_at = now
    if role == "supplier":
        _first_answer(lead, actor, now)
        if lead.state == "invited":
            _into_discussion(lead, actor)
        lead.waiting_for = "buyer" if lead.state in rules.LEAD_TRANSITIONS["agreed"] else ""
    else:
        if lead.state == "interested":
            _into_discussion(lead, actor)
        lead.waiting_for = "supplier" if lead.state in rules.LEAD_TRANSITIONS["agreed"] else ""
    other = lead.supplier_org_id if role == "buyer" else lead.buyer_org_id
    mail_organisation(
        other,
        "lead_message",
        lambda: _("Nieuw bericht van %(sender)s over %(title)s", sender=sender.name, title=lead.need.title),
        "lead_message",
        _lead_link(lead),
        lead=lead,
        sender=sender,
        body=text,
    )
    _finish(message, "lead.message", actor, True)
    return message


def decline_lead(lead: Lead, by_organisation, reason: str, actor=None, note: str = "", commit: bool = True) -> Lead:
    """One party ends a lead with a reason: the buyer declines the supplier, or the supplier declines or withdraws."""
    role = lead.party_role(by_organisation)
    if role is None:
        raise NotAllowed(_("Alleen de twee organisaties van dit contact kunnen het afsluiten."))
    error = rules.decline_error(lead, reason)
    if error:
        raise NotAllowed(error)
    note_text = ""
    if str(note or "").strip():
        note_text, error = rules.clean_message(note)
        if error:
            raise RuleViolation({"note": error})
    now = utcnow()
    # A supplier that had already shown interest withdraws it; otherwise it declines the invitation.
    withdrawing = role == "supplier" and lead.state in ("interested", "in_discussion")
    lead.state = "withdrawn" if withdrawing else "declined"
    lead.decline_reason, lead.declined_by = reason, role
    lead.updated_at, lead.waiting_for = now, ""
    lead.is_shortlisted = False
    _event("interest_declined", lead, actor, detail=f"reason={reason};by={role}")
    if note_text:
        _add_message(lead, by_organisation, actor, note_text, now)
    other = lead.supplier_org_id if role == "buyer" else lead.buyer_org_id
    mail_organisation(
        other,
        "lead_answer",
        lambda: _("Antwoord van %(org)s over %(title)s", org=by_organisation.name, title=lead.need.title),
        "lead_declined",
        _lead_link(lead),
        lead=lead,
        by_organisation=by_organisation,
        role=role,
        note=note_text,
    )
    return _finish(lead, "lead.decline", actor, commit)


def _agreement_events(lead: Lead, collaboration: Collaboration, actor) -> None:
    period = f"start={collaboration.starts_on.isoformat()}"
    if collaboration.ends_on:
        period += f";end={collaboration.ends_on.isoformat()}"
    common = {"buyer": lead.buyer, "collaboration_id": collaboration.id, "collaboration_type": collaboration.type}
    _event("agreement", lead, actor, value_eur=collaboration.value_eur, fte=collaboration.fte, detail=period, **common)
    if collaboration.type == "enclave":
        _event("enclave_started", lead, actor, workers=collaboration.workers, **common)


def _collaboration(lead: Lead, clean: dict) -> Collaboration:
    collaboration = Collaboration(
        lead=lead,
        need_id=lead.need_id,
        supplier_org_id=lead.supplier_org_id,
        buyer_org_id=lead.buyer_org_id,
        type=clean["type"],
        starts_on=clean["starts_on"],
        ends_on=clean["ends_on"],
        value_eur=clean["value_eur"],
        fte=clean["fte"],
        workers=clean["workers"] if clean["type"] == "enclave" else None,
    )
    db.session.add(collaboration)
    db.session.flush()
    return collaboration


def default_collaboration_type(need: Need) -> str:
    return {"outsourcing": "uitbesteding", "enclave": "enclave", "reserved_contract": "voorbehouden_opdracht"}[
        need.kind
    ]


def record_agreement(lead: Lead, data: dict, actor=None) -> Collaboration:
    """The buyer records that a lead led to an agreement: a collaboration with its type, period, value and VTE."""
    if lead.need.kind == "reserved_contract":
        raise NotAllowed(_("Een voorbehouden opdracht wordt gegund: gebruik 'Gunning vastleggen'."))
    reason = rules.agreement_error(lead)
    if reason:
        raise NotAllowed(reason)
    clean, errors = rules.clean_collaboration_data(data)
    if errors:
        raise RuleViolation(errors)
    now = utcnow()
    if lead.state != "in_discussion":
        _into_discussion(lead, actor)
    lead.state, lead.updated_at, lead.waiting_for = "agreed", now, ""
    collaboration = _collaboration(lead, clean)
    _agreement_events(lead, collaboration, actor)
    mail_organisation(
        lead.supplier_org_id,
        "collab_agreement",
        lambda: _("Akkoord met %(buyer)s over %(title)s", buyer=lead.buyer.name, title=lead.need.title),
        "collab_agreement",
        absolute_url("leads.collaboration", collaboration_id=collaboration.id),
        lead=lead,
        collaboration=collaboration,
    )
    return _finish(collaboration, "collaboration.agree", actor, True)


def set_shortlisted(lead: Lead, shortlisted: bool, actor=None) -> Lead:
    """The procurement officer puts a supplier on (or off) the shortlist of a reserved contract."""
    if shortlisted:
        reason = rules.shortlist_error(lead)
        if reason:
            raise NotAllowed(reason)
    lead.is_shortlisted = shortlisted
    lead.updated_at = utcnow()
    return _finish(lead, "lead.shortlist" if shortlisted else "lead.unshortlist", actor, True)


def record_award(lead: Lead, data: dict, actor=None) -> Collaboration:
    """Award a reserved contract to this lead's supplier: the collaboration, the award, and the others told."""
    from marketplace.needs.services import award_need

    reason = rules.award_error(lead)
    if reason:
        raise NotAllowed(reason)
    clean, errors = rules.clean_collaboration_data(data, "voorbehouden_opdracht")
    if errors:
        raise RuleViolation(errors)
    need, now = lead.need, utcnow()
    lead.state, lead.updated_at, lead.waiting_for = "agreed", now, ""
    collaboration = _collaboration(lead, clean)
    award_need(need, actor=actor, commit=False, audit=False)
    _event("award", lead, actor, value_eur=collaboration.value_eur, collaboration_id=collaboration.id)
    _agreement_events(lead, collaboration, actor)
    link = absolute_url("leads.collaboration", collaboration_id=collaboration.id)
    mail_organisation(
        lead.supplier_org_id,
        "lead_award",
        lambda: _("Opdracht %(title)s is aan u gegund", title=need.title),
        "lead_award_won",
        link,
        lead=lead,
        collaboration=collaboration,
    )
    others = db.session.scalars(
        select(Lead).where(
            Lead.need_id == need.id, Lead.id != lead.id, Lead.state.in_(("interested", "invited", "in_discussion"))
        )
    ).all()
    for other in others:
        other.state, other.decline_reason, other.declined_by = "declined", "other_supplier", "buyer"
        other.updated_at, other.waiting_for, other.is_shortlisted = now, "", False
        _event("interest_declined", other, actor, detail="reason=other_supplier;by=buyer")
        mail_organisation(
            other.supplier_org_id,
            "lead_award",
            lambda: _("Opdracht %(title)s is gegund aan een andere leverancier", title=need.title),
            "lead_award_lost",
            _lead_link(other),
            lead=other,
        )
    return _finish(collaboration, "collaboration.award", actor, True)


def _end_detail(ended_on: date | None) -> str:
    return f"end={ended_on.isoformat()}" if ended_on else ""


def end_collaboration(
    collaboration: Collaboration,
    target: str,
    actor=None,
    reason: str = "",
    note: str = "",
    ended_on: date | None = None,
) -> Collaboration:
    """Mark a running collaboration completed ('afgerond') or stopped early ('stopgezet', with a reason)."""
    if target not in ("afgerond", "stopgezet"):
        raise ValueError(target)
    error = rules.collaboration_end_error(collaboration, target, reason, ended_on)
    if error:
        raise NotAllowed(error)
    errors: dict = {}
    note = collect(errors, "note", parse_text, note, label=_("de toelichting"), max_length=500) or ""
    if errors:
        raise RuleViolation(errors)
    collaboration.state = target
    collaboration.ended_on = ended_on or utcnow().date()
    collaboration.stop_reason = reason if target == "stopgezet" else ""
    collaboration.stop_note = note
    collaboration.updated_at = utcnow()
    kind = "collaboration_completed" if target == "afgerond" else "collaboration_stopped"
    detail = ";".join(p for p in (_end_detail(ended_on), f"reason={reason}" if reason else "") if p)
    _event(kind, collaboration.lead, actor, buyer=collaboration.buyer, collaboration_id=collaboration.id, detail=detail)
    return _finish(collaboration, f"collaboration.{target}", actor, True)


def extend_collaboration(collaboration: Collaboration, new_end: date | None, actor=None) -> Collaboration:
    """Move the planned end of a running collaboration later."""
    error = rules.extension_error(collaboration, new_end)
    if error:
        raise NotAllowed(error)
    collaboration.ends_on = new_end
    collaboration.extensions += 1
    collaboration.updated_at = utcnow()
    _event(
        "collaboration_extended",
        collaboration.lead,
        actor,
        buyer=collaboration.buyer,
        collaboration_id=collaboration.id,
        detail=_end_detail(new_end),
    )
    return _finish(collaboration, "collaboration.extend", actor, True)


def report_outcome(
    need: Need, organisation, had_deal: bool, value_eur=None, note: str = "", actor=None
) -> OutcomeReport:
    """Answer the question 'did this need lead to a deal, and for how much?' for the buyer or a supplier."""
    role = "buyer" if organisation.id == need.organisation_id else "supplier"
    if role == "supplier" and lead_for(need, organisation) is None:
        raise NotAllowed(_("Uw organisatie had geen contact over deze vraag."))
    errors: dict = {}
    value = collect(errors, "value_eur", parse_decimal, value_eur, label=_("de waarde"), maximum=rules.MAX_VALUE_EUR)
    note = collect(errors, "note", parse_text, note, label=_("de toelichting"), max_length=1000) or ""
    if had_deal is None:
        errors["had_deal"] = _("Kies of deze vraag tot een akkoord leidde.")
    if errors:
        raise RuleViolation(errors)
    report = db.session.scalar(
        select(OutcomeReport).where(OutcomeReport.need_id == need.id, OutcomeReport.organisation_id == organisation.id)
    )
    if report is None:
        report = OutcomeReport(need_id=need.id, organisation_id=organisation.id, role=role)
        db.session.add(report)
    report.answered_at = utcnow()
    report.answered_by_id = getattr(actor, "id", None)
    report.had_deal = bool(had_deal)
    report.value_eur = value if had_deal else None
    report.note = note
    supplier = organisation if role == "supplier" else None
    record_event(
        "outcome_reported",
        need=need,
        supplier=supplier,
        actor=actor,
        value_eur=report.value_eur,
        detail=f"deal={'yes' if had_deal else 'no'};role={role}",
    )
    return _finish(report, "outcome.report", actor, True)


def record_need_view(need_id: int, supplier, actor=None) -> bool:
    """The `need_viewed` event the first time a supplier opens a need's page; True when it was recorded."""
    from marketplace.events.models import Event

    need = db.session.get(Need, need_id)
    if need is None or need.organisation_id == supplier.id or need.state == "draft":
        return False
    seen = db.session.scalar(
        select(Event.id).where(
            Event.kind == "need_viewed", Event.need_id == need.id, Event.supplier_org_id == supplier.id
        )
    )
    if seen is not None:
        return False
    record_event("need_viewed", need=need, supplier=supplier, actor=actor)
    db.session.commit()
    return True


def opt_out(user_id: int, kind: str) -> None:
    """Stop one kind of mail for a user (the one-click link); doing it twice changes nothing."""
    from marketplace.leads.models import MailOptOut

    exists = db.session.scalar(select(MailOptOut.id).where(MailOptOut.user_id == user_id, MailOptOut.kind == kind))
    if exists is None:
        db.session.add(MailOptOut(user_id=user_id, kind=kind))
        record_audit("mail.opt_out", detail=kind, actor_id=user_id)
        db.session.commit()
