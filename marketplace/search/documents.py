"""What the index holds of an offer or a need, built from the database (the source of truth).

Only published offers of verified organisations and open needs are indexed.
"""

import hashlib
import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import Organisation
from marketplace.search.analysis import base_words, fold, words_of
from marketplace.taxonomy.models import ActivityDomain

MAX_CORPUS_WORDS = 30_000


def offer_key(offer_id: int) -> str:
    return f"offer:{offer_id}"


def need_key(need_id: int) -> str:
    return f"need:{need_id}"


def is_indexed_offer(offer: Offer) -> bool:
    return offer.state == "published" and offer.organisation.is_verified


def is_indexed_need(need: Need) -> bool:
    return need.state == "open"


def cpv_terms(codes) -> list[str]:
    """A CPV code and its broader classes (division, group, class), for overlap."""
    terms = []
    for code in codes or []:
        digits = "".join(ch for ch in str(code) if ch.isdigit())[:8]
        if len(digits) < 2:
            continue
        terms.append(digits)
        for size in (2, 3, 4, 5):
            terms.append(f"{digits[:size]}*")
    return sorted(set(terms))


def domain_words(domains) -> list[str]:
    """Labels and synonyms of activity domains, as text for the tags field."""
    out = []
    for d in domains:
        out.extend([d.label_nl, d.label_en, *(d.synonyms or [])])
    return out


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def _finish(doc: dict) -> dict:
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    doc["content_hash"] = hashlib.sha1(text.encode()).hexdigest()
    return doc


def offer_document(offer: Offer) -> dict:
    org = offer.organisation
    tags = [*(offer.free_tags or []), *domain_words(offer.domains)]
    return _finish(
        {
            "key": offer_key(offer.id),
            "doc_type": "offer",
            "doc_id": offer.id,
            "org_id": org.id,
            "title": offer.title,
            "tags": "\n".join(tags),
            "body": offer.description or "",
            "org_name": org.name,
            "ngrams": "\n".join([offer.title, *tags]),
            "name_sort": fold(org.name),
            "kind": org.kind,
            "domains": ",".join(sorted(d.code for d in offer.domains)),
            "cpv": ",".join(cpv_terms(offer.cpv_codes)),
            "provinces": ",".join(sorted(offer.regions or [])),
            "certifications": ",".join(sorted(c.strip().lower() for c in offer.certifications or [])),
            "recognised": bool(org.is_recognised_maatwerk),
            "eligible": bool(org.is_eligible_reserved),
            "enclave": bool(offer.has_enclave),
            "team": int(offer.enclave_max_team or 0) if offer.has_enclave else 0,
            "capacity": _number(offer.capacity_fte),
        }
    )


def need_document(need: Need) -> dict:
    tags = [*(need.free_tags or []), *domain_words(need.domains)]
    body = "\n".join(p for p in (need.description, need.tasks, need.host_core_activity) if p)
    return _finish(
        {
            "key": need_key(need.id),
            "doc_type": "need",
            "doc_id": need.id,
            "org_id": need.organisation_id,
            "need_title": need.title,
            "need_tags": "\n".join(tags),
            "need_body": body,
            "org_name": need.organisation.name,
            "ngrams": "",  # typo tolerance is for queries against offers
            "name_sort": fold(need.title),
            "kind": need.kind,
            "domains": ",".join(sorted(d.code for d in need.domains)),
            "cpv": ",".join(cpv_terms(need.cpv_codes)),
            "provinces": need.province or "",
            "certifications": "",
            "recognised": bool(need.is_recognised_only),
            "eligible": need.kind == "reserved_contract",
            "enclave": need.kind == "enclave",
            "team": int(need.team_size or 0),
            "capacity": _number(need.volume_fte),
        }
    )


def _offers_query():
    return select(Offer).options(selectinload(Offer.domains), selectinload(Offer.organisation))


def _needs_query():
    return select(Need).options(selectinload(Need.domains), selectinload(Need.organisation))


