"""The ordered change log the search indexes follow.

Each index keeps the id of the last change it applied and catches up from there, so
several indexes (one per web server) can follow one database.
"""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import utcnow
from marketplace.extensions import db


class SearchChange(db.Model):
    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_change(doc_type: str, doc_id: int) -> None:
    """Queue a document for (re)indexing in the caller's transaction."""
    db.session.add(SearchChange(doc_type=doc_type, doc_id=doc_id))
