"""Account writes: registration, confirmation, login, password reset and settings.

Each public function is one transaction and commits once.
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from marketplace.accounts import throttle
from marketplace.accounts.models import User, UserSession
from marketplace.accounts.passwords import hash_password, verify_password
from marketplace.accounts.rules import normalise_email
from marketplace.accounts.sessions import end_all_sessions, start_session
from marketplace.accounts.tokens import InvalidToken, fingerprint, make_token, read_token
from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail.services import queue_mail

CONFIRM = "confirm-email"
RESET = "reset-password"
# Verified against when the e-mail is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = hash_password("werkbrug-dummy-password")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _queue_confirmation(user: User) -> None:
    token = make_token(CONFIRM, {"user_id": user.id, "email": user.email})
    with force_locale(user.locale or "nl"):
        queue_mail(
            user.email,
            _("Bevestig uw e-mailadres voor Werkbrug"),
            "account_confirm",
            user=user,
            link=url_for("accounts.confirm", token=token, _external=True),
        )


def register_user(email: str, name: str, password: str, locale: str = "nl") -> User | None:
    """Create an unconfirmed account and mail the confirmation link.

    When the address has an account already, that account gets a mail saying so and None is
    returned: the page says the same in both cases, so nobody can probe which addresses exist.
    """
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        with force_locale(existing.locale or "nl"):
            queue_mail(
                existing.email,
                _("U hebt al een account op Werkbrug"),
                "account_exists",
                user=existing,
                login_link=url_for("accounts.login", _external=True),
                reset_link=url_for("accounts.forgot_password", _external=True),
            )
        db.session.commit()
        return None
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), locale=locale)
    db.session.add(user)
    db.session.flush()
    _queue_confirmation(user)
    record_audit("account.registered", user, actor_id=user.id)
    db.session.commit()
    return user


def resend_confirmation(email: str) -> None:
    """Mail a new confirmation link to an unconfirmed account; silent otherwise (no account probing)."""
    user = find_user_by_email(email)
    if user is None or user.is_confirmed or not user.is_enabled:
        return
    _queue_confirmation(user)
    db.session.commit()


def confirm_email(token: str) -> User:
    """Mark the address in the token as confirmed; InvalidToken when it no longer fits the account."""
    payload = read_token(CONFIRM, token)
    user = db.session.get(User, payload.get("user_id"))
    if user is None or user.email != payload.get("email"):
        raise InvalidToken("account or address changed")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record_audit("account.confirmed", user, actor_id=user.id)
        db.session.commit()
    return user


@dataclass
class LoginResult:
    user: User | None = None
    # "ok", "throttled", "invalid", "unconfirmed" or "disabled"
    outcome: str = "invalid"


def log_in(email: str, password: str, address: str) -> LoginResult:
    """Check the password (throttled per account and address) and start a session on success."""
    email = normalise_email(email)
    if throttle.is_throttled(email, address):
        record_audit("account.login_throttled", detail=email)
        db.session.commit()
        return LoginResult(outcome="throttled")
    user = find_user_by_email(email)
    password_hash = _DUMMY_HASH if user is None else user.password_hash
    # The hash takes long on purpose: end the read transaction first, so that it holds no
    # connection meanwhile and, on SQLite (BEGIN IMMEDIATE), not the write lock all requests wait for.
    db.session.rollback()
    ok = verify_password(password_hash, password) and user is not None
    if not ok:
        throttle.record_failure(email, address)
        record_audit("account.login_failed", user, detail=email, actor_id=user.id if user else None)
        db.session.commit()
        return LoginResult(outcome="invalid")
    if not user.is_enabled or not user.is_confirmed:
        # The right password, but no session: a refused login, audited like a failed one.
        outcome = "disabled" if not user.is_enabled else "unconfirmed"
        record_audit("account.login_refused", user, detail=outcome, actor_id=user.id)
        db.session.commit()
        return LoginResult(user, outcome)
    throttle.clear_account(email)
    start_session(user)
    record_audit("account.login", user, actor_id=user.id)
    db.session.commit()
    return LoginResult(user, "ok")


def _reset_payload(user: User) -> dict:
    # Bound to the current hash: once the password changes, every older link is dead.
    return {"user_id": user.id, "pw": fingerprint(user.password_hash)}


def request_password_reset(email: str) -> None:
    """Mail a reset link when the account exists and is enabled; the caller says the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return
    token = make_token(RESET, _reset_payload(user))
    with force_locale(user.locale or "nl"):
        queue_mail(
            user.email,
            _("Een nieuw wachtwoord voor Werkbrug"),
            "password_reset",
            user=user,
            link=url_for("accounts.reset_password", token=token, _external=True),
        )
    record_audit("account.reset_requested", user, actor_id=user.id)
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for, or InvalidToken (tampered, expired or already used)."""
    payload = read_token(RESET, token)
    user = db.session.get(User, payload.get("user_id"))
    if user is None or not user.is_enabled or payload != _reset_payload(user):
        raise InvalidToken("password changed since the link was made")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link, end every session and confirm the address (the mail arrived)."""
    user = user_for_reset_token(token)
    user.password_hash = hash_password(new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    end_all_sessions(user.id)
    throttle.clear_account(user.email)
    record_audit("account.password_reset", user, actor_id=user.id)
    db.session.commit()
    return user


def update_profile(user: User, name: str, locale: str) -> None:
    user.name = name.strip()
    user.locale = locale
    record_audit("account.settings_changed", user, actor_id=user.id)
    db.session.commit()


def change_password(user: User, new_password: str, keep_session_id: str | None) -> None:
    """Set a new password and end the user's other sessions (this one stays)."""
    user.password_hash = hash_password(new_password)
    db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.id != (keep_session_id or ""),
        )
        .values(ended_at=utcnow())
    )
    record_audit("account.password_changed", user, actor_id=user.id)
    db.session.commit()


def create_confirmed_user(email: str, name: str, password: str, platform_role: str | None = None) -> User:
    """An account made by an operator (the first administrator of a new installation, say)."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        platform_role=platform_role,
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record_audit("account.created_cli", user, detail=f"role {platform_role or '-'}")
    db.session.commit()
    return user
