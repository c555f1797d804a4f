"""Models as the JSON the OpenAPI document describes (plain types: numbers, ISO dates)."""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.offers.models import Offer


def _number(value) -> float | None:
    return float(value) if isinstance(value, (Decimal, int, float)) else None


def _iso(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    # Naive datetimes in the database are UTC.
    return text + "Z" if hasattr(value, "hour") and value.tzinfo is None else text


def organisation_ref(org) -> dict:
    return {"kbo": org.kbo, "name": org.name}


def offer(item: Offer) -> dict:
    return {
        "id": item.id,
        "ref": item.ref,
        "title": item.title,
        "description": item.description or "",
        "domains": [d.code for d in item.domains],
        "regions": list(item.regions or []),
        "cpv_codes": list(item.cpv_codes or []),
        "capacity_fte": _number(item.capacity_fte),
        "has_enclave": bool(item.has_enclave),
        "enclave_max_team": item.enclave_max_team or 0,
        "certifications": list(item.certifications or []),
    }


def published_offers_by_organisation(organisation_ids: list[int]) -> dict[int, list[Offer]]:
    if not organisation_ids:
        return {}
    result: dict[int, list[Offer]] = defaultdict(list)
    rows = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id.in_(organisation_ids), Offer.state == "published")
        .order_by(Offer.title, Offer.id)
    )
    for item in rows:
        result[item.organisation_id].append(item)
    return result


def supplier(org, offers: list[Offer]) -> dict:
    return {
        "kbo": org.kbo,
        "name": org.name,
        "kind": org.kind,
        "province": org.province,
        "postcode": org.postcode,
        "municipality": org.municipality or "",
        "website": org.website or "",
        "is_recognised_maatwerk": bool(org.is_recognised_maatwerk),
        "is_eligible_reserved": bool(org.is_eligible_reserved),
        "offers": [offer(item) for item in offers],
    }


def need(item) -> dict:
    return {
        "id": item.id,
        "ref": item.ref,
        "kind": item.kind,
        "state": item.state,
        "title": item.title,
        "description": item.description or "",
        "domains": [d.code for d in item.domains],
        "cpv_codes": list(item.cpv_codes or []),
        "province": item.province,
        "postcode": item.postcode,
        "volume_fte": _number(item.volume_fte),
        "starts_on": _iso(item.starts_on),
        "ends_on": _iso(item.ends_on),
        "budget_min_eur": _number(item.budget_min_eur),
        "budget_max_eur": _number(item.budget_max_eur),
        "published_at": _iso(item.published_at),
        "procurement_reference": item.procurement_reference or "",
        "estimated_value_eur": _number(item.estimated_value_eur),
        "deadline_at": _iso(item.deadline_at),
        "reservation": item.reservation or "",
        "is_recognised_only": bool(item.is_recognised_only),
        "tender_url": item.tender_url or "",
        "lots": [{"number": lot.number, "title": lot.title, "is_reserved": lot.is_reserved} for lot in item.lots],
        "buyer": organisation_ref(item.organisation),
    }


def match(found) -> dict:
    return {
        "score": round(float(found.score), 4),
        "supplier": organisation_ref(found.offer.organisation),
        "offer": offer(found.offer),
        "reasons": [str(reason) for reason in found.reasons],
    }


def lead(item, org_id: int) -> dict:
    return {
        "id": item.id,
        "need_id": item.need_id,
        "need_ref": item.need.ref,
        "state": item.state,
        "role": "buyer" if item.buyer_org_id == org_id else "supplier",
        "buyer": organisation_ref(item.buyer),
        "supplier": organisation_ref(item.supplier),
        "updated_at": _iso(item.updated_at),
    }
