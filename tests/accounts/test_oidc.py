"""Government login through a real OpenID Connect provider on 127.0.0.1 (tests/oidc/provider.py)."""

import pytest
import requests
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.oidc import OidcIdentity
from marketplace.extensions import db
from marketplace.orgs.models import Membership
from tests.conftest import page, text_of
from tests.factories import kbo_for
from tests.oidc.fixtures import *  # noqa: F403 (the provider fixtures)
from tests.oidc.fixtures import at_provider, back_at_app, log_in_through_provider, query_of, start_login


def logged_in_user_id(client):
    with client.session_transaction() as flask_session:
        return flask_session.get("_user_id")


def flashed_error(client, response) -> str:
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/aanmelden")
    return text_of(client.get("/aanmelden"))


def test_not_offered_without_configuration(client):
    assert client.post("/aanmelden/overheid").status_code == 404
    assert client.get("/aanmelden/overheid/terug?code=x&state=y").status_code == 404


def test_authorization_request_uses_pkce_state_nonce_and_openid(oidc_app, client, oidc_provider):
    url = start_login(client)
    assert url.startswith(oidc_provider.issuer + "/authorize")
    query = query_of(url)
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["state"] and query["nonce"]
    assert "openid" in query["scope"].split()
    assert query["redirect_uri"] == "http://localhost/aanmelden/overheid/terug"


