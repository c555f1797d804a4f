"""Keeping the search index in step with the database.

Services never write the index: they add a `search_change` row in their own transaction
(record_change). One indexer at a time applies the change log to the index in batches of at
most BATCH_DOCS documents per commit, each commit also storing the id of the last change it
applied. A change that cannot be applied now (index locked, missing, the indexer killed) stays
in the log and is applied by the next sync: nothing is lost, and replaying is harmless because
a change means "re-read this object from the database".
"""

import signal
import threading
from dataclasses import dataclass, field

from flask import current_app, g, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.search import engine
from marketplace.search.documents import all_documents, documents_for_changes, vocabulary
from marketplace.search.models import SearchChange

BATCH_DOCS = 500
BATCH_CHANGES = 500
GAP_WAIT_S = 10


def _meta_doc(last_change: int) -> dict:
    return {"key": engine.META_KEY, "doc_type": "_meta", "last_change": last_change}


def rebuild_index(procs: int = 1) -> int:
    """Build a fresh index from the database beside the live one and swap it in.

    Returns the number of documents. Changes made during the build are applied by the next
    sync, since the new index starts from the change id read before reading the data.
    """
    root = engine.index_root()
    last = db.session.scalar(select(func.max(SearchChange.id))) or 0
    folder, ix = engine.create_build_folder(root, vocabulary())
    count = 0
    options = {"procs": procs, "multisegment": True, "limitmb": 128} if procs > 1 else {"limitmb": 128}
    writer = ix.writer(**options)
    try:
        for doc in all_documents():
            writer.add_document(**doc)
            count += 1
        writer.add_document(**_meta_doc(last))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    engine.swap_in(root, folder)
    return count


def ensure_index() -> None:
    """Build the index when there is none yet (first start, fresh folder)."""
    if engine.handle().index() is None:
        rebuild_index()


@dataclass
class SyncResult:
    changes: int = 0
    documents: int = 0
    commits: int = 0
    last_change: int = 0
    skipped: bool = False
    errors: list = field(default_factory=list)


def _settled(changes, last: int) -> list:
    """The changes up to the first young gap in the ids.

    On PostgreSQL a transaction may take id 10, commit after the one with id 11, and so become
    visible later: an indexer that moved past 11 would never apply it. A gap younger than
    GAP_WAIT_S may be such a transaction still committing, so the indexer stops before it and
    comes back; an older gap is a rolled-back transaction. (SQLite commits one writer at a time,
    so there ids become visible in order.)
    """
    settled, expected = [], last + 1
    now = utcnow()
    for change in changes:
        if change[0] != expected and (now - change[3]).total_seconds() < GAP_WAIT_S:
            break
        settled.append(change)
        expected = change[0] + 1
    return settled


def sync(max_batches: int | None = None, timeout: float = 5.0) -> SyncResult:
    """Apply pending changes of the log to this process's index; safe to call any time."""
    try:
        return _apply_log(max_batches, timeout)
    finally:
        # The indexer only reads the database: it must not keep a transaction open between rounds.
        # On SQLite (BEGIN IMMEDIATE) that transaction is the write lock every web request waits for.
        db.session.rollback()


def _apply_log(max_batches: int | None, timeout: float) -> SyncResult:
    result = SyncResult()
    h = engine.handle()
    if h.index() is None or not engine.has_current_schema(h.index()):
        rebuild_index()
    try:
        writer = h.writer(timeout=timeout)
    except engine.IndexUnavailable:
        # Another indexer holds the lock and will apply the log; nothing is lost.
        result.skipped = True
        return result
    try:
        with writer.searcher() as searcher:
            last = engine.last_applied(searcher)
        while max_batches is None or result.commits < max_batches:
            changes = _settled(
                db.session.execute(
                    select(SearchChange.id, SearchChange.doc_type, SearchChange.doc_id, SearchChange.created_at)
                    .where(SearchChange.id > last)
                    .order_by(SearchChange.id)
                    .limit(BATCH_CHANGES)
                ).all(),
                last,
            )
            if not changes:
                break
            db.session.rollback()
            applied_to, pending_keys, pending_docs = documents_for_changes(
                [(change_id, doc_type, doc_id) for change_id, doc_type, doc_id, _created in changes], BATCH_DOCS
            )
            # On SQLite a read transaction holds the write lock too: release it before writing the index.
            db.session.rollback()
            for key in pending_keys:
                if key in pending_docs:
                    writer.update_document(**pending_docs[key])
                else:
                    writer.delete_by_term("key", key)
            writer.update_document(**_meta_doc(applied_to))
            writer.commit(merge=True)
            result.commits += 1
            result.changes += sum(1 for c in changes if c[0] <= applied_to)
            result.documents += len(pending_keys)
            last = result.last_change = applied_to
            writer = None
            writer = h.writer(timeout=timeout)
        writer.cancel()
    except engine.IndexUnavailable:
        result.skipped = True
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    return result


def optimize() -> None:
    """Merge all segments into one and drop orphan files (writers killed mid-commit)."""
    h = engine.handle()
    if h.index() is None or not engine.has_current_schema(h.index()):
        rebuild_index()
        return
    writer = h.writer(timeout=30)
    writer.commit(optimize=True)


@dataclass
class VerifyReport:
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    pending_changes: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.duplicates)


def verify() -> VerifyReport:
    """Compare the index with the database: document keys and a content hash per document."""
    report = VerifyReport()
    expected = {doc["key"]: doc["content_hash"] for doc in all_documents()}
    searcher = engine.handle().searcher()
    found: dict[str, str] = {}
    last = 0
    if searcher is not None:
        last = engine.last_applied(searcher)
        for fields in searcher.reader().all_stored_fields():
            key = fields.get("key")
            if key == engine.META_KEY:
                continue
            if key in found:
                report.duplicates.append(key)
            found[key] = fields.get("content_hash")
    report.documents = len(found)
    report.missing = sorted(set(expected) - set(found))
    report.extra = sorted(set(found) - set(expected))
    report.stale = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])
    report.pending_changes = db.session.scalar(select(func.count(SearchChange.id)).where(SearchChange.id > last)) or 0
    return report


def run_worker(interval: float = 1.0, once: bool = False, echo=print) -> None:
    """The indexer process under gunicorn: apply the log, sleep, repeat.

    SIGTERM or SIGINT (systemd stopping the service, Ctrl-C) ends it between two rounds,
    never in the middle of an index commit.
    """
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_args: stop.set())
    try:
        while not stop.is_set():
            try:
                result = sync()
                if result.documents:
                    echo(f"applied {result.changes} changes, {result.documents} documents")
            except Exception:  # noqa: BLE001 - a failed batch stays in the log; try again next round
                db.session.rollback()
                current_app.logger.exception("search index sync failed; retrying")
            if once:
                return
            stop.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@event.listens_for(Session, "after_flush")
def _note_search_change(session, _context):
    """Remember that this request wrote to the change log, so that it syncs afterwards."""
    if has_app_context() and any(isinstance(obj, SearchChange) for obj in session.new):
        g.search_changed = True


def sync_after_request(exc) -> None:
    """Single-process set-up: apply what this request changed once it has committed."""
    if exc is not None or not g.pop("search_changed", False):
        return
    if not current_app.config.get("SEARCH_INDEX_INLINE", True):
        return
    try:
        db.session.rollback()
        sync()
    except Exception:  # noqa: BLE001 - the change stays in the log; the page must not fail
        db.session.rollback()
        current_app.logger.exception("Applying search changes failed; they stay in the log")
