"""The index follows the database through the change log; rebuild, verify, sync."""

from whoosh.index import LockError  # noqa: F401 - documents what "unavailable" means here

from marketplace.extensions import db
from marketplace.search import engine, indexing
from marketplace.search.indexing import rebuild_index, sync, verify
from marketplace.search.models import record_change
from marketplace.search.querying import search_documents
from tests.factories import make_offer, make_org


def ids(keywords=""):
    return {hit["doc_id"] for hit in search_documents("offer", keywords, per_page=500).hits}


def test_rebuild_and_verify_agree(app):
    org = make_org()
    offer = make_offer(org, title="Verpakking van cosmetica")
    make_offer(org, title="Kladversie", state="draft")
    assert rebuild_index() == 1
    report = verify()
    assert report.ok and report.documents == 1
    assert ids("cosmetica") == {offer.id}


def test_verify_reports_a_missing_and_a_stale_document(app):
    org = make_org()
    first = make_offer(org, title="Verpakking")
    second = make_offer(org, title="Schoonmaak")
    rebuild_index()
    writer = engine.handle().writer()
    writer.delete_by_term("key", f"offer:{first.id}")
    writer.commit()
    second.title = "Schoonmaak van kantoren"
    db.session.commit()  # changed without a change-log row: the index cannot know
    report = verify()
    assert not report.ok
    assert report.missing == [f"offer:{first.id}"]
    assert report.stale == [f"offer:{second.id}"]


def test_a_change_made_while_the_index_is_locked_is_applied_by_the_next_sync(app):
    org = make_org()
    rebuild_index()
    blocker = engine.handle().writer()  # another process holds the lock
    offer = make_offer(org, title="Herverpakken van geschenkdozen")
    assert sync(timeout=0.1).skipped
    assert offer.id not in ids("geschenkdozen")
    blocker.cancel()
    result = sync()
    assert result.documents >= 1
    assert ids("geschenkdozen") == {offer.id}
    assert verify().ok


def test_archiving_and_unverifying_remove_documents(app):
    from marketplace.offers.services import archive_offer

    org = make_org()
    kept = make_offer(org, title="Drukwerk")
    gone = make_offer(org, title="Drukwerk en afwerking")
    rebuild_index()
    archive_offer(gone)
    sync()
    assert ids("drukwerk") == {kept.id}
    org.verification_state = "pending"
    record_change("organisation", org.id)
    db.session.commit()
    sync()
    assert ids("drukwerk") == set()
    assert verify().ok


def test_batches_hold_at_most_the_batch_size(app, monkeypatch):
    monkeypatch.setattr(indexing, "BATCH_DOCS", 10)
    org = make_org()
    rebuild_index()
    for n in range(25):
        make_offer(org, title=f"Aanbod {n}", state="draft").state = "published"
        record_change("offer", n + 1)
    db.session.commit()
    result = sync()
    assert result.commits == 3  # 25 offers (and the set-up's own changes) in batches of 10
    assert verify().ok


def test_one_batch_applies_an_organisations_change_and_the_archiving_of_its_offer(app):
    from marketplace.offers.services import archive_offer

    org = make_org()
    kept = make_offer(org, title="Groenonderhoud van bedrijfstuinen")
    gone = make_offer(org, title="Drukwerk en mailing")
    rebuild_index()
    org.name = "Nieuwe naam vzw"
    record_change("organisation", org.id)
    db.session.commit()
    archive_offer(gone)
    result = sync()
    assert result.commits == 1
    assert ids("drukwerk") == set() and ids("groenonderhoud") == {kept.id}
    assert verify().ok


def test_two_index_folders_follow_the_same_database(app, tmp_path):
    org = make_org()
    make_offer(org, title="Groenonderhoud")
    folders = [tmp_path / "web1", tmp_path / "web2"]
    for folder in folders:
        app.config["SEARCH_INDEX_DIR"] = str(folder)
        rebuild_index()
    later = make_offer(org, title="Orderpicking")
    # web1 catches up now, web2 only later: each keeps its own last applied change.
    app.config["SEARCH_INDEX_DIR"] = str(folders[0])
    sync()
    assert later.id in ids("orderpicking")
    app.config["SEARCH_INDEX_DIR"] = str(folders[1])
    assert later.id not in ids("orderpicking")
    sync()
    assert later.id in ids("orderpicking")
    assert verify().ok


