"""Per-address and per-token request limits for the API, counted in the database.

The counters live where every worker sees them (PITFALLS: in-memory limits count per worker),
in fixed windows, incremented with one UPDATE so concurrent requests are not lost.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import ThrottleCounter
from marketplace.database import utcnow
from marketplace.extensions import db


def _hit(key: str, window: int) -> tuple[int, int]:
    """Count one request under `key`; (count in the current window, seconds left in it)."""
    now = utcnow()
    start = now - timedelta(seconds=window)
    for _attempt in range(2):
        updated = db.session.execute(
            update(ThrottleCounter)
            .where(ThrottleCounter.key == key, ThrottleCounter.window_started_at > start)
            .values(count=ThrottleCounter.count + 1)
        ).rowcount
        if updated:
            break
        db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key))
        try:
            db.session.execute(insert(ThrottleCounter).values(key=key, window_started_at=now, count=1))
            break
        except IntegrityError:
            db.session.rollback()
    row = db.session.execute(
        select(ThrottleCounter.count, ThrottleCounter.window_started_at).where(ThrottleCounter.key == key)
    ).one()
    db.session.commit()
    left = window - int((now - row.window_started_at).total_seconds())
    return row.count, max(left, 1)


def check(address: str, api_client_id: int | None) -> int | None:
    """None when the request may go on, else the seconds to wait."""
    config = current_app.config
    window = config.get("API_RATE_WINDOW_SECONDS", 60)
    limits = [(f"api:addr:{address}", config.get("API_RATE_LIMIT_PER_ADDRESS", 120))]
    if api_client_id is not None:
        limits.append((f"api:client:{api_client_id}", config.get("API_RATE_LIMIT_PER_CLIENT", 600)))
    wait = None
    for key, limit in limits:
        if limit <= 0:
            continue
        count, left = _hit(key, window)
        if count > limit:
            wait = max(wait or 0, left)
    return wait
