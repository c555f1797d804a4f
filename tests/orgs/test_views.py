"""Registering an organisation, its settings, members, invitations, switching and claims."""

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orgs.models import Invitation, Membership, Organisation, ProfileClaim
from marketplace.search.models import SearchChange
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import page, text_of


def org_data(**overrides):
    data = {
        "kbo": "0403.019.261",
        "name": "Groen en Zo vzw",
        "kind": "maatwerkbedrijf",
        "postcode": "9000",
        "municipality": "Gent",
        "nace": "81.30",
        "size_class": "middelgroot",
        "website": "www.groenenzo.be",
        "description": "Groenonderhoud",
        "is_eligible_declared": "y",
    }
    data.update(overrides)
    return data


def test_register_organisation_makes_the_user_owner_of_a_pending_org(client, make_user, login_as):
    user = login_as(make_user())
    response = client.post("/organisaties/nieuw", data=org_data(kbo="BE0403019261"))
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert (org.kbo, org.province, org.verification_state) == ("0403019261", "VOV", "pending")
    assert org.website == "https://www.groenenzo.be"
    assert org.is_eligible_declared and org.eligibility_confirmed_at is None
    assert not org.is_imported
    membership = db.session.scalar(select(Membership))
    assert (membership.user_id, membership.role) == (user.id, "owner")
    assert db.session.scalar(select(SearchChange).where(SearchChange.doc_type == "organisation"))
    with client.session_transaction() as flask_session:
        assert flask_session["org_id"] == org.id


def test_regular_firm_cannot_declare_eligibility(client, make_user, login_as):
    login_as(make_user())
    client.post("/organisaties/nieuw", data=org_data(kind="onderneming"))
    assert not db.session.scalar(select(Organisation)).is_eligible_declared


def test_register_shows_clear_errors(client, make_user, login_as):
    login_as(make_user())
    response = client.post(
        "/organisaties/nieuw",
        data=org_data(kbo="0403.019.262", postcode="4000", nace="00.00", website="niet een adres", kind=""),
    )
    text = text_of(response)
    assert "controlegetal" in text
    assert "postcode in Vlaanderen of Brussel" in text
    assert "NACE-code" in text
    assert "webadres" in text
    assert "Kies de soort organisatie." in text
    assert page(response).title.string.startswith("Fout:")
    summary_links = [a["href"] for a in page(response).select(".error-summary a")]
    assert "#kbo" in summary_links and "#postcode" in summary_links
    assert page(response).find(id="kbo")["aria-describedby"].endswith("kbo-error")
    assert db.session.scalar(select(Organisation)) is None


def test_existing_organisation_is_not_registered_twice_and_members_stay_hidden(client, make_user, make_org, login_as):
    member = make_user(name="Geheime Naam", email="geheim@example.be")
    make_org(kbo="0403019261", member=member)
    login_as(make_user())
    response = client.post("/organisaties/nieuw", data=org_data())
    text = text_of(response)
    assert "staat al op Werkbrug" in text and "uit te nodigen" in text
    assert "Geheime Naam" not in text and "geheim@example.be" not in text
    assert len(db.session.scalars(select(Organisation)).all()) == 1


def test_imported_organisation_points_to_the_claim(client, make_user, make_org, login_as):
    org = make_org(kbo="0403019261", is_imported=True)
    login_as(make_user())
    response = client.post("/organisaties/nieuw", data=org_data())
    assert f"/organisaties/{org.id}/overnemen" in response.get_data(as_text=True)


