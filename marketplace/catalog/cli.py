"""`flask catalog import|export` (to be completed)."""

import click
from flask.cli import AppGroup

catalog_cli = AppGroup("catalog", help="Import and export organisations, offers and needs.")


@catalog_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_command(path):
    """Import a catalog file."""
    raise click.ClickException("not yet available")


commands = [catalog_cli]
