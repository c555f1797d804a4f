"""Suppliers for a need and needs for a supplier: candidates from the search index, then the
hard rules on database facts, then a transparent score with the reasons shown to users."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import fte
from marketplace.matching import rules
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.geography import province_label
from marketplace.search.documents import cpv_terms
from marketplace.search.querying import candidates, current_schema, surface_words

CANDIDATES = 60


@dataclass
class Match:
    need: Need
    offer: Offer
    score: float
    factors: rules.Factors
    reasons: list = field(default_factory=list)
    shared_words: list = field(default_factory=list)


def need_query_parts(need: Need) -> list[tuple[str, float]]:
    """The text of a need with the weight of each part in a match."""
    domain_text = " ".join(f"{d.label_nl} {d.label_en}" for d in need.domains)
    return [
        (need.title, 2.0),
        (" ".join(need.free_tags or []), 1.5),
        (domain_text, 1.0),
        (need.description, 1.0),
        (need.tasks, 0.8),
    ]


def offer_query_parts(offer: Offer) -> list[tuple[str, float]]:
    domain_text = " ".join(f"{d.label_nl} {d.label_en}" for d in offer.domains)
    return [
        (offer.title, 2.0),
        (" ".join(offer.free_tags or []), 1.5),
        (domain_text, 1.0),
        (offer.description, 1.0),
    ]


def cpv_query_terms(codes) -> list[tuple[str, str, float]]:
    """Exact CPV codes weigh most, shared classes and groups less."""
    weights = {8: 2.0, 5: 1.0, 4: 0.6, 3: 0.3, 2: 0.1}
    out = []
    for term in cpv_terms(codes):
        size = len(term.rstrip("*"))
        out.append(("cpv", term, weights.get(size, 0.1)))
    return out


def _offer_text(offer: Offer) -> str:
    return "\n".join([offer.title, " ".join(offer.free_tags or []), offer.description or ""])


def _need_text(need: Need) -> str:
    return "\n".join([need.title, " ".join(need.free_tags or []), need.description or "", need.tasks or ""])


def reasons_for(need: Need, offer: Offer, factors: rules.Factors, words: list[str]) -> list[str]:
    """Short, translated reasons in a fixed order: terms, domains, region, capacity, recognition."""
    out = []
    if words:
        out.append(_("Gedeelde termen: %(words)s", words=", ".join(words)))
    shared = sorted({d.label_nl for d in need.domains} & {d.label_nl for d in offer.domains})
    if shared:
        out.append(_("Zelfde activiteitendomein: %(domains)s", domains=", ".join(shared)))
    province = province_label(need.province)
    if factors.region:
        out.append(_("Werkt in %(province)s", province=province))
    else:
        out.append(_("Werkt niet in %(province)s", province=province))
    if need.kind == "enclave":
        out.append(
            ngettext(
                "Enclaveploeg tot %(num)s persoon (gevraagd: %(asked)s)",
                "Enclaveploeg tot %(num)s personen (gevraagd: %(asked)s)",
                offer.enclave_max_team or 0,
                asked=need.team_size or 1,
            )
        )
    elif offer.capacity_fte is not None:
        if need.volume_fte:
            out.append(
                _(
                    "Capaciteit %(capacity)s VTE (gevraagd: %(volume)s VTE)",
                    capacity=fte(offer.capacity_fte),
                    volume=fte(need.volume_fte),
                )
            )
        else:
            out.append(_("Capaciteit %(capacity)s VTE", capacity=fte(offer.capacity_fte)))
    org = offer.organisation
    if org.is_recognised_maatwerk:
        out.append(_("Erkend maatwerkbedrijf"))
    elif org.is_eligible_reserved:
        out.append(_("Komt in aanmerking voor voorbehouden opdrachten"))
    elif org.is_social_economy:
        out.append(_("Sociale onderneming, niet erkend als maatwerkbedrijf"))
    else:
        out.append(_("Geen onderneming uit de sociale economie"))
    return out


def _factors(need: Need, offer: Offer, text: float) -> rules.Factors:
    return rules.Factors(
        text=text,
        domains=rules.domain_share({d.code for d in need.domains}, {d.code for d in offer.domains}),
        region=need.province in (offer.regions or []),
        capacity=rules.capacity_fit(need, offer),
        social=rules.social_factor(offer.organisation),
    )


def _load(model, ids):
    if not ids:
        return {}
    rows = db.session.scalars(
        select(model).where(model.id.in_(ids)).options(selectinload(model.domains), selectinload(model.organisation))
    )
    return {row.id: row for row in rows}


def suppliers_for_need(need: Need, limit: int = 10) -> list[Match]:
    """The offers that fit a need, best first; hard rules never broken."""
    found = candidates(
        "offer",
        need_query_parts(need),
        extra_terms=cpv_query_terms(need.cpv_codes) + [("domains", d.code, 3.0) for d in need.domains],
        limit=CANDIDATES,
        filters=rules.index_filters_for_need(need),
    )
    if not found:
        return []
    offers = _load(Offer, [c.doc_id for c in found])
    best = max(c.score for c in found) or 1.0
    matches = []
    for cand in found:
        offer = offers.get(cand.doc_id)
        # The database decides: the index may lag behind a change that is still in the log.
        if offer is None or offer.state != "published" or not offer.organisation.is_verified:
            continue
        if rules.hard_rule_violation(need, offer):
            continue
        factors = _factors(need, offer, cand.score / best)
        matches.append(Match(need, offer, factors.score(), factors, shared_words=sorted(cand.terms)))
    matches.sort(key=lambda m: (-m.score, m.offer.id))
    top = matches[:limit]
    schema = current_schema()
    for m in top:
        words = surface_words(_offer_text(m.offer), set(m.shared_words), schema=schema)
        m.reasons = reasons_for(need, m.offer, m.factors, words)
    return top


def needs_for_supplier(organisation, limit: int = 10) -> list[Match]:
    """The open needs and reserved contracts that fit a supplier's published offers, best first."""
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id == organisation.id, Offer.state == "published")
        .options(selectinload(Offer.domains), selectinload(Offer.organisation))
    ).all()
    filters = {}
    if not organisation.is_eligible_reserved:
        filters["kinds"] = ["outsourcing", "enclave"]
    best_per_need: dict[int, tuple] = {}
    for offer in offers:
        if not offer.has_enclave:
            kinds = [k for k in filters.get("kinds", ["outsourcing", "enclave", "reserved_contract"]) if k != "enclave"]
            offer_filters = {**filters, "kinds": kinds}
        else:
            offer_filters = filters
        found = candidates(
            "need",
            offer_query_parts(offer),
            extra_terms=cpv_query_terms(offer.cpv_codes) + [("domains", d.code, 3.0) for d in offer.domains],
            limit=CANDIDATES,
            filters=offer_filters,
        )
        if not found:
            continue
        top = max(c.score for c in found) or 1.0
        for cand in found:
            text = cand.score / top
            current = best_per_need.get(cand.doc_id)
            if current is None or text > current[1]:
                best_per_need[cand.doc_id] = (offer, text, cand.terms)
    needs = _load(Need, list(best_per_need))
    matches = []
    for need_id, (offer, text, terms) in best_per_need.items():
        need = needs.get(need_id)
        if need is None or need.state != "open" or need.organisation_id == organisation.id:
            continue
        if rules.hard_rule_violation(need, offer):
            continue
        factors = _factors(need, offer, text)
        matches.append(Match(need, offer, factors.score(), factors, shared_words=sorted(terms)))
    matches.sort(key=lambda m: (-m.score, m.need.id))
    top = matches[:limit]
    schema = current_schema()
    for m in top:
        words = surface_words(_need_text(m.need), set(m.shared_words), schema=schema)
        m.reasons = reasons_for(m.need, m.offer, m.factors, words)
    return top
