"""The best documents for a long Or of terms, scored as Whoosh's BM25F scores them, a block at a time.

Matching expands a need into dozens of terms over three fields; at 20,000 offers one match reads
about 20,000 postings. Whoosh scores each posting through several Python calls (leaf matcher,
union, scorer, a field-length lookup in the column file): about 8 µs a posting, so most of a
match went there. Here the ids and weights of each posting block are read at once, each segment's
field lengths once, and the BM25F formula runs in one loop, with the same scores
(tests/search/test_scoring.py compares them with `searcher.search`). It reads Whoosh 2.7's segment
internals (W3LeafMatcher blocks, the lengths column): requirements.txt pins the version.
"""

import heapq
from collections import defaultdict
from itertools import accumulate, chain, repeat, starmap

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length


def _posting_blocks(reader, fieldname: str, btext: bytes):
    """(segment docnums, weights) of each block of postings of a term in one segment, deleted
    documents included (the caller's allowed set leaves them out)."""
    matcher = reader.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):  # the segment has deletions
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            # A block is (ids, weights, values): ids delta-encoded unless stored as bytes, weights
            # None when all are 1.0 and a single float when all are equal (W3LeafMatcher._read_*).
            matcher._read_data()
            ids, weights = matcher._data[0], matcher._data[1]
            if not matcher._byteids:
                ids = accumulate(ids)
            if weights is None or isinstance(weights, float):
                weights = repeat(1.0 if weights is None else weights)
            yield ids, weights
            matcher._next_block()
    else:  # postings inlined in the term info (few documents)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights


def _length_bytes(reader, fieldname: str):
    """The encoded field length of every document of a segment (one byte each), read once per reader."""
    cache = reader.__dict__.setdefault("_werkbrug_lengths", {})
    if fieldname not in cache:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        cache[fieldname] = None if column is None else column._dbfile.get(column._basepos, column._count)
    return cache[fieldname]


def _norm(searcher, fieldname: str, weighting: BM25F, length: float) -> float:
    """BM25's length normalisation: K1 * (1 - B + B * length / average length)."""
    b = weighting._field_B.get(fieldname, weighting.B)
    return weighting.K1 * ((1 - b) + b * length / (searcher.avg_field_length(fieldname) or 1))


def _norms(searcher, fieldname: str, weighting: BM25F) -> list[float]:
    """`_norm` for each encoded length byte, once per searcher and field."""
    cache = searcher.__dict__.setdefault("_werkbrug_norms", {})
    if fieldname not in cache:
        cache[fieldname] = [_norm(searcher, fieldname, weighting, byte_to_length(n)) for n in range(256)]
    return cache[fieldname]


def top_documents(searcher, terms, allowed: set, limit: int) -> list[tuple[float, int]]:
    """[(score, docnum)] of the best `limit` documents in `allowed` for an Or of `terms`
    [(field, text, boost)], best first, ties to the lower docnum (as Whoosh orders them)."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        raise TypeError(f"top_documents scores as BM25F, not {type(weighting).__name__}")
    schema = searcher.schema
    scores: dict[int, float] = defaultdict(float)
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        for fieldname, text, boost in terms:
            field = schema[fieldname]
            btext = field.to_bytes(text)
            if (fieldname, btext) not in reader:
                continue
            # (docnum, weight) pairs, block after block, without a Python call per posting.
            postings = chain.from_iterable(starmap(zip, _posting_blocks(reader, fieldname, btext)))
            if not field.scorable:  # Whoosh's WeightScorer: the weight itself
                for docnum, weight in postings:
                    scores[docnum + offset] += weight * boost
                continue
            factor = searcher.idf(fieldname, btext) * (weighting.K1 + 1) * boost
            lengths = _length_bytes(reader, fieldname)
            if lengths is None:  # no lengths kept: Whoosh takes 1
                norm = _norm(searcher, fieldname, weighting, 1)
                for docnum, weight in postings:
                    scores[docnum + offset] += factor * weight / (weight + norm)
                continue
            norms = _norms(searcher, fieldname, weighting)
            for docnum, weight in postings:
                scores[docnum + offset] += factor * weight / (weight + norms[lengths[docnum]])
    found = [(score, -docnum) for docnum, score in scores.items() if docnum in allowed]
    return [(score, -negative) for score, negative in heapq.nlargest(limit, found)]
