"""What a supplier can do: its offers (capabilities)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from marketplace.taxonomy.models import ActivityDomain, offer_domain

OFFER_STATES = {"draft": _l("Concept"), "published": _l("Gepubliceerd"), "archived": _l("Gearchiveerd")}


class Offer(db.Model):
    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The catalog key (OFF-...); offers made on the site get one on creation.
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    free_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity_fte: Mapped[float | None] = mapped_column(Numeric(8, 1))
    has_enclave: Mapped[bool] = mapped_column(default=False)
    enclave_max_team: Mapped[int] = mapped_column(default=0)
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    domains: Mapped[list[ActivityDomain]] = relationship(secondary=offer_domain, order_by=ActivityDomain.label_nl)

    def __repr__(self) -> str:
        return f"<Offer {self.ref}>"