def test_register_prefills_the_number_from_the_link(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/organisaties/nieuw?kbo=0403019261")
    assert page(response).find(id="kbo")["value"] == "0403019261"


def test_settings_update_the_profile_and_the_index(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    response = client.post(
        "/organisatie/instellingen",
        data=org_data(name="Nieuwe Naam", postcode="3500", municipality="Hasselt", is_eligible_declared=""),
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert (org.name, org.province, org.kbo) == ("Nieuwe Naam", "VLI", kbo_for_org(org))
    assert db.session.scalar(select(SearchChange).where(SearchChange.doc_id == org.id))


def kbo_for_org(org):
    return org.kbo


def test_settings_refuse_an_unknown_postcode(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    response = client.post("/organisatie/instellingen", data=org_data(postcode="5000"))
    assert "postcode in Vlaanderen of Brussel" in text_of(response)
    db.session.refresh(org)
    assert org.postcode == "2000"


def test_withdrawn_declaration_drops_the_confirmation(client, make_user, make_org, login_as):
    from marketplace.database import utcnow

    owner = make_user()
    org = make_org(
        member=owner, kind="sociale_onderneming", is_eligible_declared=True, eligibility_confirmed_at=utcnow()
    )
    login_as(owner, org)
    client.post("/organisatie/instellingen", data=org_data(is_eligible_declared=""))
    db.session.refresh(org)
    assert not org.is_eligible_declared and org.eligibility_confirmed_at is None


def invite(client, email="nieuw@example.be", role="member"):
    return client.post("/organisatie/leden", data={"email": email, "role": role})


def test_invitation_round_trip(app, client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    assert invite(client).status_code == 302
    (mail,) = mails_to("nieuw@example.be")
    link = link_in(mail)
    assert org.name in mail.body
    assert "nieuw@example.be" in text_of(client.get("/organisatie/leden"))

    guest = make_user(email="Nieuw@example.be")
    login_as(guest)
    assert "Uitnodiging aanvaarden" in text_of(client.get(link))
    response = client.post(link)
    assert response.status_code == 302
    membership = guest.membership_of(org.id)
    assert membership is not None and membership.role == "member"
    assert client.get(link).status_code == 410


def test_invitation_for_someone_else_cannot_be_accepted(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    invite(client)
    link = link_in(mails_to("nieuw@example.be")[0])
    intruder = login_as(make_user(email="ander@example.be"))
    assert "ander e-mailadres" in text_of(client.get(link))
    client.post(link)
    assert intruder.membership_of(org.id) is None


def test_revoked_and_tampered_invitations_fail(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    invite(client)
    link = link_in(mails_to("nieuw@example.be")[0])
    invitation = db.session.scalar(select(Invitation))
    client.post(f"/organisatie/uitnodigingen/{invitation.id}/intrekken")
    login_as(make_user(email="nieuw@example.be"))
    assert client.get(link).status_code == 410
    assert client.get(link[:-3] + "abc").status_code == 410


def test_inviting_a_member_again_is_refused(client, make_user, make_org, login_as):
    owner = make_user(email="baas@example.be")
    org = make_org(member=owner)
    login_as(owner, org)
    response = invite(client, email="BAAS@example.be")
    assert "al lid" in text_of(response)


def test_accepting_needs_login(client, make_user, make_org, login_as):
    response = client.get("/uitnodiging/abc")
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_roles_change_and_the_last_owner_stays(client, make_user, make_org, login_as):
    owner = make_user()
    colleague = make_user()
    org = make_org(member=owner)
    db.session.add(Membership(user_id=colleague.id, organisation_id=org.id, role="member"))
    db.session.commit()
    own = owner.membership_of(org.id)
    theirs = colleague.membership_of(org.id)
    login_as(owner, org)

    response = client.post(
        f"/organisatie/leden/{own.id}/rol", data={f"m{own.id}-role": "member"}, follow_redirects=True
    )
    assert "minstens één beheerder" in text_of(response)
    response = client.post(f"/organisatie/leden/{own.id}/verwijderen", follow_redirects=True)
    assert "laatste beheerder" in text_of(response)
    db.session.refresh(own)
    assert own.role == "owner"

    client.post(f"/organisatie/leden/{theirs.id}/rol", data={f"m{theirs.id}-role": "owner"})
    db.session.refresh(theirs)
    assert theirs.role == "owner"
    client.post(f"/organisatie/leden/{theirs.id}/verwijderen")
    assert db.session.get(Membership, theirs.id) is None


def test_switch_between_organisations(client, make_user, make_org, login_as):
    user = make_user()
    first = make_org(name="Eerste", member=user)
    second = make_org(name="Tweede", member=user, member_role="member")
    login_as(user, first)
    assert "Eerste" in text_of(client.get("/mijn-werkbrug"))
    response = client.post("/organisaties/wisselen", data={"org_id": second.id})
    assert response.status_code == 302
    assert "U werkt voor Tweede" in text_of(client.get("/mijn-werkbrug"))
    stranger = make_org(name="Vreemd")
    response = client.post("/organisaties/wisselen", data={"org_id": stranger.id})
    assert response.status_code == 200
    with client.session_transaction() as flask_session:
        assert flask_session["org_id"] == second.id


def test_claim_an_imported_profile(client, make_user, make_org, login_as):
    org = make_org(is_imported=True, verified=True)
    user = login_as(make_user())
    short = client.post(f"/organisaties/{org.id}/overnemen", data={"evidence": "kort"})
    assert "tussen 20 en 5000 tekens" in text_of(short)
    evidence = "Ik ben zaakvoerder, zie het Staatsblad van 2020."
    response = client.post(f"/organisaties/{org.id}/overnemen", data={"evidence": evidence}, follow_redirects=True)
    assert "bekijkt uw aanvraag" in text_of(response)
    claim = db.session.scalar(select(ProfileClaim))
    assert (claim.user_id, claim.state, claim.evidence) == (user.id, "pending", evidence)
    client.post(f"/organisaties/{org.id}/overnemen", data={"evidence": evidence})
    assert len(db.session.scalars(select(ProfileClaim)).all()) == 1


def test_claim_of_a_not_imported_profile_is_404(client, make_user, make_org, login_as):
    org = make_org()
    login_as(make_user())
    assert client.get(f"/organisaties/{org.id}/overnemen").status_code == 404
    assert client.get("/organisaties/999999/overnemen").status_code == 404


# Access: anonymous → login, another organisation's object → 404, a member who is not owner → 403.

OWNER_PAGES = ("/organisatie/instellingen", "/organisatie/leden")


def test_owner_pages_refuse_anonymous_and_plain_members(client, make_user, make_org, login_as):
    for path in OWNER_PAGES + ("/organisaties/nieuw", "/organisaties/wisselen", "/organisaties/1/overnemen"):
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"], path
    member = make_user()
    org = make_org()
    db.session.add(Membership(user_id=member.id, organisation_id=org.id, role="member"))
    db.session.commit()
    login_as(member, org)
    for path in OWNER_PAGES:
        assert client.get(path).status_code == 403, path


def test_object_actions_of_another_organisation_are_404(client, make_user, make_org, login_as):
    other_owner = make_user()
    other = make_org(member=other_owner)
    invitation = Invitation(organisation_id=other.id, email="x@example.be", role="member")
    db.session.add(invitation)
    db.session.commit()
    theirs = other_owner.membership_of(other.id)

    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    assert client.post(f"/organisatie/leden/{theirs.id}/rol", data={f"m{theirs.id}-role": "member"}).status_code == 404
    assert client.post(f"/organisatie/leden/{theirs.id}/verwijderen").status_code == 404
    assert client.post(f"/organisatie/uitnodigingen/{invitation.id}/intrekken").status_code == 404
    assert db.session.get(Membership, theirs.id) is not None
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_object_actions_refuse_plain_members(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    member = make_user()
    db.session.add(Membership(user_id=member.id, organisation_id=org.id, role="member"))
    db.session.commit()
    own = owner.membership_of(org.id)
    login_as(member, org)
    assert client.post(f"/organisatie/leden/{own.id}/verwijderen").status_code == 403
    assert client.post(f"/organisatie/leden/{own.id}/rol", data={f"m{own.id}-role": "member"}).status_code == 403


def test_user_without_organisation_is_sent_to_registration(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/organisatie/instellingen")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisaties/nieuw")
    assert db.session.scalar(select(User)) is not None


def test_a_rejected_registration_returns_to_the_queue_when_corrected(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner, verified=False, verification_state="rejected")
    login_as(owner, org)
    client.post("/organisatie/instellingen", data=org_data(name="Verbeterde Naam"))
    db.session.refresh(org)
    assert org.verification_state == "pending"
