"""Administration: verification, recognition, eligibility, users, roles, claims and the audit log."""

import pytest
from sqlalchemy import select

from marketplace.accounts.models import UserSession
from marketplace.audit.models import AuditEntry
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import ProfileClaim
from tests.accounts.helpers import copy_cookie, mails_to
from tests.conftest import page, text_of


@pytest.fixture()
def admin(make_user, login_as):
    return login_as(make_user(role="admin", email="beheer@example.be"))


def audit_actions():
    return [entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


ADMIN_PAGES = ("/beheer/", "/beheer/organisaties", "/beheer/gebruikers", "/beheer/overnames", "/beheer/audit")


def test_admin_pages_refuse_anonymous_and_non_admins(client, make_user, make_org, login_as):
    org = make_org()
    person = make_user()
    object_pages = (f"/beheer/organisaties/{org.id}", f"/beheer/gebruikers/{person.id}")
    for path in ADMIN_PAGES + object_pages:
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"], path
    for role in (None, "analyst"):
        owner = make_user(role=role)
        login_as(owner, make_org(member=owner))
        for path in ADMIN_PAGES + object_pages:
            assert client.get(path).status_code == 403, (role, path)
        for path in (f"/beheer/organisaties/{org.id}/verifieren", f"/beheer/gebruikers/{person.id}/uitschakelen"):
            assert client.post(path).status_code == 403, (role, path)
    db.session.refresh(person)
    assert person.is_enabled


def test_admin_pages_render(client, admin, make_org, make_user):
    org = make_org(verified=False)
    person = make_user()
    for path in ADMIN_PAGES + (f"/beheer/organisaties/{org.id}", f"/beheer/gebruikers/{person.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(page(response).find_all("h1")) == 1, path
    assert client.get("/beheer/organisaties/999999").status_code == 404
    assert client.get("/beheer/gebruikers/999999").status_code == 404


def test_verify_queue_and_verification(client, admin, make_org, make_user):
    owner = make_user(email="eigenaar@example.be")
    pending = make_org(name="Wachtend bv", verified=False, member=owner)
    make_org(name="Al klaar nv")
    queue = text_of(client.get("/beheer/organisaties"))
    assert "Wachtend bv" in queue and "Al klaar nv" not in queue

    client.post(f"/beheer/organisaties/{pending.id}/verifieren")
    db.session.refresh(pending)
    assert pending.is_verified and pending.verified_at
    assert "organisation.verified" in audit_actions()
    (mail,) = mails_to("eigenaar@example.be")
    assert "Wachtend bv" in mail.body


def test_reject_needs_a_reason_and_mails_it(client, admin, make_org, make_user):
    owner = make_user(email="eigenaar@example.be")
    org = make_org(verified=False, member=owner)
    response = client.post(f"/beheer/organisaties/{org.id}/weigeren", data={"reason": ""})
    assert "Vul een reden in." in text_of(response)
    db.session.refresh(org)
    assert org.verification_state == "pending"
    client.post(f"/beheer/organisaties/{org.id}/weigeren", data={"reason": "Geen bestaand ondernemingsnummer."})
    db.session.refresh(org)
    assert org.verification_state == "rejected"
    (mail,) = mails_to("eigenaar@example.be")
    assert "Geen bestaand ondernemingsnummer." in mail.body
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.rejected"))
    assert entry.actor_id == admin.id and entry.object_id == str(org.id)


def test_search_organisations_by_name_and_number(client, admin, make_org):
    make_org(name="Groenzorg", kbo="0403019261", verified=False)
    make_org(name="Anders", verified=False)
    assert "Anders" not in text_of(client.get("/beheer/organisaties?q=groen"))
    text = text_of(client.get("/beheer/organisaties?state=all&q=0403.019"))
    assert "Groenzorg" in text and "Anders" not in text


def test_recognition_with_date_and_source(client, admin, make_org):
    org = make_org(kind="maatwerkbedrijf", is_recognised_maatwerk=False)
    missing = client.post(f"/beheer/organisaties/{org.id}/erkenning", data={"is_recognised": "y"})
    text = text_of(missing)
    assert "datum van erkenning" in text and "bron" in text
    bad_date = client.post(
        f"/beheer/organisaties/{org.id}/erkenning",
        data={"is_recognised": "y", "recognised_on": "31/02/2024", "source": "Lijst WSE"},
    )
    assert "geldige datum" in text_of(bad_date)
    client.post(
        f"/beheer/organisaties/{org.id}/erkenning",
        data={"is_recognised": "y", "recognised_on": "2024-01-01", "source": "Lijst WSE 2024"},
    )
    db.session.refresh(org)
    assert org.is_recognised_maatwerk and str(org.recognised_on) == "2024-01-01"
    assert org.recognition_source == "Lijst WSE 2024"
    assert "organisation.recognition" in audit_actions()


def test_confirm_declared_eligibility(client, admin, make_org):
    declared = make_org(kind="sociale_onderneming", is_eligible_declared=True, is_recognised_maatwerk=False)
    undeclared = make_org(kind="sociale_onderneming", is_recognised_maatwerk=False)
    assert declared.name in text_of(client.get("/beheer/organisaties?state=eligibility"))
    client.post(f"/beheer/organisaties/{declared.id}/geschiktheid", data={"confirm": "1"})
    db.session.refresh(declared)
    assert declared.is_eligible_reserved
    response = client.post(
        f"/beheer/organisaties/{undeclared.id}/geschiktheid", data={"confirm": "1"}, follow_redirects=True
    )
    assert "niets te bevestigen" in text_of(response)
    db.session.refresh(undeclared)
    assert undeclared.eligibility_confirmed_at is None
    client.post(f"/beheer/organisaties/{declared.id}/geschiktheid", data={"confirm": "0"})
    db.session.refresh(declared)
    assert not declared.is_eligible_reserved


def test_disable_user_ends_all_their_sessions(app, client, admin, make_user):
    person = make_user(email="jan@example.be", password="een lange zin als wachtwoord")
    elsewhere = app.test_client()
    elsewhere.post("/aanmelden", data={"email": "jan@example.be", "password": "een lange zin als wachtwoord"})
    assert elsewhere.get("/account").status_code == 200
    copy = app.test_client()
    copy_cookie(elsewhere, copy)

    client.post(f"/beheer/gebruikers/{person.id}/uitschakelen")
    db.session.refresh(person)
    assert not person.is_enabled
    assert elsewhere.get("/account").status_code == 302
    assert copy.get("/account").status_code == 302
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == person.id)).all()
    assert sessions and all(s.ended_at is not None for s in sessions)
    assert "account.disabled" in audit_actions()

    client.post(f"/beheer/gebruikers/{person.id}/inschakelen")
    db.session.refresh(person)
    assert person.is_enabled
    # Re-enabling does not bring the old sessions back.
    assert elsewhere.get("/account").status_code == 302


