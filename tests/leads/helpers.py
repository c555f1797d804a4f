from sqlalchemy import func, select

from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail


def event_kinds() -> list[str]:
    return list(db.session.scalars(select(Event.kind).order_by(Event.id)))


def events(kind: str) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def mails(kind: str | None = None) -> list[OutgoingMail]:
    query = select(OutgoingMail).order_by(OutgoingMail.id)
    if kind:
        query = query.where(OutgoingMail.kind == kind)
    return list(db.session.scalars(query))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
