"""Counters follow the events: per event, after a rebuild, and verify names the cells that differ."""

import pytest
from sqlalchemy import select, update

from marketplace.events.services import record_event
from marketplace.extensions import db
from marketplace.indicator import counters
from marketplace.indicator.compute import active_quarters, brussels_quarter, quarters_between
from marketplace.indicator.models import IndicatorCell
from tests.indicator.conftest import agree, at


def cell(figure, quarter, dimension="total", value=""):
    return db.session.scalar(
        select(IndicatorCell.total).where(
            IndicatorCell.figure == figure,
            IndicatorCell.quarter == quarter,
            IndicatorCell.dimension == dimension,
            IndicatorCell.value == value,
        )
    )


def test_quarters_are_brussels_calendar_quarters():
    assert brussels_quarter(at("2026-03-31 21:59")) == "2026Q1"
    assert brussels_quarter(at("2026-03-31 22:30")) == "2026Q2"  # 00:30 on 1 April in Brussels (CEST)
    assert brussels_quarter(at("2026-12-31 23:30")) == "2027Q1"
    assert quarters_between("2025Q3", "2026Q2") == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]


def test_a_collaboration_counts_in_every_quarter_its_period_touches(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 1, "2026-02-10", "2026-08-01")
    for quarter in ("2026Q1", "2026Q2", "2026Q3"):
        assert cell("active_collaborations", quarter) == 1
        assert cell("active_collaborations", quarter, "province", "VAN") == 1
        assert cell("active_collaborations", quarter, "nace_section", "C") == 1
        assert cell("active_collaborations", quarter, "size_class", "micro") == 1
        assert cell("active_collaborations", quarter, "collaboration_type", "uitbesteding") == 1
    assert cell("active_collaborations", "2026Q4") is None
    assert cell("agreed_value_eur", "2026Q1") == 100_000  # euro cents
    assert cell("agreed_fte", "2026Q1") == 15  # tenths of a VTE
    assert counters.verify() == []