def test_admin_cannot_disable_or_demote_themselves(client, admin):
    response = client.post(f"/beheer/gebruikers/{admin.id}/uitschakelen", follow_redirects=True)
    assert "eigen account niet uitschakelen" in text_of(response)
    response = client.post(f"/beheer/gebruikers/{admin.id}/rol", data={"role": ""}, follow_redirects=True)
    assert "eigen beheerdersrol" in text_of(response)
    db.session.refresh(admin)
    assert admin.is_enabled and admin.is_admin


def test_grant_and_revoke_platform_roles(client, admin, make_user):
    person = make_user()
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "analyst"})
    db.session.refresh(person)
    assert person.is_analyst
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "admin"})
    db.session.refresh(person)
    assert person.is_admin
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "koning"})
    db.session.refresh(person)
    assert person.is_admin
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": ""})
    db.session.refresh(person)
    assert person.platform_role is None
    assert audit_actions().count("account.platform_role") == 3


def test_search_users(client, admin, make_user):
    make_user(name="Jan Janssens", email="jan@example.be")
    make_user(name="Piet Pieters", email="piet@example.be")
    text = text_of(client.get("/beheer/gebruikers?q=janssens"))
    assert "jan@example.be" in text and "piet@example.be" not in text


def make_claim(org, user, evidence="Ik ben de zaakvoerder van deze vzw."):
    claim = ProfileClaim(organisation_id=org.id, user_id=user.id, evidence=evidence)
    db.session.add(claim)
    db.session.commit()
    return claim


