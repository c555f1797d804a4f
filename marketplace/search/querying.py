"""Queries on the index: ranked ids with the terms that matched, facets and highlights.

Text from users or needs is analysed into terms and turned into term queries directly, so
quotes, '*', AND/OR/NOT or control characters never act as query syntax (and never fail).
"""

import math
import time
from collections import Counter
from dataclasses import dataclass, field

from whoosh import sorting
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.query import And, Every, NumericRange, Or, Term

from marketplace.search import engine
from marketplace.search.analysis import CompoundFilter, words_of
from marketplace.search.glossary import GLOSSARY
from marketplace.search.scoring import top_documents

# The text fields of each kind of document, with the relative weight of a term found in each.
FIELD_BOOSTS = {
    "offer": {"title": 3.0, "tags": 2.5, "body": 1.0},
    "need": {"need_title": 3.0, "need_tags": 2.5, "need_body": 1.0},
}
TEXT_FIELDS = tuple(name for boosts in FIELD_BOOSTS.values() for name in boosts)
MAX_QUERY_CHARS = 2000
MAX_TERMS = 40
COMMON_SHARE = 0.2  # a term in more than this share of documents says little
PRUNE_FROM_DOCS = 1000
SYNONYM_WEIGHT = 0.6
CORRECTION_WEIGHT = 0.8
NGRAM_WEIGHT = 0.15
_synonym_cache: dict = {}
SYNONYM_TTL_S = 300


@dataclass
class Candidate:
    doc_id: int
    score: float
    terms: set = field(default_factory=set)
    fields: dict = field(default_factory=dict)


@dataclass
class SearchPage:
    hits: list
    total: int
    page: int
    pages: int
    facets: dict
    corrections: dict


def current_schema():
    ix = engine.handle().index()
    return ix.schema if ix is not None else None


def _compound_words(schema) -> frozenset:
    analyzer = schema["body"].analyzer
    for item in getattr(analyzer, "items", ()):
        if isinstance(item, CompoundFilter):
            return item.words
    return frozenset()


def analyse(schema, text: str, fieldname: str = "body") -> list[str]:
    text = (text or "")[:MAX_QUERY_CHARS]
    return list(dict.fromkeys(schema[fieldname].process_text(text, mode="query")))


def synonym_groups() -> list[list[str]]:
    """Groups of words that mean the same: the taxonomy's labels and synonyms, and a glossary."""
    groups = [list(g) for g in GLOSSARY]
    try:
        from marketplace.taxonomy.services import synonyms_by_term
    except ImportError:
        synonyms_by_term = None
    if synonyms_by_term is not None:
        try:
            mapping = synonyms_by_term()
            for term, synonyms in mapping.items():
                groups.append([term, *synonyms])
        except Exception:  # noqa: BLE001 - a taxonomy hiccup must not break search; fall back
            synonyms_by_term = None
    if synonyms_by_term is None:
        from sqlalchemy import select

        from marketplace.extensions import db
        from marketplace.taxonomy.models import ActivityDomain

        for d in db.session.scalars(select(ActivityDomain)):
            groups.append([d.label_nl, d.label_en, *(d.synonyms or [])])
    return groups


def _expansions(schema) -> dict[str, set[str]]:
    """term -> terms of the same synonym group (analysed with this index's analyzer)."""
    key = id(schema)
    cached = _synonym_cache.get(key)
    if cached and time.monotonic() - cached[0] < SYNONYM_TTL_S:
        return cached[1]
    mapping: dict[str, set[str]] = {}
    for group in synonym_groups():
        # A phrase synonym ('onderhoud van groen') counts only through its whole set of terms.
        term_sets = [set(analyse(schema, str(word), "tags")) for word in group if word]
        all_terms = set().union(*term_sets) if term_sets else set()
        for terms in term_sets:
            if len(terms) == 1:
                (t,) = terms
                mapping.setdefault(t, set()).update(all_terms - {t})
    _synonym_cache.clear()
    _synonym_cache[key] = (time.monotonic(), mapping)
    return mapping


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def correct_word(schema, word: str) -> str | None:
    """The closest word of the index's vocabulary to a word that is not in it (a typo)."""
    words = _compound_words(schema)
    if len(word) < 5 or word in words:
        return None
    grams = _trigrams(word)
    best, best_score = None, 0.0
    for candidate in words:
        if abs(len(candidate) - len(word)) > 2 or candidate[0] != word[0]:
            continue
        other = _trigrams(candidate)
        score = 2 * len(grams & other) / (len(grams) + len(other))
        if score > best_score:
            best, best_score = candidate, score
    return best if best_score >= 0.5 else None


def _known(searcher, terms) -> bool:
    return any(searcher.doc_frequency(f, t) for t in terms for f in TEXT_FIELDS)


