"""With CSRF checks on, every state-changing route of the URL map refuses a post without a valid token.

The routes are taken from app.url_map, so a new POST/PUT/PATCH/DELETE route is tried without anyone
remembering to add it. Each is posted by the person who may use it (the owner of the object the URL
names, the administrator for administration, anyone for public forms), without a token and with a
token of another session: both are refused (400) and nothing is written to the database. A control
then posts with the actor's own token and must get past both the CSRF check and the access check, so
the refusals above are the token's doing and not the role's.

The JSON API under /api/v1/ is exempt from CSRF because it authenticates with OAuth bearer tokens
(or, for the token endpoint, client credentials) and never with the session cookie; the last test
checks that a logged-in browser's cookie does not let it write there.
"""

import secrets

import pytest
from sqlalchemy import select

from marketplace.accounts.models import UserSession
from marketplace.extensions import db
from marketplace.leads.models import Subscription
from tests.conftest import page
from tests.security.matrix import classify, url_values
from tests.security.world import build_world

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "Het formulier was verlopen of ongeldig"

# Who posts each route, by its access rule; "victim_buyer" and "victim_supplier" are the users who own
# the world's objects and act for their own organisation, so the route is theirs to use.
SUPPLIER_SIDE = {"offers.new", "offers.edit", "offers.publish", "offers.archive", "leads.interest"}
# With a valid token these routes still end at an invalid link or a switched-off feature (as in the
# access matrix): the control can only show that the CSRF check let them through.
CONTROL_OUTCOME = {
    "leads.unsubscribe": "hidden",
    "oidc.start": "hidden",
    "oidc.link": "login",  # only in the middle of a government login
    "orgs.accept_invitation": "gone",
    "orgs.claim": "hidden",  # the world's supplier is not an imported profile
}
# Outcomes that say the actor may not use the route (as classify() names them).
REFUSED = {"login", "register", "denied", "hidden", "unauth"}
# Controls that take the actor's rights away (disabling the user, removing the membership) run last.
CONTROL_LAST = ("admin.", "orgs.remove_member", "orgs.change_role")


def is_api(rule) -> bool:
    return rule.endpoint.startswith("api.v1.")


def unsafe_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.methods & UNSAFE and rule.endpoint != "static"),
        key=lambda rule: rule.endpoint,
    )


def actors_for(app, rule) -> list[str]:
    access = app.view_functions[rule.endpoint].access_rule
    if access == "public":
        return ["anonymous", "victim_buyer"]
    if access == "login":
        return ["victim_buyer"]
    if access.startswith("platform:"):
        return ["admin"]
    if access.startswith("org:"):
        return ["victim_supplier" if rule.endpoint in SUPPLIER_SIDE else "victim_buyer"]
    raise AssertionError(f"{rule.endpoint}: no actor for access rule {access!r}")


def browser(app, world, actor: str):
    """A test client logged in through a fresh server-side session, acting for its own organisation."""
    client = app.test_client()
    if actor == "anonymous":
        return client
    user_id, org_id = {
        "victim_buyer": (world.objects["victim_buyer_user_id"], world.objects["victim_buyer_id"]),
        "victim_supplier": (world.objects["victim_supplier_user_id"], world.objects["org_id"]),
        "admin": (world.users["admin"], None),
    }[actor]
    sid = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(id=sid, user_id=user_id))
        db.session.commit()
    with client.session_transaction() as flask_session:
        flask_session.update(sid=sid, _user_id=str(user_id), _fresh=True)
        if org_id is not None:
            flask_session["org_id"] = org_id
    return client


def token_of(app, client) -> str:
    """The CSRF token of this client's session, as a form on a page gives it."""
    logged_in = client.get_cookie("session") is not None
    with app.app_context():
        response = client.get("/account" if logged_in else "/aanmelden")
    assert response.status_code == 200
    return page(response).find("input", {"name": "csrf_token"})["value"]


