"""Who is told what by e-mail, with a link to the page and a one-click link to stop that kind of mail.

Mail goes through the outbox (`queue_mail`), in the caller's transaction: a change and its mail are
committed together, and a mail server that is down only delays the mail.
"""

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.leads.models import MAIL_KINDS, MailOptOut
from marketplace.mail.services import queue_mail
from marketplace.orgs.models import Membership

_SALT = "werkbrug-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming a user and a mail kind; it does not expire (old mails keep working)."""
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a valid token, or None for a forged or damaged one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in MAIL_KINDS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail, built on PUBLIC_URL; works inside and outside a request (CLI, listeners)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"] + path


def members_of(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.is_enabled.is_(True))
            .order_by(User.id)
        )
    )


def has_opted_out(user_id: int, kind: str) -> bool:
    return (
        db.session.scalar(select(MailOptOut.id).where(MailOptOut.user_id == user_id, MailOptOut.kind == kind))
        is not None
    )


def mail_user(user: User, kind: str, subject, template: str, link: str, **context) -> bool:
    """Queue one mail of `kind` to a user in their language, unless they stopped that kind. Returns if queued."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    if has_opted_out(user.id, kind):
        return False
    with force_locale(user.locale or "nl"):
        queue_mail(
            user.email,
            str(subject() if callable(subject) else subject),
            template,
            kind=kind,
            user=user,
            link=link,
            unsubscribe_url=absolute_url("leads.unsubscribe", token=unsubscribe_token(user.id, kind)),
            kind_label=str(MAIL_KINDS[kind]),
            **context,
        )
    return True


def mail_organisation(organisation_id: int, kind: str, subject, template: str, link: str, **context) -> int:
    """Queue the mail to every member of an organisation that did not stop this kind; returns how many.

    `subject` may be a function, so that it is translated in each recipient's language.
    """
    return sum(mail_user(user, kind, subject, template, link, **context) for user in members_of(organisation_id))
