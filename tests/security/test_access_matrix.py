"""Every route of the URL map, tried as every role on someone else's objects, answers as the table says.

A route missing from EXPECTED fails the test: a new page is not done until its access is written here.
Outcomes: ok (answered), login (sent to log in), register (sent to register an organisation first:
platform staff act for none), denied (403), hidden (404: someone else's object, or switched off),
unauth (401: the API wants a token), invalid (400), gone (410: an invalid link).
"""

import pytest

from tests.security.matrix import classify, method_of, url_values
from tests.security.world import ROLES, build_world, client_for


def _row(anonymous, other, supplier, buyer, procurement, analyst, admin) -> dict:
    return dict(zip(ROLES, (anonymous, other, supplier, buyer, procurement, analyst, admin), strict=True))


PUBLIC = _row("ok", "ok", "ok", "ok", "ok", "ok", "ok")
LOGGED_IN = _row("login", "ok", "ok", "ok", "ok", "ok", "ok")
ADMIN = _row("login", "denied", "denied", "denied", "denied", "denied", "ok")
ANALYST = _row("login", "denied", "denied", "denied", "denied", "ok", "ok")
# Pages of one's own organisation ("other" is a plain member of an unverified firm).
MEMBER = _row("login", "ok", "ok", "ok", "ok", "register", "register")
OWNER = _row("login", "denied", "ok", "ok", "ok", "register", "register")
SUPPLIER = _row("login", "denied", "ok", "denied", "denied", "register", "register")
# Someone else's object: its existence stays hidden.
FOREIGN = _row("login", "hidden", "hidden", "hidden", "hidden", "register", "register")
FOREIGN_OWNER = _row("login", "denied", "hidden", "hidden", "hidden", "register", "register")
API_TOKEN = _row(*["unauth"] * 7)
SWITCHED_OFF = _row(*["hidden"] * 7)

