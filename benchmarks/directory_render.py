"""Render time of the public directory, the open reserved contracts and Mijn Werkbrug on a big database.

    .venv/bin/python benchmarks/directory_render.py [--suppliers 2000] [--needs 100000] [--runs 25]

Generates (fixed seed) the suppliers with one published offer each, 100 buyers, and the needs spread
over them (a tenth reserved contracts of public buyers, most of those open with a future deadline);
one buyer holds 1,000 needs for Mijn Werkbrug. Renders each page through the Flask test client and
prints the median and p95 in milliseconds (page 1, a filtered page and a deep page for the lists).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261128
PROVINCES = ["VAN", "VLI", "VOV", "VBR", "VWV", "BRU"]
POSTCODES = {"VAN": "2000", "VLI": "3500", "VOV": "9000", "VBR": "3000", "VWV": "8000", "BRU": "1000"}
DOMAINS = ["groenonderhoud", "schoonmaak", "verpakking", "mailing", "assemblage", "logistiek", "drukwerk", "wasserij"]


def build(n_suppliers: int, n_needs: int):
    from sqlalchemy import insert

    from marketplace.accounts.models import User
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.needs.models import Need
    from marketplace.offers.models import Offer
    from marketplace.orgs.models import Membership, Organisation
    from marketplace.taxonomy.models import ActivityDomain, offer_domain
    from tests.factories import kbo_for

    rng = random.Random(SEED)
    now = utcnow()
    db.session.execute(
        insert(ActivityDomain),
        [
            {"code": c, "label_nl": c.capitalize(), "label_en": c, "synonyms": [], "cpv_codes": [], "nace_codes": []}
            for c in DOMAINS
        ],
    )
    orgs = []
    for i in range(n_suppliers + 100):
        supplier = i < n_suppliers
        kind = (
            rng.choice(["maatwerkbedrijf", "sociale_onderneming"])
            if supplier
            else rng.choice(["onderneming", "overheid"])
        )
        province = rng.choice(PROVINCES)
        orgs.append(
            {
                "id": i + 1,
                "kbo": kbo_for(7_000_000 + i),
                "name": f"Organisatie {i:05d}",
                "kind": kind,
                "province": province,
                "postcode": POSTCODES[province],
                "municipality": "Gemeente",
                "size_class": "klein",
                "verification_state": "verified",
                "verified_at": now,
                "is_recognised_maatwerk": kind == "maatwerkbedrijf",
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Organisation), orgs)
    db.session.execute(
        insert(Offer),
        [
            {
                "id": i + 1,
                "ref": f"OFF-B{i}",
                "organisation_id": i + 1,
                "title": f"Aanbod {i}",
                "description": "",
                "free_tags": [],
                "cpv_codes": [],
                "regions": [orgs[i]["province"]],
                "certifications": [],
                "has_enclave": False,
                "enclave_max_team": 0,
                "state": "published",
                "created_at": now,
                "updated_at": now,
                "published_at": now,
            }
            for i in range(n_suppliers)
        ],
    )
    db.session.execute(
        insert(offer_domain),
        [{"offer_id": i + 1, "domain_id": rng.randint(1, len(DOMAINS))} for i in range(n_suppliers)],
    )
    buyers = [o for o in orgs[n_suppliers:]]
    public = [o for o in buyers if o["kind"] == "overheid"] or buyers[:1]
    rows = []
    for i in range(n_needs):
        contract = i % 10 == 0
        owner = buyers[0] if i < 1000 else (rng.choice(public) if contract else rng.choice(buyers))
        state = rng.choice(["open", "open", "open", "in_discussion", "closed", "awarded", "draft"])
        rows.append(
            {
                "ref": f"NEED-B{i}",
                "kind": "reserved_contract" if contract else "outsourcing",
                "organisation_id": owner["id"],
                "title": f"Vraag {i}",
                "description": "",
                "free_tags": [],
                "cpv_codes": ["77310000-6"] if contract else [],
                "province": owner["province"],
                "postcode": owner["postcode"],
                "state": state,
                "created_at": now,
                "updated_at": now - timedelta(minutes=i),
                "starts_on": date(2027, 1, 4),
                "estimated_value_eur": 100_000 if contract else None,
                "deadline_at": now + timedelta(days=rng.randint(-30, 90)) if contract else None,
                "reservation": "res-ws" if contract else "",
                "site_address": "",
                "host_core_activity": "",
                "tasks": "",
                "risks_and_safety": "",
                "working_hours": "",
                "travel": "",
                "procurement_reference": "",
                "tender_url": "",
                "is_recognised_only": False,
                "is_execution_reserved": False,
            }
        )
        if len(rows) == 10_000:
            db.session.execute(insert(Need), rows)
            rows = []
    if rows:
        db.session.execute(insert(Need), rows)
    user = User(email="koper@example.be", name="Koper", password_hash=None, email_confirmed_at=now)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=buyers[0]["id"], role="owner"))
    db.session.commit()
    return user, buyers[0]["id"]


def timed(client, url, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(0.95 * (len(samples) - 1))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="werkbrug-bench-")
    os.environ["MARKETPLACE_INSTANCE"] = folder

    import secrets

    from flask import g

    from marketplace import create_app
    from marketplace.accounts.models import UserSession
    from marketplace.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench",
            "SEARCH_INDEX_DIR": f"{folder}/index",
            "SEARCH_INDEX_INLINE": False,
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        user, org_id = build(args.suppliers, args.needs)
        print(f"generated {args.suppliers} suppliers, {args.needs} needs in {time.perf_counter() - start:.1f} s")
        anonymous = app.test_client()
        pages = [
            ("directory, page 1", "/leveranciers"),
            ("directory, domain + province", "/leveranciers?domain=schoonmaak&province=VOV"),
            ("directory, page 40", "/leveranciers?page=40"),
            ("open reserved contracts, page 1", "/opdrachten"),
            ("open reserved contracts, page 150", "/opdrachten?page=150"),
        ]
        for label, url in pages:
            p50, p95 = timed(anonymous, url, args.runs)
            print(f"{label:38s} median {p50:7.1f} ms   p95 {p95:7.1f} ms")
        session_id = secrets.token_urlsafe(32)
        db.session.add(UserSession(id=session_id, user_id=user.id))
        db.session.commit()
        buyer = app.test_client()
        # The benchmark keeps one app context, so Flask-Login's cached (anonymous) user must go.
        g.pop("_login_user", None)
        with buyer.session_transaction() as flask_session:
            flask_session.update(sid=session_id, _user_id=str(user.id), _fresh=True, org_id=org_id)
        for label, url in [
            ("Mijn Werkbrug (buyer, 1,000 needs)", "/mijn-werkbrug"),
            ("Mijn vragen, page 1", "/mijn-vragen"),
        ]:
            p50, p95 = timed(buyer, url, args.runs)
            print(f"{label:38s} median {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