def test_approve_claim_makes_the_claimant_owner(client, admin, make_org, make_user):
    org = make_org(is_imported=True)
    claimant = make_user(email="claim@example.be")
    rival = make_user(email="rivaal@example.be")
    claim = make_claim(org, claimant)
    other = make_claim(org, rival)
    assert "Ik ben de zaakvoerder" in text_of(client.get("/beheer/overnames"))
    client.post(f"/beheer/overnames/{claim.id}/goedkeuren")
    db.session.refresh(org)
    db.session.refresh(other)
    assert not org.is_imported
    assert claimant.membership_of(org.id).role == "owner"
    assert other.state == "rejected"
    assert [m.kind for m in mails_to("claim@example.be")] == ["claim_approved"]
    assert [m.kind for m in mails_to("rivaal@example.be")] == ["claim_rejected"]
    response = client.post(f"/beheer/overnames/{claim.id}/goedkeuren", follow_redirects=True)
    assert "al beslist" in text_of(response)


def test_reject_claim_with_a_reason(client, admin, make_org, make_user):
    org = make_org(is_imported=True)
    claimant = make_user(email="claim@example.be")
    claim = make_claim(org, claimant)
    response = client.post(f"/beheer/overnames/{claim.id}/weigeren", data={"reason": ""}, follow_redirects=True)
    assert "Vul een reden" in text_of(response)
    client.post(f"/beheer/overnames/{claim.id}/weigeren", data={"reason": "Niet in de KBO als bestuurder."})
    db.session.refresh(claim)
    db.session.refresh(org)
    assert claim.state == "rejected" and org.is_imported
    assert claimant.membership_of(org.id) is None
    (mail,) = mails_to("claim@example.be")
    assert "Niet in de KBO als bestuurder." in mail.body
    assert "claim.rejected" in audit_actions()


def test_audit_log_is_paged_and_filtered(app, client, admin, make_org):
    from marketplace.audit.services import record_audit

    for n in range(app.config["PER_PAGE"] + 5):
        record_audit("test.many", detail=f"regel {n}")
    record_audit("test.once", detail="enige")
    db.session.commit()
    first = page(client.get("/beheer/audit"))
    assert len(first.select("tbody tr")) == app.config["PER_PAGE"]
    assert first.select_one("a[rel=next]")
    second = page(client.get("/beheer/audit?page=2"))
    assert len(second.select("tbody tr")) == 6
    filtered = text_of(client.get("/beheer/audit?action=test.once"))
    assert "enige" in filtered and "regel 3" not in filtered


def test_every_admin_write_is_audited(client, admin, make_org, make_user):
    org = make_org(verified=False, is_eligible_declared=True)
    person = make_user()
    before = len(audit_actions())
    client.post(f"/beheer/organisaties/{org.id}/verifieren")
    client.post(f"/beheer/organisaties/{org.id}/weigeren", data={"reason": "Toch niet correct."})
    client.post(
        f"/beheer/organisaties/{org.id}/erkenning",
        data={"is_recognised": "y", "recognised_on": "2024-01-01", "source": "WSE"},
    )
    client.post(f"/beheer/organisaties/{org.id}/geschiktheid", data={"confirm": "1"})
    client.post(f"/beheer/gebruikers/{person.id}/uitschakelen")
    client.post(f"/beheer/gebruikers/{person.id}/inschakelen")
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "analyst"})
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
    assert len(entries) == 7
    assert all(entry.actor_id == admin.id for entry in entries)
    assert entries[0].at <= utcnow()
