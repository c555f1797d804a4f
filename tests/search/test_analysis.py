"""Dutch analysis: compounds, stemming, synonyms, typos and queries in English or French."""

import pytest

from marketplace.search.indexing import rebuild_index
from marketplace.search.querying import search_documents
from tests.factories import make_domain, make_offer, make_org


def titles(keywords, **filters):
    page = search_documents("offer", keywords, filters=filters, per_page=50)
    return {hit["fields"]["title"] for hit in page.hits}


@pytest.fixture()
def corpus(app):
    make_domain("schoonmaak", "Schoonmaak", "Cleaning", synonyms=["reiniging", "poetsen"])
    make_domain(
        "groenonderhoud", "Groenonderhoud", "Green maintenance", synonyms=["tuinonderhoud", "groenzorg", "maaien"]
    )
    make_domain("overig", "Overig", "Other")
    org = make_org()
    offers = {
        "act": "Verpakkingsactiviteiten voor de voeding",
        "her": "Herverpakken van cosmetica",
        "lijn": "Ploeg aan uw verpakkingslijn",
        "groen": "Onderhoud van groen rond bedrijven",
        "poets": "Poetsen van kantoren",
        "metaal": "Metaalbewerking en lassen",
    }
    for title in offers.values():
        make_offer(org, title=title, description=title, domains=["overig"], cpv_codes="")
    rebuild_index()
    return offers


def test_compounds_and_stems_find_each_other(corpus):
    found = titles("verpakking")
    assert {corpus["act"], corpus["her"], corpus["lijn"]} <= found
    assert corpus["metaal"] not in found


def test_compound_query_finds_the_parts_written_apart(corpus):
    assert corpus["groen"] in titles("groenonderhoud")


def test_synonyms_of_the_taxonomy(corpus):
    assert corpus["poets"] in titles("schoonmaak")
    assert corpus["poets"] in titles("reiniging")


def test_typo_is_tolerated(corpus):
    found = titles("verpakinng")
    assert corpus["act"] in found
    assert corpus["metaal"] not in found


@pytest.mark.parametrize("query", ["packaging", "emballage"])
def test_english_and_french_queries(corpus, query):
    assert corpus["lijn"] in titles(query) or corpus["act"] in titles(query)


@pytest.mark.parametrize(
    "query",
    ['"verpakking', "*", "AND OR NOT", "x" * 10_000, "verpak\x00king\x1b", "title:(", "(((", "~ ^ [a TO"],
)
def test_bad_queries_never_fail(corpus, query):
    search_documents("offer", query)
