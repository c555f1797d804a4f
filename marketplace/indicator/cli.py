"""`flask indicator rebuild|verify|export`: operator commands for the collaboration indicator."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from marketplace.extensions import db
from marketplace.indicator import counters
from marketplace.indicator.exports import render_csv, render_json
from marketplace.indicator.queries import export_quarters, figure_rows
from marketplace.indicator.services import SnapshotError, close_quarter, published_rows


@click.group("indicator")
def indicator_group():
    """The collaboration indicator's counters and open data."""


@indicator_group.command("rebuild")
@with_appcontext
def rebuild_command():
    """Recompute every counter from the event log (one transaction)."""
    count = counters.rebuild()
    db.session.commit()
    click.echo(_("%(count)s cellen herberekend uit het gebeurtenissenlog.", count=count))


@indicator_group.command("verify")
@with_appcontext
def verify_command():
    """Recompute the counters from the event log and compare; exit 1 naming every cell that differs."""
    differences = counters.verify()
    if not differences:
        click.echo(_("De tellers kloppen met het gebeurtenissenlog."))
        return
    for difference in differences:
        click.echo(difference.describe(), err=True)
    click.echo(_("%(count)s cellen verschillen van het gebeurtenissenlog.", count=len(differences)), err=True)
    sys.exit(1)


@indicator_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None)
@click.option("--no-suppression", is_flag=True, help="Unsuppressed figures, for internal use only.")
@with_appcontext
def export_command(fmt: str, output: Path | None, no_suppression: bool):
    """Write the published figures (with small-cell suppression) as CSV or JSON."""
    min_orgs = current_app.config["INDICATOR_MIN_ORGS"]
    if no_suppression:
        rows = figure_rows(export_quarters(), min_orgs, suppress=False)
    else:
        rows = published_rows(export_quarters(), min_orgs)
    text = render_csv(rows) if fmt == "csv" else render_json(rows, min_orgs, suppressed=not no_suppression)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(_("%(count)s rijen geschreven naar %(path)s.", count=len(rows), path=output))


@indicator_group.command("close")
@click.argument("quarter")
@with_appcontext
def close_command(quarter: str):
    """Freeze a past quarter's published figures (a new labelled revision when they changed since)."""
    try:
        result = close_quarter(quarter.strip().upper(), current_app.config["INDICATOR_MIN_ORGS"])
    except SnapshotError as error:
        raise click.UsageError(str(error)) from error
    snapshot = result.snapshot
    if result.is_new:
        click.echo(
            _(
                "Kwartaal %(quarter)s vastgelegd als revisie %(revision)s.",
                quarter=snapshot.quarter,
                revision=snapshot.revision,
            )
        )
    else:
        click.echo(
            _(
                "Kwartaal %(quarter)s is ongewijzigd sinds revisie %(revision)s.",
                quarter=snapshot.quarter,
                revision=snapshot.revision,
            )
        )


commands = [indicator_group]
