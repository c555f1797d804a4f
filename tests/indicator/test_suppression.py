"""Secondary suppression: a hidden cell never follows from its total and the cells left visible."""

from decimal import Decimal

from marketplace.indicator.queries import MIN_HIDDEN_IN_GROUP, Row, _with_secondary


def _breakdown(values: dict[str, int]) -> list[Row]:
    rows = [Row("2026Q1", "agreed_value_eur", "total", "", Decimal(sum(values.values())))]
    rows += [Row("2026Q1", "agreed_value_eur", "province", code, Decimal(v)) for code, v in values.items()]
    return rows


def _hidden(rows, primary_codes) -> set[str]:
    primary = {("agreed_value_eur", "2026Q1", "province", code) for code in primary_codes}
    return {key[3] for key in _with_secondary(rows, primary)}


def test_one_hidden_cell_takes_the_smallest_others_with_it():
    rows = _breakdown({"VAN": 137_959, "VLI": 93_571, "VBR": 75_319, "VOV": 210_000, "VWV": 180_000})
    hidden = _hidden(rows, ["VLI"])
    assert hidden == {"VLI", "VBR", "VAN"}
    assert len(hidden) == MIN_HIDDEN_IN_GROUP
    # Knowing one of the others from elsewhere (an award published as OCDS) still leaves a sum of two.
    assert "" not in hidden


def test_a_cell_known_elsewhere_does_not_reveal_the_hidden_one():
    """The case the analyst-isolation crawl found: total 306,849, VAN shown, VBR known from the OCDS award."""
    rows = _breakdown({"VAN": 137_959, "VLI": 93_571, "VBR": 75_319})
    hidden = _hidden(rows, ["VLI"])
    assert hidden == {"VLI", "VBR", "VAN"}


def test_a_breakdown_without_hidden_cells_shows_everything():
    assert _hidden(_breakdown({"VAN": 10, "VLI": 20, "VBR": 30}), []) == set()


def test_a_breakdown_of_one_cell_hides_the_total_too():
    assert _hidden(_breakdown({"VLI": 10}), ["VLI"]) == {"VLI", ""}
