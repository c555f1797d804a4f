"""Hostile text in every field of every form, in the search box and its filters, and in the API's
parameters: never a server error, and what is shown again is shown as text.

Strings come from hypothesis: any Unicode (astral, combining, right-to-left), control characters
including NUL (which PostgreSQL refuses in text), up to ~20,000 characters, HTML and script
fragments, SQL fragments and Whoosh query syntax. Every HTML answer is checked for markup that
did not come from the templates: a <script> that is not the site's own file, or an on* attribute.

The catalog import has its own property test (tests/catalog/test_robustness.py: any value in any
place of a file gives located problems, never a crash); it is not repeated here.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from tests import factories
from tests.security.matrix import url_values
from tests.security.test_mass_assignment import build_own_objects, form_data
from tests.security.world import World, build_world, client_for

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
FRAGMENTS = [
    PAYLOAD,
    "</textarea><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }}{% raw %}${7*7}",
    "'; DROP TABLE organisation; --",
    "' OR '1'='1' -- ",
    '" OR ""="',
    "1; SELECT pg_sleep(0)",
    "%' AND 1=1 AND '%'='",
    "\\",
    'AND OR NOT ( ) * ? " ~ ^ title:value [a TO z] {a TO z}',
    'title:"onvolledig',
    "(((",
    "*?",
    "~2^3",
    "NOT",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08\x7f",
    "\r\nFORGED: header",
    "\u202etxt.exe",
    "\u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "e\u0301\u0308\u20dd",
    "\U0001f600\U0001f3f3\ufe0f\u200d\U0001f308\U0001d518",
    "\ufeff\u200b\u2028\u2029",
    "\ufffd\uffff",
    "0403.019.261",
    "-1",
    "1e309",
    "NaN",
    "sNaN",
    "-Infinity",
    "9" * 40,
]
SHORT_TEXT = st.text(max_size=40)
HOSTILE = st.one_of(
    SHORT_TEXT,
    st.sampled_from(FRAGMENTS),
    st.builds(lambda a, b, c: a + b + c, SHORT_TEXT, st.sampled_from(FRAGMENTS), SHORT_TEXT),
    # Long strings: a short piece repeated, up to about 20,000 characters.
    st.builds(lambda piece, times: (piece * times)[:20_000], st.text(min_size=1, max_size=8), st.integers(500, 5000)),
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
ROLES = ("anonymous", "supplier", "buyer", "procurement", "admin")


def send(app, client, method: str, url: str, **kwargs):
    """A request in an app context of its own (and so a database session of its own), as in production."""
    with app.app_context():
        return client.open(url, method=method, **kwargs)


# A start tag as the templates write it; text from input is escaped and so holds no raw < > or ".
START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
QUOTED = re.compile(r'"[^"]*"')
EVENT_HANDLER = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.IGNORECASE)


def check_page(response, where: str) -> None:
    """No 5xx; an HTML page holds no script or event handler that the templates did not write."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    assert "<script>window.__xss" not in html, where
    assert "<img src=x onerror" not in html, where
    for match in START_TAG.finditer(html):
        name, attributes = match.group(1).lower(), QUOTED.sub('""', match.group(2))
        if name == "script":
            assert re.search(r'\ssrc="/static/', match.group(2)), f"{where}: {match.group(0)}"
        assert not EVENT_HANDLER.search(attributes), f"{where}: {match.group(0)[:200]}"


def check_shown_again(app, client, response, where: str) -> None:
    """After a successful post, the page it leads to (which shows what was stored) is checked too."""
    check_page(response, where)
    if response.status_code in (301, 302, 303):
        target = urlsplit(response.headers["Location"])
        if not target.netloc or target.netloc == "localhost":
            follow = send(app, client, "GET", f"{target.path}?{target.query}" if target.query else target.path)
            check_page(follow, f"{where} -> {target.path}")


# Every form --------------------------------------------------------------------------------------------


@dataclass
class FoundForm:
    role: str
    action: str
    fields: dict  # name -> list of values as the page shows them (unchecked boxes: an empty list)


def _get_urls(app, world: World, objects: dict) -> list[str]:
    role_world = World(world.users, world.orgs, objects)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("api.v1.", "static")):
            continue
        choices = [{}]
        for name in rule.arguments:
            converter = rule._converters[name]
            if hasattr(converter, "items"):  # <any(...)>: every choice
                choices = [{**c, name: item} for c in choices for item in sorted(converter.items)]
        for choice in choices:
            try:
                values = {**url_values(rule, role_world), **choice}
            except KeyError:
                continue
            urls.append(app.url_for(rule.endpoint, **values, _external=False))
    return sorted(set(urls))


