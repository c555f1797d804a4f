"""Speed of the catalog import: rows per second for the dev catalog and for a larger copy of it.

    .venv/bin/python benchmarks/catalog_import.py [--catalog PATH] [--copies 40]

Imports the catalog (by default ../shared/dev-matching/catalog.json) into an empty SQLite
database in a temporary instance, then imports it again (nothing changes: the idempotent path),
then a file made of `--copies` copies of it with new enterprise numbers and refs. Rows are
organisations + offers + needs. The search index is not rebuilt here (that is the search
benchmark's business); the time is the checking and the one transaction.
"""

import argparse
import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CATALOG = ROOT.parent / "shared" / "dev-matching" / "catalog.json"


def kbo_for(n: int) -> str:
    body = 3_000_000 + n  # 03...: first digit 0, like real numbers
    return f"{body:08d}{97 - body % 97:02d}"


def scaled(data: dict, copies: int) -> dict:
    """`copies` copies of a catalog, each with its own enterprise numbers and refs."""
    out = {"organizations": [], "needs": []}
    serial = 0
    for c in range(copies):
        kbos = {}
        for org in data["organizations"]:
            serial += 1
            new = copy.deepcopy(org)
            kbos[org["kbo"]] = new["kbo"] = kbo_for(serial)
            for offer in new.get("offers", []):
                offer["ref"] = f"{offer['ref']}-C{c}"
            out["organizations"].append(new)
        for need in data["needs"]:
            new = copy.deepcopy(need)
            new["ref"] = f"{need['ref']}-C{c}"
            new["buyer_kbo"] = kbos.get(need["buyer_kbo"], need["buyer_kbo"])
            out["needs"].append(new)
    return out


def rows(data: dict) -> int:
    return (
        len(data["organizations"]) + sum(len(o.get("offers", [])) for o in data["organizations"]) + len(data["needs"])
    )


def timed_import(data: dict) -> tuple[float, object]:
    from marketplace.catalog.services import import_catalog

    started = time.perf_counter()
    result = import_catalog(data)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    data = json.loads(args.catalog.read_text(encoding="utf-8"))

    instance = tempfile.mkdtemp(prefix="catalog-bench-")
    os.environ["MARKETPLACE_INSTANCE"] = instance
    os.environ["DATABASE_URL"] = f"sqlite:///{instance}/marketplace.db"
    os.environ["SEARCH_INDEX_DIR"] = f"{instance}/search_index"
    from marketplace import create_app
    from marketplace.catalog.schema import ensure_schema

    app = create_app()
    with app.app_context():
        ensure_schema()
        big = scaled(data, args.copies)
        for label, payload in (
            ("dev catalog, empty database", data),
            ("dev catalog again (unchanged)", data),
            (f"{args.copies} copies, new keys", big),
            (f"{args.copies} copies again (unchanged)", big),
        ):
            seconds, result = timed_import(payload)
            n = rows(payload)
            print(f"{label:<36} {n:>6} rows  {seconds:7.2f} s  {n / seconds:8.0f} rows/s  (changed: {result.changed})")


if __name__ == "__main__":
    main()
