"""Engine set-up per backend, and small helpers shared by services."""

from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def engine_options(database_uri: str) -> dict:
    if database_uri.startswith("sqlite"):
        # A busy timeout so concurrent workers wait for the lock instead of failing.
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and foreign keys on every connection; take the write lock up front.

    pysqlite's own BEGIN is deferred: a transaction that reads and then writes cannot wait
    for the lock upgrade and fails with "database is locked". BEGIN IMMEDIATE waits instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
