"""Writing events. Call `record_event` in the same transaction as the change it records."""

from datetime import datetime
from decimal import Decimal

from marketplace.database import utcnow
from marketplace.events.models import EVENT_KINDS, Event, quarter_of
from marketplace.extensions import db


def record_event(
    kind: str,
    *,
    buyer=None,
    supplier=None,
    need=None,
    lead_id: int | None = None,
    collaboration_id: int | None = None,
    collaboration_type: str = "",
    value_eur: Decimal | float | None = None,
    fte: Decimal | float | None = None,
    workers: int | None = None,
    actor=None,
    detail: str = "",
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event, with the buyer's dimensions as they are now. Does not commit."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if buyer is None and need is not None:
        buyer = need.organisation
    moment = occurred_at or utcnow()
    event = Event(
        kind=kind,
        occurred_at=moment,
        quarter=quarter_of(moment),
        need_id=need.id if need is not None else None,
        lead_id=lead_id,
        collaboration_id=collaboration_id,
        supplier_org_id=supplier.id if supplier is not None else None,
        buyer_org_id=buyer.id if buyer is not None else None,
        actor_user_id=getattr(actor, "id", None),
        supplier_kind=supplier.kind if supplier is not None else "",
        buyer_kind=buyer.kind if buyer is not None else "",
        buyer_province=buyer.province if buyer is not None else "",
        buyer_nace_section=(buyer.nace_section or "") if buyer is not None else "",
        buyer_size_class=buyer.size_class if buyer is not None else "",
        need_kind=need.kind if need is not None else "",
        collaboration_type=collaboration_type,
        value_eur=value_eur,
        fte=fte,
        workers=workers,
        detail=detail[:200],
    )
    db.session.add(event)
    db.session.flush()
    for listener in _listeners:
        listener(event)
    return event


# Functions called with each new event inside its transaction (the indicator's counters).
_listeners: list = []


def on_event(listener):
    """Register a function to be called with every recorded event, in its transaction."""
    _listeners.append(listener)
    return listener