def weighted_terms(searcher, parts, expand: bool = True) -> tuple[dict, dict, list]:
    """(term -> weight, corrections {typo: word}, ngram terms) for [(text, weight), ...]."""
    schema = searcher.schema
    weights: dict[str, float] = {}
    corrections: dict[str, str] = {}
    ngrams: list[str] = []
    for text, weight in parts:
        text = (text or "")[:MAX_QUERY_CHARS]
        for term in analyse(schema, text):
            weights[term] = max(weights.get(term, 0.0), weight)
        # Typos: a word none of whose terms the index knows is corrected against the vocabulary.
        for word in dict.fromkeys(words_of(text)):
            terms = analyse(schema, word)
            if not terms or _known(searcher, terms):
                continue
            fixed = correct_word(schema, word)
            if fixed:
                corrections[word] = fixed
                for term in analyse(schema, fixed):
                    weights.setdefault(term, weight * CORRECTION_WEIGHT)
            else:
                # No close word in the vocabulary: let shared letter triples decide, weakly.
                ngrams.extend(schema["ngrams"].process_text(word, mode="query"))
    if expand:
        expansions = _expansions(schema)
        for term, weight in list(weights.items()):
            for synonym in expansions.get(term, ()):
                if synonym not in weights:
                    weights[synonym] = weight * SYNONYM_WEIGHT
    return weights, corrections, list(dict.fromkeys(ngrams))


def prune_terms(searcher, weights: dict, doc_type: str, max_terms: int = MAX_TERMS) -> dict:
    """Keep the terms that can tell documents apart: drop those in most documents, keep the
    strongest max_terms by weight times inverse document frequency."""
    total = max(searcher.doc_frequency("doc_type", doc_type), 1)
    fields = FIELD_BOOSTS[doc_type]
    scored = {}
    for term, weight in weights.items():
        df = max(searcher.doc_frequency(f, term) for f in fields)
        if df == 0:
            continue
        # In a small collection every word is "common"; only a large one tells.
        if df > COMMON_SHARE * total and total >= PRUNE_FROM_DOCS:
            continue
        scored[term] = weight * math.log(1 + total / df)
    best = sorted(scored, key=scored.get, reverse=True)[:max_terms]
    return {t: weights[t] for t in best}


def query_terms(doc_type: str, weights: dict, ngrams=(), extra=(), searcher=None) -> list[tuple[str, str, float]]:
    """(field, term, boost) of an Or over the text fields of doc_type, the letter triples of
    unknown words (weakly) and extra terms such as CPV codes and activity domains."""
    if searcher is not None:
        weights = prune_terms(searcher, weights, doc_type)
    terms = [
        (fieldname, term, weight * boost)
        for term, weight in weights.items()
        for fieldname, boost in FIELD_BOOSTS[doc_type].items()
    ]
    terms.extend(("ngrams", gram, NGRAM_WEIGHT) for gram in ngrams)
    terms.extend(extra)
    return terms


def build_query(doc_type: str, weights: dict, ngrams=(), searcher=None):
    """`query_terms` as a Whoosh query, for the search page (which needs Whoosh's highlights and facets)."""
    terms = query_terms(doc_type, weights, ngrams, searcher=searcher)
    if not terms:
        return None
    return Or([Term(fieldname, term, boost=boost) for fieldname, term, boost in terms])


def filter_query(
    doc_type: str,
    *,
    provinces=(),
    enclave=None,
    min_team=None,
    eligible=None,
    recognised=None,
    domains=(),
    certifications=(),
    min_capacity=None,
    kinds=(),
    exclude_org=None,
):
    parts = [Term("doc_type", doc_type)]
    if provinces:
        parts.append(Or([Term("provinces", p) for p in provinces]))
    if enclave is not None:
        parts.append(Term("enclave", enclave))
    if min_team:
        parts.append(NumericRange("team", int(min_team), None))
    if min_capacity:
        parts.append(NumericRange("capacity", float(min_capacity), None))
    if eligible is not None:
        parts.append(Term("eligible", eligible))
    if recognised is not None:
        parts.append(Term("recognised", recognised))
    for code in domains:
        parts.append(Term("domains", code))
    for cert in certifications:
        parts.append(Term("certifications", cert.lower()))
    if kinds:
        parts.append(Or([Term("kind", k) for k in kinds]))
    return And(parts)


FILTER_CACHE_SIZE = 256


def cached_filter(searcher, query):
    """The documents a filter query allows, kept on the searcher: a searcher serves one
    generation of the index, so the set stays right for as long as the searcher is used.

    The parts of an And are kept one by one and intersected: enclave requests ask for many
    combinations of province and team size, which then share the few sets they are made of.

    Whoosh takes an empty set as a filter for no filter at all (it tests the set's truth): a
    caller whose filter allows nothing must answer with nothing itself."""
    if isinstance(query, And):
        sets = sorted((cached_filter(searcher, part) for part in query.subqueries), key=len)
        return sets[0].intersection(*sets[1:]) if sets else set()
    cache = searcher.__dict__.setdefault("_filter_cache", {})
    docs = cache.get(query)
    if docs is None:
        if len(cache) >= FILTER_CACHE_SIZE:
            cache.clear()
        # A Python set: membership is tested for every scored document (Whoosh's bit sets cost 2 µs).
        docs = cache[query] = set(searcher._filter_to_comb(query))
    return docs


