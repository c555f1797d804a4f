"""`flask --app wsgi mail ...`: deliver the outbox by hand, or from cron, and see what waits in it."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from marketplace.mail.services import MAX_ATTEMPTS, send_pending

mail = AppGroup("mail", help="Outgoing mail: deliver the outbox and show what waits in it.")


@mail.command("send-pending")
@click.option(
    "--limit", type=click.IntRange(min=1), default=10_000, show_default=True, help="Most mails to try in this run."
)
def send_pending_command(limit):
    """Deliver the mail that is due now; a failed mail is tried again later, with back-off."""
    sent, failed = send_pending(limit=limit)
    click.echo(_("%(sent)s verzonden, %(failed)s mislukt.", sent=sent, failed=failed))


@mail.command("status")
def status_command():
    """Count the mails waiting, the ones that failed at least once, and the ones given up on."""
    unsent = OutgoingMail.sent_at.is_(None)
    waiting, retrying, given_up = (
        db.session.scalar(select(func.count()).select_from(OutgoingMail).where(unsent, *where))
        for where in (
            (OutgoingMail.attempts < MAX_ATTEMPTS,),
            (OutgoingMail.attempts > 0, OutgoingMail.attempts < MAX_ATTEMPTS),
            (OutgoingMail.attempts >= MAX_ATTEMPTS,),
        )
    )
    click.echo(
        _(
            "%(waiting)s wachtend (waarvan %(retrying)s na een mislukte poging), "
            "%(given_up)s opgegeven na %(max)s pogingen.",
            waiting=waiting,
            retrying=retrying,
            given_up=given_up,
            max=MAX_ATTEMPTS,
        )
    )


commands = [mail]
