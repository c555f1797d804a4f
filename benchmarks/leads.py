"""Leads at scale: page render times, the daily digests and the outcome reminders.

    .venv/bin/python benchmarks/leads.py [--leads 2000] [--messages 300] [--subscriptions 1000] [--needs 5000]

Builds (fixed seed) one supplier with --leads leads over as many needs, one thread with --messages
messages, --subscriptions daily subscriptions of other suppliers and --needs needs published in the
last day (half of them closed 40 days ago with an interested supplier). Prints the median and p95 in
milliseconds of "Mijn contacten", the long thread and Mijn Werkbrug (through the Flask test client),
then the time of `send_digests` and of `remind_outcomes` and how many mails each queued.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261128
PROVINCES = ["VAN", "VLI", "VOV", "VBR", "VWV", "BRU"]
DOMAINS = ["groenonderhoud", "schoonmaak", "verpakking", "mailing", "assemblage", "logistiek"]


def build(args):
    from sqlalchemy import insert, select

    from marketplace.accounts.models import User
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.leads.models import Lead, Message, Subscription
    from marketplace.needs.models import Need
    from marketplace.orgs.models import Membership, Organisation
    from marketplace.taxonomy.models import ActivityDomain, need_domain
    from tests.factories import kbo_for

    rng = random.Random(SEED)
    now = utcnow()
    db.session.execute(
        insert(ActivityDomain),
        [{"code": c, "label_nl": c, "label_en": c, "synonyms": [], "cpv_codes": [], "nace_codes": []} for c in DOMAINS],
    )
    n_orgs = args.subscriptions + 51
    db.session.execute(
        insert(Organisation),
        [
            {
                "id": i + 1,
                "kbo": kbo_for(8_000_000 + i),
                "name": f"Organisatie {i:05d}",
                "kind": "maatwerkbedrijf" if i <= args.subscriptions else "onderneming",
                "province": rng.choice(PROVINCES),
                "postcode": "2000",
                "size_class": "klein",
                "verification_state": "verified",
                "verified_at": now,
                "is_recognised_maatwerk": i <= args.subscriptions,
            }
            for i in range(n_orgs)
        ],
    )
    db.session.execute(
        insert(User), [{"id": i + 1, "email": f"u{i}@example.be", "name": f"Persoon {i}"} for i in range(n_orgs)]
    )
    db.session.execute(
        insert(Membership), [{"user_id": i + 1, "organisation_id": i + 1, "role": "owner"} for i in range(n_orgs)]
    )
    buyers = list(range(args.subscriptions + 2, n_orgs + 1))
    total_needs = args.leads + args.needs
    rows = []
    for i in range(total_needs):
        closed = i >= args.leads and i % 2 == 0
        rows.append(
            {
                "id": i + 1,
                "ref": f"NEED-B{i:06d}",
                "kind": "outsourcing",
                "organisation_id": rng.choice(buyers),
                "title": f"Vraag {i} groenonderhoud",
                "province": rng.choice(PROVINCES),
                "postcode": "2000",
                "state": "closed" if closed else "open",
                "published_at": now - timedelta(days=40 if closed else 0, minutes=rng.randint(1, 600)),
                "closed_at": now - timedelta(days=40) if closed else None,
                "free_tags": [],
                "cpv_codes": [],
            }
        )
    db.session.execute(insert(Need), rows)
    domain_ids = list(db.session.scalars(select(ActivityDomain.id)))
    db.session.execute(
        insert(need_domain), [{"need_id": i + 1, "domain_id": rng.choice(domain_ids)} for i in range(total_needs)]
    )
    leads = [
        {
            "need_id": i + 1,
            "supplier_org_id": 1,
            "buyer_org_id": rows[i]["organisation_id"],
            "state": "interested",
            "waiting_for": "buyer" if i % 3 else "supplier",
            "interest_at": now,
            "updated_at": now - timedelta(minutes=i),
        }
        for i in range(args.leads)
    ]
    leads += [
        {
            "need_id": i + 1,
            "supplier_org_id": 2 + i % args.subscriptions,
            "buyer_org_id": rows[i]["organisation_id"],
            "state": "interested",
            "interest_at": now,
            "updated_at": now,
        }
        for i in range(args.leads, total_needs, 2)
    ]
    db.session.execute(insert(Lead), leads)
    db.session.execute(
        insert(Message),
        [
            {
                "lead_id": 1,
                "sender_org_id": 1 if j % 2 else leads[0]["buyer_org_id"],
                "body": f"Bericht {j}\nmet twee lijnen",
            }
            for j in range(args.messages)
        ],
    )
    db.session.execute(
        insert(Subscription),
        [
            {
                "organisation_id": i + 2,
                "user_id": i + 2,
                "domains": [rng.choice(DOMAINS)],
                "provinces": [],
                "frequency": "daily",
                "last_sent_at": now - timedelta(days=1),
            }
            for i in range(args.subscriptions)
        ],
    )
    db.session.commit()


def timed(client, path, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--needs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="werkbrug-bench-leads-")
    os.environ["MARKETPLACE_INSTANCE"] = folder

    from marketplace import create_app
    from marketplace.accounts.models import UserSession
    from marketplace.extensions import db
    from marketplace.leads.reminders import remind_outcomes
    from marketplace.leads.subscriptions import send_digests
    from marketplace.mail.models import OutgoingMail

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SEARCH_INDEX_DIR": f"{folder}/index",
            "MAIL_SEND_INLINE": False,
            "SEARCH_INDEX_INLINE": False,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.create_all()
        build(args)
        db.session.add(UserSession(id="bench-session", user_id=1))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"sid": "bench-session", "_user_id": "1", "_fresh": True, "org_id": 1})
    print(f"leads of the supplier: {args.leads}, messages in one thread: {args.messages}")
    for label, path in (
        ("Mijn contacten", "/contacten"),
        ("thread", "/contacten/1"),
        ("Mijn Werkbrug", "/mijn-werkbrug"),
    ):
        median, p95 = timed(client, path, args.runs)
        print(f"{label:15} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    with app.app_context():
        start = time.perf_counter()
        queued, looked = send_digests()
        elapsed = time.perf_counter() - start
        print(f"send_digests     {elapsed:7.2f} s  {queued} mails, {looked} lists, {args.needs} new needs")
        start = time.perf_counter()
        asked = remind_outcomes(days=28)
        print(f"remind_outcomes  {time.perf_counter() - start:7.2f} s  {asked} organisations asked")
        start = time.perf_counter()
        again = remind_outcomes(days=28)
        print(f"remind again     {time.perf_counter() - start:7.2f} s  {again} asked (once only)")
        print(f"outbox rows: {db.session.query(OutgoingMail).count()}")


if __name__ == "__main__":
    main()
