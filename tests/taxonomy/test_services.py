"""The taxonomy file, its sync into the database, and the look-ups built on it."""

import json

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.taxonomy.models import ActivityDomain
from marketplace.taxonomy.services import (
    DOMAINS_FILE,
    domain_choices,
    domains_for_cpv,
    domains_for_terms,
    load_domains,
    sync_domains,
    synonyms_by_term,
)

FIELD_DOMAINS = {
    "groenonderhoud", "schoonmaak", "verpakking", "logistiek", "assemblage", "recyclage", "drukwerk",
    "farmaceutische_verpakking", "houtbewerking", "kunststofverwerking", "metaalbewerking", "catering", "renovatie",
    "wasserij", "digitalisering", "textiel", "mailing", "onthaal",
}  # fmt: skip


def test_the_file_holds_the_fields_domains_with_unique_codes_and_words():
    domains = json.loads(DOMAINS_FILE.read_text(encoding="utf-8"))["domains"]
    codes = [d["code"] for d in domains]
    assert len(codes) == len(set(codes))
    assert set(codes) >= FIELD_DOMAINS
    for d in domains:
        assert d["label_nl"] and d["label_en"] and d["synonyms"], d["code"]
        assert all(p.isdigit() and p.isascii() for p in d["cpv_prefixes"]), d["code"]
    schoonmaak = next(d for d in domains if d["code"] == "schoonmaak")
    assert {"reiniging", "poetsen", "kuisen", "schoonmaken", "cleaning", "nettoyage"} <= set(schoonmaak["synonyms"])
    groen = next(d for d in domains if d["code"] == "groenonderhoud")
    assert {"tuinonderhoud", "groenzorg", "maaien", "snoeien", "onderhoud van groen"} <= set(groen["synonyms"])


def test_sync_creates_then_changes_nothing(app):
    created, updated = sync_domains()
    assert created == len(load_domains()) and updated == 0

    assert sync_domains() == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(ActivityDomain)) == len(load_domains())


def test_sync_repairs_a_domain_changed_in_the_database(app):
    sync_domains()
    domain = db.session.scalar(select(ActivityDomain).where(ActivityDomain.code == "schoonmaak"))
    domain.label_nl = "Iets anders"
    domain.synonyms = []
    db.session.commit()

    assert sync_domains() == (0, 1)
    assert domain.label_nl == "Schoonmaak" and "poetsen" in domain.synonyms


def test_domains_for_cpv_follow_the_prefixes():
    assert domains_for_cpv(["77311000"]) == ["groenonderhoud"]
    assert domains_for_cpv(["90911200-8"]) == ["schoonmaak"]
    assert domains_for_cpv(["98310000", "79921000"]) == ["verpakking", "wasserij"]
    assert domains_for_cpv(["12345678", "", None]) == []


def test_activities_map_to_domains_with_dutch_compounds():
    assert domains_for_terms(["hagen snoeien"]) == ["groenonderhoud"]
    assert domains_for_terms(["verpakkingslijn"]) == ["verpakking"]
    assert domains_for_terms(["Poetsen"]) == ["schoonmaak"]
    # An exact domain word wins: 'glazenwassen' is cleaning, not laundry.
    assert domains_for_terms(["glazenwassen"]) == ["schoonmaak"]
    assert domains_for_terms(["festivals", "enclave"]) == []


def test_choices_and_synonyms_for_the_search(app):
    sync_domains()

    choices = dict(domain_choices("en"))
    assert choices["schoonmaak"] == "Cleaning"
    assert dict(domain_choices("nl"))["groenonderhoud"] == "Groenonderhoud"
    groups = synonyms_by_term()
    assert "tuinonderhoud" in groups["groenonderhoud"] and "Green space maintenance" in groups["groenonderhoud"]
    assert "nettoyage" in groups["schoonmaak"]


def test_cli_sync(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["taxonomy", "sync"])
    second = runner.invoke(args=["taxonomy", "sync"])

    assert first.exit_code == 0 and f"{len(load_domains())} nieuw" in first.output
    assert "0 nieuw, 0 bijgewerkt" in second.output
