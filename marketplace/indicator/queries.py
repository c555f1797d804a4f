"""Reading the indicator: cells for a period, derived figures, small-cell suppression, published rows.

Everything here reads the counter tables only, so its cost depends on the number of cells and
organisations, not on the number of events.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.indicator.compute import CellKey, brussels_quarter, quarter_from_index, quarter_index
from marketplace.indicator.definitions import FIGURES, HEADLINE
from marketplace.indicator.models import IndicatorCell

EXPORT_COLUMNS = ("quarter", "figure", "dimension", "dimension_value", "value", "unit", "suppressed", "revision")
SCHEMA_VERSION = "1"
PRECISION = {100: Decimal("0.01"), 10: Decimal("0.1"), 1: Decimal("1")}


@dataclass
class Cell:
    total: int = 0
    orgs: dict[str, int] = field(default_factory=dict)  # role -> distinct organisations

    def distinct(self, role: str) -> int:
        return self.orgs.get(role, 0)


@dataclass
class Row:
    quarter: str
    figure: str
    dimension: str
    dimension_value: str
    value: Decimal | None
    suppressed: bool = False
    # 0 while the quarter is open (figures may still change), else the snapshot revision shown.
    revision: int = 0

    @property
    def key(self) -> CellKey:
        return (self.figure, self.quarter, self.dimension, self.dimension_value)

    @property
    def sort_key(self):
        order = list(FIGURES).index(self.figure) if self.figure in FIGURES else len(FIGURES)
        return (self.quarter, order, self.dimension != "total", self.dimension, self.dimension_value)


def current_quarter() -> str:
    return brussels_quarter(utcnow())


def last_quarters(count: int, until: str | None = None) -> list[str]:
    last = quarter_index(until or current_quarter())
    return [quarter_from_index(i) for i in range(last - count + 1, last + 1)]


def quarter_bounds() -> tuple[str | None, str | None]:
    """The first and last quarter that hold any counter."""
    first, last = db.session.execute(select(func.min(IndicatorCell.quarter), func.max(IndicatorCell.quarter))).one()
    return first, last


def load_cells(quarters: list[str]) -> dict[CellKey, Cell]:
    """The stored cells of these quarters, with their distinct organisations per role."""
    rows = db.session.scalars(select(IndicatorCell).where(IndicatorCell.quarter.in_(quarters)))
    return {
        (row.figure, row.quarter, row.dimension, row.value): Cell(row.total, {"b": row.buyers, "s": row.suppliers})
        for row in rows
    }


def _rests_on_too_few(cell: Cell | None, roles: tuple[str, ...], min_orgs: int) -> bool:
    """A cell rests on too few organisations when a side it involves has some, but fewer than the minimum."""
    if cell is None:
        return False
    return any(0 < cell.distinct(role) < min_orgs for role in roles)


def median_from_histogram(counts: dict[int, int]) -> Decimal | None:
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted(counts.items())

    def nth(n: int) -> int:
        seen = 0
        for days, count in ordered:
            seen += count
            if seen > n:
                return days
        return ordered[-1][0]

    if total % 2:
        return Decimal(nth(total // 2))
    return (Decimal(nth(total // 2 - 1)) + Decimal(nth(total // 2))) / 2


def _value(total: int, scale: int) -> Decimal:
    return (Decimal(total) / scale).quantize(PRECISION[scale])


def figure_rows(quarters: list[str], min_orgs: int, suppress: bool = True, cells=None) -> list[Row]:
    """The published figures of these quarters, one row per quarter × figure × dimension × value."""
    cells = load_cells(quarters) if cells is None else cells
    wanted = set(quarters)
    rows: list[Row] = []
    primary: set[CellKey] = set()
    for key, cell in sorted(cells.items()):
        figure, quarter, dimension, value = key
        definition = FIGURES.get(figure)
        if definition is None or not definition.published or definition.derived or quarter not in wanted:
            continue
        rows.append(Row(quarter, figure, dimension, value, _value(cell.total, definition.scale)))
        if _rests_on_too_few(cell, definition.roles, min_orgs):
            primary.add(key)
    suppressed = _with_secondary(rows, primary) if suppress else set()
    for row in rows:
        row.suppressed = row.key in suppressed
    rows.extend(_derived_rows(quarters, cells, min_orgs, suppressed, suppress))
    for row in rows:
        if row.suppressed:
            row.value = None
    rows.sort(key=lambda r: r.sort_key)
    return rows


# A breakdown with a hidden cell hides at least this many: one hidden cell beside a single other
# would follow from the total as soon as that other is known elsewhere (an award in the OCDS data).
MIN_HIDDEN_IN_GROUP = 3


def _with_secondary(rows: list[Row], primary: set[CellKey]) -> set[CellKey]:
    """Primary suppression plus enough other cells that no suppressed one follows from the total,
    even when one of the other hidden cells is published elsewhere."""
    suppressed = set(primary)
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    totals: dict[tuple[str, str], Row] = {}
    for row in rows:
        if row.dimension == "total":
            totals[(row.figure, row.quarter)] = row
        else:
            groups[(row.figure, row.quarter, row.dimension)].append(row)
    for (figure, quarter, _dimension), members in groups.items():
        total = totals.get((figure, quarter))
        if total is not None and total.key in suppressed:
            suppressed.update(r.key for r in members)
            continue
        hidden = [r for r in members if r.key in suppressed]
        if not hidden:
            continue
        visible = sorted((r for r in members if r.key not in suppressed), key=lambda r: (r.value, r.dimension_value))
        # Hide the smallest others: they cost the reader least.
        suppressed.update(r.key for r in visible[: max(0, MIN_HIDDEN_IN_GROUP - len(hidden))])
        if len(hidden) == 1 and not visible and total is not None:
            # A breakdown of one cell: the total is that cell.
            suppressed.add(total.key)
    return suppressed


def _derived_rows(quarters, cells, min_orgs: int, suppressed: set[CellKey], suppress: bool) -> list[Row]:
    rows = []
    for (figure, quarter, dimension, value), cell in cells.items():
        if figure == HEADLINE and quarter in quarters:
            hidden = (HEADLINE, quarter, dimension, value) in suppressed
            rows.append(Row(quarter, "distinct_buyers", dimension, value, Decimal(cell.distinct("b")), hidden))
    for quarter in quarters:
        active = cells.get(("public_buyers_active", quarter, "total", ""))
        reserved = cells.get(("public_buyers_reserved", quarter, "total", ""))
        if active is not None and active.distinct("b"):
            share = Decimal(100 * (reserved.distinct("b") if reserved else 0)) / active.distinct("b")
            hidden = suppress and (
                _rests_on_too_few(active, ("b",), min_orgs) or _rests_on_too_few(reserved, ("b",), min_orgs)
            )
            rows.append(
                Row(
                    quarter,
                    "public_buyers_reserved_share",
                    "total",
                    "",
                    share.quantize(Decimal("0.1"), ROUND_HALF_UP),
                    hidden,
                )
            )
        histogram = {
            int(value): cell.total
            for (figure, q, dimension, value), cell in cells.items()
            if figure == "first_answer_days" and q == quarter and dimension == "days" and cell.total > 0
        }
        median = median_from_histogram(histogram)
        if median is not None:
            spread = cells.get(("first_answer_days", quarter, "all", ""))
            hidden = suppress and _rests_on_too_few(spread, ("b", "s"), min_orgs)
            rows.append(Row(quarter, "median_days_first_answer", "total", "", median.quantize(Decimal("0.1")), hidden))
    return rows


def export_records(rows: list[Row]) -> list[dict]:
    """Rows in the documented download schema (EXPORT_COLUMNS); values as plain decimal strings."""
    return [
        {
            "quarter": row.quarter,
            "figure": row.figure,
            "dimension": row.dimension,
            "dimension_value": row.dimension_value,
            "value": "" if row.value is None else str(row.value),
            "unit": _unit_code(row.figure),
            "suppressed": row.suppressed,
            "revision": row.revision,
        }
        for row in rows
    ]


def _unit_code(figure: str) -> str:
    """A stable, untranslated unit code for downloads."""
    return {
        "agreed_value_eur": "EUR",
        "agreed_fte": "FTE",
        "public_buyers_reserved_share": "percent",
        "median_days_first_answer": "days",
        "distinct_buyers": "organisations",
    }.get(figure, "count")


def export_quarters() -> list[str]:
    """Every quarter with data, for the downloads."""
    first, last = quarter_bounds()
    if first is None:
        return []
    return [quarter_from_index(i) for i in range(quarter_index(first), quarter_index(last) + 1)]
