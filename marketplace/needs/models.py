"""What buyers ask: outsourcing needs, enclave requests and reserved contracts."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from marketplace.taxonomy.models import ActivityDomain, need_domain

NEED_KINDS = {
    "outsourcing": _l("Uitbesteding"),
    "enclave": _l("Enclave-aanvraag"),
    "reserved_contract": _l("Voorbehouden opdracht"),
}
NEED_STATES = {
    "draft": _l("Concept"),
    "open": _l("Open"),
    "in_discussion": _l("In gesprek"),
    "awarded": _l("Gegund"),
    "closed": _l("Afgesloten"),
    "cancelled": _l("Geannuleerd"),
}
# EU eForms BT-71 reserved participation codes.
RESERVATIONS = {
    "res-ws": _l(
        "Beschutte werkplaatsen en organisaties voor integratie van personen met een handicap of kansengroepen"
    ),
    "res-pub-ser": _l("Organisaties met een openbaredienstopdracht"),
}


class Need(db.Model):
    __tablename__ = "need"
    # The public list of open reserved contracts filters on all three and sorts on the deadline.
    __table_args__ = (Index("ix_need_kind_state_deadline", "kind", "state", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    free_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    province: Mapped[str] = mapped_column(String(3))
    postcode: Mapped[str] = mapped_column(String(4))
    volume_fte: Mapped[float | None] = mapped_column(Numeric(8, 1))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    budget_min_eur: Mapped[float | None] = mapped_column(Numeric(14, 2))
    budget_max_eur: Mapped[float | None] = mapped_column(Numeric(14, 2))
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    # Enclave request: what the collective agreement on enclave work asks for.
    team_size: Mapped[int | None]
    site_address: Mapped[str] = mapped_column(String(300), default="")
    host_core_activity: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    risks_and_safety: Mapped[str] = mapped_column(Text, default="")
    working_hours: Mapped[str] = mapped_column(String(300), default="")
    travel: Mapped[str] = mapped_column(Text, default="")

    # Reserved contract (voorbehouden opdracht).
    procurement_reference: Mapped[str] = mapped_column(String(100), default="")
    estimated_value_eur: Mapped[float | None] = mapped_column(Numeric(14, 2))
    deadline_at: Mapped[datetime | None]
    reservation: Mapped[str] = mapped_column(String(20), default="")
    is_recognised_only: Mapped[bool] = mapped_column(default=False)
    is_execution_reserved: Mapped[bool] = mapped_column(default=False)
    tender_url: Mapped[str] = mapped_column(String(500), default="")

    organisation: Mapped[Organisation] = relationship()
    domains: Mapped[list[ActivityDomain]] = relationship(secondary=need_domain, order_by=ActivityDomain.label_nl)
    lots: Mapped[list["Lot"]] = relationship(back_populates="need", cascade="all, delete-orphan", order_by="Lot.number")

    def __repr__(self) -> str:
        return f"<Need {self.ref} {self.kind}>"


class Lot(db.Model):
    __tablename__ = "lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    is_reserved: Mapped[bool] = mapped_column(default=True)

    need: Mapped[Need] = relationship(back_populates="lots")
