"""Operator commands that belong to no single feature."""

import click
from flask import Flask
from flask_migrate import upgrade

from marketplace.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the database schema to the latest migration."""
        upgrade()
        click.echo("Database is up to date.")

    @app.cli.command("send-mail")
    def send_mail():
        """Deliver queued mail from the outbox now."""
        from marketplace.mail.services import send_pending

        sent, failed = send_pending(limit=10_000)
        db.session.commit()
        click.echo(f"sent {sent}, failed {failed}")
