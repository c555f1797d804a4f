"""Fields a form does not offer are ignored: posting them to every form changes nothing they name.

Each POST route is sent, as each role acting on its own objects, the form as its page shows it
(defaults kept, empty required fields filled in sensibly, so that edits really save) plus extra
fields that a careless `Model(**request.form)` or `form.populate_obj` would store.
"""

import itertools
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from marketplace.extensions import db
from tests import factories
from tests.security.matrix import classify, url_values
from tests.security.world import client_for

INJECTED_STATE = "x-injected"
# Ownership and privilege columns: no form may change them on an existing row.
PROTECTED_COLUMNS = {
    "organisation_id",
    "buyer_org_id",
    "supplier_org_id",
    "sender_org_id",
    "user_id",
    "need_id",
    "lead_id",
    "platform_role",
    "is_enabled",
    "kbo",
    "verification_state",
    "verified_at",
    "is_recognised_maatwerk",
    "recognised_on",
    "recognition_source",
    "eligibility_confirmed_at",
    "is_imported",
}
_numbers = itertools.count(500)


def _extra_fields(world) -> dict:
    # The procurement officer's organisation takes no part in these posts: nothing may come to name it.
    victim = world.orgs["procurement"]
    return {
        "role": "owner",
        "platform_role": "admin",
        "is_admin": "1",
        "organisation_id": str(victim),
        "org_id": str(victim),
        "buyer_org_id": str(victim),
        "supplier_org_id": str(victim),
        "user_id": str(world.users["procurement"]),
        "state": INJECTED_STATE,
        "kbo": world.objects["victim_kbo"],
        "verification_state": "verified",
        "is_recognised_maatwerk": "1",
        "recognised_on": "2020-01-01",
        "eligibility_confirmed_at": "2020-01-01",
        "is_enabled": "1",
        "is_imported": "1",
    }


def _fill(name: str, field_type: str) -> str:
    """A sensible value for an empty field the page requires."""
    n = next(_numbers)
    lowered = name.lower()
    if field_type == "email" or "email" in lowered:
        return f"nieuw{n}@example.be"
    if "password" in lowered or "wachtwoord" in lowered:
        return "correct horse battery staple"
    if lowered == "kbo" or "enterprise" in lowered:
        return factories.kbo_for(n)
    if "postcode" in lowered:
        return "2000"
    if field_type == "date" or lowered.endswith("_on"):
        return "2027-03-01"
    if field_type == "number" or any(word in lowered for word in ("fte", "size", "team", "value", "eur")):
        return "3"
    return f"Ingevuld {n}"


