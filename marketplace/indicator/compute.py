"""From events to counter cells: pure functions, used both event by event and for a full rebuild.

Events are read as plain rows (anything with the Event column attributes). A figure's contribution
depends either on one event alone, on all events of one need, or on all events of one
collaboration; an incremental update therefore recomputes the need's or collaboration's
contribution with and without the new event and applies the difference (see counters.py).
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from marketplace.indicator.definitions import FIGURES, MAX_ACTIVE_QUARTERS, in_scope

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$", re.ASCII)
NEED_KINDS_USED = ("need_published", "first_answer", "agreement")
COLLABORATION_KINDS_USED = ("agreement", "collaboration_extended", "collaboration_completed", "collaboration_stopped")

CellKey = tuple[str, str, str, str]  # figure, quarter, dimension, value


@dataclass
class CellTally:
    total: int = 0
    orgs: Counter = field(default_factory=Counter)  # (role, org_id) -> multiplicity
    # Distinct (buyers, suppliers) with a positive multiplicity; None means "work it out from orgs".
    distinct: tuple[int, int] | None = None

    def __post_init__(self):
        if self.distinct is None:
            self.distinct = self.count_distinct()

    def count_distinct(self) -> tuple[int, int]:
        return (
            sum(1 for (role, _), n in self.orgs.items() if role == "b" and n > 0),
            sum(1 for (role, _), n in self.orgs.items() if role == "s" and n > 0),
        )

    def is_empty(self) -> bool:
        return self.total == 0 and not any(self.orgs.values()) and not any(self.distinct)


class Tally:
    """A set of cell contributions that can be added, subtracted and compared."""

    def __init__(self):
        self.cells: dict[CellKey, CellTally] = defaultdict(CellTally)

    def add(self, figure: str, quarter: str, event, amount: int, orgs: Iterable, sign: int = 1, values=None):
        """Add to every breakdown cell of `figure` that the event falls in."""
        for dimension in FIGURES[figure].dimensions:
            value = values[dimension] if values and dimension in values else dimension_value(event, dimension)
            cell = self.cells[(figure, quarter, dimension, value)]
            cell.total += sign * amount
            for role, org_id in orgs:
                if org_id is not None:
                    cell.orgs[(role, org_id)] += sign

    def merge(self, other: "Tally", sign: int = 1) -> None:
        for key, cell in other.cells.items():
            mine = self.cells[key]
            mine.total += sign * cell.total
            for org, n in cell.orgs.items():
                mine.orgs[org] += sign * n

    def nonzero(self) -> dict[CellKey, CellTally]:
        """The cells with a non-zero total or organisation count (zero counts dropped)."""
        result = {}
        for key, cell in self.cells.items():
            orgs = Counter({org: n for org, n in cell.orgs.items() if n != 0})
            if cell.total != 0 or orgs:
                result[key] = CellTally(cell.total, orgs)
        return result


def dimension_value(event, dimension: str) -> str:
    if dimension in ("total", "all"):
        return ""
    if dimension == "province":
        return event.buyer_province or ""
    if dimension == "nace_section":
        return event.buyer_nace_section or ""
    if dimension == "size_class":
        return event.buyer_size_class or ""
    if dimension == "collaboration_type":
        return event.collaboration_type or ""
    raise ValueError(f"dimension {dimension!r} needs an explicit value")


def brussels(moment: datetime) -> datetime:
    """A naive UTC moment (as stored) in Brussels time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BRUSSELS)


