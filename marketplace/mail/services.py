"""The one way mail leaves Werkbrug.

Services queue mail in their own transaction (an outbox), so a change and its mail are
committed together. A sender then delivers: over SMTP when MAIL_SERVER is set, otherwise
as .eml files in MAIL_OUTBOX_DIR for the developer to read. A failed delivery is retried
with back-off; a mail server that is down only delays mail.
"""

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, g, render_template
from sqlalchemy import select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail

MAX_ATTEMPTS = 8
# How long a claimed mail waits before another sender may try it (its sender died mid-delivery).
CLAIM_SECONDS = 600


def queue_mail(recipient: str, subject: str, template: str, kind: str = "", **context) -> OutgoingMail:
    """Render templates/mail/<template>.txt and add it to the outbox of the current transaction."""
    body = render_template(f"mail/{template}.txt", public_url=current_app.config["PUBLIC_URL"], **context)
    # A subject names user input (a need title, an organisation name): a line break there would be
    # refused as a header when the mail is sent.
    subject = " ".join(str(subject).split())
    mail = OutgoingMail(recipient=recipient, subject=subject, body=body, kind=kind or template)
    db.session.add(mail)
    g.mail_queued = True
    return mail


def _message(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"werkbrug-{mail.id}")
    message.set_content(mail.body)
    return message


def _deliver(message: EmailMessage, mail_id: int) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{mail_id:08d}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Deliver due mail from the outbox; returns (sent, failed).

    No transaction is open while a mail is delivered. Each mail is first claimed in a short
    transaction of its own (its next attempt moved CLAIM_SECONDS ahead, only while it is still due
    and unsent), then delivered, then marked sent, or failed with back-off, in another. A
    transaction held over the SMTP conversations held SQLite's write lock (BEGIN IMMEDIATE) for the
    whole run: every request of the site waited, or failed with "database is locked". The claim
    also keeps two senders at once (cron, the inline senders of several workers) from sending one
    mail twice; a sender that dies mid-delivery leaves its mail to be tried again after the claim.
    """
    due = db.session.scalars(
        select(OutgoingMail.id)
        .where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.attempts < MAX_ATTEMPTS,
            OutgoingMail.next_attempt_at <= utcnow(),
        )
        .order_by(OutgoingMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for mail_id in due:
        claimed = db.session.execute(
            update(OutgoingMail)
            .where(
                OutgoingMail.id == mail_id,
                OutgoingMail.sent_at.is_(None),
                OutgoingMail.next_attempt_at <= utcnow(),
            )
            .values(next_attempt_at=utcnow() + timedelta(seconds=CLAIM_SECONDS))
        ).rowcount
        if claimed != 1:
            db.session.rollback()  # another sender has it
            continue
        mail = db.session.get(OutgoingMail, mail_id)
        message, attempts = _message(mail), mail.attempts
        db.session.commit()
        try:
            _deliver(message, mail_id)
        except (OSError, smtplib.SMTPException) as error:
            # Exponential back-off: 1, 2, 4 … minutes.
            outcome = {
                "last_error": str(error)[:1000],
                "next_attempt_at": utcnow() + timedelta(minutes=2**attempts),
            }
            failed += 1
        else:
            outcome = {"sent_at": utcnow()}
            sent += 1
        db.session.execute(
            update(OutgoingMail).where(OutgoingMail.id == mail_id).values(attempts=OutgoingMail.attempts + 1, **outcome)
        )
        db.session.commit()
    return sent, failed


def send_queued_after_request(exc) -> None:
    """Single-process set-up: deliver what this request queued once it has committed."""
    if exc is not None or not g.pop("mail_queued", False) or not current_app.config["MAIL_SEND_INLINE"]:
        return
    try:
        db.session.rollback()
        send_pending()
    except Exception:  # noqa: BLE001 - mail must never break the page that queued it
        db.session.rollback()
        current_app.logger.exception("Sending queued mail failed; it stays in the outbox")