def test_inline_sync_after_a_request_that_wrote_changes(app, client, make_user, login_as):
    from flask import g

    from marketplace.search.indexing import sync_after_request

    org = make_org()
    rebuild_index()
    offer = make_offer(org, title="Fietsherstel")
    with app.test_request_context():
        g.search_changed = True
        sync_after_request(None)
    assert ids("fietsherstel") == {offer.id}


def test_a_young_gap_in_the_change_ids_is_waited_for(app):
    from datetime import timedelta

    from marketplace.database import utcnow
    from marketplace.search.indexing import _settled

    now = utcnow()
    changes = [(5, "offer", 1, now), (7, "offer", 2, now)]
    assert [c[0] for c in _settled(changes, 4)] == [5]
    old = now - timedelta(minutes=5)
    assert [c[0] for c in _settled([(5, "offer", 1, old), (7, "offer", 2, old)], 4)] == [5, 7]


def test_sync_and_the_worker_leave_no_transaction_open(app):
    """An idle indexer must not hold a transaction: on SQLite (BEGIN IMMEDIATE) that is the write lock,
    and every web request waited for it, then failed with "database is locked" (found by benchmarks/load.py)."""
    import sqlite3

    from marketplace.search.indexing import run_worker

    make_offer(make_org(), title="Verpakking")
    rebuild_index()
    for step in (sync, sync, lambda: run_worker(once=True)):
        step()  # the first applies the change, the others find nothing to do
        assert not db.session().in_transaction()
        if db.engine.dialect.name == "sqlite":
            other = sqlite3.connect(db.engine.url.database, timeout=0.2, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" while the indexer holds it
            other.execute("ROLLBACK")
            other.close()


def test_the_worker_stops_between_rounds_on_sigterm(app):
    """systemd (and benchmarks/load.py) stop the indexer with SIGTERM: it ends cleanly, not killed mid-commit."""
    import os
    import signal
    import threading
    import time

    from marketplace.search.indexing import run_worker

    def unhandled(*_args):
        raise RuntimeError("the worker let SIGTERM through")

    before = signal.signal(signal.SIGTERM, unhandled)
    try:
        make_offer(make_org(), title="Verpakking")
        rebuild_index()
        timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
        started = time.monotonic()
        timer.start()
        run_worker(interval=0.2, echo=lambda _line: None)
        assert time.monotonic() - started < 5
        assert signal.getsignal(signal.SIGTERM) is unhandled  # its own handler is gone again
    finally:
        signal.signal(signal.SIGTERM, before)


def test_an_index_of_an_older_schema_is_rebuilt_by_the_next_sync(app):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, STORED, Schema

    org = make_org()
    offer = make_offer(org, title="Verpakking van cosmetica")
    root = engine.index_root()
    root.mkdir(parents=True, exist_ok=True)
    old = root / "build-old"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(key=ID(stored=True, unique=True), doc_id=STORED))
    (root / engine.CURRENT).symlink_to(old.name)
    assert not engine.has_current_schema(engine.handle().index())

    sync()

    assert engine.has_current_schema(engine.handle().index())
    assert ids("cosmetica") == {offer.id}
    assert verify().ok


def test_offers_and_needs_are_searched_in_their_own_fields(app):
    from marketplace.matching.ranking import needs_for_supplier, suppliers_for_need
    from tests.factories import make_need

    supplier = make_org(kind="maatwerkbedrijf", province="VAN")
    offer = make_offer(supplier, title="Herverpakken van cosmetica", regions=["VAN"])
    need = make_need(make_org(kind="onderneming", province="VAN"), title="Verpakking van cosmetica", province="VAN")
    rebuild_index()
    searcher = engine.request_searcher()
    assert searcher.doc_frequency("title", "cosmetica") == 1  # the offer only
    assert searcher.doc_frequency("need_title", "cosmetica") == 1  # the need only
    assert [m.offer.id for m in suppliers_for_need(need)] == [offer.id]
    assert [m.need.id for m in needs_for_supplier(supplier)] == [need.id]
