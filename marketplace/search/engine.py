"""The Whoosh index on disk: schema, one long-lived index object per process, searchers.

Layout of SEARCH_INDEX_DIR: one folder per build (`build-<stamp>`) and a symlink `current`
pointing at the live one. A rebuild fills a new folder and swaps the link atomically, so
searches keep working meanwhile; each process notices the new link and reopens.
The id of the last applied change of the database's change log is kept in the index itself
(a `_meta` document, committed with each batch), so every index folder follows the database
on its own and survives restarts.
"""

import os
import shutil
import threading
import time
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.writing import IndexingError

from marketplace.search.analysis import dutch_analyzer, ngram_analyzer


def _cached_reader(self, fieldname, column):
    """W3PerDocReader._cached_reader, also remembering that a column is absent.

    Whoosh 2.7.5 asks the file system (stat) for the length column of every posting of a field
    without lengths (ID and KEYWORD fields), when writing and when scoring; a segment's columns
    never change, so the answer can be kept.
    """
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


W3PerDocReader._cached_reader = _cached_reader

META_KEY = "_meta"
CURRENT = "current"
_lock = threading.Lock()
_handles: dict[str, "IndexHandle"] = {}


class IndexUnavailable(RuntimeError):
    """The index is locked by another writer or missing; the outbox keeps the change."""


def make_schema(words=()) -> Schema:
    dutch = dutch_analyzer(words)
    return Schema(
        key=ID(stored=True, unique=True),
        doc_type=ID(stored=True),
        # Ids are read back, never searched: stored only (numeric fields index several terms each).
        doc_id=STORED,
        org_id=STORED,
        # Offers and needs get text fields of their own: a query for offers then reads no postings
        # of needs (three times as many at scale), and the other way round.
        title=TEXT(analyzer=dutch, stored=True, field_boost=1.0),
        tags=TEXT(analyzer=dutch, stored=True),
        body=TEXT(analyzer=dutch, stored=True),
        need_title=TEXT(analyzer=dutch),
        need_tags=TEXT(analyzer=dutch),
        need_body=TEXT(analyzer=dutch),
        org_name=TEXT(analyzer=dutch, stored=True),
        ngrams=TEXT(analyzer=ngram_analyzer(), phrase=False),
        name_sort=ID(sortable=True),
        kind=ID(stored=True),
        domains=KEYWORD(stored=True, commas=True, scorable=True),
        cpv=KEYWORD(stored=True, commas=True, scorable=True),
        provinces=KEYWORD(stored=True, commas=True),
        certifications=KEYWORD(stored=True, commas=True, lowercase=True),
        recognised=BOOLEAN(stored=True),
        eligible=BOOLEAN(stored=True),
        enclave=BOOLEAN(stored=True),
        team=NUMERIC(stored=True, sortable=True),
        capacity=NUMERIC(stored=True, sortable=True, decimal_places=1),
        content_hash=ID(stored=True),
        last_change=STORED,
    )


def has_current_schema(ix) -> bool:
    """False for an index built by an older version of the code: it must be rebuilt."""
    return set(ix.schema.names()) == set(make_schema().names())


def index_root(app=None) -> Path:
    app = app or current_app
    return Path(app.config["SEARCH_INDEX_DIR"])


def current_folder(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def create_build_folder(root: Path, words) -> tuple[Path, object]:
    """A new, empty index beside the live one."""
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"build-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(words))
    return folder, ix


def swap_in(root: Path, folder: Path) -> None:
    """Point `current` at folder atomically; keep the previous build for readers still on it."""
    previous = current_folder(root)
    tmp = root / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(folder.name)
    os.replace(tmp, root / CURRENT)
    keep = {folder.name, previous.name if previous else ""}
    for old in root.glob("build-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


class IndexHandle:
    """One per process and index root: the open index, reopened when `current` changes."""

    def __init__(self, root: Path):
        self.root = root
        self.folder: Path | None = None
        self.ix = None
        self._searcher = None
        self._mutex = threading.Lock()

    def _check(self):
        folder = current_folder(self.root)
        if folder is None:
            self.folder = self.ix = self._searcher = None
            return None
        if folder != self.folder:
            self.ix = whoosh_index.open_dir(str(folder))
            self.folder = folder
            self._searcher = None
        return self.ix

    def index(self):
        with self._mutex:
            return self._check()

    def searcher(self):
        """A searcher that sees the latest commit (the index object stays open)."""
        with self._mutex:
            ix = self._check()
            if ix is None:
                return None
            # Searcher.refresh() reuses segment readers by segment id and then misses deletions
            # made in a segment that stays; a new searcher per new generation does not.
            if self._searcher is None or self._searcher.reader().generation() != ix.latest_generation():
                self._searcher = ix.searcher()
            return self._searcher

    def writer(self, timeout: float = 5.0):
        ix = self.index()
        if ix is None:
            raise IndexUnavailable("no index")
        try:
            return ix.writer(timeout=timeout)
        except (LockError, IndexingError) as error:
            raise IndexUnavailable(str(error)) from error


def handle(app=None) -> IndexHandle:
    root = index_root(app).resolve()
    key = str(root)
    with _lock:
        h = _handles.get(key)
        if h is None:
            h = _handles[key] = IndexHandle(root)
        return h


def request_searcher():
    """A searcher on the latest commit (refreshed, cheap when nothing changed); None without index."""
    return handle().searcher()


def last_applied(searcher) -> int:
    fields = searcher.document(key=META_KEY) if searcher is not None else None
    return int(fields["last_change"]) if fields else 0
