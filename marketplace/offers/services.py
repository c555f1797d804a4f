"""Writes on offers: each function is one transaction and commits once."""

import secrets

from sqlalchemy import select

from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.offers.models import Offer
from marketplace.offers.rules import clean_offer_data, may_create_offer, may_publish_offer, offer_transition_error
from marketplace.offers.validation import NotAllowed, RuleViolation  # noqa: F401 (raised by the rules)
from marketplace.search.models import record_change
from marketplace.taxonomy.models import ActivityDomain

OFFER_FIELDS = (
    "title",
    "description",
    "free_tags",
    "cpv_codes",
    "regions",
    "capacity_fte",
    "has_enclave",
    "enclave_max_team",
    "certifications",
)


def new_ref(prefix: str) -> str:
    """A catalog key for something made on the site, e.g. 'OFF-7F3A9C21B4'."""
    return f"{prefix}-{secrets.token_hex(5).upper()}"


def domains_for(codes: list[str]) -> list[ActivityDomain]:
    if not codes:
        return []
    return list(db.session.scalars(select(ActivityDomain).where(ActivityDomain.code.in_(codes))))


def _apply(offer: Offer, data: dict) -> None:
    clean, errors = clean_offer_data(data)
    if errors:
        raise RuleViolation(errors)
    for field in OFFER_FIELDS:
        setattr(offer, field, clean[field])
    offer.domains = domains_for(clean["domains"])


def _commit(offer: Offer, action: str, actor, commit: bool = True) -> Offer:
    db.session.flush()
    record_change("offer", offer.id)
    record_audit(action, offer, detail=offer.ref, actor_id=getattr(actor, "id", None))
    if commit:
        db.session.commit()
    return offer


def create_offer(organisation, data: dict, actor=None, ref: str | None = None, commit: bool = True) -> Offer:
    """A draft offer of a social-economy organisation; RuleViolation/NotAllowed change nothing.

    `commit=False` leaves the commit to the caller (the catalog import writes a whole file at once).
    """
    reason = may_create_offer(organisation)
    if reason:
        raise NotAllowed(reason)
    offer = Offer(organisation_id=organisation.id, ref=ref or new_ref("OFF"), state="draft")
    _apply(offer, data)
    db.session.add(offer)
    return _commit(offer, "offer.create", actor, commit)


def update_offer(offer: Offer, data: dict, actor=None, commit: bool = True) -> Offer:
    """Change an offer's fields (in any state); a published offer stays published."""
    _apply(offer, data)
    offer.updated_at = utcnow()
    return _commit(offer, "offer.update", actor, commit)


def _transition(offer: Offer, target: str, actor, action: str, commit: bool) -> Offer:
    reason = offer_transition_error(offer, target)
    if target == "published":
        reason = reason or may_publish_offer(offer.organisation)
    if reason:
        raise NotAllowed(reason)
    offer.state = target
    offer.updated_at = utcnow()
    if target == "published":
        offer.published_at = utcnow()
    return _commit(offer, action, actor, commit)


def publish_offer(offer: Offer, actor=None, commit: bool = True) -> Offer:
    """Publish a draft or archived offer (verified social-economy organisations only)."""
    return _transition(offer, "published", actor, "offer.publish", commit)


def archive_offer(offer: Offer, actor=None, commit: bool = True) -> Offer:
    """Take an offer off the site; it can be published again later."""
    return _transition(offer, "archived", actor, "offer.archive", commit)
