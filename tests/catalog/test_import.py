"""The catalog import: checked as a whole, written in one transaction, idempotent, exported back."""

import copy
import json

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditEntry
from marketplace.catalog.records import CatalogError
from marketplace.catalog.services import export_catalog, import_catalog
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import Organisation
from marketplace.search.models import SearchChange
from marketplace.taxonomy.models import ActivityDomain
from tests.factories import kbo_for

SUPPLIER = kbo_for(9001)
SOCIAL = kbo_for(9002)
FIRM = kbo_for(9003)
CITY = kbo_for(9004)


def catalog() -> dict:
    """A small catalog in the dev-matching format, with each kind of need."""
    return {
        "organizations": [
            {
                "kbo": SUPPLIER,
                "name": "Groen en Proper vzw",
                "kind": "maatwerkbedrijf",
                "recognized_maatwerk": True,
                "province": "Oost-Vlaanderen",
                "postcode": "9000",
                "municipality": "Gent",
                "nace": "81.30",
                "size": "groot",
                "website": "",
                "offers": [
                    {
                        "ref": "OFF-T001",
                        "title": "Groenonderhoud voor bedrijven",
                        "description": "Gras maaien en hagen snoeien op bedrijfsterreinen.",
                        "activities": ["groendienst", "maaien"],
                        "cpv": ["77311000"],
                        "regions": ["Oost-Vlaanderen", "West-Vlaanderen"],
                        "capacity_fte": 30,
                        "enclave": {"available": True, "max_team": 8},
                        "certifications": ["VCA"],
                    },
                    {
                        "ref": "OFF-T002",
                        "title": "Verpakken en sets samenstellen",
                        "description": "Promopakketten en displays op onze lijnen.",
                        "activities": ["verpakkingsactiviteiten"],
                        "cpv": [],
                        "regions": ["Oost-Vlaanderen"],
                        "capacity_fte": 12.5,
                        "enclave": {"available": False, "max_team": 0},
                        "certifications": [],
                    },
                ],
            },
            {
                "kbo": SOCIAL,
                "name": "Kringwerk cv",
                "kind": "sociale_onderneming",
                "recognized_maatwerk": False,
                "eligible_reserved": True,
                "province": "Antwerpen",
                "postcode": "2000",
                "municipality": "Antwerpen",
                "nace": "38.32",
                "size": "klein",
                "website": "https://kringwerk.example",
                "offers": [
                    {
                        "ref": "OFF-T003",
                        "title": "Ontmanteling van elektro",
                        "description": "We ontmantelen en sorteren afgedankte toestellen.",
                        "activities": ["ontmanteling"],
                        "cpv": [],
                        "regions": ["Antwerpen"],
                        "capacity_fte": 6,
                        "enclave": {"available": False, "max_team": 0},
                        "certifications": [],
                        "domains": ["logistiek", "recyclage"],
                    }
                ],
            },
            {
                "kbo": FIRM,
                "name": "Chips & Co nv",
                "kind": "onderneming",
                "recognized_maatwerk": False,
                "province": "Antwerpen",
                "postcode": "2440",
                "municipality": "Geel",
                "nace": "10.31",
                "size": "middelgroot",
                "website": "",
                "offers": [],
            },
            {
                "kbo": CITY,
                "name": "Stad Eeklo",
                "kind": "overheid",
                "recognized_maatwerk": False,
                "province": "Oost-Vlaanderen",
                "postcode": "9900",
                "municipality": "Eeklo",
                "nace": "84.11",
                "size": "middelgroot",
                "website": "",
                "offers": [],
            },
        ],
        "needs": [
            {
                "ref": "NEED-T01",
                "buyer_kbo": FIRM,
                "kind": "outsourcing",
                "title": "Promopakken samenstellen",
                "description": "30.000 promopakken met chips.",
                "activities": ["verpakking"],
                "cpv": [],
                "province": "Antwerpen",
                "postcode": "2440",
                "start": "2027-04-12",
                "end": "2027-06-11",
                "budget_eur": 45000,
            },
            {
                "ref": "NEED-T02",
                "buyer_kbo": FIRM,
                "kind": "enclave",
                "title": "Ploeg van 5 voor ons bedrijfsgroen",
                "description": "Maaien en snoeien rond de fabriek.",
                "activities": [],
                "cpv": [],
                "province": "Antwerpen",
                "postcode": "2440",
                "team_size": 5,
                "volume_fte": 4,
                "start": "2027-03-01",
                "end": "2027-10-31",
            },
            {
                "ref": "NEED-T03",
                "buyer_kbo": CITY,
                "kind": "reserved_contract",
                "title": "Onderhoud van begraafplaatsen",
                "description": "Pesticidevrij onkruidbeheer.",
                "activities": [],
                "cpv": ["77312000"],
                "province": "Oost-Vlaanderen",
                "postcode": "9900",
                "start": "2027-05-01",
                "end": "2028-04-30",
                "deadline": "2027-02-12",
                "reservation": "maatwerk",
                "lots": [
                    {"title": "Begraafplaats Noord", "reserved": True},
                    {"title": "Kerkhof Zuid", "reserved": False},
                ],
            },
        ],
    }


