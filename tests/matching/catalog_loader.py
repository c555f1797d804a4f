"""Load a catalog file (the dev-matching format) straight into the models.

Used by the matching tests and benchmarks when the catalog import of the app is not at hand;
it takes the same facts the import takes (recognition, eligibility, regions, enclaves).
"""

import json
from pathlib import Path

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.geography import province_code
from marketplace.orgs.models import Organisation


def load_catalog(path) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    now = utcnow()
    orgs = {}
    for item in data["organizations"]:
        recognised = bool(item.get("recognized_maatwerk"))
        eligible = bool(item.get("eligible_reserved", recognised))
        org = Organisation(
            kbo=item["kbo"],
            name=item["name"],
            kind=item["kind"],
            province=province_code(item["province"]),
            postcode=item.get("postcode", ""),
            municipality=item.get("municipality", ""),
            nace=item.get("nace", ""),
            size_class=item.get("size", "klein"),
            website=item.get("website", ""),
            verification_state="verified",
            verified_at=now,
            is_recognised_maatwerk=recognised,
            is_eligible_declared=eligible,
            eligibility_confirmed_at=now if eligible else None,
        )
        db.session.add(org)
        orgs[item["kbo"]] = org
        for off in item.get("offers", []):
            enclave = off.get("enclave") or {}
            db.session.add(
                Offer(
                    ref=off["ref"],
                    organisation=org,
                    title=off["title"],
                    description=off.get("description", ""),
                    free_tags=off.get("activities", []),
                    cpv_codes=off.get("cpv", []),
                    regions=[province_code(r) for r in off.get("regions", [])],
                    capacity_fte=off.get("capacity_fte"),
                    has_enclave=bool(enclave.get("available")),
                    enclave_max_team=int(enclave.get("max_team") or 0),
                    certifications=off.get("certifications", []),
                    state="published",
                    published_at=now,
                )
            )
    for item in data["needs"]:
        reservation = item.get("reservation", "")
        db.session.add(
            Need(
                ref=item["ref"],
                kind=item["kind"],
                organisation=orgs[item["buyer_kbo"]],
                title=item["title"],
                description=item.get("description", ""),
                free_tags=item.get("activities", []),
                cpv_codes=item.get("cpv", []),
                province=province_code(item["province"]),
                postcode=item.get("postcode", ""),
                team_size=item.get("team_size"),
                volume_fte=item.get("volume_fte"),
                estimated_value_eur=item.get("budget_eur"),
                reservation="res-ws" if reservation else "",
                is_recognised_only=reservation == "maatwerk",
                state="open",
                published_at=now,
            )
        )
    db.session.commit()
    return data
