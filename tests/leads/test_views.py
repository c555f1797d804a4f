import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.leads import services
from marketplace.leads.models import Collaboration, Lead, MailOptOut
from marketplace.leads.notifications import unsubscribe_token
from tests.conftest import page, text_of
from tests.factories import make_need, make_org, make_user
from tests.leads.helpers import count, events, mails


def test_supplier_expresses_interest_from_the_need_page(client, login_as, parties):
    login_as(parties.supplier_user, parties.supplier)
    detail = client.get(f"/vragen/{parties.need.id}")
    assert "Interesse tonen" in text_of(detail)
    assert events("need_viewed")[0].supplier_org_id == parties.supplier.id
    client.get(f"/vragen/{parties.need.id}")
    assert len(events("need_viewed")) == 1
    response = client.post(
        f"/vragen/{parties.need.id}/interesse",
        data={"availability": "Vanaf maart", "message": "Wij doen dit graag.", "offer_id": str(parties.offer.id)},
    )
    lead = db.session.scalar(select(Lead))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contacten/{lead.id}")
    # A double click lands on the thread again; nothing is written twice.
    again = client.post(f"/vragen/{parties.need.id}/interesse", data={"availability": "Vanaf maart"})
    assert again.headers["Location"].endswith(f"/contacten/{lead.id}")
    assert count(Lead) == 1 and len(events("interest_expressed")) == 1


def test_ineligible_supplier_is_told_why_before_writing(client, login_as, public_buyer):
    _, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    user = make_user()
    social = make_org(kind="sociale_onderneming", member=user)
    login_as(user, social)
    text = text_of(client.get(f"/vragen/{contract.id}/interesse"))
    assert "U kunt niet reageren" in text and "art. 20" in text
    assert not page(client.get(f"/vragen/{contract.id}/interesse")).select("textarea")
    client.post(f"/vragen/{contract.id}/interesse", data={"message": "Toch graag"})
    assert count(Lead) == 0


def test_past_deadline_nobody_can_respond(client, login_as, parties, public_buyer):
    _, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    contract.deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login_as(parties.supplier_user, parties.supplier)
    assert "indieningsdatum is voorbij" in text_of(client.get(f"/vragen/{contract.id}/interesse"))
    client.post(f"/vragen/{contract.id}/interesse", data={"message": "Te laat"})
    assert count(Lead) == 0


def test_thread_is_only_for_the_two_organisations(client, login_as, parties):
    lead = services.express_interest(parties.need, parties.supplier, None, "Geheim bod")
    url = f"/contacten/{lead.id}"
    assert client.get(url).headers["Location"].startswith("/aanmelden")
    login_as(parties.buyer_user, parties.buyer)
    assert "Geheim bod" in text_of(client.get(url))
    login_as(parties.supplier_user, parties.supplier)
    assert "Geheim bod" in text_of(client.get(url))
    stranger = make_user()
    login_as(stranger, make_org(kind="onderneming", member=stranger))
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/berichten", data={"body": "Hallo"}).status_code == 404
    assert client.get(f"{url}/akkoord").status_code == 404
    analyst = make_user(role="analyst")
    login_as(analyst)
    assert client.get(url).status_code in (302, 404)
    assert "Geheim bod" not in client.get(url, follow_redirects=True).get_data(as_text=True)


def test_messages_are_escaped_and_keep_line_breaks(client, login_as, parties):
    lead = services.express_interest(parties.need, parties.supplier)
    login_as(parties.buyer_user, parties.buyer)
    response = client.post(f"/contacten/{lead.id}/berichten", data={"body": "Lijn een\n<script>alert(1)</script>"})
    assert response.status_code == 302
    html = client.get(f"/contacten/{lead.id}").get_data(as_text=True)
    assert "Lijn een<br>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    empty = client.post(f"/contacten/{lead.id}/berichten", data={"body": "  "})
    assert empty.status_code == 422 and "leeg bericht" in text_of(empty)


def test_buyer_sees_interest_and_invites_from_need_page(client, login_as, parties):
    services.express_interest(parties.need, parties.supplier)
    login_as(parties.buyer_user, parties.buyer)
    text = text_of(client.get(f"/vragen/{parties.need.id}"))
    assert "Maatwerk Groen" in text and "Interesse getoond" in text
    other = make_org(name="Tweede Maatwerk", kind="maatwerkbedrijf", member=make_user())
    response = client.post(f"/vragen/{parties.need.id}/uitnodigen/{other.id}", data={"message": ""})
    lead = db.session.scalar(select(Lead).where(Lead.supplier_org_id == other.id))
    assert response.headers["Location"].endswith(f"/contacten/{lead.id}") and lead.state == "invited"
    assert mails("lead_invitation")
    stranger = make_user()
    login_as(stranger, make_org(kind="onderneming", member=stranger))
    assert client.post(f"/vragen/{parties.need.id}/uitnodigen/{other.id}").status_code == 404


