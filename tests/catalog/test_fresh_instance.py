"""The harness's way in: `flask --app wsgi catalog import` on a fresh instance with an empty database."""

import json
import os
import subprocess
import sys
from pathlib import Path

from marketplace.config import PROJECT_ROOT
from marketplace.demo.services import DEMO_CATALOG


def flask(args, instance: Path):
    env = {
        **os.environ,
        "MARKETPLACE_INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{instance}/marketplace.db",
        "SEARCH_INDEX_DIR": str(instance / "search_index"),
        "FLASK_DEBUG": "0",
    }
    env.pop("MARKETPLACE_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_creates_the_schema_and_the_index_then_exports_the_same_file(tmp_path):
    imported = flask(["catalog", "import", str(DEMO_CATALOG)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Lege database: tabellen aangemaakt." in imported.stdout
    assert (tmp_path / "search_index").is_dir()

    exported = flask(["catalog", "export", str(tmp_path / "export.json")], tmp_path)
    assert exported.returncode == 0, exported.stderr

    def canonical(data):
        orgs = sorted(
            ({**o, "offers": sorted(o["offers"], key=lambda x: x["ref"])} for o in data["organizations"]),
            key=lambda o: o["kbo"],
        )
        return orgs, sorted(data["needs"], key=lambda n: n["ref"])

    original = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    assert canonical(json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))) == canonical(original)


def test_a_bad_file_exits_1_on_a_fresh_instance(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"organizations": [{"kbo": "0403019262"}]}', encoding="utf-8")

    result = flask(["catalog", "import", str(bad)], tmp_path)

    assert result.returncode == 1
    assert "organizations[0].kbo: 0403019262 is geen geldig ondernemingsnummer" in result.stderr
