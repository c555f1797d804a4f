"""`flask taxonomy sync`: bring the activity domains in the database in line with domains.json."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

taxonomy_cli = AppGroup("taxonomy", help="Activity domains (taxonomy).")


@taxonomy_cli.command("sync")
def sync_command():
    """Create or update the activity domains from marketplace/taxonomy/domains.json."""
    from marketplace.catalog.schema import ensure_schema
    from marketplace.taxonomy.services import sync_domains

    ensure_schema()
    created, updated = sync_domains()
    click.echo(_("Activiteitsdomeinen: %(created)s nieuw, %(updated)s bijgewerkt.", created=created, updated=updated))


commands = [taxonomy_cli]
