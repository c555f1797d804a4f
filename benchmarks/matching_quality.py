"""Matching quality on a labelled set (catalog.json, qrels.json, constraints.json in a folder).

    .venv/bin/python benchmarks/matching_quality.py [DATA_DIR] [--rankings-out FILE] [-v]

Loads the catalog into a temporary instance (through `flask catalog import` when the app has
it, else the test loader), rebuilds the index and ranks the offers of every need with
suppliers_for_need. Prints nDCG@10, Recall@10, P@3, MRR and constraint violations, overall
and per need kind (the same definitions as the dev-matching harness).
"""

import json
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
K, P_AT = 10, 3
KINDS = ("outsourcing", "enclave", "reserved_contract")


def need_metrics(ranked, grades, forbidden):
    top = list(dict.fromkeys(ranked))[:K]
    gains = [grades.get(r, 0) for r in top]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(grades.values(), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = sum(1 for g in grades.values() if g >= 1)
    rr = next((1 / (i + 1) for i, g in enumerate(gains) if g >= 1), 0.0)
    return {
        "ndcg": dcg / idcg if idcg else 0.0,
        "recall": sum(1 for g in gains if g >= 1) / relevant if relevant else 0.0,
        "p3": sum(1 for g in gains[:P_AT] if g >= 2) / P_AT,
        "mrr": rr,
        "violations": sum(1 for r in top if r in forbidden),
    }


def summarise(rows):
    n = len(rows) or 1
    out = {k: sum(r[k] for r in rows) / n for k in ("ndcg", "recall", "p3", "mrr")}
    out["violations"] = sum(r["violations"] for r in rows)
    out["n"] = len(rows)
    return out


def load_into_app(app, data_dir: Path) -> None:
    """Import the catalog through the app's own import when it works, else the test loader."""
    result = app.test_cli_runner().invoke(args=["catalog", "import", str(data_dir / "catalog.json")])
    if result.exit_code != 0:
        from tests.matching.catalog_loader import load_catalog

        print(f"(catalog import unavailable: {result.output.strip()[:80]}; using the test loader)", file=sys.stderr)
        load_catalog(data_dir / "catalog.json")


def score_split(data_dir: Path, app=None, verbose: bool = False, rankings: dict | None = None) -> dict:
    """Load, index and score a labelled set in the current app context; returns the overall summary."""
    from flask import current_app
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.matching.ranking import suppliers_for_need
    from marketplace.needs.models import Need
    from marketplace.search.indexing import rebuild_index

    data_dir = Path(data_dir)
    catalog = json.loads((data_dir / "catalog.json").read_text(encoding="utf-8"))
    qrels = json.loads((data_dir / "qrels.json").read_text(encoding="utf-8"))
    constraints = json.loads((data_dir / "constraints.json").read_text(encoding="utf-8"))
    load_into_app(app or current_app, data_dir)
    rebuild_index()
    rows = {}
    for item in catalog["needs"]:
        need = db.session.scalar(select(Need).where(Need.ref == item["ref"]))
        ranked = [m.offer.ref for m in suppliers_for_need(need, limit=K)] if need else []
        if rankings is not None:
            rankings[item["ref"]] = ranked
        m = need_metrics(ranked, qrels.get(item["ref"], {}), set(constraints.get(item["ref"], [])))
        m["kind"] = item["kind"]
        rows[item["ref"]] = m
        if verbose:
            print(f"{item['ref']:<12}{item['kind']:<19}{m['ndcg']:8.3f}{m['recall']:7.3f}{m['violations']:5d}")
    summary = summarise(list(rows.values()))
    summary["per_kind"] = {k: summarise([r for r in rows.values() if r["kind"] == k]) for k in KINDS}
    return summary


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", nargs="?", type=Path)
    parser.add_argument("--rankings-out", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    default = Path("/work/shared/dev-matching")
    data_dir = args.data_dir or (default if default.exists() else ROOT / "tests/matching/labelled")
    instance = tempfile.mkdtemp(prefix="matching-quality-")
    os.environ["MARKETPLACE_INSTANCE"] = instance
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import import_all_models

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/quality.db",
            "SEARCH_INDEX_DIR": f"{instance}/search_index",
            "SECRET_KEY": "benchmark",
        }
    )
    rankings = {}
    with app.app_context():
        import_all_models()
        db.create_all()
        summary = score_split(data_dir, app, verbose=args.verbose, rankings=rankings)
    if args.rankings_out:
        args.rankings_out.write_text(json.dumps(rankings, indent=1))
    print(f"split: {data_dir}")
    print(f"{'kind':<19}{'n':>4}{'nDCG@10':>9}{'R@10':>7}{'P@3':>7}{'MRR':>7}{'viol':>6}")
    for kind, s in [*summary["per_kind"].items(), ("ALL", summary)]:
        if s["n"]:
            print(
                f"{kind:<19}{s['n']:>4}{s['ndcg']:9.3f}{s['recall']:7.3f}{s['p3']:7.3f}{s['mrr']:7.3f}{s['violations']:6d}"
            )
    print(f"\nnDCG@10={summary['ndcg']:.2f} R@10={summary['recall']:.2f} violations={summary['violations']}")


if __name__ == "__main__":
    main()
