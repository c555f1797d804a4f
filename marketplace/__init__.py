"""Werkbrug: a marketplace between the social and the regular economy."""

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

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    app.teardown_request(send_queued_after_request)


def _register_blueprints(app: Flask) -> None:
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.admin.views import bp as admin_bp
    from marketplace.errors import bp as errors_bp
    from marketplace.main.views import bp as main_bp
    from marketplace.orgs.views import bp as orgs_bp

    for blueprint in (main_bp, errors_bp, accounts_bp, orgs_bp, admin_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from marketplace.catalog.cli import catalog_cli
    from marketplace.cli import register_commands

    app.cli.add_command(catalog_cli)
    register_commands(app)
