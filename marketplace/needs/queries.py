"""Reads for the public list of reserved contracts and one's own needs."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.needs.rules import ACTIVE_STATES

PER_PAGE = 25


def open_contracts_page(page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None):
    """Published reserved contracts whose deadline has not passed, the nearest deadline first."""
    stmt = (
        select(Need)
        .options(joinedload(Need.organisation))
        .where(Need.kind == "reserved_contract", Need.state.in_(ACTIVE_STATES), Need.deadline_at > (now or utcnow()))
        .order_by(Need.deadline_at, Need.id)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def own_needs_page(organisation_id: int, page: int = 1, per_page: int = PER_PAGE):
    stmt = select(Need).where(Need.organisation_id == organisation_id).order_by(Need.updated_at.desc(), Need.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
