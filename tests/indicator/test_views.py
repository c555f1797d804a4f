"""Indicator pages: access, what they show, suppression, download schema, OCDS shape."""

import csv
import io

from flask import g

from marketplace.events.services import record_event
from marketplace.extensions import db
from tests.conftest import page, text_of
from tests.indicator.conftest import agree, at


def _collaborations(world, buyers=3):
    """`buyers` distinct buyers, each with one collaboration in 2026Q1 with a different supplier."""
    for i, buyer in enumerate(world["buyers"][:buyers]):
        agree(
            world["needs"][(buyer.id, "outsourcing")],
            world["suppliers"][i % 3],
            100 + i,
            "2026-01-10",
            "2026-03-20",
            value=1000 * (i + 1),
        )


def _forget_user():
    """The tests share one app context, so Flask-Login's per-request user cache in `g` must be dropped."""
    g.pop("_login_user", None)
    g.pop("membership", None)


def test_dashboard_is_for_analysts_and_admins(app, client, make_user, login_as):
    anonymous = client.get("/indicator/dashboard")
    assert anonymous.status_code == 302 and "/aanmelden" in anonymous.headers["Location"]
    _forget_user()
    login_as(make_user())
    assert client.get("/indicator/dashboard").status_code == 403
    _forget_user()
    login_as(make_user(role="analyst"))
    assert client.get("/indicator/dashboard").status_code == 200
    _forget_user()
    login_as(make_user(role="admin"))
    assert client.get("/indicator/dashboard").status_code == 200


def test_dashboard_shows_figures_without_firm_names(client, make_user, login_as, world):
    _collaborations(world, buyers=2)
    login_as(make_user(role="analyst"))
    response = client.get("/indicator/dashboard?van=2025Q3&tot=2026Q2")
    assert response.status_code == 200
    doc = page(response)
    assert len(doc.find_all("h1")) == 1
    caption = doc.find("caption", string=lambda s: s and "Actieve samenwerkingen per kwartaal" in s)
    row = caption.find_parent("table").find("th", string="2026 K1").find_parent("tr")
    assert row.find("td").get_text(strip=True) == "2"  # unsuppressed for analysts
    text = text_of(response)
    for organisation in [*world["buyers"], *world["suppliers"]]:
        assert organisation.name not in text
        assert organisation.kbo not in text
    assert doc.find("svg") is not None and doc.find("script", src=False) is None


def test_period_choice_is_validated(client, make_user, login_as):
    login_as(make_user(role="analyst"))
    response = client.get("/indicator/dashboard?van=2026Q3&tot=2026Q1")
    assert response.status_code == 200
    assert "Het eindkwartaal mag niet voor het beginkwartaal liggen." in text_of(response)
    assert page(response).title.get_text().startswith("Fout:")
    response = client.get("/indicator/dashboard?van=1900Q1&tot=2026Q1")
    assert "Kies een beginkwartaal uit de lijst." in text_of(response)


def test_published_page_suppresses_small_cells(client, world):
    _collaborations(world, buyers=2)
    response = client.get("/indicator?van=2026Q1&tot=2026Q1")
    assert response.status_code == 200
    doc = page(response)
    caption = doc.find("caption", string=lambda s: s and "Actieve samenwerkingen per kwartaal" in s)
    row = caption.find_parent("table").find("th", string="2026 K1").find_parent("tr")
    assert row.find("td").get_text(strip=True) == "afgeschermd"


def _rows(client, path="/indicator/data.csv"):
    return list(csv.DictReader(io.StringIO(client.get(path).get_data(as_text=True))))


