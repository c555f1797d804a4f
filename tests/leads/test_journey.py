"""From a posted need to an agreed collaboration, through the pages, as the buyer and the supplier do it."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.leads.models import Collaboration, Lead
from tests.conftest import page, text_of
from tests.leads.helpers import event_kinds


def test_need_to_collaboration_through_the_pages(client, login_as, parties):
    login_as(parties.buyer_user, parties.buyer)
    need_page = page(client.get(f"/vragen/{parties.need.id}"))
    invite = need_page.select_one(f'form[action="/vragen/{parties.need.id}/uitnodigen/{parties.supplier.id}"]')
    assert invite is not None, "the matching suggests the supplier with an invite button"
    client.post(invite["action"])
    lead = db.session.scalar(select(Lead))
    login_as(parties.supplier_user, parties.supplier)
    assert "Wacht op uw antwoord" in text_of(client.get("/mijn-werkbrug"))
    assert "Naar het gesprek" in text_of(client.get(f"/vragen/{parties.need.id}"))
    thread = page(client.get(f"/contacten/{lead.id}"))
    answer = thread.find("a", string="Ingaan op de uitnodiging")
    client.post(answer["href"], data={"availability": "Vanaf januari", "message": "Graag!"})
    login_as(parties.buyer_user, parties.buyer)
    client.post(f"/contacten/{lead.id}/berichten", data={"body": "Prima, we sluiten af."})
    client.post(
        f"/contacten/{lead.id}/akkoord",
        data={"type": "uitbesteding", "starts_on": "2027-01-04", "value_eur": "4.000,00", "fte": "1"},
    )
    assert db.session.scalar(select(Collaboration)).state == "lopend"
    kinds = event_kinds()
    for kind in ("need_published", "invitation_sent", "need_viewed", "interest_expressed", "first_answer", "agreement"):
        assert kind in kinds
