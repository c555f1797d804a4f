"""Speed of the collaboration indicator (prints figures; no asserts).

    .venv/bin/python benchmarks/indicator_speed.py [--sizes 10000,100000] [--record 2000]

For each size (events, fixed seed) it fills a fresh SQLite database with a realistic mix of events
(bulk-inserted, then `rebuild`), and prints the rebuild time, the median time of the analyst
dashboard (8 quarters) and of the CSV download, and the ratio of those medians between the largest
and the smallest size (target ≤ 1.5: the pages read counters, not events). It also prints how many
events per second `record_event` (with the counter listener, one commit per event) manages.
Use --sizes 10000,1000000 for the figures the issue asks for (the 1M fill takes a few minutes).

Measured 2026-11-28 on the shared 2-core machine under load ~15 (so absolute times are pessimistic):
record_event 13 events/s (one fsync'd commit each); 10,004 events: rebuild 5.5 s, dashboard 580 ms,
export 730 ms; 1,000,001 events: rebuild 226 s, dashboard 264 ms, export 389 ms; ratio 0.45 / 0.53.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20260101
START = datetime(2024, 1, 1)
PROVINCES = ("VAN", "VLI", "VOV", "VBR", "VWV", "BRU")
SIZES = ("micro", "klein", "middelgroot", "groot")
NACE = ("10.11", "25.11", "46.90", "49.41", "84.11", "86.10", "43.21")
TYPES = {"outsourcing": "uitbesteding", "enclave": "enclave", "reserved_contract": "voorbehouden_opdracht"}


def kbo(n: int) -> str:
    body = 20_000_000 + n
    return f"{body:08d}{97 - body % 97:02d}"


def make_app(folder: Path):
    os.environ["MARKETPLACE_INSTANCE"] = str(folder)
    from marketplace import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "MAIL_OUTBOX_DIR": str(folder / "mail"),
            "SERVER_NAME": "localhost",
        }
    )
    return app


def fill(n_events: int, rng: random.Random) -> None:
    """Organisations, needs and about n_events events, bulk-inserted (the listener is bypassed)."""
    from sqlalchemy import insert

    from marketplace.events.models import Event
    from marketplace.extensions import db
    from marketplace.indicator.compute import quarter_of_date
    from marketplace.needs.models import Need
    from marketplace.orgs.models import Organisation
    from marketplace.orgs.nace import section_for_code

    n_buyers, n_suppliers = 300, 120
    orgs = []
    for i in range(n_buyers + n_suppliers):
        buyer = i < n_buyers
        kind = rng.choice(("onderneming", "onderneming", "overheid")) if buyer else "maatwerkbedrijf"
        orgs.append(
            {
                "id": i + 1,
                "kbo": kbo(i),
                "name": f"Org {i}",
                "kind": kind,
                "province": rng.choice(PROVINCES),
                "postcode": "2000",
                "nace": rng.choice(NACE),
                "size_class": rng.choice(SIZES),
                "verification_state": "verified",
            }
        )
    db.session.execute(insert(Organisation), orgs)
    buyers, suppliers = orgs[:n_buyers], orgs[n_buyers:]
    needs, events = [], []
    need_id = collaboration_id = 0
    span = (datetime(2026, 12, 31) - START).total_seconds()
    while len(events) < n_events:
        need_id += 1
        buyer = rng.choice(buyers)
        kind = (
            "reserved_contract"
            if buyer["kind"] == "overheid" and rng.random() < 0.5
            else rng.choice(("outsourcing", "enclave"))
        )
        published = START + timedelta(seconds=rng.random() * span)
        needs.append(
            {
                "id": need_id,
                "ref": f"B-{need_id}",
                "kind": kind,
                "organisation_id": buyer["id"],
                "title": "t",
                "province": buyer["province"],
                "postcode": "2000",
                "state": "open",
                "published_at": published,
            }
        )
        dims = {
            "buyer_org_id": buyer["id"],
            "buyer_kind": buyer["kind"],
            "buyer_province": buyer["province"],
            "buyer_nace_section": section_for_code(buyer["nace"]),
            "buyer_size_class": buyer["size_class"],
            "need_kind": kind,
            "need_id": need_id,
        }

        def event(kind_, moment, dims=dims, **extra):
            events.append({"kind": kind_, "occurred_at": moment, "quarter": quarter_of_date(moment), **dims, **extra})

        event("need_published", published)
        for _ in range(rng.randint(0, 4)):
            event("match_suggested", published + timedelta(hours=1), supplier_org_id=rng.choice(suppliers)["id"])
        if rng.random() < 0.6:
            supplier = rng.choice(suppliers)
            sup = {"supplier_org_id": supplier["id"], "supplier_kind": supplier["kind"]}
            answered = published + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            event("interest_expressed", answered, **sup)
            event("first_answer", answered, **sup)
            if rng.random() < 0.5:
                collaboration_id += 1
                agreed = answered + timedelta(days=rng.randint(1, 30))
                start = agreed.date()
                end = start + timedelta(days=rng.randint(30, 720))
                collab = {**sup, "collaboration_id": collaboration_id, "collaboration_type": TYPES[kind]}
                event(
                    "agreement",
                    agreed,
                    value_eur=rng.randint(1_000, 200_000),
                    fte=round(rng.uniform(0.5, 12), 1),
                    detail=f"start={start};end={end}",
                    **collab,
                )
                if kind == "enclave":
                    event("enclave_started", agreed + timedelta(days=7), workers=rng.randint(2, 12), **collab)
                if kind == "reserved_contract":
                    event("award", agreed, value_eur=rng.randint(10_000, 500_000), **collab)
                if rng.random() < 0.2:
                    event(
                        "collaboration_extended",
                        agreed + timedelta(days=20),
                        detail=f"end={end + timedelta(days=180)}",
                        **collab,
                    )
                if rng.random() < 0.3:
                    event("collaboration_completed", agreed + timedelta(days=rng.randint(30, 400)), **collab)
    for start in range(0, len(needs), 5000):
        db.session.execute(insert(Need), needs[start : start + 5000])
    for start in range(0, len(events), 10000):
        db.session.execute(insert(Event), events[start : start + 10000])
    db.session.commit()


def median_time(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int) -> dict:
    from sqlalchemy import func, select

    from marketplace.accounts.models import User, UserSession
    from marketplace.events.models import Event
    from marketplace.extensions import db
    from marketplace.indicator import counters

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            fill(size, random.Random(SEED))
            filled = time.perf_counter() - started
            events = db.session.scalar(select(func.count()).select_from(Event))
            started = time.perf_counter()
            cells = counters.rebuild()
            db.session.commit()
            rebuild = time.perf_counter() - started
            user = User(
                email="analyst@example.be",
                name="A",
                password_hash="x",
                platform_role="analyst",
                email_confirmed_at=datetime(2026, 1, 1),
            )
            db.session.add(user)
            db.session.flush()
            sid = secrets.token_urlsafe(32)
            db.session.add(UserSession(id=sid, user_id=user.id))
            db.session.commit()
            user_id = user.id
        client = app.test_client()
        with client.session_transaction() as session:
            session.update({"sid": sid, "_user_id": str(user_id), "_fresh": True})

        def dashboard():
            response = client.get("/indicator/dashboard?van=2025Q1&tot=2026Q4")
            assert response.status_code == 200, response.status_code

        def export():
            response = client.get("/indicator/data.csv")
            assert response.status_code == 200, response.status_code

        return {
            "size": events,
            "cells": cells,
            "fill": filled,
            "rebuild": rebuild,
            "dashboard": median_time(dashboard),
            "export": median_time(export),
        }


def record_rate(count: int) -> float:
    """Events per second through record_event with the counter listener, one commit each."""
    from marketplace.events.services import record_event
    from marketplace.extensions import db
    from marketplace.orgs.models import Organisation

    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            db.create_all()
            buyers = [
                Organisation(
                    kbo=kbo(i),
                    name=f"B{i}",
                    kind="onderneming",
                    province=rng.choice(PROVINCES),
                    postcode="2000",
                    nace="10.11",
                    size_class="klein",
                )
                for i in range(20)
            ]
            suppliers = [
                Organisation(
                    kbo=kbo(100 + i),
                    name=f"S{i}",
                    kind="maatwerkbedrijf",
                    province="VAN",
                    postcode="2000",
                    nace="82.92",
                    size_class="klein",
                )
                for i in range(10)
            ]
            db.session.add_all(buyers + suppliers)
            db.session.commit()
            started = time.perf_counter()
            for i in range(count):
                moment = START + timedelta(days=rng.randint(0, 900))
                collaboration = i // 3 + 1
                kind = ("agreement", "collaboration_extended", "collaboration_completed")[i % 3]
                record_event(
                    kind,
                    buyer=rng.choice(buyers),
                    supplier=rng.choice(suppliers),
                    collaboration_id=collaboration,
                    collaboration_type="uitbesteding",
                    value_eur=1000,
                    fte=1.5,
                    detail=f"start={moment.date()};end={(moment + timedelta(days=200)).date()}",
                    occurred_at=moment,
                )
                db.session.commit()
            return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--record", type=int, default=2000, help="events recorded one by one for the rate")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rate = record_rate(args.record)
    print(f"record_event with counters: {rate:,.0f} events/s ({args.record} events, one commit each, SQLite)")
    results = [measure(size) for size in sizes]
    for r in results:
        print(
            f"{r['size']:>9,} events  {r['cells']:>6,} cells  fill {r['fill']:7.1f} s  rebuild {r['rebuild']:7.2f} s  "
            f"dashboard median {r['dashboard'] * 1000:7.1f} ms  export median {r['export'] * 1000:7.1f} ms"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        dashboard_ratio = large["dashboard"] / small["dashboard"]
        export_ratio = large["export"] / small["export"]
        print(
            f"ratio {large['size']:,} / {small['size']:,} events: dashboard {dashboard_ratio:.2f}, "
            f"export {export_ratio:.2f} (target ≤ 1.5)"
        )


if __name__ == "__main__":
    main()