def counts() -> dict:
    models = (Organisation, Offer, Need, SearchChange, ActivityDomain, Event, AuditEntry)
    found = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
    # End the read: on SQLite it holds the write lock, which the CLI's own session needs.
    db.session.rollback()
    return found


def canonical(data: dict) -> dict:
    """The catalog with every list of records sorted by key, to compare modulo ordering."""
    orgs = sorted(
        ({**o, "offers": sorted(o["offers"], key=lambda x: x["ref"])} for o in data["organizations"]),
        key=lambda o: o["kbo"],
    )
    return {"organizations": orgs, "needs": sorted(data["needs"], key=lambda n: n["ref"])}


def test_import_writes_organisations_offers_and_needs(app):
    result = import_catalog(catalog())

    assert (result.get("organisation", "created"), result.get("offer", "created"), result.get("need", "created")) == (
        4,
        3,
        3,
    )
    supplier = db.session.scalar(select(Organisation).where(Organisation.kbo == SUPPLIER))
    assert supplier.province == "VOV" and supplier.is_verified and supplier.is_imported
    assert supplier.is_recognised_maatwerk and supplier.is_eligible_reserved
    social = db.session.scalar(select(Organisation).where(Organisation.kbo == SOCIAL))
    assert not social.is_recognised_maatwerk and social.is_eligible_reserved
    firm = db.session.scalar(select(Organisation).where(Organisation.kbo == FIRM))
    assert not firm.is_eligible_reserved

    offer = db.session.scalar(select(Offer).where(Offer.ref == "OFF-T001"))
    assert offer.state == "published" and offer.regions == ["VOV", "VWV"]
    assert offer.cpv_codes == ["77311000-3"] and offer.has_enclave and offer.enclave_max_team == 8
    assert [d.code for d in offer.domains] == ["groenonderhoud"]
    assert [d.code for d in db.session.scalar(select(Offer).where(Offer.ref == "OFF-T002")).domains] == ["verpakking"]
    explicit = db.session.scalar(select(Offer).where(Offer.ref == "OFF-T003"))
    assert sorted(d.code for d in explicit.domains) == ["logistiek", "recyclage"]

    reserved = db.session.scalar(select(Need).where(Need.ref == "NEED-T03"))
    assert reserved.state == "open" and reserved.reservation == "res-ws" and reserved.is_recognised_only
    assert [lot.title for lot in reserved.lots] == ["Begraafplaats Noord", "Kerkhof Zuid"]
    assert [d.code for d in reserved.domains] == ["groenonderhoud"]
    enclave = db.session.scalar(select(Need).where(Need.ref == "NEED-T02"))
    assert enclave.team_size == 5 and enclave.province == "VAN"
    outsourcing = db.session.scalar(select(Need).where(Need.ref == "NEED-T01"))
    assert outsourcing.budget_max_eur == 45000

    changes = set(db.session.execute(select(SearchChange.doc_type, SearchChange.doc_id)).all())
    assert {("offer", offer.id), ("need", reserved.id), ("organisation", supplier.id)} <= changes
    published = db.session.scalars(select(Event.need_id).where(Event.kind == "need_published")).all()
    assert len(published) == 3


def test_importing_the_same_file_twice_changes_nothing(app):
    import_catalog(catalog())
    before = counts()

    result = import_catalog(catalog())

    assert result.changed == 0
    assert result.get("organisation", "unchanged") == 4 and result.get("need", "unchanged") == 3
    after = counts()
    # Only the audit row of the second run is new.
    assert {k: v for k, v in after.items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"
    }


