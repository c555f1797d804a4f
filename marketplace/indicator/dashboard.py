"""What the indicator pages show: tables, breakdowns and bar-chart geometry, from the published rows.

Charts are drawn by the template as SVG from the numbers made here (no JavaScript, no inline style).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from marketplace.events.models import COLLABORATION_TYPES
from marketplace.indicator.definitions import DIMENSIONS, FIGURES, HEADLINE, HEADLINE_DIMENSIONS, SIDE_FIGURES
from marketplace.indicator.queries import Row, figure_rows
from marketplace.indicator.services import published_rows
from marketplace.orgs.geography import PROVINCES
from marketplace.orgs.models import SIZE_CLASSES
from marketplace.orgs.nace import SECTIONS

UNKNOWN = _l("Onbekend")
VALUE_LABELS = {
    "province": PROVINCES,
    "nace_section": SECTIONS,
    "size_class": SIZE_CLASSES,
    "collaboration_type": COLLABORATION_TYPES,
}
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 640, 220, 20, 40


@dataclass
class Value:
    """One shown number: None when there is none, `suppressed` when it may not be shown."""

    value: Decimal | None
    suppressed: bool = False
    share: Decimal | None = None


@dataclass
class Breakdown:
    dimension: str
    label: str
    rows: list[tuple[str, str, list[Value]]] = field(default_factory=list)  # value code, label, per quarter
    as_share: bool = False


def value_label(dimension: str, value: str) -> str:
    if not value:
        return str(UNKNOWN)
    labels = VALUE_LABELS.get(dimension, {})
    label = labels.get(value)
    if dimension == "nace_section" and label:
        return f"{value} – {label}"
    return str(label) if label else value


def chart(quarters: list[str], values: list[Value]) -> dict:
    """Bar geometry for one series; suppressed and empty bars have height 0 and say so in their label."""
    numbers = [v.value for v in values if v.value is not None and not v.suppressed]
    top = max(numbers, default=Decimal(0)) or Decimal(1)
    slot = (CHART_WIDTH - 20) / max(len(quarters), 1)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, (quarter, value) in enumerate(zip(quarters, values, strict=True)):
        shown = value.value if value.value is not None and not value.suppressed else Decimal(0)
        height = round(float(shown / top) * plot, 1)
        bars.append(
            {
                "quarter": quarter,
                "x": round(10 + index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(CHART_TOP + plot - height, 1),
                "height": height,
                "label_x": round(10 + index * slot + slot / 2, 1),
                "value": value,
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "baseline": CHART_HEIGHT - CHART_BOTTOM, "bars": bars}


def build(quarters: list[str], min_orgs: int, suppress: bool) -> dict:
    """Everything the dashboard and the published page show for these quarters."""
    rows = published_rows(quarters, min_orgs) if suppress else figure_rows(quarters, min_orgs, suppress=False)
    by_key: dict[tuple[str, str, str, str], Row] = {r.key: r for r in rows}

    def value(figure: str, quarter: str, dimension: str = "total", code: str = "") -> Value:
        row = by_key.get((figure, quarter, dimension, code))
        if row is None:
            return Value(Decimal(0) if not FIGURES[figure].derived else None)
        return Value(row.value, row.suppressed)

    headline = [value(HEADLINE, q) for q in quarters]
    buyers = [value("distinct_buyers", q) for q in quarters]
    side = [(FIGURES[code], [value(code, q) for q in quarters]) for code in SIDE_FIGURES]
    breakdowns = []
    for dimension in HEADLINE_DIMENSIONS[1:]:
        order = list(VALUE_LABELS.get(dimension, {}))
        codes = sorted(
            {r.dimension_value for r in rows if r.figure == HEADLINE and r.dimension == dimension},
            key=lambda c: (c not in order, order.index(c) if c in order else 0, c),
        )
        breakdown = Breakdown(dimension, str(DIMENSIONS[dimension]), as_share=dimension == "nace_section")
        for code in codes:
            cells = [value(HEADLINE, q, dimension, code) for q in quarters]
            if breakdown.as_share:
                for cell, total in zip(cells, headline, strict=True):
                    if cell.value is not None and not cell.suppressed and total.value and not total.suppressed:
                        cell.share = (cell.value * 100 / total.value).quantize(Decimal("0.1"))
            breakdown.rows.append((code, value_label(dimension, code), cells))
        breakdowns.append(breakdown)
    return {
        "quarters": quarters,
        "headline": headline,
        "buyers": buyers,
        "headline_chart": chart(quarters, headline),
        "buyers_chart": chart(quarters, buyers),
        "value_chart": chart(quarters, [value("agreed_value_eur", q) for q in quarters]),
        "side": side,
        "breakdowns": breakdowns,
        "any_suppressed": any(r.suppressed for r in rows),
        "revisions": {r.quarter: r.revision for r in rows if r.revision},
    }
