"""Login failure counters under concurrent worker processes: no increment lost, limit shared.

    .venv/bin/python benchmarks/login_throttle.py [--workers 4] [--failures 250]

WORKERS processes (as gunicorn workers would be) each record FAILURES failed logins for the
same account and address through marketplace.accounts.throttle, one transaction each, on one
SQLite file (WAL, BEGIN IMMEDIATE). The account counter must end at WORKERS × FAILURES and
the account must be throttled. Prints the counts, the lost increments and the time taken.
"""

import argparse
import multiprocessing
import os
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
            "SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance}/throttle.db",
            "SECRET_KEY": "benchmark",
            "LOGIN_THROTTLE_WINDOW_SECONDS": 3600,
        }
    )


def worker(instance, failures):
    app = make_app(instance)
    with app.app_context():
        from marketplace.accounts import throttle
        from marketplace.extensions import db

        for _ in range(failures):
            throttle.record_failure("jan@example.be", "10.0.0.1")
            db.session.commit()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--failures", type=int, default=250)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = make_app(instance)
        with app.app_context():
            from marketplace.extensions import db

            db.drop_all()
            db.create_all()
            db.engine.dispose()
        started = time.perf_counter()
        processes = [
            multiprocessing.Process(target=worker, args=(instance, args.failures)) for _ in range(args.workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - started
        with app.app_context():
            from marketplace.accounts import throttle
            from marketplace.accounts.models import ThrottleCounter
            from marketplace.extensions import db

            expected = args.workers * args.failures
            counted = db.session.get(ThrottleCounter, throttle.account_key("jan@example.be")).count
            print(f"workers={args.workers} failures each={args.failures} expected={expected} counted={counted}")
            print(f"lost increments={expected - counted} throttled={throttle.is_throttled('jan@example.be', '')}")
            print(f"elapsed={elapsed:.2f}s ({expected / elapsed:.0f} failures/s)")


if __name__ == "__main__":
    main()
