"""Counters of the collaboration indicator: aggregates of the event log, never edited by hand.

A cell is (figure, quarter, dimension, dimension value). Its `total` is an integer in the figure's
scale (see definitions.Figure.scale). The organisations behind a cell are kept with a multiplicity,
so that distinct counts stay right when a contribution is taken back (a collaboration stopped early).
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import utcnow
from marketplace.extensions import db

CELL_KEY = ("figure", "quarter", "dimension", "value")


class IndicatorCell(db.Model):
    __tablename__ = "indicator_cell"
    __table_args__ = (UniqueConstraint(*CELL_KEY, name="uq_indicator_cell_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    figure: Mapped[str] = mapped_column(String(40))
    quarter: Mapped[str] = mapped_column(String(6))
    dimension: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(40))
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    # Distinct buyers and suppliers behind the cell (organisations with n > 0 in indicator_cell_org),
    # kept alongside so that reading a cell never has to count organisations.
    buyers: Mapped[int] = mapped_column(default=0)
    suppliers: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<IndicatorCell {self.figure} {self.quarter} {self.dimension}={self.value!r}: {self.total}>"


class IndicatorCellOrg(db.Model):
    """An organisation behind a cell, as buyer ("b") or supplier ("s"), with how often it counts there."""

    __tablename__ = "indicator_cell_org"
    __table_args__ = (
        UniqueConstraint(*CELL_KEY, "role", "org_id", name="uq_indicator_cell_org_key"),
        Index("ix_indicator_cell_org_quarter", "quarter", "figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    figure: Mapped[str] = mapped_column(String(40))
    quarter: Mapped[str] = mapped_column(String(6))
    dimension: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(1))
    org_id: Mapped[int]
    n: Mapped[int] = mapped_column(default=0)


class IndicatorSnapshot(db.Model):
    """The published figures of a closed quarter, frozen; a correction is a new revision, never an edit."""

    __tablename__ = "indicator_snapshot"
    __table_args__ = (UniqueConstraint("quarter", "revision", name="uq_indicator_snapshot_quarter_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    revision: Mapped[int]
    method_version: Mapped[str] = mapped_column(String(20))
    nace_version: Mapped[str] = mapped_column(String(40))
    min_orgs: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Export records (see exports.py) of this quarter, as published.
    rows: Mapped[list[dict]] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"<IndicatorSnapshot {self.quarter} r{self.revision}>"
