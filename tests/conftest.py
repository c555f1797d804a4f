"""Shared fixtures: one app per test session, every table emptied between tests.

Set TEST_DATABASE_URL to run the suite against PostgreSQL; by default a SQLite file in a
temporary folder is used (with the same pragmas as in production).
"""

import os
import re
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from flask import g, request_started
from sqlalchemy import delete, text

from marketplace import create_app
from marketplace.extensions import db
from tests import factories


def _fresh_globals(sender, **extra):
    """Each test request starts with an empty `g`, as a real one does.

    The `app` fixture keeps an app context open, and Flask reuses it for the test client's
    requests, so without this `g` (the logged-in user, the acting membership, the CSRF token,
    the Babel locale) would leak from one request into the next.
    """
    for name in list(g):
        g.pop(name, None)


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["MARKETPLACE_INSTANCE"] = str(instance)
    database_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": "localhost",
            "PUBLIC_URL": "http://localhost",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX_DIR": str(instance / "mail-outbox"),
            "SEARCH_INDEX_DIR": str(instance / "search_index"),
        }
    )
    with app.app_context():
        factories.import_all_models()
        db.drop_all()
        db.create_all()
    request_started.connect(_fresh_globals, app)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture()
def app(_app, tmp_path):
    """The app with empty tables, its own search index folder and CSRF checks off.

    Tests of CSRF itself turn WTF_CSRF_ENABLED back on.
    """
    _app.config.update(WTF_CSRF_ENABLED=False, SEARCH_INDEX_DIR=str(tmp_path / "search_index"))
    with _app.app_context():
        yield _app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # Restart the id sequences too, as in a fresh database: the search indexer reads a
            # gap in the change ids as a transaction still committing.
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()
    _app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_user() -> Callable:
    return factories.make_user


@pytest.fixture()
def make_org() -> Callable:
    return factories.make_org


@pytest.fixture()
def login_as(client):
    """Log the test client in as a user (through the real server-side session)."""

    def _login(user, organisation=None):
        with client.session_transaction() as flask_session:
            flask_session.clear()
        import secrets

        from marketplace.accounts.models import UserSession

        user_session = UserSession(id=secrets.token_urlsafe(32), user_id=user.id)
        db.session.add(user_session)
        db.session.commit()
        with client.session_transaction() as flask_session:
            flask_session["sid"] = user_session.id
            flask_session["_user_id"] = str(user.id)
            flask_session["_fresh"] = True
            if organisation is not None:
                flask_session["org_id"] = organisation.id
        return user

    return _login


def page(response) -> BeautifulSoup:
    """The parsed HTML of a response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", page(response).get_text(" ")).strip()
