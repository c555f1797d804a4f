from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from marketplace.needs.rules import (
    accepts_responses,
    display_state,
    eligibility_for,
    may_publish_need,
    need_transition_error,
    validate_need_data,
)

NOW = datetime(2026, 11, 28, 12, 0)
DOMAINS = {"groenonderhoud"}


def data(kind="outsourcing", **overrides):
    base = {"kind": kind, "title": "Tuin", "domains": ["groenonderhoud"], "postcode": "9000"}
    if kind == "enclave":
        base.update(
            team_size="3",
            site_address="Straat 1",
            host_core_activity="Verpakking",
            tasks="Vouwen",
            risks_and_safety="Handschoenen",
            working_hours="8-16",
            starts_on="2027-01-04",
        )
    if kind == "reserved_contract":
        base.update(
            procurement_reference="R1",
            cpv_codes="77310000",
            estimated_value_eur="50.000,00",
            deadline_at=NOW + timedelta(days=10),
            reservation="res-ws",
        )
    base.update(overrides)
    return base


@pytest.mark.parametrize("kind", ["outsourcing", "enclave", "reserved_contract"])
def test_valid_needs(app, kind):
    assert validate_need_data(data(kind), DOMAINS, NOW) == {}


def test_unknown_kind(app):
    assert "kind" in validate_need_data({"kind": "x"}, DOMAINS, NOW)


def test_postcode_must_be_flemish_or_brussels(app):
    assert "postcode" in validate_need_data(data(postcode="4000"), DOMAINS, NOW)  # Liège
    assert "postcode" in validate_need_data(data(postcode=""), DOMAINS, NOW)
    assert validate_need_data(data(postcode="1000"), DOMAINS, NOW) == {}


def test_dates_in_order_and_budget(app):
    errors = validate_need_data(
        data(starts_on="2027-02-01", ends_on="2027-01-01", budget_min_eur="500", budget_max_eur="100"), DOMAINS, NOW
    )
    assert set(errors) == {"ends_on", "budget_max_eur"}


def test_enclave_needs_team_of_at_least_one(app):
    errors = validate_need_data(data("enclave", team_size="0", tasks=""), DOMAINS, NOW)
    assert set(errors) == {"team_size", "tasks"}


def test_reserved_contract_rules(app):
    errors = validate_need_data(
        data(
            "reserved_contract",
            cpv_codes="",
            estimated_value_eur="",
            deadline_at=NOW - timedelta(hours=1),
            reservation="",
            tender_url="javascript:alert(1)",
        ),
        DOMAINS,
        NOW,
    )
    assert set(errors) == {"cpv_codes", "estimated_value_eur", "deadline_at", "reservation", "tender_url"}
    assert "toekomst" in errors["deadline_at"]


def test_reserved_contract_wrong_check_digit(app):
    errors = validate_need_data(data("reserved_contract", cpv_codes="77310000-1"), DOMAINS, NOW)
    assert "controlecijfer" in errors["cpv_codes"]


def test_lots_empty_rows_ignored_and_one_reserved(app):
    lots = [{"title": "A", "is_reserved": False}, {"title": "", "is_reserved": True}]
    assert "lots" in validate_need_data(data("reserved_contract", lots=lots), DOMAINS, NOW)
    lots[0]["is_reserved"] = True
    assert validate_need_data(data("reserved_contract", lots=lots), DOMAINS, NOW) == {}


def test_recognised_only_needs_res_ws(app):
    errors = validate_need_data(
        data("reserved_contract", reservation="res-pub-ser", is_recognised_only=True), DOMAINS, NOW
    )
    assert "is_recognised_only" in errors


def test_who_may_publish(app):
    firm = SimpleNamespace(kind="onderneming", is_verified=True)
    assert may_publish_need(firm, "outsourcing") is None
    assert "overheden" in may_publish_need(firm, "reserved_contract")
    assert may_publish_need(SimpleNamespace(kind="overheid", is_verified=True), "reserved_contract") is None
    assert "geverifieerd" in may_publish_need(SimpleNamespace(kind="onderneming", is_verified=False), "enclave")


@pytest.mark.parametrize(
    ("state", "target", "allowed"),
    [
        ("draft", "open", True),
        ("draft", "awarded", False),
        ("open", "awarded", True),
        ("open", "in_discussion", True),
        ("in_discussion", "closed", True),
        ("cancelled", "open", False),
        ("closed", "open", False),
        ("open", "cancelled", True),
        ("awarded", "cancelled", False),
    ],
)
def test_need_transitions(app, state, target, allowed):
    assert (need_transition_error(SimpleNamespace(state=state), target) is None) is allowed


def test_cancelled_cannot_reopen_says_why(app):
    assert "geannuleerde" in need_transition_error(SimpleNamespace(state="cancelled"), "open")


def test_deadline_closes_reserved_contract():
    need = SimpleNamespace(kind="reserved_contract", state="open", deadline_at=NOW)
    assert accepts_responses(need, NOW - timedelta(minutes=1))
    assert not accepts_responses(need, NOW)
    assert display_state(need, NOW + timedelta(days=1)) == "closed"
    assert display_state(need, NOW - timedelta(days=1)) == "open"
    outsourcing = SimpleNamespace(kind="outsourcing", state="open", deadline_at=None)
    assert accepts_responses(outsourcing, NOW)
    assert not accepts_responses(SimpleNamespace(kind="outsourcing", state="draft", deadline_at=None), NOW)


def supplier(**fields):
    base = dict(
        kind="maatwerkbedrijf",
        is_social_economy=True,
        is_verified=True,
        is_recognised_maatwerk=False,
        is_eligible_reserved=False,
        is_eligible_declared=False,
    )
    base.update(fields)
    return SimpleNamespace(**base)


def test_eligibility(app):
    contract = SimpleNamespace(kind="reserved_contract", is_recognised_only=False)
    narrowed = SimpleNamespace(kind="reserved_contract", is_recognised_only=True)
    eligible = supplier(is_eligible_reserved=True, is_eligible_declared=True)
    recognised = supplier(is_recognised_maatwerk=True, is_eligible_reserved=True)
    assert eligibility_for(contract, eligible)[0]
    assert not eligibility_for(narrowed, eligible)[0]
    assert "erkend" in eligibility_for(narrowed, eligible)[1]
    assert eligibility_for(narrowed, recognised)[0]
    declared = supplier(is_eligible_declared=True)
    ok, reason = eligibility_for(contract, declared)
    assert not ok and "bevestigd" in reason
    assert not eligibility_for(contract, supplier(kind="onderneming", is_social_economy=False))[0]
    assert not eligibility_for(contract, supplier(is_verified=False, is_recognised_maatwerk=True))[0]
    assert eligibility_for(SimpleNamespace(kind="outsourcing"), supplier())[0]
