"""Security headers and sessions, asserted as exact strings on every response, error pages and static files included.

The header values are written out here in full rather than imported from marketplace/security.py, so a
weakened policy fails this test instead of silently becoming the expectation.

Login throttling per account and per address is tested in tests/accounts/test_throttle.py (account limit
even with the right password, address limit across accounts, other accounts unaffected, counters shared
by workers); the tests at the end of this file add only what those leave out: the account limit holds
when the failures come from many addresses, and a forged X-Forwarded-For does not buy a fresh address.
"""

import os
from contextlib import contextmanager

import pytest
from flask import current_app
from werkzeug.http import parse_cookie

from marketplace.extensions import db
from tests import factories
from tests.conftest import page
from tests.security.world import build_world, client_for

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
EXPECTED_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"
PASSWORD = "een lange zin als wachtwoord"


def header_problems(label: str, response, https: bool) -> list[str]:
    problems = []
    for name, expected in EXPECTED_HEADERS.items():
        values = response.headers.getlist(name)
        if values != [expected]:
            problems.append(f"{label}: {name} is {values!r}, expected [{expected!r}]")
    hsts = response.headers.getlist("Strict-Transport-Security")
    if hsts != ([HSTS] if https else []):
        problems.append(f"{label}: Strict-Transport-Security is {hsts!r} over {'https' if https else 'http'}")
    return problems


