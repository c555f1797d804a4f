"""The supplier search page, its CSV, needs for a supplier and the reservation advice."""

import csv
import io

from marketplace.search.indexing import rebuild_index
from tests.conftest import page, text_of
from tests.factories import make_domain, make_need, make_offer, make_org


def _corpus():
    make_domain("overig", "Overig", "Other")
    a = make_org(name="Verpakkers Antwerpen", province="VAN")
    b = make_org(name='=HYPERLINK("http://x")', kind="sociale_onderneming", province="VOV")
    make_offer(
        a,
        title="Verpakkingslijn met ploeg",
        description="Verpakking aan uw lijn.",
        domains=["overig"],
        regions=["VAN"],
        has_enclave=True,
        enclave_max_team="8",
        certifications="ISO 9001",
    )
    for n in range(25):
        make_offer(
            b,
            title=f"Herverpakken reeks {n}",
            description="Verpakking en etiketten.",
            domains=["overig"],
            regions=["VOV"],
            certifications="",
        )
    rebuild_index()
    return a, b


def test_search_filters_facets_and_pagination(client):
    _corpus()
    response = client.get("/zoeken?q=verpakking")
    assert response.status_code == 200
    assert "26 aanbiedingen gevonden" in text_of(response)
    assert page(response).select("mark")
    assert page(response).select_one("a[rel=next]")["href"].startswith("/zoeken?")
    response = client.get("/zoeken?q=verpakking&page=2")
    assert len(page(response).select("ol.search-results > li")) == 6
    response = client.get("/zoeken?q=verpakking&province=VAN&enclave=y&min_team=5")
    assert "1 aanbod gevonden" in text_of(response)
    options = {o.get_text(strip=True) for o in page(client.get("/zoeken?q=verpakking")).select("#province option")}
    assert "Antwerpen (1)" in options and "Oost-Vlaanderen (25)" in options
    labels = {label.get_text(" ", strip=True) for label in page(client.get("/zoeken?q=verpakking")).select("label")}
    assert "Alleen erkende maatwerkbedrijven (1)" in labels and "Enclavewerking mogelijk (1)" in labels


def test_search_form_errors_are_shown_not_failed(client):
    _corpus()
    response = client.get("/zoeken?q=verpakking&min_team=veel")
    assert response.status_code == 200
    assert page(response).select_one(".error-summary")


def test_bad_queries_never_give_a_500(client):
    _corpus()
    for q in ['"', "*", "AND", "a" * 10_000, "\x00\x07", "title:(x"]:
        assert client.get("/zoeken", query_string={"q": q}).status_code == 200


def test_csv_download_quotes_formulas(client):
    _corpus()
    response = client.get("/zoeken.csv?q=herverpakken")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Naam" and len(rows) == 1 + 26  # herverpakken also finds the verpakkingslijn
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names and not any(n.startswith("=") for n in names)
    assert all(row[9].startswith("http://localhost/leveranciers/") for row in rows[1:])


def _forget_user():
    """The test app context outlives requests; drop what Flask-Login and access cached in g."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("membership", None)


def test_needs_for_supplier_only_for_suppliers(client, make_user, login_as):
    supplier_user, buyer_user = make_user(), make_user()
    supplier = make_org(member=supplier_user)
    buyer = make_org(kind="onderneming", member=buyer_user)
    make_domain("overig", "Overig", "Other")
    make_offer(supplier, title="Groenonderhoud van bedrijfsterreinen", domains=["overig"])
    make_need(buyer, title="Maaien en snoeien rond onze fabriek", description="Groenonderhoud")
    rebuild_index()
    assert client.get("/mijn-kansen").status_code == 302
    _forget_user()
    login_as(buyer_user)
    assert client.get("/mijn-kansen").status_code == 403
    _forget_user()
    login_as(supplier_user)
    response = client.get("/mijn-kansen")
    assert response.status_code == 200
    assert "Maaien en snoeien rond onze fabriek" in text_of(response)


def test_reservation_advice_shows_counts_and_rule(client):
    make_domain("overig", "Overig", "Other")
    for _ in range(3):
        make_offer(make_org(), title="Groen", domains=["groenonderhoud"], regions=["VAN"])
    rebuild_index()
    response = client.get("/voorbehouden-advies?domains=groenonderhoud&province=VAN&estimated_value=50000")
    text = text_of(response)
    assert "Voorbehoud de hele opdracht." in text
    assert "Toegepaste regel: 1." in text
    response = client.get("/voorbehouden-advies?domains=overig&province=VAN&estimated_value=50000")
    assert "Neem een sociale clausule op." in text_of(response)
    response = client.get("/voorbehouden-advies?domains=overig&estimated_value=50000")
    assert page(response).select_one(".error-summary") or "Kies de provincie" in text_of(response)


def test_need_detail_shows_matching_suppliers_to_its_buyer_only(client, make_user, login_as):
    buyer_user, other_user = make_user(), make_user()
    buyer = make_org(kind="onderneming", member=buyer_user)
    make_org(kind="onderneming", member=other_user)
    make_domain("overig", "Overig", "Other")
    supplier = make_org(name="Groenploeg Zuid")
    make_offer(supplier, title="Groenonderhoud van bedrijfsterreinen", domains=["overig"])
    need = make_need(buyer, title="Maaien en snoeien rond onze fabriek", description="Groenonderhoud")
    rebuild_index()
    login_as(buyer_user)
    response = client.get(f"/vragen/{need.id}")
    assert response.status_code == 200
    section = page(response).select_one("section.matching-suppliers")
    assert section and "Groenploeg Zuid" in section.get_text()
    assert "Gedeelde termen" in section.get_text()
    _forget_user()
    login_as(other_user)
    response = client.get(f"/vragen/{need.id}")
    assert page(response).select_one("section.matching-suppliers") is None


def test_no_link_to_a_supplier_profile_that_would_answer_404(client, make_user, login_as):
    """A regular firm's published offer (the catalog import allows one, as the demo's CleanPro Services nv)
    is found and matched, but only social-economy organisations have a public profile: no link, CSV cell
    or match may lead to a 404 (found by benchmarks/load.py)."""
    from marketplace.extensions import db

    make_domain("overig", "Overig", "Other")
    firm = make_org(name="Schoonmaakfirma nv")
    firm_offer = make_offer(firm, title="Kantoorschoonmaak door eigen ploegen", domains=["overig"])
    firm.kind = "onderneming"
    db.session.commit()
    social = make_org(name="Poetsploeg vzw")
    make_offer(social, title="Kantoorschoonmaak met een enclave", domains=["overig"])
    buyer_user = make_user()
    need = make_need(
        make_org(kind="onderneming", member=buyer_user), title="Kantoorschoonmaak", description="Kantoorschoonmaak"
    )
    rebuild_index()
    login_as(buyer_user)
    for path in ("/zoeken?q=kantoorschoonmaak", f"/aanbod/{firm_offer.id}", f"/vragen/{need.id}"):
        response = client.get(path)
        assert "Schoonmaakfirma nv" in text_of(response), path
        links = {a["href"] for a in page(response).select('a[href^="/leveranciers/"]')}
        assert f"/leveranciers/{firm.id}" not in links, path
        for link in links:
            assert client.get(link).status_code == 200, link
    assert f"/leveranciers/{social.id}" in links
    response = client.get("/zoeken.csv?q=kantoorschoonmaak")
    rows = {row[0]: row[-1] for row in csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";")}
    assert rows["Schoonmaakfirma nv"] == ""
    assert rows["Poetsploeg vzw"].endswith(f"/leveranciers/{social.id}")