def snapshot(app) -> dict:
    with app.app_context():
        contents = {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return contents


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@pytest.fixture()
def csrf_app(app):
    """The app with CSRF checks on, as in production (the app fixture turns them off for other tests)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_unsafe_route_is_covered(app):
    rules = unsafe_rules(app)
    assert len(rules) > 40
    api = sorted(rule.endpoint for rule in rules if is_api(rule))
    # A new API write route must be checked to authenticate by bearer token only, then named here.
    assert api == ["api.v1.create_need", "api.v1.publish_need", "api.v1.token"]
    for rule in rules:
        if not is_api(rule):
            assert actors_for(app, rule)
    assert not {endpoint for endpoint in CONTROL_OUTCOME} - {rule.endpoint for rule in rules}


@pytest.mark.slow
def test_every_unsafe_route_refuses_a_post_without_a_valid_token(csrf_app):
    app = csrf_app
    world = build_world()
    # The alert to delete: one of the victim buyer's own (the world's item_id is someone else's lead).
    subscription = Subscription(
        organisation_id=world.objects["victim_buyer_id"], user_id=world.objects["victim_buyer_user_id"]
    )
    db.session.add(subscription)
    db.session.commit()
    world.objects["item_id"] = subscription.id
    db.session.remove()
    stranger = app.test_client()
    foreign_token = token_of(app, stranger)  # valid, but for another session
    problems = []
    controls = []
    for rule in unsafe_rules(app):
        if is_api(rule):
            continue
        url = app.url_for(rule.endpoint, **url_values(rule, world), _external=False)
        for method in sorted(rule.methods & UNSAFE):
            for actor in actors_for(app, rule):
                controls.append((rule.endpoint, method, url, actor))
                for label, data in (("no token", {}), ("another session's token", {"csrf_token": foreign_token})):
                    client = browser(app, world, actor)
                    before = snapshot(app)
                    with app.app_context():
                        response = client.open(url, method=method, data=data)
                    after = snapshot(app)
                    where = f"{method} {url} ({rule.endpoint}) as {actor} with {label}"
                    if response.status_code not in (400, 403):
                        problems.append(f"{where}: {response.status_code}, expected 400 or 403")
                    elif CSRF_MESSAGE not in response.get_data(as_text=True):
                        problems.append(f"{where}: refused, but not for the missing token")
                    if changed_tables(before, after):
                        problems.append(f"{where}: wrote to {changed_tables(before, after)}")

    controls.sort(key=lambda control: control[0].startswith(CONTROL_LAST))
    for endpoint, method, url, actor in controls:
        client = browser(app, world, actor)
        token = token_of(app, client)
        with app.app_context():
            response = client.open(url, method=method, data={"csrf_token": token})
        outcome = classify(response)
        where = f"control: {method} {url} ({endpoint}) as {actor} with its own token"
        if CSRF_MESSAGE in response.get_data(as_text=True):
            problems.append(f"{where}: refused as a CSRF failure")
            continue
        expected = CONTROL_OUTCOME.get(endpoint)
        if (outcome != expected) if expected else (outcome in REFUSED):
            problems.append(f"{where}: {outcome} ({response.status_code}), so the actor cannot use this route")
    assert problems == [], "\n".join(problems)


def test_the_api_ignores_the_session_cookie_for_writes(csrf_app):
    """A logged-in owner's browser, with a valid CSRF token even, cannot write through the API."""
    app = csrf_app
    world = build_world()
    client = browser(app, world, "victim_buyer")
    token = token_of(app, client)
    payload = {
        "kind": "outsourcing",
        "title": "Via de cookie",
        "postcode": "2000",
        "domains": ["groenonderhoud"],
        "publish": True,
    }
    problems = []
    for rule in unsafe_rules(app):
        if not is_api(rule):
            continue
        url = app.url_for(rule.endpoint, **url_values(rule, world), _external=False)
        for method in sorted(rule.methods & UNSAFE):
            for kwargs in ({"json": payload}, {"data": {"grant_type": "client_credentials", "csrf_token": token}}):
                before = snapshot(app)
                with app.app_context():
                    response = client.open(url, method=method, headers={"X-CSRFToken": token}, **kwargs)
                after = snapshot(app)
                where = f"{method} {url} with a session cookie"
                # The token endpoint wants client credentials (400 or 401 without them), the rest a bearer token.
                expected = (400, 401) if rule.endpoint == "api.v1.token" else (401,)
                if response.status_code not in expected:
                    problems.append(f"{where}: {response.status_code}, expected one of {expected}")
                # Only the API's own rate-limit counter may move.
                written = [name for name in changed_tables(before, after) if name != "throttle_counter"]
                if written:
                    problems.append(f"{where}: wrote to {written}")
    assert problems == [], "\n".join(problems)
