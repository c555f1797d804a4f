from datetime import timedelta

from marketplace.database import utcnow
from marketplace.extensions import db
from tests.conftest import text_of
from tests.factories import make_need, make_offer


def test_supplier_dashboard_lists_own_offers_and_open_contracts(client, make_user, make_org, login_as):
    user = make_user()
    org = make_org(member=user)
    make_offer(org, title="Ons groenaanbod")
    make_offer(org, title="Nog een concept", state="draft")
    make_offer(make_org(), title="Van een ander")
    make_need(make_org(kind="overheid"), "reserved_contract")
    login_as(user, org)
    text = text_of(client.get("/mijn-werkbrug"))
    assert "Ons groenaanbod" in text and "Gepubliceerd" in text and "Nog een concept" in text
    assert "Van een ander" not in text
    assert "1 concept dat nog niet gepubliceerd is" in text
    assert "1 voorbehouden opdracht staat open" in text


def test_buyer_dashboard_shows_needs_with_shown_state(client, make_user, make_org, login_as):
    user = make_user()
    org = make_org(kind="overheid", member=user)
    contract = make_need(org, "reserved_contract", title="Verlopen opdracht")
    contract.deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login_as(user, org)
    text = text_of(client.get("/mijn-werkbrug"))
    assert "Verlopen opdracht" in text and "Afgesloten" in text
    assert "Mijn aanbod" not in text