EXPECTED = {
    "main.index": PUBLIC,
    "main.about": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.set_language": PUBLIC,
    "main.dashboard": LOGGED_IN,
    # accounts
    "accounts.login": PUBLIC,
    "accounts.logout": PUBLIC,
    "accounts.register": PUBLIC,
    "accounts.confirm": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.resend_confirmation": PUBLIC,
    "accounts.change_password": LOGGED_IN,
    "accounts.settings": LOGGED_IN,
    # government login (OpenID Connect): switched off when no provider is configured, as in tests
    "oidc.start": SWITCHED_OFF,
    "oidc.callback": SWITCHED_OFF,
    "oidc.link": _row("login", "login", "login", "login", "login", "login", "login"),  # only mid-login
    "oidc.organisation": LOGGED_IN,
    # organisations
    "orgs.register": LOGGED_IN,
    "orgs.switch": MEMBER,
    "orgs.settings": OWNER,
    "orgs.members": OWNER,
    "orgs.change_role": FOREIGN_OWNER,
    "orgs.remove_member": FOREIGN_OWNER,
    "orgs.revoke_invitation": FOREIGN_OWNER,
    "orgs.accept_invitation": _row("login", "gone", "gone", "gone", "gone", "gone", "gone"),  # an invalid token
    "orgs.claim": _row("login", "hidden", "hidden", "hidden", "hidden", "hidden", "hidden"),  # not an imported profile
    # administration
    "admin.index": ADMIN,
    "admin.organisations": ADMIN,
    "admin.organisation": ADMIN,
    "admin.verify": ADMIN,
    "admin.reject": ADMIN,
    "admin.recognition": ADMIN,
    "admin.eligibility": ADMIN,
    "admin.users": ADMIN,
    "admin.user": ADMIN,
    "admin.platform_role": ADMIN,
    "admin.disable_user": ADMIN,
    "admin.enable_user": ADMIN,
    "admin.claims": ADMIN,
    "admin.approve_claim": ADMIN,
    "admin.reject_claim": ADMIN,
    "admin.audit": ADMIN,
    # offers and the supplier directory
    "offers.directory": PUBLIC,
    "offers.profile": PUBLIC,
    "offers.detail": PUBLIC,  # a published offer
    "offers.mine": MEMBER,
    "offers.new": SUPPLIER,
    "offers.edit": FOREIGN,
    "offers.publish": FOREIGN,
    "offers.archive": FOREIGN,
    # needs and reserved contracts
    "needs.contracts": PUBLIC,
    # an open need is shown to suppliers (who may answer it) and to its own buyer, to no other firm
    "needs.detail": _row("login", "denied", "ok", "denied", "denied", "denied", "denied"),
    "needs.mine": MEMBER,
    "needs.choose": MEMBER,
    "needs.new": MEMBER,
    "needs.edit": FOREIGN,
    "needs.publish": FOREIGN,
    "needs.cancel": FOREIGN,
    "needs.close": FOREIGN,
    # search and matching
    "search.index": PUBLIC,
    "search.download": PUBLIC,
    "search.advice": PUBLIC,
    "search.opportunities": SUPPLIER,
    # leads and collaborations
    "leads.mine": MEMBER,
    "leads.alerts": MEMBER,
    "leads.collaborations": MEMBER,
    "leads.interest": MEMBER,  # the page says whether this organisation may answer the need
    "leads.thread": FOREIGN,
    "leads.post_message": FOREIGN,
    "leads.agree": FOREIGN,
    "leads.decline": FOREIGN,
    "leads.award": FOREIGN,
    "leads.shortlist": FOREIGN,
    "leads.outcome": FOREIGN,
    "leads.invite": FOREIGN,
    "leads.collaboration": FOREIGN,
    "leads.change_collaboration": FOREIGN,
    "leads.delete_alert": FOREIGN,
    "leads.unsubscribe": SWITCHED_OFF,  # an invalid token
    # the collaboration indicator
    "indicator.published": PUBLIC,
    "indicator.methodology": PUBLIC,
    "indicator.data_csv": PUBLIC,
    "indicator.data_json": PUBLIC,
    "indicator.ocds": PUBLIC,
    "indicator.dashboard_view": ANALYST,
    # API
    "api.docs": PUBLIC,
    "api.clients": OWNER,
    "api.revoke": FOREIGN_OWNER,
    "api.v1.openapi_document": PUBLIC,
    "api.v1.token": _row(*["invalid"] * 7),  # no client credentials
    "api.v1.indicator": PUBLIC,
    "api.v1.suppliers": PUBLIC,
    "api.v1.reserved_contracts": PUBLIC,
    "api.v1.needs": API_TOKEN,
    "api.v1.need": API_TOKEN,
    "api.v1.need_matches": API_TOKEN,
    "api.v1.create_need": API_TOKEN,
    "api.v1.publish_need": API_TOKEN,
    "api.v1.leads": API_TOKEN,
}

NOT_IN_MATRIX = {"static"}  # Flask's static files (their headers are tested elsewhere)


def routes(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in NOT_IN_MATRIX), key=lambda r: r.endpoint
    )


def test_every_route_is_in_the_table(app):
    missing = sorted({rule.endpoint for rule in routes(app)} - EXPECTED.keys())
    assert missing == [], f"routes missing from EXPECTED in {__file__}: {missing}"


def test_table_names_no_route_that_is_gone(app):
    endpoints = {rule.endpoint for rule in routes(app)}
    assert sorted(EXPECTED.keys() - endpoints) == []


@pytest.mark.slow
def test_every_role_gets_what_the_table_says(app):
    world = build_world()
    clients = {role: client_for(app, world, role) for role in ROLES}
    mismatches = []
    for rule in routes(app):
        expected = EXPECTED.get(rule.endpoint)
        if expected is None:
            continue
        url = app.url_for(rule.endpoint, **url_values(rule, world), _external=False)
        method = method_of(rule)
        for role in ROLES:
            # A POST may end the session (logout): each one gets a client of its own.
            client = clients[role] if method == "GET" else client_for(app, world, role)
            # A fresh app context per request, as a real server has (no `g` carried over).
            with app.app_context():
                outcome = classify(client.open(url, method=method, data={}))
            if outcome != expected[role]:
                mismatches.append(f"{method} {url} ({rule.endpoint}) as {role}: {outcome}, expected {expected[role]}")
    assert mismatches == [], "\n".join(mismatches)
