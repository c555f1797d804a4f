from datetime import timedelta

from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.needs.models import Need
from tests.conftest import page, text_of
from tests.factories import make_need, need_data


def member(make_user, make_org, login_as, **org_fields):
    user = make_user()
    org = make_org(member=user, **org_fields)
    login_as(user, org)
    return org


def form_of(kind="outsourcing", **overrides):
    data = need_data(kind, **overrides)
    data.pop("kind")
    if kind == "reserved_contract":
        data.pop("deadline_at")
        data.update(deadline_date=(utcnow() + timedelta(days=20)).date().isoformat(), deadline_time="14:30")
        lots = data.pop("lots")
        data.update(lot1_title=lots[0]["title"], lot1_reserved="y", lot2_title="", lot3_title="Perceel drie")
    return data


def test_buyer_posts_and_publishes_outsourcing_need(client, make_user, make_org, login_as):
    org = member(make_user, make_org, login_as, kind="onderneming")
    assert "Uitbesteding" in text_of(client.get("/vragen/nieuw"))
    response = client.post("/vragen/nieuw/uitbesteding", data=form_of(budget_min_eur="1.234,5"))
    need = db.session.scalar(select(Need))
    assert response.headers["Location"].endswith(f"/vragen/{need.id}")
    assert (need.organisation_id, need.state, need.kind) == (org.id, "draft", "outsourcing")
    text = text_of(client.post(f"/vragen/{need.id}/publiceren", follow_redirects=True))
    assert "Uw vraag is gepubliceerd." in text
    assert "1.234,50 €" in text and "04/01/2027" in text and "Antwerpen" in text
    assert db.session.scalar(select(Event.kind)) == "need_published"


def test_enclave_form_explains_the_agreement_and_checks_team(client, make_user, make_org, login_as):
    member(make_user, make_org, login_as, kind="onderneming")
    text = text_of(client.get("/vragen/nieuw/enclave"))
    assert "begeleider van het maatwerkbedrijf is altijd aanwezig" in text
    assert "niet de werkgever" in text
    assert "minstens één dag vóór de start" in text
    assert "kernactiviteit" in text
    response = client.post("/vragen/nieuw/enclave", data=form_of("enclave", team_size="0", postcode="4000"))
    html = page(response)
    assert html.find(id="team_size-error") and html.find(id="postcode-error")
    assert "Vlaanderen of Brussel" in html.find(id="postcode-error").get_text()
    assert db.session.scalar(select(Need)) is None
    client.post("/vragen/nieuw/enclave", data=form_of("enclave"))
    need = db.session.scalar(select(Need))
    assert (need.team_size, need.working_hours) == (4, "8u-16u")


def test_reserved_contract_with_lots_and_brussels_deadline(client, make_user, make_org, login_as):
    member(make_user, make_org, login_as, kind="overheid")
    response = client.post("/vragen/nieuw/voorbehouden-opdracht", data=form_of("reserved_contract"))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert [(lot.number, lot.title, lot.is_reserved) for lot in need.lots] == [
        (1, "Perceel groen", True),
        (2, "Perceel drie", False),
    ]
    # 14:30 in Brussels is 13:30 (winter) or 12:30 (summer) UTC.
    assert need.deadline_at.minute == 30 and need.deadline_at.hour in (12, 13)
    client.post(f"/vragen/{need.id}/publiceren")
    text = text_of(client.get("/opdrachten"))
    assert "Onderhoud van onze bedrijfstuin" in text and "14:30" in text and "120.000,00 €" in text
    edit = page(client.get(f"/vragen/{need.id}/bewerken"))
    assert edit.find(id="deadline_time")["value"] == "14:30"


def test_reserved_contract_errors(client, make_user, make_org, login_as):
    member(make_user, make_org, login_as, kind="overheid")
    data = form_of("reserved_contract", cpv_codes="77310000-2", estimated_value_eur="")
    data["deadline_date"] = "2020-01-01"
    html = page(client.post("/vragen/nieuw/voorbehouden-opdracht", data=data))
    assert "controlecijfer" in html.find(id="cpv_codes-error").get_text()
    assert "toekomst" in html.find(id="deadline_date-error").get_text()
    assert html.find(id="estimated_value_eur-error")
    assert html.find(class_="error-summary").find("a", href="#deadline_date")
    assert db.session.scalar(select(Need)) is None


def test_wrong_kind_of_organisation_gets_403(client, make_user, make_org, login_as):
    member(make_user, make_org, login_as, kind="onderneming")
    assert client.get("/vragen/nieuw/voorbehouden-opdracht").status_code == 403
    assert not page(client.get("/vragen/nieuw")).find("a", href="/vragen/nieuw/voorbehouden-opdracht")


