"""Login throttling with counters in the database, so all workers share one limit.

A counter per account (its e-mail) and per client address counts failures in a fixed
window. The increment is one atomic upsert (`count = count + 1` in SQL), never a
read-modify-write, which loses increments under concurrent workers.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, select

from marketplace.accounts.models import ThrottleCounter
from marketplace.database import utcnow
from marketplace.extensions import db


def account_key(email: str) -> str:
    return "account:" + email.strip().lower()[:280]


def address_key(address: str) -> str:
    return "address:" + (address or "unknown")[:280]


def _window_start():
    return utcnow() - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])


def _limits(email: str, address: str) -> dict[str, int]:
    config = current_app.config
    return {
        account_key(email): config["LOGIN_MAX_FAILURES"],
        address_key(address): config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
    }


def is_throttled(email: str, address: str) -> bool:
    """Too many recent failures for this account or from this address."""
    limits = _limits(email, address)
    rows = db.session.execute(
        select(ThrottleCounter.key, ThrottleCounter.count).where(
            ThrottleCounter.key.in_(limits), ThrottleCounter.window_started_at >= _window_start()
        )
    ).all()
    return any(count >= limits[key] for key, count in rows)


def _insert():
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def record_failure(email: str, address: str) -> None:
    """Count one failed login for the account and the address (in the caller's transaction)."""
    now = utcnow()
    expired = ThrottleCounter.window_started_at < _window_start()
    insert = _insert()
    for key in _limits(email, address):
        statement = insert(ThrottleCounter).values(key=key, window_started_at=now, count=1)
        # In SET every column refers to the row as it was, so both CASEs see the old window.
        statement = statement.on_conflict_do_update(
            index_elements=[ThrottleCounter.key],
            set_={
                "count": case((expired, 1), else_=ThrottleCounter.count + 1),
                "window_started_at": case((expired, now), else_=ThrottleCounter.window_started_at),
            },
        )
        db.session.execute(statement)


def clear_account(email: str) -> None:
    """A successful login (or a password reset) clears the account's counter, not the address's."""
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == account_key(email)))
