"""`flask --app wsgi leads ...`: outcome reminders and the daily digests (run them from cron)."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from marketplace.leads.reminders import remind_outcomes
from marketplace.leads.subscriptions import send_digests

leads = AppGroup("leads", help="Leads: outcome reminders and daily digests.")


@leads.command("remind-outcomes")
@click.option("--days", type=click.IntRange(min=0), default=None, help="Days after closing (OUTCOME_REMINDER_DAYS).")
def remind_outcomes_command(days):
    """Ask buyers and suppliers, once, what became of needs closed some weeks ago without an outcome."""
    days = current_app.config["OUTCOME_REMINDER_DAYS"] if days is None else days
    asked = remind_outcomes(days=days)
    click.echo(_("%(count)s organisaties gevraagd naar het resultaat.", count=asked))


@leads.command("send-digests")
def send_digests_command():
    """Mail the daily digests of subscriptions and saved searches."""
    queued, looked = send_digests()
    click.echo(
        _(
            "%(queued)s overzichten klaargezet (%(looked)s abonnementen en zoekopdrachten bekeken).",
            queued=queued,
            looked=looked,
        )
    )


commands = [leads]
