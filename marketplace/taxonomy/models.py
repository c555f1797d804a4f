"""Activity domains of the social economy, with labels, synonyms and CPV/NACE links."""

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db

offer_domain = Table(
    "offer_domain",
    db.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("activity_domain.id", ondelete="CASCADE"), primary_key=True, index=True),
)
need_domain = Table(
    "need_domain",
    db.metadata,
    Column("need_id", ForeignKey("need.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("activity_domain.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ActivityDomain(db.Model):
    __tablename__ = "activity_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_nl: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    nace_codes: Mapped[list[str]] = mapped_column(JSON, default=list)

    def label(self, language: str = "nl") -> str:
        return self.label_en if language == "en" else self.label_nl

    def __repr__(self) -> str:
        return f"<ActivityDomain {self.code}>"
