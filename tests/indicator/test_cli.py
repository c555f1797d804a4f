"""`flask indicator rebuild|verify|export`."""

import csv
import io
import json

from sqlalchemy import update

from marketplace.extensions import db
from marketplace.indicator.models import IndicatorCell
from tests.indicator.conftest import agree


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["indicator", *args], catch_exceptions=False)


def test_verify_passes_then_names_a_tampered_cell_and_rebuild_repairs_it(app, world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 1, "2026-02-10", "2026-05-01")
    result = _run(app, "verify")
    assert result.exit_code == 0, result.output
    db.session.execute(
        update(IndicatorCell)
        .where(IndicatorCell.figure == "agreed_value_eur", IndicatorCell.dimension == "total")
        .values(total=1)
    )
    db.session.commit()
    result = _run(app, "verify")
    assert result.exit_code == 1
    assert "agreed_value_eur 2026Q1 total=''" in result.output
    assert "total stored 1, computed 100000" in result.output
    result = _run(app, "rebuild")
    assert result.exit_code == 0
    assert _run(app, "verify").exit_code == 0


def test_export_csv_and_json(app, world, tmp_path):
    for i, buyer in enumerate(world["buyers"][:3]):
        agree(world["needs"][(buyer.id, "outsourcing")], world["suppliers"][i], 10 + i, "2026-01-10", "2026-02-10")
    result = _run(app, "export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {
        "quarter": "2026Q1",
        "figure": "active_collaborations",
        "dimension": "total",
        "dimension_value": "",
        "value": "3",
        "unit": "count",
        "suppressed": "false",
        "revision": "0",
    } in rows
    target = tmp_path / "out.json"
    result = _run(app, "export", "--format", "json", "--output", str(target))
    assert result.exit_code == 0
    document = json.loads(target.read_text())
    assert document["suppression_applied"] is True
    assert any(r["figure"] == "agreed_value_eur" and r["value"] == "3000.00" for r in document["rows"])


def test_export_rejects_an_unknown_format(app):
    result = _run(app, "export", "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.output
