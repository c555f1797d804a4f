"""Keeping the counters: an event listener in the event's own transaction, a rebuild and a verify.

Counters change only by atomic `total = total + delta` upserts (INSERT ... ON CONFLICT DO UPDATE),
never by reading a value and writing it back, so that concurrent workers cannot lose increments.
"""

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.events.models import Event
from marketplace.events.services import on_event
from marketplace.extensions import db
from marketplace.indicator.compute import (
    COLLABORATION_KINDS_USED,
    NEED_KINDS_USED,
    CellKey,
    CellTally,
    Tally,
    collaboration_tally,
    event_tally,
    full_tally,
    need_tally,
)
from marketplace.indicator.models import CELL_KEY, IndicatorCell, IndicatorCellOrg

EVENT_COLUMNS = (
    Event.id,
    Event.kind,
    Event.occurred_at,
    Event.need_id,
    Event.collaboration_id,
    Event.supplier_org_id,
    Event.buyer_org_id,
    Event.supplier_kind,
    Event.buyer_kind,
    Event.buyer_province,
    Event.buyer_nace_section,
    Event.buyer_size_class,
    Event.need_kind,
    Event.collaboration_type,
    Event.value_eur,
    Event.fte,
    Event.workers,
    Event.detail,
)


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"the indicator counters support SQLite and PostgreSQL, not {dialect}")


ROLE_COLUMNS = {"b": "buyers", "s": "suppliers"}
_ORG_UPSERTS: dict = {}


def _org_upsert():
    """One statement object per dialect, so SQLAlchemy compiles it once and reuses it for every row."""
    dialect = db.session.get_bind().dialect.name
    if dialect not in _ORG_UPSERTS:
        table = IndicatorCellOrg.__table__
        stmt = _insert(table)
        _ORG_UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=[*CELL_KEY, "role", "org_id"], set_={"n": table.c.n + stmt.excluded.n}
        ).returning(table.c.n)
    return _ORG_UPSERTS[dialect]


def apply_tally(tally: Tally) -> None:
    """Add a set of contributions to the stored counters (atomic upserts, in key order against deadlocks).

    Each organisation row is upserted on its own with RETURNING its new count, so that the cell's
    distinct counts move exactly when an organisation starts or stops counting there; the row lock
    taken by the upsert makes that safe between concurrent transactions.
    """
    # Core statements on the session's connection: the ORM's bulk-insert path costs ten times more here.
    connection = db.session.connection()
    org_stmt = _org_upsert()
    cell_rows = []
    for key in sorted(tally.cells):
        cell = tally.cells[key]
        figure, quarter, dimension, value = key
        base = {"figure": figure, "quarter": quarter, "dimension": dimension, "value": value}
        distinct = {"buyers": 0, "suppliers": 0}
        for (role, org_id), delta in sorted(cell.orgs.items()):
            if not delta:
                continue
            params = {**base, "role": role, "org_id": org_id, "n": delta}
            after = connection.execute(org_stmt, params).scalar_one()
            before = after - delta
            if before <= 0 < after:
                distinct[ROLE_COLUMNS[role]] += 1
            elif after <= 0 < before:
                distinct[ROLE_COLUMNS[role]] -= 1
        if cell.total or any(distinct.values()):
            cell_rows.append({**base, "total": cell.total, **distinct})
    if cell_rows:
        table = IndicatorCell.__table__
        stmt = _insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(CELL_KEY),
            set_={
                "total": table.c.total + stmt.excluded.total,
                "buyers": table.c.buyers + stmt.excluded.buyers,
                "suppliers": table.c.suppliers + stmt.excluded.suppliers,
            },
        )
        connection.execute(stmt, cell_rows)


def _events_of(column, value) -> list:
    return list(db.session.execute(select(*EVENT_COLUMNS).where(column == value).order_by(Event.id)))


def _one_at_a_time(table: str, row_id: int) -> None:
    """Lock the need's (or collaboration's) row until this transaction ends.

    A need's contribution is worked out from all its events, so two transactions adding events to
    the same need must not interleave: each would read the need's events without the other's
    uncommitted one and both would count, say, the need's first answer (PostgreSQL, READ COMMITTED).
    The second now waits for the first to commit, and its read then sees the first's event.
    `key_share=True` renders FOR NO KEY UPDATE: each event's foreign key already holds a KEY SHARE
    lock on the row, which a plain FOR UPDATE would wait for (two such transactions deadlocked).
    On SQLite (BEGIN IMMEDIATE) one writer is in at a time anyway; SQLAlchemy leaves the clause out.
    """
    rows = db.metadata.tables[table]
    db.session.execute(select(rows.c.id).where(rows.c.id == row_id).with_for_update(key_share=True))


