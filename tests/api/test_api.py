"""The JSON API: public data, client credentials, own data, errors, the OpenAPI document."""

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.api.models import ApiClient, ApiToken
from marketplace.api.services import create_api_client, digest
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.needs.models import Need
from tests.conftest import page, text_of
from tests.factories import make_need, make_offer, need_data

ALL_SCOPES = ["leads:read", "matches:read", "needs:read", "needs:write"]


def new_client(org, scopes=ALL_SCOPES):
    return create_api_client(org, "ERP", scopes)


def get_token(client, api_client, secret, scope=None, basic=True):
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    headers = {}
    if basic:
        raw = f"{api_client.client_id}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    else:
        data.update(client_id=api_client.client_id, client_secret=secret)
    return client.post("/api/v1/oauth/token", data=data, headers=headers)


def bearer(client, org, scopes=ALL_SCOPES, scope=None) -> dict:
    api_client, secret = new_client(org, scopes)
    response = get_token(client, api_client, secret, scope)
    assert response.status_code == 200, response.json
    return {"Authorization": "Bearer " + response.json["access_token"]}


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# Public ------------------------------------------------------------------------------


def test_public_suppliers_list_verified_social_economy_with_offers(client, make_org):
    supplier = make_org(name="Groen vzw")
    make_offer(supplier)
    make_org(name="Nog niet geverifieerd", verified=False)
    make_org(name="Gewoon bedrijf", kind="onderneming")
    response = client.get("/api/v1/suppliers")
    assert response.status_code == 200
    body = response.json
    assert [s["name"] for s in body["items"]] == ["Groen vzw"]
    assert body["items"][0]["offers"][0]["domains"] == ["groenonderhoud"]
    assert (body["page"], body["total"], body["pages"]) == (1, 1, 1)


def test_public_lists_paginate_and_reject_bad_page_numbers(client, make_org):
    for n in range(3):
        make_org(name=f"Leverancier {n}")
    body = client.get("/api/v1/suppliers?per_page=2&page=2").json
    assert len(body["items"]) == 1 and body["pages"] == 2
    error = assert_error(client.get("/api/v1/suppliers?page=0"), 400, "invalid_parameter")
    assert "page" in error["fields"]
    assert_error(client.get("/api/v1/suppliers?per_page=x"), 400)


def test_public_reserved_contracts(client, make_org):
    buyer = make_org(kind="overheid", name="Stad Gent")
    make_need(buyer, kind="reserved_contract")
    make_need(buyer, kind="reserved_contract", state="draft", title="Concept")
    items = client.get("/api/v1/reserved-contracts").json["items"]
    assert [n["title"] for n in items] == ["Onderhoud van onze bedrijfstuin"]
    assert items[0]["buyer"]["name"] == "Stad Gent" and items[0]["lots"][0]["is_reserved"] is True


def test_public_indicator(client):
    body = client.get("/api/v1/indicator").json
    assert "rows" in body and body["min_orgs"] >= 1


def test_unknown_path_is_json_404(client):
    assert_error(client.get("/api/v1/nope"), 404)


# Tokens ------------------------------------------------------------------------------


def test_token_by_basic_auth_and_by_form(client, make_org):
    api_client, secret = new_client(make_org())
    for basic in (True, False):
        response = get_token(client, api_client, secret, basic=basic)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.json["token_type"] == "Bearer" and response.json["expires_in"] == 3600
        assert set(response.json["scope"].split()) == set(ALL_SCOPES)
    # Only digests are stored.
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert response.json["access_token"] not in stored and digest(response.json["access_token"]) in stored
    assert db.session.get(ApiClient, api_client.id).secret_hash == digest(secret) != secret


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": "admin"}, 400, "invalid_scope"),
    ],
)
def test_token_errors_follow_rfc6749(client, make_org, data, status, error):
    api_client, secret = new_client(make_org())
    raw = base64.b64encode(f"{api_client.client_id}:{secret}".encode()).decode()
    response = client.post("/api/v1/oauth/token", data=data, headers={"Authorization": "Basic " + raw})
    assert response.status_code == status and response.json["error"] == error


