"""The outbox under concurrent writers with the indexer killed: nothing lost, nothing doubled.

    .venv/bin/python benchmarks/search_outbox.py [--needs 10000] [--writers 8] [--kills 5]

WRITERS processes post and publish needs through the needs services (each change and its
search_change row in one transaction), while one `flask search-index worker` process applies
the log and is killed with SIGKILL KILLS times during the run (and restarted). After the writers
finish and the worker drains the log, the needs in the index must equal the open needs in the
database, without duplicates. Prints the p50/p95 time from a committed change to the index
having applied it (polled every 20 ms on the index's last applied change id).
"""

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(instance):
    os.environ["MARKETPLACE_INSTANCE"] = instance
    from marketplace import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/outbox.db",
            "SEARCH_INDEX_DIR": f"{instance}/search_index",
            "SECRET_KEY": "benchmark",
            "SEARCH_INDEX_INLINE": False,
        }
    )


def writer(instance, org_id, count, offset, errors):
    app = make_app(instance)
    with app.app_context():
        from marketplace.extensions import db
        from marketplace.needs.services import create_need, publish_need
        from marketplace.orgs.models import Organisation
        from tests.factories import need_data

        for _attempt in range(10):
            try:
                org = db.session.get(Organisation, org_id)
                break
            except Exception:  # noqa: BLE001 - the database is busy at start-up; try again
                db.session.rollback()
        for n in range(count):
            try:
                need = create_need(org, "outsourcing", need_data(title=f"Verpakking reeks {offset + n}"))
                publish_need(need)
            except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
                db.session.rollback()
                errors.put(repr(error)[:200])


def start_worker(instance):
    env = dict(
        os.environ,
        MARKETPLACE_INSTANCE=instance,
        DATABASE_URL=f"sqlite:///{instance}/outbox.db",
        SEARCH_INDEX_DIR=f"{instance}/search_index",
        SEARCH_INDEX_INLINE="false",
        SECRET_KEY="benchmark",
    )
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "search-index", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="search-outbox-")
    app = make_app(instance)
    with app.app_context():
        from sqlalchemy import func, select

        from marketplace.extensions import db
        from marketplace.models import import_all_models
        from marketplace.needs.models import Need
        from marketplace.search import engine
        from marketplace.search.indexing import rebuild_index, verify
        from marketplace.search.models import SearchChange
        from tests.factories import make_org

        import_all_models()
        db.create_all()
        org_id = make_org(kind="onderneming").id
        rebuild_index()
        # On SQLite every transaction holds the write lock: this process must not keep one open.
        db.session.rollback()

        errors = multiprocessing.Queue()
        per_writer = args.needs // args.writers
        writers = [
            multiprocessing.Process(target=writer, args=(instance, org_id, per_writer, i * per_writer, errors))
            for i in range(args.writers)
        ]
        started = time.time()
        worker = start_worker(instance)
        for p in writers:
            p.start()
        polls = []  # (wall time, last applied change id)
        kills = 0
        next_kill = started + 3
        while any(p.is_alive() for p in writers):
            searcher = engine.handle().searcher()
            polls.append((time.time(), engine.last_applied(searcher)))
            if kills < args.kills and time.time() >= next_kill:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = start_worker(instance)
                next_kill = time.time() + 4
            time.sleep(0.02)
        written = time.time() - started
        last_change = db.session.scalar(select(func.max(SearchChange.id))) or 0
        db.session.rollback()
        while True:
            searcher = engine.handle().searcher()
            applied = engine.last_applied(searcher)
            polls.append((time.time(), applied))
            if applied >= last_change:
                break
            time.sleep(0.02)
        drained = time.time() - started
        worker.send_signal(signal.SIGTERM)
        worker.wait()

        report = verify()
        open_needs = db.session.scalar(select(func.count(Need.id)).where(Need.state == "open"))
        failures = []
        while not errors.empty():
            failures.append(errors.get())
        # Latency: commit time of each change (created_at, naive UTC) to the first poll that saw it applied.
        changes = db.session.execute(select(SearchChange.id, SearchChange.created_at).order_by(SearchChange.id)).all()
        epoch = __import__("datetime").datetime(1970, 1, 1)
        delays, i = [], 0
        for change_id, created_at in changes:
            while i < len(polls) and polls[i][1] < change_id:
                i += 1
            if i < len(polls):
                delays.append(max(0.0, polls[i][0] - (created_at - epoch).total_seconds()))
        delays.sort()

        def pct(p):
            return delays[min(len(delays) - 1, int(p / 100 * (len(delays) - 1)))] * 1000 if delays else 0

        print(
            f"{args.writers} writer processes posted {open_needs} needs in {written:.1f} s "
            f"({len(failures)} errors{': ' + failures[0] if failures else ''})"
        )
        print(f"indexer killed with SIGKILL {kills} times; log drained after {drained:.1f} s")
        print(
            f"index = database: {report.ok} (documents {report.documents}, missing {len(report.missing)}, "
            f"extra {len(report.extra)}, stale {len(report.stale)}, duplicates {len(report.duplicates)})"
        )
        print(
            f"saved change -> applied in the index: p50 {pct(50):.0f} ms, p95 {pct(95):.0f} ms ({len(delays)} changes)"
        )
        return 0 if report.ok and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