def test_first_login_creates_account_and_asks_organisation(oidc_app, client, oidc_provider, make_org):
    org = make_org(name="Groendienst")
    oidc_provider.next_login.update(sub="new-person", email="Nieuw@Example.be", kbo=org.kbo)
    response = log_in_through_provider(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/aanmelden/overheid/organisatie")
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.be"))
    assert user is not None and user.password_hash is None and user.is_confirmed
    identity = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
    assert (identity.issuer, identity.subject) == (oidc_provider.issuer, "new-person")
    assert logged_in_user_id(client) == str(user.id)

    question = client.get("/aanmelden/overheid/organisatie")
    kbo_field = page(question).find("input", {"name": "kbo"})
    assert kbo_field["value"] == f"{org.kbo[:4]}.{org.kbo[4:7]}.{org.kbo[7:]}"
    response = client.post("/aanmelden/overheid/organisatie", data={"kbo": kbo_field["value"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mijn-werkbrug")
    assert db.session.scalar(select(Membership).where(Membership.user_id == user.id)).organisation_id == org.id


def test_second_login_finds_the_same_account_by_subject(oidc_app, client, oidc_provider, make_user, make_org):
    log_in_through_provider(client)
    first = logged_in_user_id(client)
    client.post("/afmelden")
    # Same subject, changed e-mail: still the same person.
    oidc_provider.next_login.update(email="ander@example.be")
    log_in_through_provider(client)
    assert logged_in_user_id(client) == first
    assert db.session.query(User).count() == 1


def test_organisation_of_someone_else_is_not_joined_without_claim(oidc_app, client, oidc_provider, make_org):
    org = make_org(name="Andermans bedrijf")
    log_in_through_provider(client)
    response = client.post("/aanmelden/overheid/organisatie", data={"kbo": org.kbo})
    assert response.status_code == 200
    assert "uit te nodigen" in text_of(response)
    assert db.session.query(Membership).count() == 0


def test_unknown_organisation_goes_to_registration(oidc_app, client, oidc_provider):
    log_in_through_provider(client)
    response = client.post("/aanmelden/overheid/organisatie", data={"kbo": kbo_for(999)})
    assert response.status_code == 302 and "/organisaties/nieuw" in response.headers["Location"]
    response = client.post("/aanmelden/overheid/organisatie", data={"kbo": "1234"})
    assert response.status_code == 200
    assert page(response).find(id="kbo")["aria-invalid"] == "true"


def test_links_existing_account_only_after_its_password(oidc_app, client, oidc_provider, make_user):
    user = make_user(email="burger@example.be", password="geheim wachtwoord 1")
    response = log_in_through_provider(client)
    assert response.headers["Location"].endswith("/aanmelden/overheid/koppelen")
    assert logged_in_user_id(client) is None

    wrong = client.post("/aanmelden/overheid/koppelen", data={"password": "fout"})
    assert wrong.status_code == 200 and "klopt niet" in text_of(wrong)
    assert logged_in_user_id(client) is None
    assert db.session.query(OidcIdentity).count() == 0

    response = client.post("/aanmelden/overheid/koppelen", data={"password": "geheim wachtwoord 1"})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.id)
    assert db.session.scalar(select(OidcIdentity.user_id)) == user.id


def test_link_gives_up_after_too_many_wrong_passwords(oidc_app, client, oidc_provider, make_user):
    make_user(email="burger@example.be")
    log_in_through_provider(client)
    for _ in range(5):
        client.post("/aanmelden/overheid/koppelen", data={"password": "fout"})
    assert client.get("/aanmelden/overheid/koppelen").status_code == 302
    assert db.session.query(OidcIdentity).count() == 0


def test_unverified_email_of_existing_account_is_refused(oidc_app, client, oidc_provider, make_user):
    make_user(email="burger@example.be")
    oidc_provider.next_login.update(email_verified=False)
    response = log_in_through_provider(client)
    assert "Er bestaat al een account" in flashed_error(client, response)
    assert logged_in_user_id(client) is None


def test_forged_state_logs_nobody_in(oidc_app, client, oidc_provider):
    callback = at_provider(start_login(client))
    forged = callback.replace("state=", "state=forged")
    response = back_at_app(client, forged)
    assert "verlopen of werd al gebruikt" in flashed_error(client, response)
    assert logged_in_user_id(client) is None
    assert db.session.query(User).count() == 0


def test_replayed_callback_logs_nobody_in(oidc_app, client, oidc_provider):
    callback = at_provider(start_login(client))
    cookie_before = client.get_cookie("session").value
    back_at_app(client, callback)
    client.post("/afmelden")
    # Replayed with the current cookie: the state is gone.
    response = back_at_app(client, callback)
    assert "verlopen of werd al gebruikt" in flashed_error(client, response)
    # Replayed with the cookie from before: the provider refuses the used code.
    client.set_cookie("session", cookie_before, domain="localhost")
    response = back_at_app(client, callback)
    assert "niet bevestigd" in flashed_error(client, response)
    assert logged_in_user_id(client) is None


def test_provider_error_is_shown(oidc_app, client, oidc_provider):
    oidc_provider.deny = True
    response = log_in_through_provider(client)
    assert "afgebroken" in flashed_error(client, response)
    assert logged_in_user_id(client) is None


def test_unreachable_provider_is_shown(oidc_app, client):
    oidc_app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"
    response = client.post("/aanmelden/overheid")
    assert "niet bereikbaar" in flashed_error(client, response)


def test_provider_becoming_unreachable_during_callback(oidc_app, client, oidc_provider):
    callback = at_provider(start_login(client))
    # The cached metadata now points the token request at a closed port.
    oidc_app.extensions["werkbrug.oidc"][1].server_metadata["token_endpoint"] = "http://127.0.0.1:9/token"
    response = back_at_app(client, callback)
    assert "niet bereikbaar" in flashed_error(client, response)
    assert logged_in_user_id(client) is None


def test_published_issuer_must_equal_configured_issuer(oidc_app, client, oidc_provider):
    oidc_app.config["OIDC_ISSUER"] = oidc_provider.issuer + "/wrong-issuer"
    response = client.post("/aanmelden/overheid")
    assert "instellingsfout" in flashed_error(client, response)


@pytest.mark.parametrize(
    "forge",
    [
        {"iss": "http://127.0.0.1:1/evil"},
        {"aud": "another-client"},
        {"nonce": "not-the-nonce"},
        {"drop_nonce": True},
        {"exp_offset": -600, "iat_offset": -900},
        {"alg": "none"},
        {"alg": "HS256"},
        {"foreign_key": True},
    ],
    ids=["issuer", "audience", "nonce", "no-nonce", "expired", "alg-none", "hs256", "foreign-key"],
)
def test_forged_id_tokens_are_refused(oidc_app, client, oidc_provider, forge):
    oidc_provider.forge = forge
    response = log_in_through_provider(client)
    assert "niet controleren" in flashed_error(client, response)
    assert logged_in_user_id(client) is None
    assert db.session.query(User).count() == 0


def test_abandoned_logins_keep_the_cookie_small(oidc_app, client, oidc_provider):
    for _ in range(30):
        start_login(client)
    assert len(client.get_cookie("session").value) < 4000
    # The newest attempt still completes.
    response = back_at_app(client, at_provider(start_login(client)))
    assert response.status_code == 302 and logged_in_user_id(client) is not None


def test_session_cookie_is_lax(app):
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_logout_url_ends_the_provider_session(oidc_app, client, oidc_provider):
    from marketplace.accounts.oidc import oidc_logout_url

    log_in_through_provider(client)
    with client.application.test_request_context():
        from flask import session

        with client.session_transaction() as stored:
            session.update(stored)
        url = oidc_logout_url()
    assert url.startswith(oidc_provider.issuer + "/logout")
    query = query_of(url)
    assert query["post_logout_redirect_uri"] == "http://localhost/"
    assert query["id_token_hint"].count(".") == 2
    assert requests.get(url, timeout=10).status_code == 200
    assert oidc_provider.logouts[-1]["id_token_hint"] == query["id_token_hint"]

    oidc_provider.advertise_end_session = False
    oidc_app.extensions.pop("werkbrug.oidc")
    with client.application.test_request_context():
        from flask import session

        with client.session_transaction() as stored:
            session.update(stored)
        assert oidc_logout_url() is None


def test_logout_url_is_none_for_password_logins(oidc_app, client):
    from marketplace.accounts.oidc import oidc_logout_url

    with client.application.test_request_context():
        assert oidc_logout_url() is None


def test_login_page_offers_government_login_only_when_configured(client, app, oidc_provider):
    assert "Aanmelden met de overheid" not in text_of(client.get("/aanmelden"))
    saved = app.config.get("OIDC_ISSUER")
    app.config.update(OIDC_ISSUER=oidc_provider.issuer, OIDC_CLIENT_ID="x", OIDC_CLIENT_SECRET="y")
    try:
        form = page(client.get("/aanmelden")).find("form", action="/aanmelden/overheid")
        assert form is not None and "Aanmelden met de overheid" in form.get_text()
    finally:
        app.config.update(OIDC_ISSUER=saved, OIDC_CLIENT_ID="", OIDC_CLIENT_SECRET="")


def test_logout_goes_to_the_provider_end_session_endpoint(oidc_app, client, oidc_provider):
    log_in_through_provider(client)
    response = client.post("/afmelden")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(oidc_provider.issuer + "/logout?")
    assert logged_in_user_id(client) is None
