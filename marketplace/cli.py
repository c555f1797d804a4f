"""Operator commands that belong to no single feature."""

import click
from flask import Flask
from flask_migrate import upgrade


def register_commands(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the database schema to the latest migration."""
        upgrade()
        click.echo("Database is up to date.")
