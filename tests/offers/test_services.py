import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.offers.models import Offer
from marketplace.offers.services import archive_offer, create_offer, publish_offer, update_offer
from marketplace.offers.validation import NotAllowed, RuleViolation
from marketplace.search.models import SearchChange
from tests.factories import offer_data


def changes(doc_type="offer"):
    return list(db.session.scalars(select(SearchChange.doc_id).where(SearchChange.doc_type == doc_type)))


def test_create_offer_is_a_draft_with_ref_domains_and_index_change(app, make_org):
    org = make_org()
    offer = create_offer(org, offer_data())
    assert offer.state == "draft"
    assert offer.ref.startswith("OFF-")
    assert [d.code for d in offer.domains] == ["groenonderhoud"]
    assert offer.cpv_codes == ["77310000-6"]
    assert float(offer.capacity_fte) == 12.5
    assert changes() == [offer.id]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_invalid_offer_writes_nothing(app, make_org):
    org = make_org()
    with pytest.raises(RuleViolation) as info:
        create_offer(org, offer_data(title="", regions=[]))
    assert set(info.value.errors) == {"title", "regions"}
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
    assert changes() == []


def test_regular_firm_cannot_have_offers(app, make_org):
    with pytest.raises(NotAllowed):
        create_offer(make_org(kind="onderneming"), offer_data())


def test_publish_archive_republish(app, make_org):
    offer = create_offer(make_org(), offer_data())
    publish_offer(offer)
    assert offer.state == "published" and offer.published_at
    archive_offer(offer)
    assert offer.state == "archived"
    publish_offer(offer)
    assert offer.state == "published"
    assert len(changes()) == 4
    with pytest.raises(NotAllowed):
        publish_offer(offer)


def test_unverified_org_cannot_publish(app, make_org):
    offer = create_offer(make_org(verified=False), offer_data())
    with pytest.raises(NotAllowed, match="geverifieerd"):
        publish_offer(offer)
    assert db.session.get(Offer, offer.id).state == "draft"


def test_update_failure_leaves_offer_unchanged(app, make_org):
    offer = create_offer(make_org(), offer_data())
    with pytest.raises(RuleViolation):
        update_offer(offer, offer_data(title="Nieuw", cpv_codes="77310000-1"))
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).title == "Groenonderhoud door onze ploegen"
    update_offer(offer, offer_data(title="Nieuw", has_enclave=True, enclave_max_team="6"))
    db.session.expire_all()
    stored = db.session.get(Offer, offer.id)
    assert (stored.title, stored.has_enclave, stored.enclave_max_team) == ("Nieuw", True, 6)