def test_no_published_cell_rests_on_fewer_organisations_than_the_threshold(app, client, world):
    _collaborations(world, buyers=4)  # three buyers in VAN, one in VLI
    rows = _rows(client)
    assert rows, "expected rows"
    assert list(rows[0]) == [
        "quarter",
        "figure",
        "dimension",
        "dimension_value",
        "value",
        "unit",
        "suppressed",
        "revision",
    ]
    by_key = {(r["figure"], r["quarter"], r["dimension"], r["dimension_value"]): r for r in rows}
    total = by_key[("active_collaborations", "2026Q1", "total", "")]
    assert (total["value"], total["suppressed"]) == ("4", "false")
    # VLI rests on one buyer: primary; VAN would then follow from the total: secondary.
    vli = by_key[("active_collaborations", "2026Q1", "province", "VLI")]
    van = by_key[("active_collaborations", "2026Q1", "province", "VAN")]
    assert (vli["value"], vli["suppressed"]) == ("", "true")
    assert (van["value"], van["suppressed"]) == ("", "true")
    assert by_key[("distinct_buyers", "2026Q1", "province", "VAN")]["suppressed"] == "true"
    # Every shown cell of the headline rests on at least the threshold of buyers.
    from marketplace.indicator.queries import load_cells

    cells = load_cells(["2026Q1"])
    for row in rows:
        if row["suppressed"] == "false" and row["figure"] == "active_collaborations":
            cell = cells[(row["figure"], row["quarter"], row["dimension"], row["dimension_value"])]
            assert cell.distinct("b") >= app.config["INDICATOR_MIN_ORGS"]


def test_json_download_has_the_documented_schema(client, world):
    _collaborations(world, buyers=3)
    document = client.get("/indicator/data.json").get_json()
    assert document["schema_version"] == "1"
    assert document["columns"] == [
        "quarter",
        "figure",
        "dimension",
        "dimension_value",
        "value",
        "unit",
        "suppressed",
        "revision",
    ]
    assert document["min_orgs"] == 3
    assert {"method_version", "nace_version", "generated_at"} <= set(document)
    for row in document["rows"]:
        assert list(row) == document["columns"]
        assert isinstance(row["suppressed"], bool)
        assert (row["value"] == "") == row["suppressed"]
    headline = [r for r in document["rows"] if r["figure"] == "active_collaborations" and r["dimension"] == "total"]
    assert headline == [
        {
            "quarter": "2026Q1",
            "figure": "active_collaborations",
            "dimension": "total",
            "dimension_value": "",
            "value": "3",
            "unit": "count",
            "suppressed": False,
            "revision": 0,
        }
    ]


def test_methodology_lists_every_published_figure(client):
    from marketplace.indicator.definitions import FIGURES

    response = client.get("/indicator/methodology")
    assert response.status_code == 200
    text = text_of(response)
    for figure in FIGURES.values():
        if figure.published:
            assert str(figure.name_nl) in text
            assert figure.code in text
    for heading in ("Definitie", "Berekening", "Bron", "Meetfrequentie", "Kwaliteitsbeoordeling"):
        assert heading in text


def test_ocds_release_package(client, world):
    public, supplier = world["public"], world["suppliers"][0]
    need = world["needs"][(public.id, "reserved_contract")]
    from marketplace.needs.services import publish_need

    publish_need(need)
    record_event("award", need=need, supplier=supplier, value_eur=42000, occurred_at=at("2026-03-01"))
    db.session.commit()
    package = client.get("/indicator/ocds.json").get_json()
    assert package["version"] == "1.1"
    assert {"uri", "publishedDate", "publisher", "releases"} <= set(package)
    [release] = package["releases"]
    assert release["ocid"].startswith("ocds-") and release["ocid"].endswith(need.ref)
    assert release["tag"] == ["tender", "award"]
    assert release["tender"]["id"] == need.ref
    assert release["tender"]["otherRequirements"]["reservedParticipation"] == ["shelteredWorkshop"]
    assert release["buyer"]["id"] == f"BE-BCE_KBO-{public.kbo}"
    [award] = release["awards"]
    assert award["value"] == {"amount": 42000.0, "currency": "EUR"}
    assert award["suppliers"][0]["id"] == f"BE-BCE_KBO-{supplier.kbo}"
    assert {p["roles"][0] for p in release["parties"]} == {"buyer", "supplier"}
