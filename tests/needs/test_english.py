from flask import g

from tests.conftest import page, text_of
from tests.factories import make_need, make_offer


def test_pages_render_in_english(client, make_user, make_org, login_as):
    user = make_user()
    buyer = make_org(kind="overheid", member=user)
    contract = make_need(buyer, "reserved_contract")
    supplier = make_org(is_imported=True)
    offer = make_offer(supplier)
    login_as(user, buyer)
    client.post("/taal", data={"lang": "en"})
    # The test app context outlives requests: drop the language the factories' rules cached in `g`.
    g.pop("_flask_babel", None)
    urls = [
        "/leveranciers",
        f"/leveranciers/{supplier.id}",
        f"/aanbod/{offer.id}",
        "/opdrachten",
        f"/vragen/{contract.id}",
        f"/vragen/{contract.id}/bewerken",
        "/vragen/nieuw",
        "/vragen/nieuw/enclave",
        "/vragen/nieuw/voorbehouden-opdracht",
        "/mijn-vragen",
        "/mijn-werkbrug",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = page(response)
        assert html.html["lang"] == "en"
        assert len(html.find_all("h1")) == 1, url
    assert "Open reserved contracts" in text_of(client.get("/opdrachten"))


def test_imported_profile_links_to_its_claim_page(client, make_org):
    supplier = make_org(is_imported=True)
    links = [a["href"] for a in page(client.get(f"/leveranciers/{supplier.id}")).find_all("a")]
    assert f"/organisaties/{supplier.id}/overnemen" in links


def test_claimed_profile_has_no_claim_link(client, make_org):
    supplier = make_org(is_imported=False)
    links = [a["href"] for a in page(client.get(f"/leveranciers/{supplier.id}")).find_all("a")]
    assert f"/organisaties/{supplier.id}/overnemen" not in links
