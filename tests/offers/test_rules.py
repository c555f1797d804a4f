from types import SimpleNamespace

import pytest

from marketplace.offers.rules import may_publish_offer, offer_transition_error, validate_offer_data
from marketplace.offers.validation import FieldError, normalise_cpv, parse_deadline, parse_decimal

DOMAINS = {"groenonderhoud", "schoonmaak"}


def valid(**overrides):
    data = {"title": "Groen", "domains": ["groenonderhoud"], "regions": ["VAN", "Limburg"], "capacity_fte": "3,5"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("code", ["90911200-8", "90911200", "77310000-6", "45000000-7", "03000000-1", "72413000-8"])
def test_cpv_accepts_valid_codes_with_and_without_check_digit(app, code):
    assert normalise_cpv(code)[:8] == code[:8]
    assert len(normalise_cpv(code)) == 10


def test_cpv_adds_the_check_digit(app):
    assert normalise_cpv("90911200") == "90911200-8"


def test_cpv_wrong_check_digit_is_named(app):
    with pytest.raises(FieldError, match="controlecijfer.*90911200-3.*8"):
        normalise_cpv("90911200-3")


@pytest.mark.parametrize("code", ["9091120", "90911200-", "abcdefgh", "9091120٧", "90911200-88"])
def test_cpv_malformed(app, code):
    with pytest.raises(FieldError, match="ongeldig"):
        normalise_cpv(code)


def test_valid_offer_has_no_errors(app):
    assert validate_offer_data(valid(), DOMAINS) == {}


def test_offer_errors_name_each_field(app):
    errors = validate_offer_data(
        {
            "title": "",
            "domains": ["ruimtevaart"],
            "regions": ["Gelderland"],
            "capacity_fte": "veel",
            "cpv_codes": "90911200-3",
            "has_enclave": True,
        },
        DOMAINS,
    )
    assert set(errors) == {"title", "domains", "regions", "capacity_fte", "cpv_codes", "enclave_max_team"}
    assert "titel" in errors["title"]
    assert "ruimtevaart" in errors["domains"]


def test_offer_needs_a_region_and_a_domain(app):
    errors = validate_offer_data({"title": "x"}, DOMAINS)
    assert set(errors) == {"regions", "domains"}


def test_belgian_numbers():
    assert str(parse_decimal("1.234,50", label="x")) == "1234.50"
    assert str(parse_decimal("1234.5", label="x")) == "1234.5"


def test_deadline_text_is_brussels_time():
    # 28/11/2026 12:00 in Brussels (CET, UTC+1) is 11:00 UTC.
    assert parse_deadline("2026-11-28T12:00", label="x").hour == 11
    assert parse_deadline("2026-07-01T12:00", label="x").hour == 10  # summer time


def org(**fields):
    base = {"kind": "maatwerkbedrijf", "verification_state": "verified"}
    base.update(fields)
    kind, state = base["kind"], base["verification_state"]
    return SimpleNamespace(
        kind=kind, is_social_economy=kind in ("maatwerkbedrijf", "sociale_onderneming"), is_verified=state == "verified"
    )


def test_only_verified_social_economy_publishes(app):
    assert may_publish_offer(org()) is None
    assert may_publish_offer(org(kind="sociale_onderneming")) is None
    assert "maatwerkbedrijven" in may_publish_offer(org(kind="onderneming"))
    assert "geverifieerd" in may_publish_offer(org(verification_state="pending"))


@pytest.mark.parametrize(
    ("state", "target", "allowed"),
    [
        ("draft", "published", True),
        ("published", "archived", True),
        ("archived", "published", True),
        ("published", "published", False),
        ("archived", "draft", False),
        ("draft", "archived", True),
    ],
)
def test_offer_transitions(app, state, target, allowed):
    assert (offer_transition_error(SimpleNamespace(state=state), target) is None) is allowed
