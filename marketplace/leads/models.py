"""From match to collaboration: leads, their messages, collaborations, outcome reports and mail preferences.

A lead is one need × one supplier organisation (with the offer it came through, where known).
Dutch words kept: `uitbesteding`, `enclave`, `voorbehouden_opdracht` (collaboration types) and the
collaboration states `lopend`, `afgerond`, `stopgezet`, as the department uses them.
"""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import Organisation

LEAD_STATES = {
    "suggested": _l("Voorgesteld"),
    "interested": _l("Interesse getoond"),
    "invited": _l("Uitgenodigd"),
    "in_discussion": _l("In gesprek"),
    "agreed": _l("Akkoord"),
    "declined": _l("Afgewezen"),
    "withdrawn": _l("Ingetrokken"),
}
# Leads that still wait for something from one of the two parties.
OPEN_LEAD_STATES = ("suggested", "interested", "invited", "in_discussion")
DECLINE_REASONS = {
    "capacity": _l("Geen capaciteit of planning past niet"),
    "price": _l("Prijs of budget past niet"),
    "fit": _l("Het werk past niet bij het aanbod"),
    "other_supplier": _l("Een andere leverancier gekozen"),
    "need_cancelled": _l("De vraag is ingetrokken"),
    "other": _l("Andere reden"),
}
COLLABORATION_STATES = {
    "lopend": _l("Lopend"),
    "afgerond": _l("Afgerond"),
    "stopgezet": _l("Vroegtijdig stopgezet"),
}
STOP_REASONS = {
    "work_ended": _l("Het werk viel weg"),
    "quality": _l("Kwaliteit of afspraken niet gehaald"),
    "staffing": _l("Geen ploeg of begeleiding beschikbaar"),
    "financial": _l("Financiële redenen"),
    "other": _l("Andere reden"),
}
FREQUENCIES = {"immediate": _l("Meteen"), "daily": _l("Eén keer per dag (overzicht)")}
# Mail kinds a user can stop, one by one, with the link in each mail.
MAIL_KINDS = {
    "lead_invitation": _l("Uitnodigingen voor een vraag"),
    "lead_message": _l("Nieuwe berichten"),
    "lead_answer": _l("Antwoorden op uw interesse"),
    "lead_interest": _l("Nieuwe interesse in uw vraag"),
    "collab_agreement": _l("Akkoorden en samenwerkingen"),
    "lead_award": _l("Gunningen van opdrachten"),
    "lead_outcome": _l("Vragen naar het resultaat"),
    "digest_subscription": _l("Nieuwe vragen die bij u passen"),
    "digest_saved_search": _l("Nieuwe resultaten van bewaarde zoekopdrachten"),
}


class Lead(db.Model):
    __tablename__ = "lead"
    __table_args__ = (
        UniqueConstraint("need_id", "supplier_org_id", name="uq_lead_need_supplier"),
        Index("ix_lead_supplier_state", "supplier_org_id", "state"),
        Index("ix_lead_buyer_state", "buyer_org_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # The need's organisation, kept here so that "my leads" needs no join for access checks.
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="suggested")
    availability: Mapped[str] = mapped_column(String(500), default="")
    decline_reason: Mapped[str] = mapped_column(String(30), default="")
    declined_by: Mapped[str] = mapped_column(String(10), default="")
    is_shortlisted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    suggested_at: Mapped[datetime | None]
    interest_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    first_answer_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    # Who must answer next ("buyer", "supplier" or ""), for Mijn Werkbrug.
    waiting_for: Mapped[str] = mapped_column(String(10), default="")

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer | None] = relationship()
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_org_id])
    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_org_id])
    messages: Mapped[list["Message"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="Message.id"
    )
    collaboration: Mapped["Collaboration | None"] = relationship(back_populates="lead", uselist=False)

    def party_role(self, organisation) -> str | None:
        """'buyer', 'supplier' or None for an organisation that is not one of the two."""
        if organisation is None:
            return None
        if organisation.id == self.buyer_org_id:
            return "buyer"
        if organisation.id == self.supplier_org_id:
            return "supplier"
        return None

    def __repr__(self) -> str:
        return f"<Lead {self.id} need={self.need_id} supplier={self.supplier_org_id} {self.state}>"


class Message(db.Model):
    __tablename__ = "lead_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    sender_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="messages")
    sender: Mapped[Organisation] = relationship()
    author: Mapped["User | None"] = relationship()  # noqa: F821


class Collaboration(db.Model):
    __tablename__ = "collaboration"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), unique=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    value_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fte: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    workers: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(20), default="lopend")
    stop_reason: Mapped[str] = mapped_column(String(30), default="")
    stop_note: Mapped[str] = mapped_column(String(500), default="")
    ended_on: Mapped[date | None]
    extensions: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="collaboration")
    need: Mapped[Need] = relationship()
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_org_id])
    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_org_id])

    def party_role(self, organisation) -> str | None:
        if organisation is None:
            return None
        if organisation.id == self.buyer_org_id:
            return "buyer"
        if organisation.id == self.supplier_org_id:
            return "supplier"
        return None


class OutcomeReport(db.Model):
    """What became of a need, asked of its buyer and of the suppliers that took part; who answered is kept.

    The row is made when the reminder goes out (`requested_at`), which is how a reminder is sent once;
    an answer given without a reminder makes it too.
    """

    __tablename__ = "outcome_report"
    __table_args__ = (UniqueConstraint("need_id", "organisation_id", name="uq_outcome_need_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    had_deal: Mapped[bool | None]
    value_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(String(1000), default="")

    need: Mapped[Need] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Subscription(db.Model):
    """A supplier's standing request to hear of new needs in its domains and provinces."""

    __tablename__ = "need_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency: Mapped[str] = mapped_column(String(10), default="daily")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Needs published after this moment go in the next digest.
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821


class SavedSearch(db.Model):
    """A search kept by a user: new needs (for a supplier) or new offers (for a buyer) that meet it are mailed."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(10))  # "need" or "offer"
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(40), default="")
    province: Mapped[str] = mapped_column(String(3), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821


class MailOptOut(db.Model):
    """A kind of mail a user no longer wants (set with the one-click link in each mail)."""

    __tablename__ = "mail_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_mail_opt_out_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
