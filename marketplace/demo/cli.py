"""`flask demo load`: the demo catalog and demo accounts, for trying Werkbrug out (never in production)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_command():
    """Load the demo catalog and the demo accounts (idempotent). Refused when MARKETPLACE_ENV=production."""
    from marketplace.catalog.cli import _refresh_search_index
    from marketplace.catalog.records import CatalogError
    from marketplace.catalog.schema import ensure_schema
    from marketplace.demo.services import DEMO_PASSWORD, DemoRefused, load_demo

    env_name = current_app.config.get("ENV_NAME", "development")
    if env_name == "production":
        click.echo(_("Demogegevens worden niet geladen in productie (MARKETPLACE_ENV=production)."), err=True)
        sys.exit(1)
    ensure_schema()
    try:
        result, accounts = load_demo(env_name, progress=lambda m: click.echo(f"… {m}"))
    except (CatalogError, DemoRefused) as error:
        click.echo(_("Demogegevens niet geladen: %(error)s", error=error), err=True)
        sys.exit(1)
    click.echo(
        _(
            "Democatalogus: %(orgs)s organisaties, %(offers)s aanbiedingen en %(needs)s vragen nieuw of bijgewerkt.",
            orgs=result.get("organisation", "created") + result.get("organisation", "updated"),
            offers=result.get("offer", "created") + result.get("offer", "updated"),
            needs=result.get("need", "created") + result.get("need", "updated"),
        )
    )
    if result.changed:
        _refresh_search_index()
    click.echo("")
    click.echo(f"{_('E-mail'):<28} {_('Wachtwoord'):<15} {_('Rol'):<9} {_('Nieuw'):<6} {_('Organisatie')}")
    for account, created in accounts:
        click.echo(
            f"{account.email:<28} {DEMO_PASSWORD:<15} {account.role_label:<9} "
            f"{_('ja') if created else _('nee'):<6} {account.organisation_name}"
        )


commands = [demo_cli]
