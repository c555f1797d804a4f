"""Speed of search and matching on generated data (fixed seed).

    .venv/bin/python benchmarks/matching_speed.py [--offers 2000,20000] [--needs 100000] [--procs 2]

Stage 1 (the first offer count, 1,000 open needs): index build rate, match latency for a need,
the supplier search page through the Flask test client with three filters on, and the time from
committing a new offer to finding it (inline sync, one process).
Stage 2 (the last offer count and --needs needs, a third of them closed): a full rebuild, match
latency for a need and needs-for-a-supplier latency. Prints p50/p95 in milliseconds.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20260601
PROVINCES = ["VAN", "VLI", "VOV", "VBR", "VWV", "BRU"]
ACTIVITIES = [
    ("verpakking", ["verpakken", "herverpakken", "sealen", "etiketteren", "displays", "co-packing", "verpakkingslijn"]),
    ("groenonderhoud", ["maaien", "snoeien", "hagen", "parken", "bermen", "onkruidbeheer", "sportvelden"]),
    ("schoonmaak", ["poetsen", "kantoren", "sanitair", "reiniging", "glazenwassen", "sporthallen"]),
    ("assemblage", ["monteren", "solderen", "kabelbomen", "verlichting", "elektronica", "bedraden"]),
    ("logistiek", ["orderpicking", "retourverwerking", "magazijn", "voorraad", "verzendklaar"]),
    ("wasserij", ["wassen", "strijken", "linnen", "kledij", "ophalen"]),
    ("drukwerk", ["drukken", "brochures", "handleidingen", "mailing", "couverteren", "vouwen"]),
    ("voeding", ["maaltijden", "broodjes", "portioneren", "vacuumverpakken", "catering"]),
    ("hout", ["paletten", "houtbewerking", "kisten", "meubelen", "zagen"]),
    ("recyclage", ["ontmanteling", "sortering", "elektro", "kabels", "kunststoffen"]),
]
FILLER = [
    "voor",
    "bedrijven",
    "en",
    "gemeenten",
    "in",
    "de",
    "regio",
    "met",
    "ervaren",
    "begeleide",
    "ploegen",
    "en",
    "kwaliteitscontrole",
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def text(rng, words=8):
    domain, terms = rng.choice(ACTIVITIES)
    chosen = rng.sample(terms, 3) + rng.sample(FILLER, words - 3)
    rng.shuffle(chosen)
    return domain, " ".join(chosen)


def make_orgs(rng, n, start, now):
    from marketplace.orgs.models import Organisation
    from tests.factories import kbo_for

    rows = []
    for i in range(start, start + n):
        kind = rng.choice(["maatwerkbedrijf", "maatwerkbedrijf", "sociale_onderneming", "onderneming"])
        rows.append(
            dict(
                kbo=kbo_for(5_000_000 + i),
                name=f"Leverancier {i}",
                kind=kind,
                province=rng.choice(PROVINCES),
                postcode="2000",
                size_class="klein",
                verification_state="verified",
                verified_at=now,
                is_recognised_maatwerk=kind == "maatwerkbedrijf",
                is_eligible_declared=False,
                description="",
                municipality="",
                nace="",
                website="",
                recognition_source="",
                is_imported=False,
                created_at=now,
                updated_at=now,
            )
        )
    return Organisation, rows


def generate(rng, offers, needs, org_start, offer_start, need_start, closed_share=0.0):
    from sqlalchemy import insert, select

    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.needs.models import Need
    from marketplace.offers.models import Offer
    from marketplace.orgs.models import Organisation

    now = utcnow()
    model, rows = make_orgs(rng, max(1, offers // 2), org_start, now)
    db.session.execute(insert(model), rows)
    org_ids = list(db.session.scalars(select(Organisation.id).where(Organisation.kbo.in_([r["kbo"] for r in rows]))))
    offer_rows = []
    for i in range(offer_start, offer_start + offers):
        domain, title = text(rng, 5)
        _, description = text(rng, 14)
        enclave = rng.random() < 0.3
        offer_rows.append(
            dict(
                ref=f"OFF-B{i}",
                organisation_id=rng.choice(org_ids),
                title=title.capitalize(),
                description=f"{domain} {description}",
                free_tags=[domain],
                cpv_codes=[],
                regions=rng.sample(PROVINCES, rng.randint(1, 3)),
                capacity_fte=rng.randint(2, 80),
                has_enclave=enclave,
                enclave_max_team=rng.randint(3, 20) if enclave else 0,
                certifications=rng.sample(["VCA", "ISO 9001", "BRC", "FSC"], rng.randint(0, 1)),
                state="published",
                created_at=now,
                updated_at=now,
                published_at=now,
            )
        )
    for chunk in range(0, len(offer_rows), 5000):
        db.session.execute(insert(Offer), offer_rows[chunk : chunk + 5000])
    buyer = org_ids[0]
    need_rows = []
    for i in range(need_start, need_start + needs):
        domain, title = text(rng, 5)
        _, description = text(rng, 16)
        kind = rng.choice(["outsourcing", "outsourcing", "enclave", "reserved_contract"])
        need_rows.append(
            dict(
                ref=f"NEED-B{i}",
                kind=kind,
                organisation_id=buyer,
                title=title.capitalize(),
                description=f"{domain} {description}",
                free_tags=[domain],
                cpv_codes=[],
                province=rng.choice(PROVINCES),
                postcode="2000",
                team_size=rng.randint(2, 12) if kind == "enclave" else None,
                is_recognised_only=kind == "reserved_contract" and rng.random() < 0.5,
                state="closed" if rng.random() < closed_share else "open",
                created_at=now,
                updated_at=now,
                site_address="",
                host_core_activity="",
                tasks="",
                risks_and_safety="",
                working_hours="",
                travel="",
                procurement_reference="",
                reservation="",
                is_execution_reserved=False,
                tender_url="",
            )
        )
    for chunk in range(0, len(need_rows), 5000):
        db.session.execute(insert(Need), need_rows[chunk : chunk + 5000])
    db.session.commit()


def time_calls(fn, items):
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t0)
    return times


def report(label, times):
    print(f"{label}: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms (n={len(times)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", default="2000,20000")
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    offer_counts = [int(x) for x in args.offers.split(",")]

    instance = tempfile.mkdtemp(prefix="matching-speed-")
    os.environ["MARKETPLACE_INSTANCE"] = instance
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.matching.ranking import needs_for_supplier, suppliers_for_need
    from marketplace.models import import_all_models
    from marketplace.needs.models import Need
    from marketplace.orgs.models import Organisation
    from marketplace.search.indexing import rebuild_index, sync
    from marketplace.search.querying import search_documents

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/speed.db",
            "SEARCH_INDEX_DIR": f"{instance}/search_index",
            "SECRET_KEY": "benchmark",
            "SERVER_NAME": "localhost",
        }
    )
    rng = random.Random(SEED)
    with app.app_context():
        import_all_models()
        db.create_all()
        first = offer_counts[0]
        generate(rng, first, 1000, 0, 0, 0)
        t0 = time.perf_counter()
        docs = rebuild_index(procs=1)
        elapsed = time.perf_counter() - t0
        print(f"stage 1: {first} offers + 1,000 needs")
        print(f"index build: {docs} documents in {elapsed:.1f} s = {docs / elapsed:.0f} documents/s (1 process)")
        needs = db.session.scalars(select(Need).where(Need.state == "open").limit(args.samples)).all()
        suppliers_for_need(needs[0])
        report(f"match, suppliers for a need ({first} offers)", time_calls(suppliers_for_need, needs))

        client = app.test_client()
        queries = [
            f"/zoeken?q={w}&province={p}&recognised=y&min_capacity=5"
            for w, p in zip(
                [rng.choice(ACTIVITIES)[0] for _ in range(100)],
                [rng.choice(PROVINCES) for _ in range(100)],
                strict=True,
            )
        ]
        client.get(queries[0])
        report("search page, 3 filters (test client)", time_calls(lambda url: client.get(url), queries))
        search_documents("offer", "x")

        from marketplace.offers.models import Offer
        from marketplace.search.models import record_change

        org_id = db.session.scalar(select(Organisation.id).where(Organisation.kind == "maatwerkbedrijf"))
        delays = []
        for i in range(50):
            word = f"zeldzaamwoord{i}"
            t0 = time.perf_counter()
            offer = Offer(
                ref=f"OFF-NEW{i}",
                organisation_id=org_id,
                title=f"Nieuw aanbod {word}",
                description=word,
                regions=["VAN"],
                state="published",
            )
            db.session.add(offer)
            db.session.flush()
            record_change("offer", offer.id)
            db.session.commit()
            sync()  # what the request teardown does in a single process
            found = {hit["doc_id"] for hit in search_documents("offer", word).hits}
            delays.append(time.perf_counter() - t0)
            assert offer.id in found
        report("new offer committed -> searchable (inline sync)", delays)

        last = offer_counts[-1]
        if last > first or args.needs > 1000:
            generate(rng, last - first, args.needs - 1000, 100_000, 100_000, 100_000, closed_share=1 / 3)
            open_needs = db.session.scalar(select(db.func.count(Need.id)).where(Need.state == "open"))
            print(f"\nstage 2: {last} offers + {args.needs} needs ({open_needs} open, the closed ones not indexed)")
            t0 = time.perf_counter()
            docs = rebuild_index(procs=args.procs)
            elapsed = time.perf_counter() - t0
            print(
                f"full rebuild: {docs} documents in {elapsed:.1f} s = {docs / elapsed:.0f} documents/s "
                f"(procs={args.procs})"
            )
            needs = db.session.scalars(select(Need).where(Need.state == "open").limit(args.samples)).all()
            suppliers_for_need(needs[0])
            report(f"match, suppliers for a need ({last} offers)", time_calls(suppliers_for_need, needs))
            orgs = db.session.scalars(
                select(Organisation).where(Organisation.kind != "onderneming").limit(min(100, args.samples))
            ).all()
            needs_for_supplier(orgs[0])
            report(f"needs for a supplier ({open_needs} open needs)", time_calls(needs_for_supplier, orgs))


if __name__ == "__main__":
    main()
