"""Every leads page renders in Dutch and English with one h1 and unique ids."""

from collections import Counter

import pytest

from marketplace.leads import services
from marketplace.leads.subscriptions import create_saved_search, create_subscription
from tests.conftest import page


@pytest.fixture()
def world(parties):
    lead = services.express_interest(parties.need, parties.supplier, None, "Hallo", "Vanaf maart")
    collaboration = services.record_agreement(lead, {"type": "enclave", "starts_on": "2027-01-04", "workers": "5"})
    create_subscription(parties.supplier, parties.supplier_user, ["groenonderhoud"], [], "daily")
    create_saved_search(parties.supplier, parties.supplier_user, {"name": "Tuin", "target": "need", "query": "tuin"})
    return parties, lead, collaboration


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pages_have_one_h1_and_unique_ids(client, login_as, world, lang):
    parties, lead, collaboration = world
    login_as(parties.supplier_user, parties.supplier)
    with client.session_transaction() as session:
        session["lang"] = lang
    paths = [
        "/contacten",
        f"/contacten/{lead.id}",
        f"/contacten/{lead.id}/afwijzen",
        "/samenwerkingen",
        f"/samenwerkingen/{collaboration.id}",
        f"/vragen/{parties.need.id}/resultaat",
        f"/vragen/{parties.need.id}",
        "/meldingen",
        "/mijn-werkbrug",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = page(response)
        assert len(html.find_all("h1")) == 1, path
        ids = Counter(tag["id"] for tag in html.find_all(id=True))
        assert [i for i, n in ids.items() if n > 1] == [], path
        assert html.find("html")["lang"] == lang


def test_forms_work_with_csrf_on(app, client, login_as, world):
    parties, lead, collaboration = world
    app.config["WTF_CSRF_ENABLED"] = True
    from marketplace.leads.notifications import unsubscribe_token

    unsubscribe = f"/uitschrijven/{unsubscribe_token(parties.buyer_user.id, 'lead_message')}"
    token = page(client.get(unsubscribe)).find("input", attrs={"name": "csrf_token"})["value"]
    assert client.post(unsubscribe).status_code == 400
    assert "Gedaan" in page(client.post(unsubscribe, data={"csrf_token": token})).get_text()
    login_as(parties.supplier_user, parties.supplier)
    html = page(client.get(f"/samenwerkingen/{collaboration.id}"))
    stop = html.find("form", action=f"/samenwerkingen/{collaboration.id}/stopzetten")
    data = {i["name"]: i.get("value", "") for i in stop.find_all("input", attrs={"type": "hidden"})}
    response = client.post(stop["action"], data={**data, "end-reason": "staffing"})
    assert response.status_code == 302
