"""Closing a quarter: freezing its published figures as a snapshot, and labelled revisions after it."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.indicator.compute import QUARTER_RE, quarter_index
from marketplace.indicator.definitions import METHOD_VERSION
from marketplace.indicator.models import IndicatorSnapshot
from marketplace.indicator.queries import Row, current_quarter, export_records, figure_rows
from marketplace.orgs.nace import NACE_VERSION


class SnapshotError(ValueError):
    """The quarter cannot be closed (with a message for the user)."""


@dataclass
class CloseResult:
    snapshot: IndicatorSnapshot
    is_new: bool


def latest_snapshots(quarters: list[str]) -> dict[str, IndicatorSnapshot]:
    """The latest revision of each of these quarters that has been closed."""
    latest = (
        select(IndicatorSnapshot.quarter, func.max(IndicatorSnapshot.revision).label("revision"))
        .where(IndicatorSnapshot.quarter.in_(quarters))
        .group_by(IndicatorSnapshot.quarter)
        .subquery()
    )
    snapshots = db.session.scalars(
        select(IndicatorSnapshot).join(
            latest,
            (IndicatorSnapshot.quarter == latest.c.quarter) & (IndicatorSnapshot.revision == latest.c.revision),
        )
    )
    return {s.quarter: s for s in snapshots}


def close_quarter(quarter: str, min_orgs: int) -> CloseResult:
    """Freeze a past quarter's published figures; a new revision only when they changed since. Commits."""
    if not QUARTER_RE.match(quarter or ""):
        raise SnapshotError(_("Geef het kwartaal als JJJJQn, bijvoorbeeld 2026Q1."))
    if quarter_index(quarter) >= quarter_index(current_quarter()):
        raise SnapshotError(_("Een kwartaal kan pas worden afgesloten als het voorbij is."))
    records = export_records(figure_rows([quarter], min_orgs, suppress=True))
    previous = latest_snapshots([quarter]).get(quarter)
    if previous is not None and previous.rows == records and previous.method_version == METHOD_VERSION:
        return CloseResult(previous, is_new=False)
    snapshot = IndicatorSnapshot(
        quarter=quarter,
        revision=(previous.revision + 1) if previous else 1,
        method_version=METHOD_VERSION,
        nace_version=NACE_VERSION,
        min_orgs=min_orgs,
        rows=records,
    )
    db.session.add(snapshot)
    db.session.commit()
    return CloseResult(snapshot, is_new=True)


def published_rows(quarters: list[str], min_orgs: int) -> list[Row]:
    """What the public sees: the frozen snapshot for closed quarters, live suppressed figures for the others."""
    snapshots = latest_snapshots(quarters)
    open_quarters = [q for q in quarters if q not in snapshots]
    rows = figure_rows(open_quarters, min_orgs, suppress=True) if open_quarters else []
    for quarter, snapshot in snapshots.items():
        for record in snapshot.rows:
            rows.append(
                Row(
                    quarter,
                    record["figure"],
                    record["dimension"],
                    record["dimension_value"],
                    Decimal(record["value"]) if record["value"] != "" else None,
                    record["suppressed"],
                    revision=snapshot.revision,
                )
            )
    rows.sort(key=lambda r: r.sort_key)
    return rows