def _organisation_documents(organisation_id: int) -> tuple[list[str], list[dict]]:
    """Recognition, verification or a new name changes every offer and need of an organisation."""
    offers = db.session.scalars(_offers_query().where(Offer.organisation_id == organisation_id)).all()
    needs = db.session.scalars(_needs_query().where(Need.organisation_id == organisation_id)).all()
    keys = [offer_key(o.id) for o in offers] + [need_key(n.id) for n in needs]
    docs = [offer_document(o) for o in offers if is_indexed_offer(o)]
    docs += [need_document(n) for n in needs if is_indexed_need(n)]
    return keys, docs


def documents_for_changes(changes, max_keys: int) -> tuple[int, list[str], dict[str, dict]]:
    """For the first changes of the log [(change id, doc type, doc id), ...] that touch up to about
    max_keys documents: (last change id taken, keys to refresh in order, documents that belong in the
    index by key).

    Offers and needs are read in one query per kind for the whole batch (with their domains and
    organisation), not one per change: the indexer reads the log as fast as many writers fill it.
    """
    keys: dict[str, None] = {}  # in order, once each
    docs: dict[str, dict] = {}
    offer_ids: set[int] = set()
    need_ids: set[int] = set()
    taken = None
    for change_id, doc_type, doc_id in changes:
        if doc_type == "offer":
            offer_ids.add(doc_id)
            keys[offer_key(doc_id)] = None
        elif doc_type == "need":
            need_ids.add(doc_id)
            keys[need_key(doc_id)] = None
        elif doc_type == "organisation":
            org_keys, org_docs = _organisation_documents(doc_id)
            keys.update(dict.fromkeys(org_keys))
            docs.update((doc["key"], doc) for doc in org_docs)
        taken = change_id
        if len(keys) >= max_keys:
            break
    if offer_ids:
        rows = db.session.scalars(_offers_query().where(Offer.id.in_(offer_ids))).all()
        docs.update((offer_key(o.id), offer_document(o)) for o in rows if is_indexed_offer(o))
    if need_ids:
        rows = db.session.scalars(_needs_query().where(Need.id.in_(need_ids))).all()
        docs.update((need_key(n.id), need_document(n)) for n in rows if is_indexed_need(n))
    return taken, list(keys), docs


def all_documents(page: int = 1000):
    """Every document that belongs in the index, read in short transactions.

    On SQLite every transaction takes the write lock (BEGIN IMMEDIATE), so a rebuild must not
    hold one for its whole run: it reads a page, ends the transaction, and goes on.
    """
    offers = (
        _offers_query()
        .join(Offer.organisation)
        .where(Offer.state == "published", Organisation.verification_state == "verified")
    )
    needs = _needs_query().where(Need.state == "open")
    for query, model, build in ((offers, Offer, offer_document), (needs, Need, need_document)):
        after = 0
        while True:
            rows = db.session.scalars(query.where(model.id > after).order_by(model.id).limit(page)).all()
            docs = [build(row) for row in rows]
            db.session.rollback()
            yield from docs
            if len(rows) < page:
                break
            after = rows[-1].id


def vocabulary() -> set[str]:
    """Words to split compounds against: the field's base words, the taxonomy, the corpus."""
    words = set(base_words())
    for d in db.session.scalars(select(ActivityDomain)):
        for text in (d.label_nl, d.label_en, *(d.synonyms or [])):
            words.update(words_of(text))
    counts = Counter()
    rows = db.session.execute(
        select(Offer.title, Offer.description, Offer.free_tags).where(Offer.state == "published")
    ).all()
    rows += db.session.execute(select(Need.title, Need.description, Need.free_tags).where(Need.state == "open")).all()
    for title, description, tags in rows:
        counts.update(words_of(title))
        counts.update(words_of(description))
        counts.update(words_of(" ".join(tags or [])))
    words.update(w for w, _ in counts.most_common(MAX_CORPUS_WORDS))
    return {w for w in words if len(w) >= 4}
