"""The published figures as CSV and JSON, and the reserved contracts as an OCDS release package.

Download schema (version 1), one row per quarter × figure × dimension × dimension value:
quarter ("2026Q1"), figure (code, see the methodology), dimension (total, province, nace_section,
size_class, collaboration_type), dimension_value ("" for total and for unknown), value (a plain
decimal with "." or empty when suppressed), unit (count, EUR, FTE, percent, days, organisations),
suppressed (true/false). A cell that is absent is zero.
"""

import csv
import io
import json

from flask import current_app
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.indicator.definitions import METHOD_VERSION
from marketplace.indicator.queries import EXPORT_COLUMNS, SCHEMA_VERSION, Row, export_records
from marketplace.needs.models import Need
from marketplace.orgs.models import Organisation
from marketplace.orgs.nace import NACE_VERSION


def render_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in export_records(rows):
        writer.writerow({**record, "suppressed": "true" if record["suppressed"] else "false"})
    return buffer.getvalue()


def render_json(rows: list[Row], min_orgs: int, suppressed: bool = True) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "method_version": METHOD_VERSION,
        "nace_version": NACE_VERSION,
        "generated_at": utcnow().replace(microsecond=0).isoformat() + "Z",
        "min_orgs": min_orgs,
        "suppression_applied": suppressed,
        "columns": list(EXPORT_COLUMNS),
        "rows": export_records(rows),
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# eForms BT-71 codes → the OCDS "reservedParticipation" codes (otherRequirements extension).
RESERVED_PARTICIPATION = {"res-ws": "shelteredWorkshop", "res-pub-ser": "publicServiceMissionOrganization"}


def _party(organisation: Organisation, role: str) -> dict:
    identifier = f"BE-BCE_KBO-{organisation.kbo}"
    return {
        "id": identifier,
        "name": organisation.name,
        "identifier": {"scheme": "BE-BCE_KBO", "id": organisation.kbo, "legalName": organisation.name},
        "address": {"postalCode": organisation.postcode, "locality": organisation.municipality, "countryName": "BE"},
        "roles": [role],
    }


def _iso(moment) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def ocds_package(base_url: str) -> dict:
    """Reserved contracts (published needs of kind reserved_contract) and their award events, as OCDS 1.1."""
    prefix = current_app.config.get("OCDS_OCID_PREFIX", "ocds-wbrg01")
    needs = db.session.scalars(
        select(Need).where(Need.kind == "reserved_contract", Need.published_at.is_not(None)).order_by(Need.id)
    ).all()
    awards_by_need: dict[int, list[Event]] = {}
    if needs:
        awards = db.session.scalars(
            select(Event).where(Event.kind == "award", Event.need_id.in_([n.id for n in needs])).order_by(Event.id)
        )
        for award in awards:
            awards_by_need.setdefault(award.need_id, []).append(award)
    supplier_ids = {a.supplier_org_id for events in awards_by_need.values() for a in events if a.supplier_org_id}
    suppliers = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(supplier_ids)))}
    releases = [_release(need, awards_by_need.get(need.id, []), suppliers, prefix) for need in needs]
    return {
        "uri": f"{base_url}/indicator/ocds.json",
        "version": "1.1",
        "publishedDate": _iso(utcnow()),
        "publisher": {"name": "Werkbrug"},
        "publicationPolicy": f"{base_url}/indicator/methodology",
        "extensions": [
            "https://raw.githubusercontent.com/open-contracting-extensions/ocds_otherRequirements_extension/master/extension.json"
        ],
        "releases": releases,
    }


def _release(need: Need, awards: list[Event], suppliers: dict, prefix: str) -> dict:
    buyer = need.organisation
    parties = [_party(buyer, "buyer")]
    tender = {
        "id": need.ref,
        "title": need.title,
        "description": need.description,
        "status": {"open": "active", "cancelled": "cancelled", "awarded": "complete"}.get(need.state, "active"),
        "procurementMethodDetails": need.procurement_reference,
        "items": [
            {"id": str(index), "classification": {"scheme": "CPV", "id": code.split("-")[0]}}
            for index, code in enumerate(need.cpv_codes or [], start=1)
        ],
        "otherRequirements": {
            "reservedParticipation": [RESERVED_PARTICIPATION[need.reservation]]
            if need.reservation in RESERVED_PARTICIPATION
            else []
        },
    }
    if need.estimated_value_eur is not None:
        tender["value"] = {"amount": float(need.estimated_value_eur), "currency": "EUR"}
    if need.deadline_at:
        tender["tenderPeriod"] = {"endDate": _iso(need.deadline_at)}
    release_awards = []
    for award in awards:
        entry = {"id": f"{need.ref}-award-{award.id}", "date": _iso(award.occurred_at), "status": "active"}
        if award.value_eur is not None:
            entry["value"] = {"amount": float(award.value_eur), "currency": "EUR"}
        supplier = suppliers.get(award.supplier_org_id)
        if supplier is not None:
            entry["suppliers"] = [{"id": f"BE-BCE_KBO-{supplier.kbo}", "name": supplier.name}]
            if all(p["id"] != f"BE-BCE_KBO-{supplier.kbo}" for p in parties):
                parties.append(_party(supplier, "supplier"))
        release_awards.append(entry)
    moments = [need.published_at] + [a.occurred_at for a in awards]
    release = {
        "ocid": f"{prefix}-{need.ref}",
        "id": f"{need.ref}-{len(awards)}",
        "date": _iso(max(m for m in moments if m)),
        "tag": ["tender", "award"] if awards else ["tender"],
        "initiationType": "tender",
        "language": "nl",
        "parties": parties,
        "buyer": {"id": parties[0]["id"], "name": buyer.name},
        "tender": tender,
    }
    if release_awards:
        release["awards"] = release_awards
    return release