def event_delta(event) -> Tally:
    """What one new event changes in the counters (the event is already flushed)."""
    delta = Tally()
    event_tally(event, delta)
    if event.need_id is not None and event.kind in NEED_KINDS_USED:
        _one_at_a_time("need", event.need_id)
        after = [e for e in _events_of(Event.need_id, event.need_id) if e.kind in NEED_KINDS_USED]
        need_tally(after, delta)
        need_tally([e for e in after if e.id != event.id], delta, sign=-1)
    if event.collaboration_id is not None and event.kind in COLLABORATION_KINDS_USED:
        _one_at_a_time("collaboration", event.collaboration_id)
        after = [
            e for e in _events_of(Event.collaboration_id, event.collaboration_id) if e.kind in COLLABORATION_KINDS_USED
        ]
        collaboration_tally(after, delta)
        collaboration_tally([e for e in after if e.id != event.id], delta, sign=-1)
    return delta


@on_event
def update_counters(event: Event) -> None:
    """Listener: keep the counters in step with each event, in the event's transaction."""
    apply_tally(event_delta(event))


def stored_cells() -> dict[CellKey, CellTally]:
    """The counters as stored, zero cells and zero organisation counts left out."""
    cells: dict[CellKey, CellTally] = {}
    for row in db.session.execute(select(IndicatorCell)).scalars():
        cells[(row.figure, row.quarter, row.dimension, row.value)] = CellTally(
            row.total, distinct=(row.buyers, row.suppliers)
        )
    for row in db.session.execute(select(IndicatorCellOrg).where(IndicatorCellOrg.n != 0)).scalars():
        key = (row.figure, row.quarter, row.dimension, row.value)
        cells.setdefault(key, CellTally()).orgs[(row.role, row.org_id)] = row.n
    return {key: cell for key, cell in cells.items() if not cell.is_empty()}


def computed_cells() -> dict[CellKey, CellTally]:
    """Every cell recomputed from the event log."""
    rows = db.session.execute(select(*EVENT_COLUMNS).order_by(Event.id).execution_options(yield_per=5000))
    return full_tally(rows).nonzero()


def rebuild() -> int:
    """Replace every counter by a recomputation from the log. Does not commit; returns the cell count."""
    cells = computed_cells()
    db.session.execute(delete(IndicatorCellOrg))
    db.session.execute(delete(IndicatorCell))
    cell_rows, org_rows = [], []
    for (figure, quarter, dimension, value), cell in cells.items():
        base = {"figure": figure, "quarter": quarter, "dimension": dimension, "value": value}
        cell_rows.append({**base, "total": cell.total, "buyers": cell.distinct[0], "suppliers": cell.distinct[1]})
        org_rows.extend({**base, "role": role, "org_id": org_id, "n": n} for (role, org_id), n in cell.orgs.items())
    for start in range(0, len(cell_rows), 5000):
        db.session.execute(IndicatorCell.__table__.insert(), cell_rows[start : start + 5000])
    for start in range(0, len(org_rows), 5000):
        db.session.execute(IndicatorCellOrg.__table__.insert(), org_rows[start : start + 5000])
    return len(cells)


@dataclass
class Difference:
    key: CellKey
    stored: CellTally | None
    computed: CellTally | None

    def describe(self) -> str:
        figure, quarter, dimension, value = self.key
        stored = self.stored or CellTally()
        computed = self.computed or CellTally()
        parts = [f"{figure} {quarter} {dimension}={value!r}"]
        if stored.total != computed.total:
            parts.append(f"total stored {stored.total}, computed {computed.total}")
        if stored.orgs != computed.orgs:
            parts.append(f"organisations stored {len(stored.orgs)}, computed {len(computed.orgs)}")
        if stored.distinct != computed.distinct:
            parts.append(f"distinct buyers/suppliers stored {stored.distinct}, computed {computed.distinct}")
        return ": ".join(parts[:1]) + ": " + "; ".join(parts[1:]) if len(parts) > 1 else parts[0]


def verify() -> list[Difference]:
    """Compare the stored counters with a recomputation from the log; an empty list when they agree."""
    stored, computed = stored_cells(), computed_cells()
    differences = []
    for key in sorted(set(stored) | set(computed)):
        a, b = stored.get(key), computed.get(key)
        if a is None or b is None or a.total != b.total or a.orgs != b.orgs or a.distinct != b.distinct:
            differences.append(Difference(key, a, b))
    return differences