def test_buyer_records_agreement_and_both_follow_the_collaboration(client, login_as, parties):
    lead = services.express_interest(parties.need, parties.supplier)
    login_as(parties.supplier_user, parties.supplier)
    assert client.get(f"/contacten/{lead.id}/akkoord").status_code == 403
    login_as(parties.buyer_user, parties.buyer)
    bad = client.post(
        f"/contacten/{lead.id}/akkoord",
        data={"type": "uitbesteding", "starts_on": "2027-05-01", "ends_on": "2027-01-01", "value_eur": "-3"},
    )
    assert bad.status_code == 200 and page(bad).title.text.startswith("Fout:")
    assert "De einddatum mag niet voor de startdatum liggen." in text_of(bad)
    assert count(Collaboration) == 0
    data = {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "10.000,00"}
    response = client.post(f"/contacten/{lead.id}/akkoord", data={**data, "fte": "2"})
    collaboration = db.session.scalar(select(Collaboration))
    assert response.headers["Location"].endswith(f"/samenwerkingen/{collaboration.id}")
    again = client.post(f"/contacten/{lead.id}/akkoord", data=data)
    assert again.status_code == 302 and count(Collaboration) == 1
    login_as(parties.supplier_user, parties.supplier)
    assert "10.000,00" in text_of(client.get(f"/samenwerkingen/{collaboration.id}"))
    response = client.post(f"/samenwerkingen/{collaboration.id}/verlengen", data={"extend-ends_on": "2027-12-31"})
    assert response.status_code == 302 and events("collaboration_extended")
    bad = client.post(f"/samenwerkingen/{collaboration.id}/stopzetten", data={"end-reason": ""})
    assert bad.status_code == 422 and "waarom" in text_of(bad)
    client.post(f"/samenwerkingen/{collaboration.id}/stopzetten", data={"end-reason": "financial", "end-note": "x"})
    assert db.session.get(Collaboration, collaboration.id).state == "stopgezet"
    stranger = make_user()
    login_as(stranger, make_org(kind="onderneming", member=stranger))
    assert client.get(f"/samenwerkingen/{collaboration.id}").status_code == 404


def test_award_page_for_procurement_officer(client, login_as, parties, public_buyer):
    officer, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    lead = services.express_interest(contract, parties.supplier)
    login_as(officer, city)
    client.post(f"/contacten/{lead.id}/kortelijst", data={"on": "1"})
    assert db.session.get(Lead, lead.id).is_shortlisted
    response = client.post(f"/contacten/{lead.id}/gunnen", data={"starts_on": "2027-02-01", "value_eur": "90.000,00"})
    assert response.status_code == 302 and events("award")
    assert db.session.get(Lead, lead.id).need.state == "awarded"


def test_my_leads_and_dashboard_show_what_waits(client, login_as, parties):
    services.express_interest(parties.need, parties.supplier)
    login_as(parties.buyer_user, parties.buyer)
    assert "wacht op uw antwoord" in text_of(client.get("/contacten"))
    dashboard = text_of(client.get("/mijn-werkbrug"))
    assert "Wacht op uw antwoord" in dashboard and parties.need.title in dashboard


@pytest.mark.parametrize(
    "path", ["/contacten", "/contacten/1", "/samenwerkingen", "/samenwerkingen/1", "/meldingen", "/vragen/1/resultaat"]
)
def test_anonymous_is_sent_to_login(client, app, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/aanmelden")


def test_unsubscribe_link_works_without_login(client, parties):
    lead = services.express_interest(parties.need, parties.supplier)
    token = unsubscribe_token(parties.supplier_user.id, "lead_message")
    assert (
        f"/uitschrijven/{unsubscribe_token(parties.buyer_user.id, 'lead_interest')}" in mails("lead_interest")[0].body
    )
    assert "Nieuwe berichten" in text_of(client.get(f"/uitschrijven/{token}"))
    assert "Gedaan" in text_of(client.post(f"/uitschrijven/{token}"))
    client.post(f"/uitschrijven/{token}")
    assert count(MailOptOut) == 1
    services.send_message(lead, parties.buyer, None, "Hallo")
    assert not mails("lead_message")
    assert client.get("/uitschrijven/forged-token").status_code == 404


def test_outcome_page_access(client, login_as, parties):
    services.express_interest(parties.need, parties.supplier)
    login_as(parties.supplier_user, parties.supplier)
    response = client.post(f"/vragen/{parties.need.id}/resultaat", data={"had_deal": "no"})
    assert response.status_code == 302
    stranger = make_user()
    login_as(stranger, make_org(kind="maatwerkbedrijf", member=stranger))
    assert client.get(f"/vragen/{parties.need.id}/resultaat").status_code == 404


def test_alerts_page_creates_subscription_and_saved_search(client, login_as, parties):
    login_as(parties.supplier_user, parties.supplier)
    response = client.post(
        "/meldingen",
        data={
            "form": "subscription",
            "sub-domains": ["groenonderhoud"],
            "sub-provinces": ["VOV"],
            "sub-frequency": "daily",
        },
    )
    assert response.status_code == 302
    bad = client.post("/meldingen", data={"form": "search", "search-name": "", "search-target": "need"})
    assert bad.status_code == 422 and "naam" in text_of(bad)
    client.post(
        "/meldingen", data={"form": "search", "search-name": "Groen", "search-target": "need", "search-query": "tuin"}
    )
    text = text_of(client.get("/meldingen"))
    assert "Groen" in text and "dagelijks" in text


def test_search_page_links_to_saving_that_search(client, login_as, parties):
    login_as(parties.supplier_user, parties.supplier)
    page = client.get("/zoeken?q=groenonderhoud&province=VOV")
    link = re.search(r'href="(/meldingen\?[^"]+)"', page.get_data(as_text=True))
    assert link, "the search page offers to save the search"
    form = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert 'value="groenonderhoud"' in form
    assert re.search(r'<option[^>]*value="VOV"[^>]*selected', form) or re.search(r'selected[^>]*value="VOV"', form)
    client.post("/afmelden")
    assert "/meldingen?" not in client.get("/zoeken?q=groenonderhoud").get_data(as_text=True)


def test_every_leads_view_declares_one_access_rule(app):
    views = {e: v for e, v in app.view_functions.items() if e.startswith("leads.")}
    assert views and all(getattr(v, "access_rule", None) for v in views.values())
