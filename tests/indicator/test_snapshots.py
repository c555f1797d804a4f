"""Closing a quarter freezes its published figures; a later correction is a new, labelled revision."""

import pytest

from marketplace.indicator.definitions import METHOD_VERSION
from marketplace.indicator.services import SnapshotError, close_quarter
from marketplace.orgs.nace import NACE_VERSION
from tests.indicator.conftest import agree


def _headline(client):
    rows = client.get("/indicator/data.json").get_json()["rows"]
    return next(r for r in rows if r["figure"] == "active_collaborations" and r["dimension"] == "total")


def test_a_closed_quarter_stays_as_published_until_a_new_revision(app, client, world):
    for i, buyer in enumerate(world["buyers"][:3]):
        agree(world["needs"][(buyer.id, "outsourcing")], world["suppliers"][i], 10 + i, "2026-01-10", "2026-02-10")
    result = close_quarter("2026Q1", 3)
    assert result.is_new and result.snapshot.revision == 1
    assert (result.snapshot.method_version, result.snapshot.nace_version) == (METHOD_VERSION, NACE_VERSION)
    assert close_quarter("2026Q1", 3).is_new is False  # nothing changed: no new revision

    # A late correction: a fourth collaboration recorded afterwards for the same quarter.
    agree(world["needs"][(world["buyers"][3].id, "outsourcing")], world["suppliers"][0], 20, "2026-01-15", "2026-02-01")
    assert _headline(client)["value"] == "3"  # the published figure does not change silently
    assert _headline(client)["revision"] == 1
    result = close_quarter("2026Q1", 3)
    assert result.is_new and result.snapshot.revision == 2
    assert (_headline(client)["value"], _headline(client)["revision"]) == ("4", 2)


def test_only_past_quarters_can_be_closed(app):
    with pytest.raises(SnapshotError, match="voorbij"):
        close_quarter("2999Q1", 3)
    with pytest.raises(SnapshotError, match="JJJJQn"):
        close_quarter("2026-1", 3)


def test_close_command(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["indicator", "close", "2025q4"])
    assert result.exit_code == 0, result.output
    assert "2025Q4" in result.output and "revisie 1" in result.output
    result = runner.invoke(args=["indicator", "close", "nope"])
    assert result.exit_code == 2