def test_wrong_secret_or_unknown_client_is_refused(client, make_org):
    api_client, secret = new_client(make_org())
    assert get_token(client, api_client, secret + "x").status_code == 401
    assert get_token(client, api_client, secret + "x").json["error"] == "invalid_client"
    from types import SimpleNamespace

    assert get_token(client, SimpleNamespace(client_id="wb_unknown"), secret).status_code == 401


def test_token_scope_cannot_exceed_the_clients(client, make_org):
    api_client, secret = new_client(make_org(), ["needs:read"])
    assert get_token(client, api_client, secret, scope="needs:write").json["error"] == "invalid_scope"
    assert get_token(client, api_client, secret, scope="needs:read").status_code == 200


def test_missing_forged_and_expired_tokens_are_refused(client, make_org):
    org = make_org(kind="overheid")
    error = assert_error(client.get("/api/v1/needs"), 401, "invalid_token")
    assert error["message"]
    assert_error(client.get("/api/v1/needs", headers={"Authorization": "Bearer forged"}), 401, "invalid_token")
    headers = bearer(client, org)
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    for token in db.session.scalars(select(ApiToken)):
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/needs", headers=headers)
    assert_error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_revoked_client_tokens_stop_at_once(client, make_org):
    org = make_org(kind="overheid")
    api_client, secret = new_client(org)
    headers = {"Authorization": "Bearer " + get_token(client, api_client, secret).json["access_token"]}
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    from marketplace.api.services import revoke_api_client

    revoke_api_client(api_client)
    assert_error(client.get("/api/v1/needs", headers=headers), 401)
    assert get_token(client, api_client, secret).status_code == 401


def test_scope_is_enforced(client, make_org):
    org = make_org(kind="overheid")
    headers = bearer(client, org, ["needs:read"])
    assert_error(client.post("/api/v1/needs", json=need_data(), headers=headers), 403, "insufficient_scope")
    assert_error(client.get("/api/v1/leads", headers=headers), 403, "insufficient_scope")


# Own data ----------------------------------------------------------------------------