def test_extension_and_early_stop_move_the_active_quarters(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 7, "2026-01-15", "2026-03-31")
    record_event(
        "collaboration_extended",
        buyer=buyer,
        supplier=supplier,
        collaboration_id=7,
        detail="end=2026-12-31",
        occurred_at=at("2026-03-01"),
    )
    db.session.commit()
    assert [cell("active_collaborations", q) for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")] == [1, 1, 1, 1]
    record_event(
        "collaboration_stopped", buyer=buyer, supplier=supplier, collaboration_id=7, occurred_at=at("2026-05-20")
    )
    record_event(
        "collaboration_extended",
        buyer=buyer,
        supplier=supplier,
        collaboration_id=7,
        detail="end=2027-12-31",
        occurred_at=at("2026-06-01"),
    )  # after the stop: ignored
    db.session.commit()
    assert [cell("active_collaborations", q) or 0 for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")] == [1, 1, 0, 0]
    assert counters.verify() == []


def test_active_quarters_without_an_end_is_the_start_quarter(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    event = agree(world["needs"][(buyer.id, "outsourcing")], supplier, 3, "2026-05-05")
    assert active_quarters([event]) == ["2026Q2"]


def test_distinct_buyers_are_not_double_counted(world):
    buyer, other = world["buyers"][0], world["buyers"][1]
    for collaboration_id, supplier in enumerate(world["suppliers"], start=1):
        agree(world["needs"][(buyer.id, "outsourcing")], supplier, collaboration_id, "2026-01-05", "2026-02-01")
    agree(world["needs"][(other.id, "outsourcing")], world["suppliers"][0], 9, "2026-01-05", "2026-02-01")
    from marketplace.indicator.queries import load_cells

    cells = load_cells(["2026Q1"])
    headline = cells[("active_collaborations", "2026Q1", "total", "")]
    assert headline.total == 4
    assert headline.distinct("b") == 2
    assert headline.distinct("s") == 3


def test_funnel_and_median_days_to_first_answer(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    need = world["needs"][(buyer.id, "outsourcing")]
    record_event("need_published", need=need, occurred_at=at("2026-01-01 10:00"))
    record_event("need_published", need=need, occurred_at=at("2026-01-02 10:00"))  # republished: counts once
    record_event("first_answer", need=need, supplier=supplier, occurred_at=at("2026-01-04 11:00"))
    record_event("first_answer", need=need, supplier=world["suppliers"][1], occurred_at=at("2026-01-09 11:00"))
    db.session.commit()
    assert cell("needs_published", "2026Q1") == 1
    assert cell("needs_answered", "2026Q1") == 1
    assert cell("needs_agreed", "2026Q1") is None
    assert cell("first_answer_days", "2026Q1", "days", "3") == 1
    agree(need, supplier, 5, "2026-04-02")  # agreed a quarter later: the funnel counts it in the cohort
    assert cell("needs_agreed", "2026Q1") == 1
    assert counters.verify() == []


def test_reserved_contracts_published_and_awarded(world):
    public, supplier = world["public"], world["suppliers"][0]
    need = world["needs"][(public.id, "reserved_contract")]
    record_event("need_published", need=need, occurred_at=at("2026-02-01"))
    record_event("need_published", need=world["needs"][(public.id, "outsourcing")], occurred_at=at("2026-02-01"))
    record_event("award", need=need, supplier=supplier, value_eur=50000, occurred_at=at("2026-03-01"))
    db.session.commit()
    assert cell("reserved_published", "2026Q1") == 1
    assert cell("reserved_awarded", "2026Q1") == 1
    assert cell("public_buyers_active", "2026Q1") == 2
    assert cell("public_buyers_reserved", "2026Q1") == 1


def test_rebuild_gives_the_same_counters(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 1, "2026-02-10", "2026-08-01")
    before = counters.stored_cells()
    counters.rebuild()
    db.session.commit()
    assert counters.stored_cells() == before


def test_verify_names_a_tampered_cell(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 1, "2026-02-10", "2026-08-01")
    db.session.execute(
        update(IndicatorCell)
        .where(
            IndicatorCell.figure == "active_collaborations",
            IndicatorCell.quarter == "2026Q2",
            IndicatorCell.dimension == "province",
        )
        .values(total=IndicatorCell.total + 1)
    )
    db.session.commit()
    differences = counters.verify()
    assert [d.key for d in differences] == [("active_collaborations", "2026Q2", "province", "VAN")]
    assert "stored 2, computed 1" in differences[0].describe()


def test_verify_names_a_cell_whose_distinct_count_was_tampered(world):
    buyer, supplier = world["buyers"][0], world["suppliers"][0]
    agree(world["needs"][(buyer.id, "outsourcing")], supplier, 1, "2026-02-10", "2026-02-20")
    db.session.execute(
        update(IndicatorCell)
        .where(IndicatorCell.figure == "active_collaborations", IndicatorCell.dimension == "total")
        .values(buyers=5)
    )
    db.session.commit()
    [difference] = counters.verify()
    assert difference.key == ("active_collaborations", "2026Q1", "total", "")
    assert "distinct buyers/suppliers stored (5, 1), computed (1, 1)" in difference.describe()


def test_two_first_answers_to_one_need_at_once_count_the_need_once(app, world, monkeypatch):
    """Two suppliers answering the same need in concurrent transactions: each transaction's delta read the
    need's events without the other's uncommitted one, and both counted the need as newly answered
    (PostgreSQL, READ COMMITTED; found by benchmarks/load.py). SQLite lets one writer in at a time."""
    import threading

    from marketplace.needs.models import Need
    from marketplace.orgs.models import Organisation

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE): nothing can interleave")
    buyer = world["buyers"][0]
    need = world["needs"][(buyer.id, "outsourcing")]
    record_event("need_published", need=need, occurred_at=at("2026-01-01 10:00"))
    db.session.commit()
    need_id, supplier_ids = need.id, [s.id for s in world["suppliers"][:2]]
    both_flushed = threading.Barrier(2, timeout=10)
    real_event_tally = counters.event_tally

    def event_tally_after_both_flushed(event, tally, sign=1):
        if event.kind == "first_answer":
            both_flushed.wait()  # each transaction has written its event, neither has committed
        return real_event_tally(event, tally, sign)

    monkeypatch.setattr(counters, "event_tally", event_tally_after_both_flushed)
    errors = []

    def answer(supplier_id, day):
        try:
            with app.app_context():
                record_event(
                    "first_answer",
                    need=db.session.get(Need, need_id),
                    supplier=db.session.get(Organisation, supplier_id),
                    occurred_at=at(day),
                )
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    days = ("2026-01-04", "2026-01-09")
    threads = [threading.Thread(target=answer, args=(s, d)) for s, d in zip(supplier_ids, days, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    db.session.rollback()
    assert cell("needs_answered", "2026Q1") == 1
    assert counters.verify() == []