def test_reimport_updates_by_key_without_duplicates(app):
    import_catalog(catalog())
    changed = catalog()
    changed["organizations"][0]["name"] = "Groen en Proper (nieuwe naam)"
    changed["organizations"][0]["offers"][0]["enclave"]["max_team"] = 12
    changed["needs"][0]["title"] = "Zomerpakketten samenstellen"
    changes_before = db.session.scalar(select(func.count()).select_from(SearchChange))

    result = import_catalog(changed)

    assert result.get("organisation", "updated") == 1 and result.get("organisation", "unchanged") == 3
    assert result.get("offer", "updated") == 1 and result.get("need", "updated") == 1
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 4
    assert db.session.scalar(select(Offer.enclave_max_team).where(Offer.ref == "OFF-T001")) == 12
    assert db.session.scalar(select(Need.title).where(Need.ref == "NEED-T01")) == "Zomerpakketten samenstellen"
    assert db.session.scalar(select(func.count()).select_from(SearchChange)) == changes_before + 3


def test_export_of_an_import_gives_the_file_back(app):
    original = catalog()
    import_catalog(copy.deepcopy(original))

    assert canonical(export_catalog()) == canonical(original)


def test_dry_run_counts_but_writes_nothing(app):
    before = counts()

    result = import_catalog(catalog(), dry_run=True)

    assert result.get("organisation", "created") == 4
    assert counts() == before