def parameterless_get_routes(app) -> list[str]:
    """Every GET route of the URL map that needs no URL variable (static files are tried on their own)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def test_the_policy_forbids_what_it_must():
    """The expected string itself: no inline script, no plugins, no <base>, no framing."""
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


@pytest.mark.slow
@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_parameterless_page_has_the_headers(app, https):
    world = build_world()
    base_url = "https://localhost" if https else "http://localhost"
    routes = parameterless_get_routes(app)
    assert "/" in routes and "/api/v1/openapi.json" in routes and "/indicator/data.csv" in routes
    problems = []
    for role in ("anonymous", "buyer"):
        client = client_for(app, world, role)
        for path in routes:
            with app.app_context():
                response = client.get(path, base_url=base_url)
            if response.status_code >= 500:
                problems.append(f"{path} as {role}: {response.status_code}")
            problems += header_problems(f"GET {path} as {role}", response, https)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_error_pages_static_files_and_api_have_the_headers(app, client, https):
    world = build_world()
    base_url = "https://localhost" if https else "http://localhost"
    buyer = client_for(app, world, "buyer")
    responses = {}
    with app.app_context():
        responses["404"] = client.get("/bestaat-niet", base_url=base_url)
        responses["403"] = buyer.get(app.url_for("admin.index"), base_url=base_url)
        responses["405"] = client.get("/afmelden", base_url=base_url)
        responses["api 404"] = client.get("/api/v1/bestaat-niet", base_url=base_url)
        responses["api 401"] = client.get("/api/v1/needs", base_url=base_url)
        responses["css"] = client.get("/static/css/site.css", base_url=base_url)
        responses["js"] = client.get("/static/js/site.js", base_url=base_url)
        responses["api json"] = client.get("/api/v1/suppliers", base_url=base_url)
        responses["openapi"] = client.get("/api/v1/openapi.json", base_url=base_url)
        responses["static 404"] = client.get("/static/css/bestaat-niet.css", base_url=base_url)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        with app.app_context():
            responses["csrf 400"] = client.post(
                "/aanmelden", data={"email": "a@example.be", "password": "x"}, base_url=base_url
            )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    statuses = {label: response.status_code for label, response in responses.items()}
    assert statuses == {
        "404": 404,
        "403": 403,
        "405": 405,
        "api 404": 404,
        "api 401": 401,
        "css": 200,
        "js": 200,
        "api json": 200,
        "openapi": 200,
        "static 404": 404,
        "csrf 400": 400,
    }
    assert responses["css"].mimetype == "text/css"
    assert responses["js"].mimetype in ("text/javascript", "application/javascript")
    assert responses["api json"].mimetype == responses["openapi"].mimetype == "application/json"
    problems = []
    for label, response in responses.items():
        problems += header_problems(label, response, https)
        response.close()
    assert problems == [], "\n".join(problems)


@contextmanager
def other_app(**environment):
    """A second app on the same database, made by create_app as a real server makes it (with its own config)."""
    from marketplace import create_app

    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        overrides = {
            name: current_app.config[name]
            for name in ("SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "PUBLIC_URL", "MAIL_OUTBOX_DIR", "SEARCH_INDEX_DIR")
        }
        made = create_app({**overrides, "MAIL_SERVER": ""})
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    try:
        yield made
    finally:
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_500_page_has_the_headers_and_no_trace(app):
    with other_app() as broken:
        broken.config.update(PROPAGATE_EXCEPTIONS=False, TESTING=False)

        @broken.get("/kapot")
        def kapot():
            raise RuntimeError("geheime stacktrace-inhoud")

        kapot.access_rule = "public"
        for https in (False, True):
            with broken.app_context():
                response = broken.test_client().get(
                    "/kapot", base_url="https://localhost" if https else "http://localhost"
                )
            assert response.status_code == 500
            assert "geheime stacktrace-inhoud" not in response.get_data(as_text=True)
            assert header_problems("500", response, https) == []


def session_cookies(response) -> list[str]:
    return [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]


def cookie_value(response) -> str:
    (header,) = session_cookies(response)
    return parse_cookie(header.split(";", 1)[0])["session"]


def assert_cookie_flags(response, secure: bool) -> None:
    headers = session_cookies(response)
    assert headers, "expected a session cookie"
    for header in headers:
        attributes = {part.strip().split("=", 1)[0].lower(): part.strip() for part in header.split(";")[1:]}
        assert "httponly" in attributes, header
        assert attributes.get("samesite") == "SameSite=Lax", header
        assert ("secure" in attributes) is secure, header


def csrf_token(response) -> str:
    return page(response).find("input", {"name": "csrf_token"})["value"]


def account_status(app, cookie: str, base_url: str) -> int:
    """What a fresh browser holding only this session cookie gets for the account page (200 = logged in)."""
    browser = app.test_client()
    browser.set_cookie("session", cookie, domain="localhost")
    with app.app_context():
        return browser.get("/account", base_url=base_url).status_code


def session_lifecycle(app, base_url: str, secure: bool) -> None:
    """With CSRF on, as a browser does it: renewed at login, ended at logout, the flags on every cookie."""
    browser = app.test_client()
    with app.app_context():
        form = browser.get("/aanmelden", base_url=base_url)
    assert_cookie_flags(form, secure)
    before_login = cookie_value(form)
    assert account_status(app, before_login, base_url) == 302

    with app.app_context():
        login = browser.post(
            "/aanmelden",
            data={"email": "jan@example.be", "password": PASSWORD, "csrf_token": csrf_token(form)},
            base_url=base_url,
            headers={"Referer": f"{base_url}/aanmelden"},  # Flask-WTF checks it over https, as browsers send it
        )
    assert login.status_code == 302
    assert_cookie_flags(login, secure)
    logged_in = cookie_value(login)
    assert logged_in != before_login
    assert account_status(app, logged_in, base_url) == 200
    # The cookie from before login, replayed after it, is not logged in (no session fixation).
    assert account_status(app, before_login, base_url) == 302

    with app.app_context():
        account = browser.get("/account", base_url=base_url)
        logout = browser.post(
            "/afmelden",
            data={"csrf_token": csrf_token(account)},
            base_url=base_url,
            headers={"Referer": f"{base_url}/account"},
        )
    assert logout.status_code == 302
    assert_cookie_flags(logout, secure)
    # The cookie from before logout, replayed after it, no longer logs anyone in.
    assert account_status(app, logged_in, base_url) == 302


def test_session_cookie_flags_renewal_and_logout_in_development(app):
    factories.make_user(email="jan@example.be", password=PASSWORD)
    db.session.remove()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        session_lifecycle(app, "http://localhost", secure=False)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_session_cookie_is_secure_in_production(app):
    """MARKETPLACE_ENV=production (marketplace/config.py) turns on Secure cookies; the rest holds there too."""
    factories.make_user(email="jan@example.be", password=PASSWORD)
    db.session.remove()
    with other_app(MARKETPLACE_ENV="production", SECRET_KEY="een-geheime-sleutel-voor-de-test") as production:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        assert production.config["WTF_CSRF_ENABLED"] is not False
        session_lifecycle(production, "https://localhost", secure=True)


def test_logging_in_over_a_live_session_ends_the_old_one(app):
    """Whoever still holds the cookie of the session a login replaced cannot go on using it."""
    factories.make_user(email="jan@example.be", password=PASSWORD)
    factories.make_user(email="piet@example.be", password=PASSWORD)
    db.session.remove()
    browser = app.test_client()
    with app.app_context():
        first = browser.post("/aanmelden", data={"email": "jan@example.be", "password": PASSWORD})
    jan = cookie_value(first)
    assert account_status(app, jan, "http://localhost") == 200
    with app.app_context():
        second = browser.post("/aanmelden", data={"email": "piet@example.be", "password": PASSWORD})
    assert second.status_code == 302
    assert cookie_value(second) != jan
    assert account_status(app, cookie_value(second), "http://localhost") == 200
    assert account_status(app, jan, "http://localhost") == 302


def log_in(app, email, password, address="127.0.0.1", **headers):
    client = app.test_client()
    with app.app_context():
        return client.post(
            "/aanmelden",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
            headers=headers,
        ).status_code


def test_account_limit_holds_across_addresses(app):
    factories.make_user(email="jan@example.be", password=PASSWORD)
    db.session.remove()
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        assert log_in(app, "jan@example.be", "fout wachtwoord", address=f"10.0.0.{n + 1}") == 200
    assert log_in(app, "Jan@Example.be", PASSWORD, address="10.0.1.1") == 429


def test_forged_forwarded_for_does_not_give_a_fresh_address(app):
    factories.make_user(email="jan@example.be", password=PASSWORD)
    db.session.remove()
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for n in range(3):
            assert log_in(app, f"gok{n}@example.be", "fout", **{"X-Forwarded-For": f"192.0.2.{n}"}) == 200
        assert log_in(app, "jan@example.be", PASSWORD, **{"X-Forwarded-For": "192.0.2.99"}) == 429
        assert log_in(app, "jan@example.be", PASSWORD, address="10.9.9.9") == 302
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20