def _fields_of(form, action: str) -> dict:
    """The form's values as its page shows them, and every other named control of it (empty)."""
    shown = form_data(f"<main>{form}</main>", action) or {}
    fields = {field.get("name"): [] for field in form.find_all(["input", "select", "textarea"]) if field.get("name")}
    for field in form.find_all("input"):
        if (field.get("type") or "").lower() in ("submit", "button", "image", "reset", "file"):
            fields.pop(field.get("name"), None)
    fields.update({name: values for name, values in shown.items() if name in fields})
    fields.pop("csrf_token", None)
    return fields


def discover_forms(app, world: World, own: dict, extra_urls: dict) -> list[FoundForm]:
    """Every POST form in <main> of every page, as the first role (in ROLES order) that is shown it."""
    found: dict[str, FoundForm] = {}
    for role in ROLES:
        client = client_for(app, world, role)
        urls = _get_urls(app, world, {**world.objects, **own.get(role, {})}) + extra_urls.get(role, [])
        for url in urls:
            response = send(app, client, "GET", url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            main = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main")
            for form in main.find_all("form") if main else []:
                if (form.get("method") or "").lower() != "post":
                    continue
                action = urlsplit(form.get("action") or url).path
                fields = _fields_of(form, action)
                key = f"{action} {sorted(fields)}"
                if fields and key not in found:
                    found[key] = FoundForm(role, action, fields)
    return list(found.values())


def _more_objects(world: World, own: dict) -> dict:
    """Pages the world does not reach by itself: a claim, a password reset link, a running collaboration."""
    from marketplace.accounts.models import User
    from marketplace.accounts.services import RESET, _reset_payload
    from marketplace.accounts.tokens import make_token
    from marketplace.leads import services as leads

    supplier = db.session.get(Organisation, world.orgs["supplier"])
    buyer = db.session.get(Organisation, world.orgs["buyer"])
    lead = leads.express_interest(
        factories.make_need(buyer, title="Tweede vraag"),
        supplier,
        actor=db.session.get(User, world.users["supplier"]),
        message="Graag.",
    )
    collaboration = leads.record_agreement(
        lead,
        {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "5000", "fte": "2"},
        actor=db.session.get(User, world.users["buyer"]),
    )
    own["buyer"]["collaboration_id"] = collaboration.id
    imported = factories.make_org(name="Geïmporteerd Maatwerk", is_imported=True)
    token = make_token(RESET, _reset_payload(db.session.get(User, world.users["other"])))
    db.session.commit()
    return {"buyer": [f"/organisaties/{imported.id}/overnemen"], "anonymous": [f"/wachtwoord-herstellen/{token}"]}


@pytest.mark.slow
def test_every_form_field_takes_hostile_text(app):
    world = build_world()
    own = build_own_objects(world)
    extra_urls = _more_objects(world, own)
    db.session.remove()
    forms = discover_forms(app, world, own, extra_urls)
    actions = {form.action for form in forms}
    # The forms of the main features are all there (a broken discovery would test nothing).
    for expected in (
        "/aanmelden",
        "/registreren",
        "/aanbod/nieuw",
        "/organisaties/nieuw",
        "/organisatie/leden",
        "/organisatie/api-clients",
        "/vragen/nieuw/voorbehouden-opdracht",
        extra_urls["anonymous"][0],
        extra_urls["buyer"][0],
        f"/samenwerkingen/{own['buyer']['collaboration_id']}/verlengen",
    ):
        assert expected in actions, sorted(actions)
    assert any(action.endswith("/berichten") for action in actions)
    assert any(action.startswith("/beheer/") for action in actions)
    assert len(forms) >= 30, sorted(actions)

    for form in forms:
        _post_hostile(app, world, form)()


def _post_hostile(app, world: World, form: FoundForm):
    client = client_for(app, world, form.role)

    @SETTINGS
    @given(values=st.fixed_dictionaries({name: st.none() | HOSTILE for name in sorted(form.fields)}))
    def post_hostile(values):
        data = {name: form.fields[name] if value is None else [value] for name, value in values.items()}
        data = {name: value for name, value in data.items() if value}
        response = send(app, client, "POST", form.action, data=data)
        check_shown_again(app, client, response, f"POST {form.action} as {form.role}")

    return post_hostile


# The search box, its filters, the directory, the CSV download, the needs for a supplier -----------------


@pytest.fixture()
def stored_hostile(app):
    """Published offers and needs whose texts are hostile, so that search results show them."""
    factories.make_domain("groenonderhoud")
    supplier_user = factories.make_user()
    supplier = factories.make_org(name=f"Maatwerk {PAYLOAD}", member=supplier_user)
    for text in FRAGMENTS[:8]:
        factories.make_offer(supplier, title=f"Groenonderhoud {text}"[:200], description=f"{PAYLOAD} maaien {text}")
    buyer = factories.make_org(kind="onderneming")
    factories.make_need(buyer, title=f"Groenonderhoud {PAYLOAD}", description=f"{PAYLOAD} snoeien")
    return supplier_user, supplier


SEARCH_PARAMETERS = {
    "/zoeken": (
        "q",
        "domain",
        "province",
        "recognised",
        "enclave",
        "min_team",
        "min_capacity",
        "certification",
        "sort",
        "page",
    ),
    "/zoeken.csv": (
        "q",
        "domain",
        "province",
        "recognised",
        "enclave",
        "min_team",
        "min_capacity",
        "certification",
        "sort",
    ),
    "/leveranciers": ("domain", "province", "page"),
    "/opdrachten": ("page",),
    "/voorbehouden-advies": ("domains", "cpv", "province", "estimated_value"),
    "/indicator": ("van", "tot"),
    "/indicator/data.csv": ("van", "tot"),
    "/indicator/data.json": ("van", "tot"),
    "/mijn-kansen": ("q", "page"),
    "/beheer/organisaties": ("state", "q", "page"),
    "/beheer/gebruikers": ("q", "page"),
    "/beheer/audit": ("action", "page"),
}


@pytest.mark.slow
def test_search_and_filters_take_hostile_text(app, stored_hostile):
    supplier_user, supplier = stored_hostile
    world = World(
        {"admin": factories.make_user(role="admin").id, "supplier": supplier_user.id}, {"supplier": supplier.id}
    )
    db.session.remove()
    clients = {role: client_for(app, world, role) for role in ("admin", "supplier")}
    # The stored payload is found, and shown as text.
    found = send(app, clients["supplier"], "GET", "/zoeken", query_string={"q": "groenonderhoud"})
    check_page(found, "/zoeken?q=groenonderhoud")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in found.get_data(as_text=True)
    for path, names in SEARCH_PARAMETERS.items():
        client = clients["admin" if path.startswith("/beheer/") else "supplier"]
        _get_hostile(app, client, path, names)()


def _get_hostile(app, client, path: str, names):
    @SETTINGS
    @given(values=st.fixed_dictionaries({}, optional={name: HOSTILE for name in names}))
    def get_hostile(values):
        check_page(send(app, client, "GET", path, query_string=values), f"GET {path} {sorted(values)}")

    return get_hostile


def test_a_filter_that_matches_nothing_finds_nothing(app, stored_hostile):
    """A certification (or any filter value) that no supplier has gives no results, never all of them.

    Whoosh reads an empty set of allowed documents as no filter at all; found by the test above.
    """
    supplier_user, supplier = stored_hostile
    world = World({"supplier": supplier_user.id}, {"supplier": supplier.id})
    db.session.remove()
    client = client_for(app, world, "supplier")
    everyone = send(app, client, "GET", "/zoeken.csv")
    assert everyone.get_data(as_text=True).count("\n") > 1
    for query in (
        {"certification": "ISO-14001"},
        {"certification": "x" * 81},
        {"certification": "x" * 20_000},
        {"certification": "title:x AND *"},
        {"province": "VLI"},
        {"domain": "bestaat-niet"},
        {"q": "groenonderhoud", "province": "VLI"},
    ):
        response = send(app, client, "GET", "/zoeken.csv", query_string=query)
        assert response.status_code == 200, query
        assert response.get_data(as_text=True).count("\n") == 1, query  # the header row only
        check_page(send(app, client, "GET", "/zoeken", query_string=query), f"/zoeken {query}")


# Numbers and page numbers out of any range ------------------------------------------------------------


@pytest.mark.parametrize("value", ["9" * 40, "sNaN", "NaN", "Infinity", "-Infinity", "1e309", "1E+400", "-0"])
@pytest.mark.parametrize(
    "path, name",
    [
        ("/zoeken", "min_team"),
        ("/zoeken", "min_capacity"),
        ("/zoeken.csv", "min_team"),
        ("/zoeken.csv", "min_capacity"),
        ("/voorbehouden-advies", "estimated_value"),
    ],
)
def test_numbers_no_float_can_hold_are_refused_not_a_crash(client, path, name, value):
    query = {name: value, "province": "VAN"} if path == "/voorbehouden-advies" else {name: value}
    check_page(client.get(path, query_string=query), f"{path}?{name}={value}")


@pytest.mark.parametrize("value", ["9" * 30, str(2**63), "-" + "9" * 30, "0"])
def test_page_numbers_beyond_any_list_are_no_crash(app, login_as, client, value):
    admin = login_as(factories.make_user(role="admin"))
    assert admin.platform_role == "admin"
    for path in (
        "/opdrachten",
        "/leveranciers",
        "/beheer/organisaties",
        "/beheer/gebruikers",
        "/beheer/audit",
        "/zoeken",
    ):
        check_page(client.get(path, query_string={"page": value}), f"{path}?page={value}")


# The API ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9" * 5000, "1" + "0" * 4400, "0" * 5000, "٣", "1e3", "-1", "0"])
def test_api_page_numbers_no_integer_can_hold_are_a_400(client, value):
    response = client.get("/api/v1/reserved-contracts", query_string={"page": value})
    assert response.status_code == 400, value
    assert response.get_json()["error"]["fields"] == {"page": "Een geheel getal van 1 tot 100000."}


def test_api_page_number_with_many_leading_zeros_is_read(client):
    response = client.get("/api/v1/reserved-contracts", query_string={"page": "0" * 5000 + "1", "per_page": "007"})
    assert response.status_code == 200
    assert (response.get_json()["page"], response.get_json()["per_page"]) == (1, 7)


def test_api_parameters_take_hostile_text(app):
    from marketplace.api.models import SCOPES
    from marketplace.api.services import create_api_client, issue_token

    app.config.update(API_RATE_LIMIT_PER_ADDRESS=0, API_RATE_LIMIT_PER_CLIENT=0)
    try:
        buyer = factories.make_org(kind="overheid")
        factories.make_offer(factories.make_org(name=f"Maatwerk {PAYLOAD}"))
        need = factories.make_need(buyer, kind="reserved_contract", title=f"Contract {PAYLOAD}")
        api_client, _secret = create_api_client(buyer, "hostile", list(SCOPES))
        token, _issued = issue_token(api_client, api_client.scopes)
        need_id = need.id
        client = app.test_client()
        document = client.get("/api/v1/openapi.json").get_json()
        operations = []
        for path, methods in document["paths"].items():
            if "get" not in methods:
                continue
            declared = [p["name"] for p in methods["get"].get("parameters", []) if p.get("in") == "query"]
            operations.append((f"/api/v1{path}".replace("{need_id}", str(need_id)), declared))
        assert len(operations) >= 8
        headers = {"Authorization": f"Bearer {token}"}

        for url, declared in operations:
            names = dict.fromkeys([*declared, "q", "page", "per_page", "province", "domain"])
            _api_get_hostile(client, url, names, headers)()
    finally:
        app.config.update(API_RATE_LIMIT_PER_ADDRESS=120, API_RATE_LIMIT_PER_CLIENT=600)


def test_api_json_body_takes_hostile_text(app, client):
    """Strings in a JSON body too: JSON can also spell a lone surrogate, which no database stores."""
    from marketplace.api.services import create_api_client, issue_token

    app.config.update(API_RATE_LIMIT_PER_ADDRESS=0, API_RATE_LIMIT_PER_CLIENT=0)
    try:
        buyer = factories.make_org(kind="overheid")
        factories.make_domain("groenonderhoud")
        api_client, _secret = create_api_client(buyer, "hostile", ["needs:write", "needs:read"])
        token, _issued = issue_token(api_client, api_client.scopes)
        headers = {"Authorization": f"Bearer {token}"}
        valid = {"kind": "outsourcing", "title": "Groenonderhoud", "postcode": "9000", "domains": ["groenonderhoud"]}
        for title in ("a\x00b", "\ud800x", "x\udfff"):
            response = client.post(
                "/api/v1/needs", json={**valid, "title": title, "description": title}, headers=headers
            )
            assert response.status_code == 201, (repr(title), response.get_json())
            assert "\x00" not in response.get_json()["title"]
        text = HOSTILE | st.just("\ud83d") | st.just("\x00\udc00")
        fields = ("kind", "title", "description", "postcode", "cpv_codes", "procurement_reference", "reservation")

        @SETTINGS
        @given(values=st.fixed_dictionaries({}, optional={name: text for name in fields}), domain=text)
        def post_hostile(values, domain):
            body = {**valid, **values, "domains": [domain]}
            response = client.post("/api/v1/needs", json=body, headers=headers)
            assert response.status_code < 500, (values, response.status_code)
            assert response.is_json

        post_hostile()
    finally:
        app.config.update(API_RATE_LIMIT_PER_ADDRESS=120, API_RATE_LIMIT_PER_CLIENT=600)


def _api_get_hostile(client, url: str, names, headers: dict):
    @SETTINGS
    @given(values=st.fixed_dictionaries({}, optional={name: HOSTILE for name in names}))
    def get_hostile(values):
        response = client.get(url, query_string=values, headers=headers)
        assert response.status_code < 500, (url, values, response.status_code)
        assert response.is_json, (url, response.mimetype)

    return get_hostile
