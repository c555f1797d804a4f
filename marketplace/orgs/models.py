"""Organisations and who belongs to them.

Dutch field words stay Dutch where English has no exact one: `kbo` (enterprise number),
`maatwerkbedrijf` (recognised custom-work company), `nace` (sector code).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import utcnow
from marketplace.extensions import db

ORG_KINDS = {
    "maatwerkbedrijf": _l("Maatwerkbedrijf"),
    "sociale_onderneming": _l("Sociale onderneming"),
    "onderneming": _l("Onderneming"),
    "overheid": _l("Overheid"),
}
SOCIAL_KINDS = ("maatwerkbedrijf", "sociale_onderneming")
SIZE_CLASSES = {
    "micro": _l("Micro (minder dan 10 werknemers)"),
    "klein": _l("Klein (10 tot 49 werknemers)"),
    "middelgroot": _l("Middelgroot (50 tot 249 werknemers)"),
    "groot": _l("Groot (250 werknemers of meer)"),
}
VERIFICATION_STATES = {
    "pending": _l("Wacht op verificatie"),
    "verified": _l("Geverifieerd"),
    "rejected": _l("Geweigerd"),
}
MEMBER_ROLES = {"owner": _l("Beheerder"), "member": _l("Medewerker")}


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kbo: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    province: Mapped[str] = mapped_column(String(3))
    postcode: Mapped[str] = mapped_column(String(4))
    municipality: Mapped[str] = mapped_column(String(100), default="")
    nace: Mapped[str] = mapped_column(String(10), default="")
    size_class: Mapped[str] = mapped_column(String(20))
    website: Mapped[str] = mapped_column(String(300), default="")
    verification_state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    verified_at: Mapped[datetime | None]
    is_recognised_maatwerk: Mapped[bool] = mapped_column(default=False)
    recognised_on: Mapped[date | None]
    recognition_source: Mapped[str] = mapped_column(String(300), default="")
    # EU art. 20 eligibility: declared by the organisation, confirmed by an administrator.
    is_eligible_declared: Mapped[bool] = mapped_column(default=False)
    eligibility_confirmed_at: Mapped[datetime | None]
    # Imported from an official list, not yet claimed by any member.
    is_imported: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def is_social_economy(self) -> bool:
        return self.kind in SOCIAL_KINDS

    @property
    def is_verified(self) -> bool:
        return self.verification_state == "verified"

    @property
    def has_public_profile(self) -> bool:
        """Shown at /leveranciers/<id>: verified social-economy organisations only."""
        return self.is_social_economy and self.is_verified

    @property
    def is_eligible_reserved(self) -> bool:
        """Eligible for contracts reserved under EU directive 2014/24 art. 20."""
        return self.is_recognised_maatwerk or (self.is_eligible_declared and self.eligibility_confirmed_at is not None)

    @property
    def nace_section(self) -> str:
        from marketplace.orgs.nace import section_for_code

        return section_for_code(self.nace)

    def __repr__(self) -> str:
        return f"<Organisation {self.kbo} {self.name!r}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """An e-mailed invitation to join an organisation; the token itself is never stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default="member")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()


class ProfileClaim(db.Model):
    """A member's request to take over an imported profile; an administrator decides."""

    __tablename__ = "profile_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    evidence: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821
