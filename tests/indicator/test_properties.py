"""Property: whatever sequence of events the marketplace records, the counters equal a recomputation."""

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from marketplace.events.models import Event
from marketplace.events.services import record_event
from marketplace.extensions import db
from marketplace.indicator import counters
from marketplace.indicator.models import IndicatorCell, IndicatorCellOrg

# The simplest draws come first: hypothesis leans towards them.
KINDS = (
    "agreement",
    "collaboration_extended",
    "need_published",
    "first_answer",
    "collaboration_completed",
    "collaboration_stopped",
    "enclave_started",
    "award",
    "interest_expressed",
)
TYPES = ("uitbesteding", "enclave", "voorbehouden_opdracht")
BASE = datetime(2025, 1, 1)

dates = st.integers(min_value=0, max_value=3 * 365).map(lambda d: date(2025, 1, 1) + timedelta(days=d))
details = st.one_of(
    st.just(""),
    st.builds(lambda s: f"start={s}", dates),
    st.builds(lambda e: f"end={e}", dates),
    st.builds(lambda s, e: f"start={s};end={e}", dates, dates),
    st.just("start=not-a-date;end=2026-13-45"),
)
actions = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "buyer": st.integers(min_value=0, max_value=5),
        "supplier": st.integers(min_value=0, max_value=2),
        "reserved": st.booleans(),
        "collaboration_id": st.one_of(st.integers(min_value=1, max_value=3), st.none()),
        "type": st.sampled_from(TYPES),
        "value": st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=2)),
        "fte": st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=1)),
        "workers": st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
        "detail": details,
        # Minutes after the start of 2025, over about three years, in any order.
        "minute": st.integers(min_value=0, max_value=3 * 365 * 24 * 60),
    }
)


def _clear():
    for model in (IndicatorCellOrg, IndicatorCell, Event):
        db.session.execute(delete(model))
    db.session.commit()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(actions, min_size=1, max_size=15))
def test_verify_finds_no_difference_after_any_sequence_of_events(world, sequence):
    _clear()
    buyers = [*world["buyers"], world["public"]]
    try:
        for action in sequence:
            buyer = buyers[action["buyer"]]
            kind = "reserved_contract" if action["reserved"] and buyer.kind == "overheid" else "outsourcing"
            record_event(
                action["kind"],
                need=world["needs"][(buyer.id, kind)],
                supplier=world["suppliers"][action["supplier"]],
                collaboration_id=action["collaboration_id"],
                collaboration_type=action["type"],
                value_eur=action["value"],
                fte=action["fte"],
                workers=action["workers"],
                detail=action["detail"],
                occurred_at=BASE + timedelta(minutes=action["minute"]),
            )
            db.session.commit()
            assert counters.verify() == [], sequence
    finally:
        _clear()