def test_publish_a_reserved_contract_and_read_it_back(client, make_org, app):
    org = make_org(kind="overheid", name="Stad Gent")
    headers = bearer(client, org)
    data = need_data("reserved_contract")
    data["deadline_at"] = data["deadline_at"].strftime("%Y-%m-%dT%H:%M")
    data["publish"] = True
    response = client.post("/api/v1/needs", json=data, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["state"] == "open" and body["kind"] == "reserved_contract" and body["published_at"]
    need = db.session.get(Need, body["id"])
    assert need.organisation_id == org.id
    from marketplace.events.models import Event

    assert db.session.scalar(select(Event).where(Event.kind == "need_published")) is not None
    assert client.get(response.headers["Location"], headers=headers).json["id"] == need.id
    assert [n["id"] for n in client.get("/api/v1/needs", headers=headers).json["items"]] == [need.id]
    assert client.get("/api/v1/reserved-contracts").json["total"] == 1


def test_draft_then_publish_and_conflict(client, make_org):
    org = make_org(kind="onderneming")
    headers = bearer(client, org)
    created = client.post("/api/v1/needs", json=need_data(), headers=headers).json
    assert created["state"] == "draft"
    assert client.post(f"/api/v1/needs/{created['id']}/publish", headers=headers).json["state"] == "open"
    assert_error(client.post(f"/api/v1/needs/{created['id']}/publish", headers=headers), 409, "conflict")


def test_invalid_need_gives_field_messages_and_writes_nothing(client, make_org):
    headers = bearer(client, make_org(kind="overheid"))
    error = assert_error(
        client.post("/api/v1/needs", json=need_data(title="", postcode="99999"), headers=headers),
        422,
        "validation_failed",
    )
    assert {"title", "postcode"} <= set(error["fields"])
    assert db.session.query(Need).count() == 0
    assert_error(client.post("/api/v1/needs", data="not json", headers=headers), 400, "invalid_json")
    assert_error(client.post("/api/v1/needs", json=[1], headers=headers), 400)
    assert_error(client.post("/api/v1/needs", json={"kind": "x"}, headers=headers), 422)


def test_same_rules_as_pages(client, make_org):
    # Only public buyers may post reserved contracts; unverified organisations may not publish.
    headers = bearer(client, make_org(kind="onderneming"))
    data = need_data("reserved_contract")
    data["deadline_at"] = data["deadline_at"].isoformat()
    assert_error(client.post("/api/v1/needs", json=data, headers=headers), 403, "not_allowed")
    headers = bearer(client, make_org(kind="onderneming", verified=False))
    assert_error(client.post("/api/v1/needs", json={**need_data(), "publish": True}, headers=headers), 403)
    assert db.session.query(Need).count() == 0


def test_one_organisation_never_reads_anothers_needs_matches_or_leads(client, make_org):
    mine, theirs = make_org(kind="onderneming"), make_org(kind="onderneming")
    their_need = make_need(theirs)
    headers = bearer(client, mine)
    assert client.get("/api/v1/needs", headers=headers).json["items"] == []
    assert_error(client.get(f"/api/v1/needs/{their_need.id}", headers=headers), 404)
    assert_error(client.get(f"/api/v1/needs/{their_need.id}/matches", headers=headers), 404)
    assert_error(client.post(f"/api/v1/needs/{their_need.id}/publish", headers=headers), 404)
    assert client.get("/api/v1/leads", headers=headers).json["items"] == []


def test_matches_and_leads_of_own_need(client, make_org):
    buyer = make_org(kind="onderneming")
    need = make_need(buyer)
    headers = bearer(client, buyer)
    body = client.get(f"/api/v1/needs/{need.id}/matches", headers=headers).json
    assert isinstance(body["items"], list)
    assert isinstance(client.get("/api/v1/leads", headers=headers).json["items"], list)


def test_api_is_csrf_exempt_but_pages_are_not(app, client, make_org, make_user, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    org = make_org(kind="onderneming")
    headers = bearer(client, org)
    assert client.post("/api/v1/needs", json=need_data(), headers=headers).status_code == 201
    owner = make_user()
    org2 = make_org(member=owner)
    login_as(owner, org2)
    assert client.post("/organisatie/api-clients", data={"name": "x", "scopes": ["needs:read"]}).status_code == 400


def test_rate_limit_per_address_gives_429_with_retry_after(app, client):
    app.config["API_RATE_LIMIT_PER_ADDRESS"] = 3
    try:
        statuses = [client.get("/api/v1/indicator").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = client.get("/api/v1/indicator")
        assert_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) >= 1
    finally:
        app.config["API_RATE_LIMIT_PER_ADDRESS"] = 120


def test_rate_limit_per_client(app, client, make_org):
    headers = bearer(client, make_org(kind="onderneming"))
    app.config["API_RATE_LIMIT_PER_CLIENT"] = 2
    try:
        statuses = [client.get("/api/v1/needs", headers=headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        app.config["API_RATE_LIMIT_PER_CLIENT"] = 600


# OpenAPI and docs --------------------------------------------------------------------


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    described = {(method.upper(), "/api/v1" + path) for path, item in document["paths"].items() for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.v1."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routed |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routed
    assert document["paths"]["/needs"]["post"]["security"] == [{"clientCredentials": ["needs:write"]}]


def test_responses_match_the_document(client, make_org):
    import jsonschema_rs

    document = client.get("/api/v1/openapi.json").json
    org = make_org(kind="overheid")
    make_offer(make_org())
    headers = bearer(client, org)
    need = client.post("/api/v1/needs", json={**need_data(), "publish": True}, headers=headers).json
    checks = [
        ("/suppliers", "get", "/api/v1/suppliers", {}),
        ("/needs", "get", "/api/v1/needs", headers),
        ("/needs/{need_id}", "get", f"/api/v1/needs/{need['id']}", headers),
        ("/needs/{need_id}/matches", "get", f"/api/v1/needs/{need['id']}/matches", headers),
        ("/leads", "get", "/api/v1/leads", headers),
        ("/reserved-contracts", "get", "/api/v1/reserved-contracts", {}),
        ("/indicator", "get", "/api/v1/indicator", {}),
        ("/needs", "get", "/api/v1/needs", {}),
    ]
    for path, method, url, hdrs in checks:
        response = client.get(url, headers=hdrs)
        spec = document["paths"][path][method]["responses"][str(response.status_code)]
        schema = {**spec["content"]["application/json"]["schema"], "components": document["components"]}
        jsonschema_rs.validate(schema, response.json)


def test_docs_page_lists_operations(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "POST /api/v1/needs" in text_of(response)
    assert len(page(response).find_all("h1")) == 1


# API clients page --------------------------------------------------------------------


def test_owner_creates_sees_secret_once_and_revokes(client, make_org, make_user, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    response = client.post("/organisatie/api-clients", data={"name": "Onze ERP", "scopes": ["needs:read"]})
    assert response.status_code == 200
    secret = page(response).find("dt", string="client_secret").find_next("dd").get_text(strip=True)
    api_client = db.session.scalar(select(ApiClient))
    assert api_client.secret_hash == digest(secret) and api_client.organisation_id == org.id
    assert secret not in client.get("/organisatie/api-clients").get_data(as_text=True)
    assert get_token(client, api_client, secret).status_code == 200

    response = client.post(f"/organisatie/api-clients/{api_client.id}/intrekken")
    assert response.status_code == 302
    assert db.session.get(ApiClient, api_client.id).revoked_at is not None


def test_create_form_errors(client, make_org, make_user, login_as):
    owner = make_user()
    login_as(owner, make_org(member=owner))
    response = client.post("/organisatie/api-clients", data={"name": ""})
    assert response.status_code == 200
    assert page(response).find(class_="error-summary") is not None
    assert db.session.query(ApiClient).count() == 0


def test_clients_page_needs_login(client):
    assert client.get("/organisatie/api-clients").status_code == 302


def test_clients_page_is_for_owners(client, make_org, make_user, login_as):
    member = make_user()
    login_as(member, make_org(member=member, member_role="member"))
    assert client.get("/organisatie/api-clients").status_code == 403


def test_another_organisations_client_cannot_be_revoked(client, make_org, make_user, login_as):
    foreign, _secret = new_client(make_org())
    owner = make_user()
    login_as(owner, make_org(member=owner))
    assert client.post(f"/organisatie/api-clients/{foreign.id}/intrekken").status_code == 404
    assert db.session.get(ApiClient, foreign.id).revoked_at is None


def test_readme_example_publishes_a_reserved_contract(client, make_org):
    from tests.factories import make_domain

    make_domain("groenonderhoud")
    org = make_org(kind="overheid")
    api_client, secret = new_client(org, ["matches:read", "needs:write"])
    value = get_token(client, api_client, secret, scope="needs:write matches:read").json["access_token"]
    headers = {"Authorization": f"Bearer {value}"}
    body = {
        "kind": "reserved_contract",
        "title": "Groenonderhoud stadsparken",
        "postcode": "9000",
        "domains": ["groenonderhoud"],
        "cpv_codes": "77310000-6",
        "procurement_reference": "2026/GRO/001",
        "estimated_value_eur": 120000,
        "deadline_at": "2027-03-31T12:00",
        "reservation": "res-ws",
        "lots": [{"title": "Perceel 1", "is_reserved": True}],
        "publish": True,
    }
    response = client.post("/api/v1/needs", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert client.get(f"/api/v1/needs/{response.json['id']}/matches", headers=headers).status_code == 200
