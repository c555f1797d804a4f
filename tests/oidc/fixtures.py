"""Fixtures that point the app at the fake provider and walk a browser through the flow."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, FakeProvider


@pytest.fixture(scope="session")
def oidc_provider():
    provider = FakeProvider()
    yield provider
    provider.stop()


@pytest.fixture()
def oidc_app(app, oidc_provider):
    """The app configured for the fake provider (and back to no provider afterwards)."""
    oidc_provider.reset()
    saved = {key: app.config.get(key) for key in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")}
    app.config.update(
        OIDC_ISSUER=oidc_provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_KBO_CLAIM="kbo",
    )
    app.extensions.pop("werkbrug.oidc", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("werkbrug.oidc", None)


def start_login(client) -> str:
    """Press 'Aanmelden met de overheid': the URL the browser is sent to."""
    response = client.post("/aanmelden/overheid")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(authorize_url: str) -> str:
    """The browser at the provider (real HTTP): the callback URL it is redirected back to."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_at_app(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def log_in_through_provider(client):
    return back_at_app(client, at_provider(start_login(client)))


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