def test_outsourcing_need_needs_login(client, make_org):
    need = make_need(make_org(kind="onderneming"), "enclave")
    response = client.get(f"/vragen/{need.id}")
    assert response.status_code == 302 and "next=" in response.headers["Location"]


def test_regular_firm_cannot_see_another_firms_need(client, make_user, make_org, login_as):
    need = make_need(make_org(kind="onderneming"), "enclave")
    member(make_user, make_org, login_as, kind="onderneming")
    assert client.get(f"/vragen/{need.id}").status_code == 403


def test_verified_supplier_sees_published_needs_not_drafts(client, make_user, make_org, login_as):
    need = make_need(make_org(kind="onderneming"), "enclave")
    draft = make_need(make_org(kind="onderneming"), state="draft")
    member(make_user, make_org, login_as)
    text = text_of(client.get(f"/vragen/{need.id}"))
    assert "Havenlaan 1" in text and "U komt in aanmerking" in text
    assert client.get(f"/vragen/{draft.id}").status_code == 404


def test_unverified_supplier_gets_403(client, make_user, make_org, login_as):
    need = make_need(make_org(kind="onderneming"))
    member(make_user, make_org, login_as, verified=False)
    assert client.get(f"/vragen/{need.id}").status_code == 403


def test_other_organisation_gets_404_on_every_owner_page(client, make_user, make_org, login_as):
    needs = [make_need(make_org(kind="overheid"), "reserved_contract"), make_need(make_org(kind="onderneming"))]
    member(make_user, make_org, login_as, kind="onderneming")
    for need in needs:
        assert client.get(f"/vragen/{need.id}/bewerken").status_code == 404
        assert client.post(f"/vragen/{need.id}/bewerken", data=form_of(title="Gekaapt")).status_code == 404
        for action in ("publiceren", "annuleren", "afsluiten"):
            assert client.post(f"/vragen/{need.id}/{action}").status_code == 404
    db.session.expire_all()
    assert [db.session.get(Need, n.id).state for n in needs] == ["open", "open"]


def test_anonymous_owner_pages_redirect_to_login(client, make_org):
    need = make_need(make_org(kind="onderneming"))
    for url in (f"/vragen/{need.id}/bewerken", "/vragen/nieuw", "/mijn-vragen"):
        assert "next=" in client.get(url).headers["Location"]
    assert client.post(f"/vragen/{need.id}/annuleren").status_code == 302
    assert db.session.get(Need, need.id).state == "open"


def test_public_contract_after_deadline_shows_closed(client, make_org):
    org = make_org(kind="overheid")
    contract = make_need(org, "reserved_contract", title="Oude opdracht")
    fresh = make_need(org, "reserved_contract", title="Nieuwe opdracht")
    contract.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    text = text_of(client.get("/opdrachten"))
    assert "Nieuwe opdracht" in text and "Oude opdracht" not in text
    text = text_of(client.get(f"/vragen/{contract.id}"))
    assert "Afgesloten" in text and "geen reacties meer" in text
    assert client.get(f"/vragen/{fresh.id}").status_code == 200
    draft = make_need(org, "reserved_contract", state="draft")
    assert client.get(f"/vragen/{draft.id}").status_code == 404


def test_reserved_contract_eligibility_shown_to_supplier(client, make_user, make_org, login_as):
    contract = make_need(make_org(kind="overheid"), "reserved_contract", is_recognised_only=True)
    member(make_user, make_org, login_as, kind="sociale_onderneming")
    text = text_of(client.get(f"/vragen/{contract.id}"))
    assert "U komt niet in aanmerking" in text and "niet erkend" in text


def test_owner_cancels_and_cannot_edit_after(client, make_user, make_org, login_as):
    org = member(make_user, make_org, login_as, kind="onderneming")
    need = make_need(org)
    client.post(f"/vragen/{need.id}/annuleren")
    assert db.session.get(Need, need.id).state == "cancelled"
    text = text_of(client.post(f"/vragen/{need.id}/publiceren", follow_redirects=True))
    assert "geannuleerde vraag" in text
    assert client.get(f"/vragen/{need.id}/bewerken").status_code == 302
    assert "Geannuleerd" in text_of(client.get("/mijn-vragen"))


def test_owner_edits_need(client, make_user, make_org, login_as):
    org = member(make_user, make_org, login_as, kind="onderneming")
    need = make_need(org)
    assert page(client.get(f"/vragen/{need.id}/bewerken")).find(id="starts_on")["value"] == "2027-01-04"
    client.post(f"/vragen/{need.id}/bewerken", data=form_of(title="Nieuwe titel"))
    db.session.expire_all()
    assert db.session.get(Need, need.id).title == "Nieuwe titel"
