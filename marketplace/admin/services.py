"""Administrator writes. Each one records an audit entry and commits once."""

from datetime import date

from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import PLATFORM_ROLES, User
from marketplace.accounts.sessions import end_all_sessions
from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail.services import queue_mail
from marketplace.orgs.models import Organisation
from marketplace.search.models import record_change


class NotAllowed(ValueError):
    """An administrator may not do this to their own account (it would lock them out)."""


def _mail_owners(organisation: Organisation, subject, template: str, **context) -> None:
    for membership in organisation.memberships:
        if membership.role == "owner" and membership.user.is_enabled:
            user = membership.user
            with force_locale(user.locale or "nl"):
                queue_mail(user.email, str(subject), template, user=user, organisation=organisation, **context)


def verify_organisation(organisation: Organisation) -> None:
    organisation.verification_state = "verified"
    organisation.verified_at = utcnow()
    record_change("organisation", organisation.id)
    record_audit("organisation.verified", organisation)
    _mail_owners(
        organisation,
        _l("Uw organisatie is geverifieerd op Werkbrug"),
        "org_verified",
        link=url_for("main.dashboard", _external=True),
    )
    db.session.commit()


def reject_organisation(organisation: Organisation, reason: str) -> None:
    organisation.verification_state = "rejected"
    organisation.verified_at = None
    record_change("organisation", organisation.id)
    record_audit("organisation.rejected", organisation, detail=reason)
    _mail_owners(
        organisation,
        _l("Uw registratie op Werkbrug"),
        "org_rejected",
        reason=reason,
        link=url_for("orgs.settings", _external=True),
    )
    db.session.commit()


def set_recognition(organisation: Organisation, is_recognised: bool, recognised_on: date | None, source: str) -> None:
    """Record (or withdraw) the Flemish recognition as maatwerkbedrijf, with its date and source."""
    organisation.is_recognised_maatwerk = is_recognised
    organisation.recognised_on = recognised_on if is_recognised else None
    organisation.recognition_source = source.strip() if is_recognised else ""
    record_change("organisation", organisation.id)
    detail = f"recognised on {recognised_on}, source {source.strip()}" if is_recognised else "recognition withdrawn"
    record_audit("organisation.recognition", organisation, detail=detail)
    db.session.commit()


def set_eligibility_confirmed(organisation: Organisation, confirmed: bool) -> None:
    """Confirm (or withdraw the confirmation of) a declared EU art. 20 eligibility."""
    if confirmed and not organisation.is_eligible_declared:
        raise NotAllowed("nothing declared")
    organisation.eligibility_confirmed_at = utcnow() if confirmed else None
    record_change("organisation", organisation.id)
    record_audit("organisation.eligibility", organisation, detail="confirmed" if confirmed else "withdrawn")
    db.session.commit()


def disable_user(user: User, admin: User | None) -> None:
    """Disable an account and end all of its sessions at once (admin None: an operator at the CLI)."""
    if admin is not None and user.id == admin.id:
        raise NotAllowed("own account")
    user.is_enabled = False
    end_all_sessions(user.id)
    record_audit("account.disabled", user)
    db.session.commit()


def enable_user(user: User) -> None:
    user.is_enabled = True
    record_audit("account.enabled", user)
    db.session.commit()


def set_platform_role(user: User, role: str | None, admin: User | None) -> None:
    """Grant or revoke a platform role (admin None: an operator at the CLI)."""
    if role is not None and role not in PLATFORM_ROLES:
        raise ValueError(role)
    if admin is not None and user.id == admin.id and role != "admin":
        raise NotAllowed("own admin role")
    if user.platform_role != role:
        record_audit("account.platform_role", user, detail=f"{user.platform_role or '-'} -> {role or '-'}")
        user.platform_role = role
        db.session.commit()
