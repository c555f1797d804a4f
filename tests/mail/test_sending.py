"""Delivering the outbox: no transaction over the SMTP conversation, each mail sent once, back-off on failure."""

import sqlite3
from datetime import timedelta

from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail import services
from marketplace.mail.models import OutgoingMail


def _queue(count: int) -> list[int]:
    mails = [OutgoingMail(recipient=f"p{n}@example.be", subject=f"Onderwerp {n}", body="Tekst") for n in range(count)]
    db.session.add_all(mails)
    db.session.commit()
    return [m.id for m in mails]


def _others_can_write() -> bool:
    """On SQLite: can another connection take the write lock now?"""
    if db.engine.dialect.name != "sqlite":
        return True
    other = sqlite3.connect(db.engine.url.database, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_no_transaction_is_open_while_a_mail_is_delivered(app, monkeypatch):
    """A `mail send-pending` run held SQLite's write lock over every SMTP conversation: with a mail server taking
    0.3 s a message the site's requests waited 20 s and failed with "database is locked" (found by
    benchmarks/load.py --smtp-delay 0.3)."""
    seen = []

    def deliver(message, mail_id):
        seen.append((db.session().in_transaction(), _others_can_write()))

    monkeypatch.setattr(services, "_deliver", deliver)
    _queue(3)
    assert services.send_pending() == (3, 0)
    assert seen == [(False, True)] * 3
    assert db.session.scalar(select(db.func.count()).where(OutgoingMail.sent_at.is_(None))) == 0


def test_two_senders_at_once_send_each_mail_once(app, monkeypatch):
    """A second sender running while the first delivers (cron beside the inline senders of the workers)."""
    delivered = []

    def deliver(message, mail_id):
        delivered.append(mail_id)
        if len(delivered) == 1:
            services.send_pending()  # the other sender, while the first mail is on its way

    monkeypatch.setattr(services, "_deliver", deliver)
    ids = _queue(3)
    services.send_pending()
    assert sorted(delivered) == ids
    rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
    assert [(m.attempts, m.sent_at is not None) for m in rows] == [(1, True)] * 3


def test_a_failed_delivery_is_tried_again_later(app, monkeypatch):
    def refuse(message, mail_id):
        raise OSError("connection refused")

    monkeypatch.setattr(services, "_deliver", refuse)
    [mail_id] = _queue(1)
    assert services.send_pending() == (0, 1)
    mail = db.session.get(OutgoingMail, mail_id)
    assert (mail.attempts, mail.sent_at, mail.last_error) == (1, None, "connection refused")
    assert timedelta(seconds=50) < mail.next_attempt_at - utcnow() <= timedelta(minutes=1)
    assert services.send_pending() == (0, 0)  # not due yet
    mail.next_attempt_at = utcnow()
    db.session.commit()
    monkeypatch.setattr(services, "_deliver", lambda message, mail_id: None)
    assert services.send_pending() == (1, 0)
    assert db.session.get(OutgoingMail, mail_id).attempts == 2
