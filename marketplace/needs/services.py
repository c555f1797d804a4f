"""Writes on needs: each function is one transaction and commits once."""

from datetime import datetime

from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.events.services import record_event
from marketplace.extensions import db
from marketplace.needs.models import Lot, Need
from marketplace.needs.rules import clean_need_data, may_post_need, may_publish_need, need_transition_error
from marketplace.offers.services import domains_for, new_ref
from marketplace.offers.validation import NotAllowed, RuleViolation
from marketplace.search.models import record_change

COMMON_FIELDS = (
    "title",
    "description",
    "free_tags",
    "cpv_codes",
    "province",
    "postcode",
    "volume_fte",
    "starts_on",
    "ends_on",
    "budget_min_eur",
    "budget_max_eur",
)
KIND_FIELDS = {
    "outsourcing": (),
    "enclave": (
        "team_size",
        "site_address",
        "host_core_activity",
        "tasks",
        "risks_and_safety",
        "working_hours",
        "travel",
    ),
    "reserved_contract": (
        "procurement_reference",
        "estimated_value_eur",
        "deadline_at",
        "reservation",
        "is_recognised_only",
        "is_execution_reserved",
        "tender_url",
    ),
}


def _apply(need: Need, data: dict, now: datetime | None) -> None:
    clean, errors = clean_need_data({**data, "kind": need.kind}, now=now)
    if errors:
        raise RuleViolation(errors)
    for field in COMMON_FIELDS + KIND_FIELDS[need.kind]:
        setattr(need, field, clean[field])
    need.domains = domains_for(clean["domains"])
    if need.kind == "reserved_contract":
        need.lots = [
            Lot(number=lot["number"], title=lot["title"], is_reserved=lot["is_reserved"]) for lot in clean["lots"]
        ]


def _commit(need: Need, action: str, actor, commit: bool = True, audit: bool = True) -> Need:
    db.session.flush()
    record_change("need", need.id)
    if audit:
        record_audit(action, need, detail=need.ref, actor_id=getattr(actor, "id", None))
    if commit:
        db.session.commit()
    return need


def create_need(
    organisation, kind: str, data: dict, actor=None, ref: str | None = None, now=None, commit: bool = True
) -> Need:
    """A draft need of `kind`; RuleViolation/NotAllowed change nothing.

    `commit=False` leaves the commit to the caller (the catalog import writes a whole file at once).
    """
    reason = may_post_need(organisation, kind)
    if reason:
        raise NotAllowed(reason)
    need = Need(organisation_id=organisation.id, kind=kind, ref=ref or new_ref("NEED"), state="draft")
    _apply(need, data, now)
    db.session.add(need)
    return _commit(need, "need.create", actor, commit)


def update_need(need: Need, data: dict, actor=None, now=None, commit: bool = True) -> Need:
    """Change a need's fields while it is a draft, open or in discussion."""
    if need.state not in ("draft", "open", "in_discussion"):
        raise NotAllowed(need_transition_error(need, "open") if need.state == "cancelled" else _closed_message())
    _apply(need, data, now)
    need.updated_at = utcnow()
    return _commit(need, "need.update", actor, commit)


def _closed_message() -> str:
    from flask_babel import gettext as _

    return _("Deze vraag is afgesloten en kan niet meer gewijzigd worden.")


def _transition(need: Need, target: str, actor, action: str) -> Need:
    reason = need_transition_error(need, target)
    if reason:
        raise NotAllowed(reason)
    need.state = target
    need.updated_at = utcnow()
    if target in ("closed", "cancelled", "awarded"):
        need.closed_at = utcnow()
    return need


def publish_need(need: Need, actor=None, now=None, commit: bool = True) -> Need:
    """Open a draft need to suppliers and record the `need_published` event, in one transaction."""
    reason = need_transition_error(need, "open") or may_publish_need(need.organisation, need.kind)
    if reason:
        raise NotAllowed(reason)
    # The data is checked again: a reserved contract's deadline may have passed since it was saved.
    clean, errors = clean_need_data(_data_of(need), now=now)
    if errors:
        raise RuleViolation(errors)
    _transition(need, "open", actor, "need.publish")
    need.published_at = utcnow()
    record_event("need_published", need=need, actor=actor)
    return _commit(need, "need.publish", actor, commit)


def cancel_need(need: Need, actor=None, commit: bool = True) -> Need:
    """Withdraw a need; a cancelled need cannot be reopened."""
    _transition(need, "cancelled", actor, "need.cancel")
    return _commit(need, "need.cancel", actor, commit)


def close_need(need: Need, actor=None, commit: bool = True) -> Need:
    """Close an open need without an award (the buyer found what it needed, or stopped looking)."""
    _transition(need, "closed", actor, "need.close")
    return _commit(need, "need.close", actor, commit)


def _data_of(need: Need) -> dict:
    """The need's stored fields as input data for the rules."""
    data = {field: getattr(need, field) for field in COMMON_FIELDS + KIND_FIELDS[need.kind]}
    data.update(kind=need.kind, domains=[d.code for d in need.domains])
    data["lots"] = [{"title": lot.title, "is_reserved": lot.is_reserved} for lot in need.lots]
    return data


def start_discussion(need: Need, actor=None, commit: bool = True, audit: bool = True) -> Need:
    """An open need is now being discussed with a supplier (called by the leads feature).

    `audit=False` when the caller's own action (interest, a message, an agreement) is the audited one.
    """
    _transition(need, "in_discussion", actor, "need.discuss")
    return _commit(need, "need.discuss", actor, commit, audit)


def award_need(need: Need, actor=None, commit: bool = True, audit: bool = True) -> Need:
    """Mark an open or discussed need as awarded. The caller records the `award` event with the supplier,
    in the same transaction (commit=False, then commit), and its audit row (audit=False)."""
    _transition(need, "awarded", actor, "need.award")
    return _commit(need, "need.award", actor, commit, audit)
