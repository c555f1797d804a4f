"""A small world for indicator tests: buyers, suppliers and draft needs to hang events on."""

from datetime import datetime

import pytest

from marketplace.events.services import record_event
from marketplace.extensions import db
from tests import factories


@pytest.fixture()
def world(app):
    """Five regular buyers in two provinces, a public buyer, three suppliers and a need per buyer and kind."""
    buyers = [
        factories.make_org(kind="onderneming", province="VAN" if i < 3 else "VLI", nace="10.11", size_class="micro")
        for i in range(5)
    ]
    public = factories.make_org(kind="overheid", province="VBR", nace="84.11", size_class="groot")
    suppliers = [factories.make_org(kind="maatwerkbedrijf") for _ in range(3)]
    needs = {}
    for buyer in [*buyers, public]:
        kinds = ("outsourcing", "reserved_contract") if buyer.kind == "overheid" else ("outsourcing",)
        for kind in kinds:
            needs[(buyer.id, kind)] = factories.make_need(buyer, kind=kind, state="draft")
    return {"buyers": buyers, "public": public, "suppliers": suppliers, "needs": needs}


def at(text: str) -> datetime:
    """A naive UTC moment from 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def agree(need, supplier, collaboration_id, start, end=None, when=None, value=1000, fte=1.5, kind="uitbesteding"):
    detail = f"start={start}" + (f";end={end}" if end else "")
    event = record_event(
        "agreement",
        need=need,
        supplier=supplier,
        collaboration_id=collaboration_id,
        collaboration_type=kind,
        value_eur=value,
        fte=fte,
        detail=detail,
        occurred_at=at(when or start),
    )
    db.session.commit()
    return event
