from flask import g
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.offers.models import Offer
from tests.conftest import page, text_of
from tests.factories import make_domain, make_offer, offer_data


def forget_request_state():
    """The test app context outlives requests, so Flask-Login and access.py caches in `g` must go."""
    g.pop("_login_user", None)
    g.pop("membership", None)


def form_of(**overrides):
    data = offer_data(**overrides)
    data["cpv_codes"] = data.get("cpv_codes", "")
    data.pop("has_enclave")
    return data


def supplier(make_user, make_org, login_as, **org_fields):
    user = make_user()
    org = make_org(member=user, **org_fields)
    login_as(user, org)
    return user, org


def test_create_offer_through_the_form(client, make_user, make_org, login_as):
    _, org = supplier(make_user, make_org, login_as)
    response = client.post("/aanbod/nieuw", data=form_of())
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.organisation_id == org.id and offer.state == "draft"
    response = client.post(f"/aanbod/{offer.id}/publiceren", follow_redirects=True)
    assert "Uw aanbod is gepubliceerd." in text_of(response)
    assert "12,5 VTE" in text_of(response)


def test_form_errors_next_to_fields_and_nothing_saved(client, make_user, make_org, login_as):
    supplier(make_user, make_org, login_as)
    response = client.post("/aanbod/nieuw", data=form_of(title="", cpv_codes="77310000-1"))
    html = page(response)
    assert html.title.string.startswith("Fout:")
    summary = html.find(class_="error-summary")
    assert summary.find("a", href="#title")
    assert "controlecijfer" in html.find(id="cpv_codes-error").get_text()
    assert html.find(id="cpv_codes")["aria-describedby"].endswith("cpv_codes-error")
    assert html.find(id="description").get_text().strip() == "Maaien en snoeien."
    assert db.session.scalar(select(Offer)) is None


def test_english_error_when_english_chosen(client, make_user, make_org, login_as):
    supplier(make_user, make_org, login_as)
    client.post("/taal", data={"lang": "en"})
    response = client.post("/aanbod/nieuw", data=form_of(title=""))
    assert response.status_code == 200
    assert page(response).html["lang"] == "en"


def test_regular_firm_may_not_create_offers(client, make_user, make_org, login_as):
    supplier(make_user, make_org, login_as, kind="onderneming")
    assert client.get("/aanbod/nieuw").status_code == 403


def test_anonymous_is_sent_to_login(client, make_org):
    offer = make_offer(make_org(), state="draft")
    for url in ("/aanbod/nieuw", f"/aanbod/{offer.id}/bewerken", "/mijn-aanbod"):
        response = client.get(url)
        assert (
            response.status_code == 302
            and "/aanmelden" in response.headers["Location"]
            or "login" in response.headers["Location"]
        )
    assert client.post(f"/aanbod/{offer.id}/publiceren").status_code == 302
    assert db.session.get(Offer, offer.id).state == "draft"


def test_other_organisation_gets_404_everywhere(client, make_user, make_org, login_as):
    draft = make_offer(make_org(), state="draft")
    published = make_offer(make_org(), state="published")
    supplier(make_user, make_org, login_as)
    assert client.get(f"/aanbod/{draft.id}").status_code == 404
    assert client.get(f"/aanbod/{published.id}").status_code == 200
    for offer in (draft, published):
        assert client.get(f"/aanbod/{offer.id}/bewerken").status_code == 404
        assert client.post(f"/aanbod/{offer.id}/bewerken", data=form_of(title="Gekaapt")).status_code == 404
        assert client.post(f"/aanbod/{offer.id}/publiceren").status_code == 404
        assert client.post(f"/aanbod/{offer.id}/archiveren").status_code == 404
    db.session.expire_all()
    assert db.session.get(Offer, draft.id).state == "draft"
    assert db.session.get(Offer, published.id).title != "Gekaapt"


def test_owner_edits_and_archives(app, client, make_user, make_org, login_as):
    user, org = supplier(make_user, make_org, login_as)
    offer = make_offer(org)
    response = client.get(f"/aanbod/{offer.id}/bewerken")
    assert page(response).find(id="capacity_fte")["value"] == "12,5"
    client.post(f"/aanbod/{offer.id}/bewerken", data=form_of(title="Nieuwe titel"))
    client.post(f"/aanbod/{offer.id}/archiveren")
    db.session.expire_all()
    stored = db.session.get(Offer, offer.id)
    assert (stored.title, stored.state) == ("Nieuwe titel", "archived")
    assert client.get(f"/aanbod/{offer.id}").status_code == 200  # the owner still sees it
    # Archived offers are no longer public.
    forget_request_state()
    assert app.test_client().get(f"/aanbod/{offer.id}").status_code == 404


def test_unverified_supplier_cannot_publish(client, make_user, make_org, login_as):
    _, org = supplier(make_user, make_org, login_as, verified=False)
    offer = make_offer(org, state="draft")
    response = client.post(f"/aanbod/{offer.id}/publiceren", follow_redirects=True)
    assert "geverifieerd" in text_of(response)
    assert db.session.get(Offer, offer.id).state == "draft"


def test_mine_lists_only_own_offers(client, make_user, make_org, login_as):
    make_offer(make_org(), title="Van een ander")
    _, org = supplier(make_user, make_org, login_as)
    make_offer(org, title="Van ons", state="draft")
    text = text_of(client.get("/mijn-aanbod"))
    assert "Van ons" in text and "Concept" in text and "Van een ander" not in text


def test_directory_shows_only_verified_social_economy_and_filters(client, make_org):
    make_domain("schoonmaak", "Schoonmaak", "Cleaning")
    green = make_org(name="Groene Vingers", province="VOV")
    make_offer(green)
    clean = make_org(name="Proper Werk", kind="sociale_onderneming", province="VAN")
    make_offer(clean, domains=["schoonmaak"])
    make_org(name="Nog Niet Geverifieerd", verified=False)
    make_org(name="Gewone Firma", kind="onderneming")
    text = text_of(client.get("/leveranciers"))
    assert "Groene Vingers" in text and "Proper Werk" in text
    assert "Nog Niet Geverifieerd" not in text and "Gewone Firma" not in text
    assert "Oost-Vlaanderen" in text and "Groen- en natuuronderhoud" in text
    text = text_of(client.get("/leveranciers?domain=schoonmaak"))
    assert "Proper Werk" in text and "Groene Vingers" not in text
    text = text_of(client.get("/leveranciers?province=VOV"))
    assert "Groene Vingers" in text and "Proper Werk" not in text


def test_directory_pages(client, make_org):
    for n in range(27):
        make_org(name=f"Leverancier {n:02d}")
    first = client.get("/leveranciers")
    assert "27 leveranciers gevonden" in text_of(first)
    assert page(first).find("a", rel="next")["href"].endswith("page=2")
    second = text_of(client.get("/leveranciers?page=2"))
    assert "Leverancier 26" in second and "Leverancier 00" not in second


def test_profile_page_and_refusals(client, make_org):
    org = make_org(name="Groene Vingers", is_imported=True)
    make_offer(org, title="Maaien")
    make_offer(org, title="Verborgen concept", state="draft")
    text = text_of(client.get(f"/leveranciers/{org.id}"))
    assert "Maaien" in text and "Verborgen concept" not in text
    assert client.get(f"/leveranciers/{make_org(verified=False).id}").status_code == 404
    assert client.get(f"/leveranciers/{make_org(kind='onderneming').id}").status_code == 404
    assert client.get("/leveranciers/999999").status_code == 404