BAD_INPUTS = [
    (
        lambda c: c["organizations"][1].update(kbo="0403019262"),
        "organizations[1].kbo: 0403019262 is geen geldig ondernemingsnummer (het controlegetal klopt niet)",
    ),
    (lambda c: c["organizations"][2].update(kbo="12345"), "organizations[2].kbo: 12345 is geen geldig"),
    (
        lambda c: c["organizations"][0].update(province="Henegouwen"),
        'organizations[0].province: onbekende provincie "Henegouwen"',
    ),
    (
        lambda c: c["organizations"][0].update(postcode="2000"),
        "organizations[0].province: Oost-Vlaanderen past niet bij postcode 2000",
    ),
    (lambda c: c["organizations"][0].update(postcode="7000"), 'organizations[0].postcode: "7000" is geen postcode'),
    (
        lambda c: c["organizations"][1]["offers"][0].update(domains=["ruimtevaart"]),
        "organizations[1].offers[0].domains: onbekend activiteitsdomein ruimtevaart",
    ),
    (
        lambda c: c["organizations"][1]["offers"][0].update(ref="OFF-T001"),
        "organizations[1].offers[0].ref: aanbod OFF-T001 komt al voor in organizations[0].offers[0].ref",
    ),
    (
        lambda c: c["needs"][1].update(ref="NEED-T01"),
        "needs[1].ref: vraag NEED-T01 komt al voor in needs[0].ref",
    ),
    (
        lambda c: c["organizations"][3].update(kbo=SUPPLIER),
        f"organizations[3].kbo: ondernemingsnummer {SUPPLIER} komt al voor in organizations[0]",
    ),
    (lambda c: c["organizations"][0]["offers"][1].update(cpv=["7731"]), "offers[1].cpv: CPV-code 7731 is ongeldig"),
    (lambda c: c["needs"][0].update(start="12 april"), "needs[0].start: de startdatum is geen geldige datum"),
    (lambda c: c["needs"][2].update(cpv=["77312000-5"]), "needs[2].cpv: Het controlecijfer van CPV-code"),
    (lambda c: c["needs"][2].update(reservation="iedereen"), 'needs[2].reservation: "iedereen" is onbekend'),
    (lambda c: c["needs"][2].update(buyer_kbo=FIRM), "needs[2].buyer_kbo: Alleen overheden"),
    (lambda c: c["needs"][0].update(buyer_kbo=kbo_for(9999)), "staat niet in het bestand of in Werkbrug"),
    (
        lambda c: c["organizations"][0]["offers"][0].update(regions=["Mars"]),
        "offers[0].regions: Onbekende provincie: Mars",
    ),
    (lambda c: c["needs"][1].update(team_size=None), "needs[1].team_size: Vul het aantal werknemers in"),
    (lambda c: c["organizations"][2].update(kind="bank"), 'organizations[2].kind: onbekend soort organisatie "bank"'),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_its_place_and_nothing_is_written(app, spoil, message):
    data = catalog()
    spoil(data)
    before = counts()

    with pytest.raises(CatalogError) as caught:
        import_catalog(data)

    assert any(message.lower() in problem.lower() for problem in caught.value.problems), caught.value.problems
    assert counts() == before


def test_every_problem_of_a_file_is_reported_at_once(app):
    data = catalog()
    data["organizations"][0]["kbo"] = "0403019262"
    data["needs"][0]["province"] = "Atlantis"

    with pytest.raises(CatalogError) as caught:
        import_catalog(data)

    places = [p.split(":")[0] for p in caught.value.problems]
    assert "organizations[0].kbo" in places and "needs[0].province" in places


def test_a_need_may_name_a_buyer_already_in_werkbrug(app, make_org):
    buyer = make_org(kind="onderneming", kbo=kbo_for(9100))
    data = {"organizations": [], "needs": [{**catalog()["needs"][0], "buyer_kbo": buyer.kbo}]}

    result = import_catalog(data)

    assert result.get("need", "created") == 1
    assert db.session.scalar(select(Need.organisation_id).where(Need.ref == "NEED-T01")) == buyer.id


# ---- through the command line ----


def write(tmp_path, data, name="catalog.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_cli_import_prints_a_summary_and_builds_the_index(app, tmp_path):
    from marketplace.search import querying  # noqa: F401 - the search package must be there

    result = app.test_cli_runner().invoke(args=["catalog", "import", write(tmp_path, catalog())])

    assert result.exit_code == 0, result.output
    assert "organisaties: 4 nieuw, 0 bijgewerkt, 0 ongewijzigd" in result.output
    assert "Zoekindex opnieuw opgebouwd" in result.output


def test_cli_refuses_bad_json_with_its_line(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"organizations": [\n  {"kbo": }\n]}', encoding="utf-8")
    before = counts()

    result = app.test_cli_runner().invoke(args=["catalog", "import", str(path)])

    assert result.exit_code == 1
    assert "geen geldige JSON op regel 2" in result.output
    assert counts() == before


def test_cli_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["catalog", "import", str(tmp_path / "nergens.json")])

    assert result.exit_code == 1
    assert "bestand niet gevonden" in result.output


def test_cli_refuses_a_bad_file_with_exit_code_1_and_writes_nothing(app, tmp_path):
    data = catalog()
    data["organizations"][1]["kbo"] = "0403019262"
    before = counts()

    result = app.test_cli_runner().invoke(args=["catalog", "import", write(tmp_path, data)])

    assert result.exit_code == 1
    assert "Import geweigerd: 1 fout(en), er is niets weggeschreven." in result.output
    assert "organizations[1].kbo: 0403019262 is geen geldig ondernemingsnummer" in result.output
    assert counts() == before


def test_cli_dry_run_and_export(app, tmp_path):
    runner = app.test_cli_runner()
    source = write(tmp_path, catalog())
    dry = runner.invoke(args=["catalog", "import", "--dry-run", source])
    assert dry.exit_code == 0 and "Proefdraai" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    db.session.rollback()

    assert runner.invoke(args=["catalog", "import", "--no-index", source]).exit_code == 0
    target = tmp_path / "export.json"
    exported = runner.invoke(args=["catalog", "export", str(target)])

    assert exported.exit_code == 0, exported.output
    assert canonical(json.loads(target.read_text(encoding="utf-8"))) == canonical(catalog())


def test_a_ref_held_by_another_organisation_is_refused_with_its_place(app):
    import_catalog(catalog())
    data = catalog()
    data["organizations"][1]["offers"][0]["ref"] = "OFF-T002"  # OFF-T002 belongs to the first organisation
    data["organizations"][0]["offers"] = data["organizations"][0]["offers"][:1]
    data["needs"][1]["ref"] = "NEED-T03"  # an enclave request under the ref of the city's reserved contract
    data["needs"] = data["needs"][:2]
    before = counts()

    with pytest.raises(CatalogError) as caught:
        import_catalog(data)

    problems = caught.value.problems
    assert f"organizations[1].offers[0].ref: aanbod OFF-T002 hoort in Werkbrug bij organisatie {SUPPLIER}." in problems
    assert f"needs[1].ref: vraag NEED-T03 hoort in Werkbrug bij organisatie {CITY}." in problems
    assert counts() == before
