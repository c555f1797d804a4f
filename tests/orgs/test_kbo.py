"""Enterprise numbers: the accepted spellings, the check digit, and only ASCII digits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.orgs.kbo import InvalidKbo, format_kbo, normalise_kbo
from marketplace.orgs.rules import kbo_problem


@pytest.mark.parametrize(
    "raw", ["0403.019.261", "0403019261", "BE0403019261", "be 0403 019 261", "403019261", "403.019.261"]
)
def test_accepted_spellings(raw):
    assert normalise_kbo(raw) == "0403019261"


@pytest.mark.parametrize("raw", ["", "0403.019.262", "2403019261", "04030192", "BE04030192611", "0403O19261"])
def test_refused(raw):
    with pytest.raises(InvalidKbo):
        normalise_kbo(raw)


def test_check_digit_has_its_own_message(app):
    assert "controlegetal" in kbo_problem("0403.019.262")
    assert "10 cijfers" in kbo_problem("abc")
    assert kbo_problem("BE0403019261") is None


valid_bodies = st.integers(min_value=0, max_value=19_999_999)


def _kbo(body: int) -> str:
    return f"{body:08d}{97 - body % 97:02d}"


@given(valid_bodies, st.sampled_from(["{}", "BE{}", "be{}", "{dotted}", "BE {dotted}"]))
def test_formatted_numbers_round_trip(body, template):
    kbo = _kbo(body)
    if kbo[0] not in "01":
        return
    raw = template.format(kbo, dotted=format_kbo(kbo))
    assert normalise_kbo(raw) == kbo
    assert normalise_kbo(format_kbo(normalise_kbo(raw))) == kbo


@given(st.text(min_size=1, max_size=16))
def test_never_accepts_non_ascii_digits(raw):
    try:
        result = normalise_kbo(raw)
    except InvalidKbo:
        return
    assert result.isascii() and result.isdigit() and len(result) == 10
    assert all(c.isascii() for c in raw if c.isdigit())


@given(
    valid_bodies, st.integers(min_value=0, max_value=9), st.sampled_from("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９𝟎𝟏")
)
def test_a_foreign_digit_anywhere_is_refused(body, position, foreign):
    kbo = _kbo(body)
    raw = kbo[:position] + foreign + kbo[position + 1 :]
    with pytest.raises(InvalidKbo):
        normalise_kbo(raw)