def form_data(html: str, path: str) -> dict | None:
    """The fields of the page's POST form for `path` (or its first POST form in <main>)."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup
    forms = [form for form in main.find_all("form") if (form.get("method") or "").lower() == "post"]
    chosen = next((form for form in forms if urlsplit(form.get("action") or path).path == path), None)
    if chosen is None:
        return None
    data: dict[str, list[str]] = {}
    for field in chosen.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name:
            continue
        if field.name == "select":
            options = field.find_all("option")
            selected = [o for o in options if o.has_attr("selected")] or [o for o in options if o.get("value")][:1]
            data.setdefault(name, []).extend(o.get("value", o.get_text()) for o in selected)
            continue
        field_type = (field.get("type") or "text").lower()
        if field_type in ("submit", "button", "file", "reset", "image"):
            continue
        if field_type in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "y"))
            elif field_type == "radio" and name not in data and field.has_attr("required"):
                data[name] = [field.get("value", "")]
            continue
        value = field.get_text() if field.name == "textarea" else field.get("value", "")
        if not value and field.has_attr("required"):
            value = _fill(name, field_type)
        data.setdefault(name, []).append(value)
    return data


def _snapshot() -> dict:
    """Protected columns of every row, keyed by table and primary key."""
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if column.name in PROTECTED_COLUMNS]
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, *columns)):
            mapping = row._mapping
            rows[(table.name, tuple(mapping[k] for k in keys))] = {c.name: mapping[c] for c in columns}
    return rows


def _cells_with(value: str) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.type.python_type is str if hasattr(column.type, "length") else False:
                count = db.session.scalar(select(db.func.count()).select_from(table).where(column == value))
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


def build_own_objects(world) -> dict:
    """Per acting role, the URL values of objects that are its own."""
    from marketplace.orgs.models import Organisation

    supplier = db.session.get(Organisation, world.orgs["supplier"])
    buyer = db.session.get(Organisation, world.orgs["buyer"])
    other = db.session.get(Organisation, world.orgs["other"])
    world.objects["victim_kbo"] = db.session.get(Organisation, world.objects["victim_buyer_id"]).kbo
    offer = factories.make_offer(supplier, state="draft", title="Eigen aanbod")
    need = factories.make_need(buyer, title="Eigen vraag")
    own = {
        "supplier": {"offer_id": offer.id, "org_id": supplier.id},
        "buyer": {"need_id": need.id, "org_id": buyer.id},
        "other": {"org_id": other.id},
    }
    try:
        from marketplace.leads import services as leads

        supplier_user = db.session.get(db.Model.registry._class_registry["User"], world.users["supplier"])
        lead = leads.express_interest(need, supplier, actor=supplier_user, message="Graag.")
        for role in ("supplier", "buyer"):
            own[role].update(lead_id=lead.id, item_id=lead.id)
    except ImportError:
        pass
    for role in own:
        membership = next(m for m in db.session.get(Organisation, world.orgs[role]).memberships)
        own[role]["membership_id"] = membership.id
    db.session.commit()
    return own


@pytest.mark.slow
def test_extra_fields_change_nothing(app):
    from tests.security.world import build_world

    world = build_world()
    own = build_own_objects(world)
    extras = _extra_fields(world)
    before = _snapshot()
    db.session.remove()
    post_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith(("api.v1.", "static"))
    ]
    assert post_rules, "no form routes found"
    errors = []
    for role in ("other", "supplier", "buyer"):
        for rule in sorted(post_rules, key=lambda r: r.endpoint):
            world_for_role = type(world)(world.users, world.orgs, {**world.objects, **own[role]})
            url = app.url_for(rule.endpoint, **url_values(rule, world_for_role), _external=False)
            client = client_for(app, world, role)
            data = None
            if "GET" in rule.methods:
                with app.app_context():
                    response = client.get(url)
                if response.status_code == 200:
                    data = form_data(response.get_data(as_text=True), urlsplit(url).path)
            data = dict(data or {})
            for name, value in extras.items():
                data.setdefault(name, [value])
            with app.app_context():
                response = client.post(url, data=data)
            if classify(response).startswith(("error", "status 5")):
                errors.append(f"POST {url} as {role}: {response.status_code}")
    assert errors == []

    after = _snapshot()
    changed = {key: (before[key], after.get(key)) for key in before if after.get(key) != before[key]}
    # A row may be deleted by a legitimate action (a member removed, an invitation revoked); none may change.
    changed = {key: pair for key, pair in changed.items() if pair[1] is not None}
    assert changed == {}
    new_rows = {key: values for key, values in after.items() if key not in before}
    bystander, bystander_user = world.orgs["procurement"], world.users["procurement"]
    for key, values in new_rows.items():
        for column in ("organisation_id", "buyer_org_id", "supplier_org_id", "sender_org_id"):
            assert values.get(column) != bystander, (key, values)
        assert values.get("user_id") != bystander_user, (key, values)
        assert values.get("platform_role") is None, key
        assert values.get("verification_state") in (None, "pending"), key
        assert not values.get("is_recognised_maatwerk"), key
        assert not values.get("is_imported"), key
    assert _cells_with(INJECTED_STATE) == []
