"""The migrations build exactly the schema the models describe."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flask(tmp_path, *args):
    env = {
        **os.environ,
        "MARKETPLACE_INSTANCE": str(tmp_path),
        "DATABASE_URL": os.environ.get("TEST_MIGRATIONS_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}"),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_upgrade_from_empty_database_matches_the_models(tmp_path):
    upgrade = _flask(tmp_path, "init-db")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask(tmp_path, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
