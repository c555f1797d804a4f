"""Reading the mail Werkbrug queued, and moving a login cookie to another client."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail


def mails_to(address: str) -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == address)))


def link_in(mail: OutgoingMail) -> str:
    """The path of the first Werkbrug link in a mail."""
    match = re.search(r"http://localhost(/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def copy_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value, domain=cookie.domain or "localhost")
