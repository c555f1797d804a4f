"""`flask catalog import|export`: the ministry's bulk catalog of organisations, offers and needs."""

import json
import sys
import time

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from marketplace.taxonomy.cli import taxonomy_cli

catalog_cli = AppGroup("catalog", help="Import and export organisations, offers and needs.")


def _refresh_search_index() -> None:
    """Rebuild the search index after an import, so that matching sees the new catalog at once."""
    try:
        from marketplace.search.indexing import rebuild_index
    except ImportError:
        click.echo(_("Let op: geen zoekindex beschikbaar; de zoekindex is niet bijgewerkt."), err=True)
        return
    started = time.perf_counter()
    count = rebuild_index()
    click.echo(
        _(
            "Zoekindex opnieuw opgebouwd: %(count)s documenten in %(seconds).1f s.",
            count=count,
            seconds=time.perf_counter() - started,
        )
    )


@catalog_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and count, but write nothing.")
@click.option("--no-index", is_flag=True, help="Do not rebuild the search index afterwards.")
def import_command(path, dry_run, no_index):
    """Import a catalog file (JSON). The whole file is checked first; any error writes nothing."""
    from marketplace.catalog.records import CatalogError, read_file
    from marketplace.catalog.schema import ensure_schema
    from marketplace.catalog.services import import_catalog

    started = time.perf_counter()
    try:
        data = read_file(path)
        if ensure_schema():
            click.echo(_("Lege database: tabellen aangemaakt."))
        result = import_catalog(data, dry_run=dry_run, progress=lambda m: click.echo(f"… {m}"))
    except CatalogError as error:
        click.echo(
            _("Import geweigerd: %(count)s fout(en), er is niets weggeschreven.", count=len(error.problems)), err=True
        )
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    seconds = time.perf_counter() - started
    click.echo(_("Proefdraai: niets weggeschreven.") if dry_run else _("Import voltooid in %(s).1f s.", s=seconds))
    for what, label in (("organisation", _("organisaties")), ("offer", _("aanbod")), ("need", _("vragen"))):
        click.echo(
            _(
                "  %(label)s: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd",
                label=label,
                created=result.get(what, "created"),
                updated=result.get(what, "updated"),
                unchanged=result.get(what, "unchanged"),
            )
        )
    if not dry_run and result.changed and not no_index:
        _refresh_search_index()


@catalog_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def export_command(path):
    """Write the catalog (verified organisations, published offers, open needs) as JSON; '-' is standard output."""
    from marketplace.catalog.schema import ensure_schema
    from marketplace.catalog.services import export_catalog

    ensure_schema()
    data = export_catalog()
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if path == "-":
        click.echo(text, nl=False)
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    click.echo(
        _(
            "%(orgs)s organisaties en %(needs)s vragen geschreven naar %(path)s.",
            orgs=len(data["organizations"]),
            needs=len(data["needs"]),
            path=path,
        ),
        err=True,
    )


commands = [catalog_cli, taxonomy_cli]