def candidates(doc_type: str, parts, *, extra_terms=(), limit: int = 200, filters=None) -> list[Candidate]:
    """Documents of doc_type ranked by text relevance to [(text, weight), ...] and extra
    (field, term, boost) terms such as CPV codes and activity domains."""
    searcher = engine.request_searcher()
    if searcher is None:
        return []
    weights, _corrections, ngrams = weighted_terms(searcher, parts)
    terms = query_terms(doc_type, weights, ngrams, extra_terms, searcher=searcher)
    if not terms:
        return []
    allowed = cached_filter(searcher, filter_query(doc_type, **(filters or {})))
    if not allowed:
        return []
    top = top_documents(searcher, terms, allowed, limit)
    # The terms each result shares with the query are worked out for the few shown (surface_words).
    shared = set(weights)
    return [
        Candidate(doc_id=searcher.stored_fields(docnum)["doc_id"], score=score, terms=shared) for score, docnum in top
    ]


def surface_words(text: str, terms: set, limit: int = 5, schema=None) -> list[str]:
    """The words of text whose analysed terms are among terms, as written, most frequent first.
    Pass the schema when calling for many texts (looking it up touches the index folder)."""
    schema = schema or current_schema()
    if schema is None or not terms:
        return []
    analyzer = schema["body"].analyzer
    counts: Counter = Counter()
    for token in analyzer(text or "", chars=True, mode="index"):
        if token.text in terms:
            counts[(text[token.startchar : token.endchar]).lower()] += 1
    return [w for w, _ in counts.most_common(limit)]


FACETS = ("domains", "provinces", "recognised", "enclave", "certifications")


def search_documents(
    doc_type: str, keywords: str, *, filters=None, sort: str = "relevance", page: int = 1, per_page: int = 20
) -> SearchPage:
    """A page of the search page's results, with facet counts over all results and highlights."""
    searcher = engine.request_searcher()
    if searcher is None:
        return SearchPage([], 0, 1, 1, {}, {})
    keywords = "".join(ch if ch.isprintable() else " " for ch in (keywords or ""))[:MAX_QUERY_CHARS]
    corrections = {}
    query = None
    if keywords.strip():
        weights, corrections, ngrams = weighted_terms(searcher, [(keywords, 1.0)])
        query = build_query(doc_type, weights, ngrams, searcher=searcher)
    if query is None:
        query = Every()
    allowed = cached_filter(searcher, filter_query(doc_type, **(filters or {})))
    if not allowed:
        return SearchPage([], 0, 1, 1, {}, corrections)
    facets = {
        name: sorting.FieldFacet(name, allow_overlap=name in ("domains", "provinces", "certifications"))
        for name in FACETS
    }
    options = {
        "filter": allowed,
        "groupedby": facets,
        "maptype": sorting.Count,
        "terms": True,
    }
    if sort == "name" or isinstance(query, Every):
        options["sortedby"] = "name_sort"
    page = max(1, int(page))
    results = searcher.search_page(query, page, pagelen=per_page, **options)
    if page > results.pagecount > 0:
        page = results.pagecount
        results = searcher.search_page(query, page, pagelen=per_page, **options)
    raw = results.results
    raw.fragmenter = ContextFragmenter(maxchars=200, surround=40)
    raw.formatter = HtmlFormatter(tagname="mark", between=" … ")
    counts = {}
    for name in FACETS:
        groups = raw.groups(name)
        counts[name] = {_facet_key(k): v for k, v in groups.items() if k not in (None, b"", "")}
    hits = []
    for hit in results:
        highlight = hit.highlights("body") or hit.highlights("title") if keywords.strip() else ""
        hits.append({"doc_id": hit["doc_id"], "score": hit.score, "fields": dict(hit.fields()), "highlight": highlight})
    pages = max(1, results.pagecount)
    return SearchPage(hits, len(raw), page, pages, counts, corrections)


def _facet_key(key):
    if isinstance(key, bytes):
        key = key.decode()
    # Boolean fields come back as their indexed form.
    return {"t": True, "f": False}.get(key, key)


__all__ = [
    "Candidate",
    "SearchPage",
    "candidates",
    "current_schema",
    "offer_facts",
    "search_documents",
    "surface_words",
]


def offer_facts(*, domains=(), cpv_classes=(), province=None) -> list[dict]:
    """Stored facts (org_id, eligible, recognised) of every indexed offer in any of the domains or
    CPV classes that serves the province; for counting suppliers, not ranking them."""
    searcher = engine.request_searcher()
    if searcher is None:
        return []
    subqueries = [Term("domains", d) for d in domains] + [Term("cpv", c) for c in cpv_classes]
    query = Or(subqueries) if subqueries else Every()
    filters = filter_query("offer", provinces=[province] if province else ())
    results = searcher.search(query, filter=filters, limit=None)
    return [{k: hit.get(k) for k in ("org_id", "eligible", "recognised")} for hit in results]
