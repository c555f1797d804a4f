from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.needs.services import cancel_need, close_need, create_need, publish_need, update_need
from marketplace.offers.validation import NotAllowed, RuleViolation
from marketplace.search.models import SearchChange
from tests.factories import need_data


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_create_and_publish_records_change_and_event(app, make_org, make_user):
    user = make_user()
    firm = make_org(kind="onderneming", member=user)
    need = create_need(firm, "outsourcing", need_data(), actor=user)
    assert need.ref.startswith("NEED-") and need.state == "draft" and need.province == "VAN"
    assert count(Event) == 0
    publish_need(need, actor=user)
    assert need.state == "open" and need.published_at
    event = db.session.scalar(select(Event))
    assert (event.kind, event.need_id, event.buyer_org_id, event.actor_user_id) == (
        "need_published",
        need.id,
        firm.id,
        user.id,
    )
    assert count(SearchChange, SearchChange.doc_type == "need") == 2


def test_reserved_contract_only_by_public_buyer(app, make_org):
    with pytest.raises(NotAllowed, match="overheden"):
        create_need(make_org(kind="onderneming"), "reserved_contract", need_data("reserved_contract"))
    need = create_need(make_org(kind="overheid"), "reserved_contract", need_data("reserved_contract"))
    assert [lot.title for lot in need.lots] == ["Perceel groen"]
    assert need.cpv_codes == ["77310000-6"]


def test_publish_refused_past_deadline_changes_nothing(app, make_org):
    need = create_need(make_org(kind="overheid"), "reserved_contract", need_data("reserved_contract"))
    with pytest.raises(RuleViolation) as info:
        publish_need(need, now=utcnow() + timedelta(days=60))
    assert "deadline_at" in info.value.errors
    db.session.rollback()
    assert db.session.get(Need, need.id).state == "draft"
    assert count(Event) == 0


def test_unverified_buyer_cannot_publish(app, make_org):
    need = create_need(make_org(kind="onderneming", verified=False), "enclave", need_data("enclave"))
    with pytest.raises(NotAllowed):
        publish_need(need)
    assert count(Event) == 0


def test_cancel_is_final_and_close(app, make_org):
    firm = make_org(kind="onderneming")
    need = create_need(firm, "outsourcing", need_data())
    publish_need(need)
    cancel_need(need)
    assert need.state == "cancelled" and need.closed_at
    with pytest.raises(NotAllowed, match="geannuleerde"):
        publish_need(need)
    with pytest.raises(NotAllowed):
        update_need(need, need_data(title="Opnieuw"))
    other = create_need(firm, "outsourcing", need_data())
    with pytest.raises(NotAllowed):
        close_need(other)  # a draft is cancelled, not closed
    publish_need(other)
    close_need(other)
    assert other.state == "closed"


def test_failed_update_keeps_lots(app, make_org):
    need = create_need(make_org(kind="overheid"), "reserved_contract", need_data("reserved_contract"))
    lots = [{"title": "A", "is_reserved": True}, {"title": "B", "is_reserved": False}]
    with pytest.raises(RuleViolation):
        update_need(need, need_data("reserved_contract", lots=lots, estimated_value_eur=""))
    db.session.expire_all()
    assert [lot.title for lot in db.session.get(Need, need.id).lots] == ["Perceel groen"]
    update_need(need, need_data("reserved_contract", lots=lots))
    db.session.expire_all()
    assert [(lot.number, lot.title) for lot in db.session.get(Need, need.id).lots] == [(1, "A"), (2, "B")]


def test_award_needs_an_open_need_and_commit_false_leaves_it_to_the_caller(app, make_org):
    from marketplace.needs.services import award_need, start_discussion

    need = create_need(make_org(kind="onderneming"), "outsourcing", need_data())
    with pytest.raises(NotAllowed, match="gepubliceerd"):
        award_need(need)
    publish_need(need)
    start_discussion(need)
    award_need(need, commit=False)
    db.session.rollback()
    assert db.session.get(Need, need.id).state == "in_discussion"
    award_need(need)
    db.session.expire_all()
    assert db.session.get(Need, need.id).state == "awarded"


def test_create_without_commit_joins_the_callers_transaction(app, make_org):
    firm = make_org(kind="onderneming")
    create_need(firm, "outsourcing", need_data(), commit=False)
    create_need(firm, "outsourcing", need_data(), commit=False)
    db.session.rollback()
    assert count(Need) == 0
    assert count(SearchChange) == 0
