"""top_documents gives the documents and scores Whoosh's own search gives for the same Or of terms."""

from pathlib import Path

import pytest
from sqlalchemy import select
from whoosh.query import Or, Term

from marketplace.extensions import db
from marketplace.matching import rules
from marketplace.matching.ranking import cpv_query_terms, need_query_parts, offer_query_parts
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.offers.services import archive_offer
from marketplace.search import engine
from marketplace.search.indexing import rebuild_index, sync
from marketplace.search.querying import cached_filter, filter_query, query_terms, weighted_terms
from marketplace.search.scoring import top_documents
from tests.factories import make_offer
from tests.matching.catalog_loader import load_catalog

LABELLED = Path(__file__).parent.parent / "matching" / "labelled" / "catalog.json"


@pytest.fixture()
def searcher(app):
    """The project's labelled catalog in an index of several segments, one with a deleted document."""
    load_catalog(LABELLED)
    db.session.commit()
    rebuild_index()
    organisation = db.session.scalars(select(Offer)).first().organisation
    make_offer(organisation, title="Herverpakken en etiketteren van cosmetica", description="Verpakkingslijn")
    archive_offer(db.session.scalars(select(Offer).order_by(Offer.id)).first())
    sync()
    searcher = engine.request_searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    return searcher


def _whoosh_and_ours(searcher, doc_type, parts, extra, filters):
    weights, _corrections, ngrams = weighted_terms(searcher, parts)
    terms = query_terms(doc_type, weights, ngrams, extra, searcher=searcher)
    allowed = cached_filter(searcher, filter_query(doc_type, **filters))
    query = Or([Term(fieldname, text, boost=boost) for fieldname, text, boost in terms])
    theirs = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=60, filter=allowed)]
    return theirs, top_documents(searcher, terms, allowed, 60)


def _assert_same(theirs, ours):
    assert [docnum for _, docnum in ours] == [docnum for _, docnum in theirs]
    assert [score for score, _ in ours] == pytest.approx([score for score, _ in theirs], rel=1e-9)


def test_suppliers_for_each_need_score_as_in_whoosh(searcher):
    needs = db.session.scalars(select(Need)).all()
    assert needs
    for need in needs:
        extra = cpv_query_terms(need.cpv_codes) + [("domains", d.code, 3.0) for d in need.domains]
        theirs, ours = _whoosh_and_ours(
            searcher, "offer", need_query_parts(need), extra, rules.index_filters_for_need(need)
        )
        _assert_same(theirs, ours)


def test_needs_for_each_offer_score_as_in_whoosh(searcher):
    for offer in db.session.scalars(select(Offer).where(Offer.state == "published")).all():
        extra = cpv_query_terms(offer.cpv_codes) + [("domains", d.code, 3.0) for d in offer.domains]
        theirs, ours = _whoosh_and_ours(searcher, "need", offer_query_parts(offer), extra, {})
        _assert_same(theirs, ours)


def test_a_typo_scores_through_letter_triples_and_a_deleted_document_never_comes_back(searcher):
    archived = db.session.scalars(select(Offer).where(Offer.state == "archived")).one()
    theirs, ours = _whoosh_and_ours(searcher, "offer", [(archived.title + " xqzverpakinng", 1.0)], [], {})
    _assert_same(theirs, ours)
    found = {searcher.stored_fields(docnum)["doc_id"] for _, docnum in ours}
    assert ours and archived.id not in found
