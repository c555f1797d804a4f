"""Werkbrug: a marketplace between the social and the regular economy."""

import importlib
import importlib.util
import os
from pathlib import Path

from flask import Flask

from marketplace.config import PROJECT_ROOT, load_config


def create_app(overrides: dict | None = None) -> Flask:
    """Application factory: config, extensions, blueprints, CLI."""
    instance_path = os.environ.get("MARKETPLACE_INSTANCE") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from marketplace import i18n, security, templating
    from marketplace.accounts import sessions
    from marketplace.database import configure_sqlite, engine_options
    from marketplace.extensions import csrf, db, login_manager, migrate
    from marketplace.mail.services import send_queued_after_request
    from marketplace.models import import_all_models

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    import_all_models()
    # Batch mode lets Alembic alter SQLite tables (by copying them).
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    app.teardown_request(send_queued_after_request)


# Feature packages, in the order their blueprints and commands are registered. A feature
# offers `views.bp` (a Blueprint) and/or `cli.commands` (click commands) where it has them.
FEATURES = (
    "main",
    "errors",
    "accounts",
    "accounts.oidc",
    "orgs",
    "admin",
    "offers",
    "needs",
    "search",
    "leads",
    "indicator",
    "api",
    "catalog",
    "mail",
    "demo",
)


def _feature_module(feature: str, name: str):
    """`marketplace.<feature>.<name>`, or the single-module feature itself for its views."""
    package = importlib.import_module(f"marketplace.{feature}")
    if not hasattr(package, "__path__"):
        return package if name == "views" else None
    if importlib.util.find_spec(f"marketplace.{feature}.{name}") is None:
        return None
    return importlib.import_module(f"marketplace.{feature}.{name}")


def _register_blueprints(app: Flask) -> None:
    for feature in FEATURES:
        module = _feature_module(feature, "views")
        if module is not None and hasattr(module, "bp"):
            app.register_blueprint(module.bp)


def _register_cli(app: Flask) -> None:
    from marketplace.cli import register_commands

    register_commands(app)
    for feature in FEATURES:
        module = _feature_module(feature, "cli")
        for command in getattr(module, "commands", ()):
            app.cli.add_command(command)
