"""The append-only event log: every step of a collaboration, with the indicator's dimensions.

The buyer's dimensions are copied onto the event when it happens, so that a firm that later
moves or grows does not rewrite past quarters.
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import utcnow
from marketplace.extensions import db

EVENT_KINDS = {
    "need_published": _l("Vraag gepubliceerd"),
    "match_suggested": _l("Match voorgesteld"),
    "need_viewed": _l("Vraag bekeken door leverancier"),
    "interest_expressed": _l("Interesse getoond"),
    "interest_declined": _l("Interesse afgewezen"),
    "invitation_sent": _l("Uitnodiging verstuurd"),
    "first_answer": _l("Eerste antwoord"),
    "agreement": _l("Akkoord"),
    "award": _l("Gunning"),
    "enclave_started": _l("Enclave gestart"),
    "collaboration_extended": _l("Samenwerking verlengd"),
    "collaboration_completed": _l("Samenwerking afgerond"),
    "collaboration_stopped": _l("Samenwerking stopgezet"),
    "outcome_reported": _l("Resultaat gemeld"),
}
COLLABORATION_TYPES = {
    "uitbesteding": _l("Uitbesteding"),
    "enclave": _l("Enclave"),
    "voorbehouden_opdracht": _l("Voorbehouden opdracht"),
}


def quarter_of(moment: datetime) -> str:
    """'2026Q4' for any moment in October to December 2026."""
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_kind_quarter", "kind", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    quarter: Mapped[str] = mapped_column(String(6))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"), index=True)
    # Leads and collaborations are referred to by id only: the log outlives them.
    lead_id: Mapped[int | None] = mapped_column(index=True)
    collaboration_id: Mapped[int | None] = mapped_column(index=True)
    supplier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    buyer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    supplier_kind: Mapped[str] = mapped_column(String(30), default="")
    buyer_kind: Mapped[str] = mapped_column(String(30), default="")
    buyer_province: Mapped[str] = mapped_column(String(3), default="")
    buyer_nace_section: Mapped[str] = mapped_column(String(1), default="")
    buyer_size_class: Mapped[str] = mapped_column(String(20), default="")
    need_kind: Mapped[str] = mapped_column(String(30), default="")
    collaboration_type: Mapped[str] = mapped_column(String(30), default="")
    value_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fte: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    workers: Mapped[int | None]
    # Free detail that is not a dimension (a decline reason code, say).
    detail: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.quarter}>"