def quarter_of_date(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def brussels_quarter(moment: datetime) -> str:
    return quarter_of_date(brussels(moment))


def quarter_index(quarter: str) -> int:
    match = QUARTER_RE.match(quarter)
    if not match:
        raise ValueError(f"not a quarter: {quarter!r}")
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


def quarter_from_index(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def quarters_between(first: str, last: str) -> list[str]:
    return [quarter_from_index(i) for i in range(quarter_index(first), quarter_index(last) + 1)]


def scaled(amount, scale: int) -> int:
    """A euro or VTE amount as an integer in the figure's scale (cents, tenths)."""
    return int((Decimal(str(amount)) * scale).to_integral_value(rounding=ROUND_HALF_UP))


def parse_detail(detail: str) -> dict[str, date]:
    """The dates in 'start=YYYY-MM-DD;end=YYYY-MM-DD' (unknown keys and bad dates are ignored)."""
    dates = {}
    for part in (detail or "").split(";"):
        key, _, raw = part.partition("=")
        key = key.strip()
        if key in ("start", "end"):
            try:
                dates[key] = date.fromisoformat(raw.strip())
            except ValueError:
                continue
    return dates


def active_quarters(events: list) -> list[str]:
    """The quarters a collaboration was active in, from its events in id order (rules in definitions.py)."""
    agreement = next((e for e in events if e.kind == "agreement"), None)
    if agreement is None:
        return []
    dates = parse_detail(agreement.detail)
    start = dates.get("start") or brussels(agreement.occurred_at).date()
    end = dates.get("end")
    closed = False
    for event in events:
        if event.id <= agreement.id or closed:
            continue
        if event.kind == "collaboration_extended":
            end = parse_detail(event.detail).get("end", end)
        elif event.kind in ("collaboration_completed", "collaboration_stopped"):
            end = parse_detail(event.detail).get("end") or brussels(event.occurred_at).date()
            closed = True
    if end is None or end < start:
        end = start
    first = quarter_index(quarter_of_date(start))
    last = min(quarter_index(quarter_of_date(end)), first + MAX_ACTIVE_QUARTERS - 1)
    return [quarter_from_index(i) for i in range(first, last + 1)]


def _parties(event) -> list[tuple[str, int | None]]:
    return [("b", event.buyer_org_id), ("s", event.supplier_org_id)]


def event_tally(event, tally: Tally, sign: int = 1) -> None:
    """Figures that one event makes on its own."""
    quarter = brussels_quarter(event.occurred_at)
    scoped = in_scope(event.supplier_kind, event.buyer_kind)
    if event.kind == "agreement" and scoped:
        if event.value_eur is not None:
            tally.add("agreed_value_eur", quarter, event, scaled(event.value_eur, 100), _parties(event), sign)
        if event.fte is not None:
            tally.add("agreed_fte", quarter, event, scaled(event.fte, 10), _parties(event), sign)
    elif event.kind == "enclave_started" and scoped:
        tally.add("enclaves_started", quarter, event, 1, _parties(event), sign)
        tally.add("enclave_workers", quarter, event, event.workers or 0, _parties(event), sign)
    elif event.kind == "award" and event.need_kind == "reserved_contract":
        tally.add("reserved_awarded", quarter, event, 1, _parties(event), sign)


def need_tally(events: list, tally: Tally, sign: int = 1) -> None:
    """The funnel and the reserved-contract figures of one need, from its events in id order."""
    published = next((e for e in events if e.kind == "need_published"), None)
    if published is None:
        return
    quarter = brussels_quarter(published.occurred_at)
    buyer = [("b", published.buyer_org_id)]
    tally.add("needs_published", quarter, published, 1, buyer, sign)
    is_reserved = published.need_kind == "reserved_contract"
    if is_reserved:
        tally.add("reserved_published", quarter, published, 1, buyer, sign)
    if published.buyer_kind == "overheid":
        tally.add("public_buyers_active", quarter, published, 1, buyer, sign)
        if is_reserved:
            tally.add("public_buyers_reserved", quarter, published, 1, buyer, sign)
    answer = next((e for e in events if e.kind == "first_answer"), None)
    if answer is not None:
        tally.add("needs_answered", quarter, published, 1, buyer, sign)
        days = max(0, (answer.occurred_at - published.occurred_at) // timedelta(days=1))
        tally.add(
            "first_answer_days",
            brussels_quarter(answer.occurred_at),
            published,
            1,
            buyer + [("s", answer.supplier_org_id)],
            sign,
            values={"days": str(days)},
        )
    if any(e.kind == "agreement" for e in events):
        tally.add("needs_agreed", quarter, published, 1, buyer, sign)


def collaboration_tally(events: list, tally: Tally, sign: int = 1) -> None:
    """The headline: one per active quarter of a collaboration in scope."""
    agreement = next((e for e in events if e.kind == "agreement"), None)
    if agreement is None or not in_scope(agreement.supplier_kind, agreement.buyer_kind):
        return
    for quarter in active_quarters(events):
        tally.add("active_collaborations", quarter, agreement, 1, _parties(agreement), sign)


def full_tally(events: Iterable) -> Tally:
    """Every cell, from the whole log (events in id order)."""
    tally = Tally()
    by_need: dict[int, list] = defaultdict(list)
    by_collaboration: dict[int, list] = defaultdict(list)
    for event in events:
        event_tally(event, tally)
        if event.need_id is not None and event.kind in NEED_KINDS_USED:
            by_need[event.need_id].append(event)
        if event.collaboration_id is not None and event.kind in COLLABORATION_KINDS_USED:
            by_collaboration[event.collaboration_id].append(event)
    for need_events in by_need.values():
        need_tally(need_events, tally)
    for collaboration_events in by_collaboration.values():
        collaboration_tally(collaboration_events, tally)
    return tally
