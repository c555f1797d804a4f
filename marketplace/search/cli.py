"""`flask search-index rebuild|verify|sync|worker|optimize` and `flask match NEED_REF`."""

import json
import time

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.search import indexing

search_index_cli = AppGroup("search-index", help="Build, check and follow the search index.")


@search_index_cli.command("rebuild")
@click.option("--procs", type=click.IntRange(1, 8), default=1, show_default=True, help="Indexing processes.")
def rebuild_command(procs):
    """Build a new index from the database beside the live one, then swap it in."""
    started = time.monotonic()
    count = indexing.rebuild_index(procs=procs)
    click.echo(
        _("Index herbouwd: %(count)s documenten in %(seconds).1f s.", count=count, seconds=time.monotonic() - started)
    )


@search_index_cli.command("verify")
def verify_command():
    """Compare the index with the database; exit status 1 when they differ."""
    report = indexing.verify()
    if report.pending_changes:
        click.echo(_("%(count)s wijzigingen wachten nog in de wachtrij.", count=report.pending_changes))
    for label, keys in (
        (_("Ontbreekt in de index"), report.missing),
        (_("Staat in de index maar niet (meer) in de databank"), report.extra),
        (_("Verouderd in de index"), report.stale),
        (_("Dubbel in de index"), report.duplicates),
    ):
        if keys:
            shown = ", ".join(keys[:20]) + (" …" if len(keys) > 20 else "")
            click.echo(f"{label} ({len(keys)}): {shown}")
    if not report.ok:
        raise SystemExit(1)
    click.echo(_("Index en databank komen overeen (%(count)s documenten).", count=report.documents))


@search_index_cli.command("sync")
def sync_command():
    """Apply the pending changes of the change log to the index."""
    result = indexing.sync()
    if result.skipped:
        click.echo(_("Een andere indexeerder is bezig; die past de wijzigingen toe."))
        return
    click.echo(
        _(
            "%(changes)s wijzigingen toegepast (%(documents)s documenten).",
            changes=result.changes,
            documents=result.documents,
        )
    )


@search_index_cli.command("worker")
@click.option(
    "--interval", type=click.FloatRange(0.05, 3600), default=1.0, show_default=True, help="Seconds between two rounds."
)
def worker_command(interval):
    """Run the one indexer of a multi-process set-up: apply the change log, forever."""
    click.echo(_("Indexeerder gestart (elke %(interval)s s).", interval=interval))
    indexing.run_worker(interval=interval, echo=click.echo)


@search_index_cli.command("optimize")
def optimize_command():
    """Merge the index into one segment and drop files of killed writers."""
    indexing.optimize()
    click.echo(_("Index geoptimaliseerd."))


@click.command("match")
@click.argument("need_ref")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def match_command(need_ref, limit, as_json):
    """Show the supplier offers that fit a need, best first, with the reasons."""
    from marketplace.matching.ranking import suppliers_for_need
    from marketplace.needs.models import Need

    need = db.session.scalar(select(Need).where(Need.ref == need_ref.strip()))
    if need is None:
        raise click.ClickException(_("Geen behoefte met referentie %(ref)s.", ref=need_ref))
    indexing.ensure_index()
    matches = suppliers_for_need(need, limit=limit)
    if as_json:
        results = [
            {
                "offer_ref": m.offer.ref,
                "kbo": m.offer.organisation.kbo,
                "score": m.score,
                "reasons": [str(r) for r in m.reasons],
            }
            for m in matches
        ]
        click.echo(json.dumps({"need": need.ref, "results": results}, ensure_ascii=False))
        return
    for rank, m in enumerate(matches, 1):
        click.echo(f"{rank:>2}. {m.score:.3f}  {m.offer.ref}  {m.offer.organisation.name} — {m.offer.title}")
        for reason in m.reasons:
            click.echo(f"      · {reason}")


commands = [search_index_cli, match_command]
