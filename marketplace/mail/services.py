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
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail

MAX_ATTEMPTS = 8


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
    """Deliver due mail from the outbox; returns (sent, failed)."""
    now = utcnow()
    due = db.session.scalars(
        select(OutgoingMail)
        .where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.attempts < MAX_ATTEMPTS,
            OutgoingMail.next_attempt_at <= now,
        )
        .order_by(OutgoingMail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for mail in due:
        try:
            _deliver(_message(mail), mail.id)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            # ValueError: a message that cannot be built; it must not hold up the mail after it.
            mail.attempts += 1
            mail.last_error = str(error)[:1000]
            # Exponential back-off: 1, 2, 4 … minutes.
            mail.next_attempt_at = utcnow() + timedelta(minutes=2 ** (mail.attempts - 1))
            failed += 1
        else:
            mail.attempts += 1
            mail.sent_at = utcnow()
            sent += 1
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
