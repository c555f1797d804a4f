"""Every security-relevant action writes exactly one audit row, and no input can split a log line.

Each action is driven through the HTTP test client, the way a browser does it (objects are set up
with the factories). For each one: exactly one new AuditEntry with the right action, actor, object
and client address, stamped in UTC close to now. The machine's clock zone is set far from UTC for
these tests, so a local-time stamp would be hours off.

A CR or LF typed into a field that reaches an audit detail or the application log never starts a
new line there: the stored detail and every log message stay on one line.
"""

import logging
import secrets
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User, UserSession
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.leads import services as leads
from marketplace.mail.models import OutgoingMail
from marketplace.orgs.models import Membership, ProfileClaim
from tests import factories
from tests.oidc.fixtures import oidc_app, oidc_provider  # noqa: F401 (fixtures)

ADDRESS = "198.51.100.23"
FORGED = "evil\r\nFORGED action=admin"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _clock_far_from_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _as_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        assert moment.utcoffset() == timedelta(0), moment
        return moment.replace(tzinfo=None)
    return moment


def client_as(app, user=None, organisation=None):
    """A test client from ADDRESS, logged in (through a real server-side session) when a user is given."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    if user is None:
        return client
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=sid, user_id=user.id))
    db.session.commit()
    with client.session_transaction() as flask_session:
        flask_session["sid"] = sid
        flask_session["_user_id"] = str(user.id)
        flask_session["_fresh"] = True
        if organisation is not None:
            flask_session["org_id"] = organisation.id
    return client


def _last_id() -> int:
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _rows_after(last: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)))


@contextmanager
def one_audit_row(action: str, actor, obj=None, object_type: str | None = None, detail: str | None = None):
    """The block writes exactly one audit row: `action` by `actor` on `obj`, from ADDRESS, now, in UTC."""
    last, start = _last_id(), _utc_now()
    expected_type = object_type if object_type is not None else (type(obj).__name__ if obj is not None else "")
    expected_id = str(obj.id) if obj is not None else ""
    yield
    end = _utc_now()
    db.session.expire_all()
    rows = _rows_after(last)
    assert [row.action for row in rows] == [action], [(row.action, row.detail) for row in rows]
    row = rows[0]
    assert row.actor_id == (actor.id if actor is not None else None)
    assert (row.object_type, row.object_id) == (expected_type, expected_id)
    assert row.address == ADDRESS
    stamped = _as_naive_utc(row.at)
    # A local-time stamp would be 14 hours off; the margin only allows for clock resolution.
    assert start - timedelta(seconds=5) <= stamped <= end + timedelta(seconds=5), (start, stamped, end)
    if detail is not None:
        assert row.detail == detail


@contextmanager
def no_audit_row():
    last = _last_id()
    yield
    db.session.expire_all()
    assert [(row.action, row.detail) for row in _rows_after(last)] == []


def _redirected(response, status=(302, 303)):
    assert response.status_code in status, response.get_data(as_text=True)[:2000]
    return response


def _flash_ok(client):
    with client.session_transaction() as flask_session:
        flashes = flask_session.get("_flashes", [])
    assert not [message for category, message in flashes if category == "error"], flashes


# Login, failed login, throttled login, logout -------------------------------------------------------


def test_login(app):
    user = factories.make_user(email="ina@example.be", password=PASSWORD)
    client = client_as(app)
    with one_audit_row("account.login", user, user):
        _redirected(client.post("/aanmelden", data={"email": "ina@example.be", "password": PASSWORD}))


def test_failed_login_of_an_account(app):
    user = factories.make_user(email="ina@example.be", password=PASSWORD)
    with one_audit_row("account.login_failed", user, user, detail="ina@example.be"):
        response = client_as(app).post("/aanmelden", data={"email": "ina@example.be", "password": "fout wachtwoord"})
    assert response.status_code == 200


def test_failed_login_of_an_unknown_address(app):
    with one_audit_row("account.login_failed", None, None, detail="niemand@example.be"):
        client_as(app).post("/aanmelden", data={"email": "niemand@example.be", "password": "fout wachtwoord"})


@pytest.mark.parametrize("state", ["disabled", "unconfirmed"])
def test_refused_login_with_the_right_password(app, state):
    extra = {"is_enabled": False} if state == "disabled" else {}
    user = factories.make_user(email="ina@example.be", password=PASSWORD, confirmed=state != "unconfirmed", **extra)
    with one_audit_row("account.login_refused", user, user, detail=state):
        response = client_as(app).post("/aanmelden", data={"email": "ina@example.be", "password": PASSWORD})
    assert response.status_code == 200


def test_throttled_login(app):
    factories.make_user(email="ina@example.be", password=PASSWORD)
    client = client_as(app)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/aanmelden", data={"email": "ina@example.be", "password": "fout wachtwoord"})
    with one_audit_row("account.login_throttled", None, None, detail="ina@example.be"):
        response = client.post("/aanmelden", data={"email": "ina@example.be", "password": PASSWORD})
    assert response.status_code == 429


def test_logout(app):
    user = factories.make_user()
    client = client_as(app, user)
    with one_audit_row("account.logout", user, user):
        _redirected(client.post("/afmelden"))


def test_logout_when_not_logged_in_writes_nothing(app):
    with no_audit_row():
        _redirected(client_as(app).post("/afmelden"))


# Roles and refusals ---------------------------------------------------------------------------------


def test_membership_role_change(app):
    owner = factories.make_user(name="Olga Eigenaar")
    organisation = factories.make_org(kind="onderneming", member=owner)
    colleague = factories.make_user(name="Carl Collega")
    membership = Membership(user_id=colleague.id, organisation_id=organisation.id, role="member")
    db.session.add(membership)
    db.session.commit()
    client = client_as(app, owner, organisation)
    with one_audit_row("membership.role_changed", owner, organisation, detail=f"user {colleague.id}: owner"):
        _redirected(client.post(f"/organisatie/leden/{membership.id}/rol", data={f"m{membership.id}-role": "owner"}))
    _flash_ok(client)


def test_platform_role_change_by_admin(app):
    admin = factories.make_user(role="admin")
    person = factories.make_user()
    with one_audit_row("account.platform_role", admin, person, detail="- -> analyst"):
        _redirected(client_as(app, admin).post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "analyst"}))
    assert db.session.get(User, person.id).platform_role == "analyst"


def test_refusal(app):
    user = factories.make_user()
    with one_audit_row("access.refused", user, None, detail="GET /beheer/"):
        response = client_as(app, user).get("/beheer/")
    assert response.status_code == 403


def test_refusal_of_a_post_keeps_nothing_of_the_request(app):
    user = factories.make_user()
    person = factories.make_user()
    with one_audit_row("access.refused", user, None, detail=f"POST /beheer/gebruikers/{person.id}/rol"):
        response = client_as(app, user).post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "admin"})
    assert response.status_code == 403
    assert db.session.get(User, person.id).platform_role is None


# Administration ---------------------------------------------------------------------------------------


@pytest.fixture()
def admin(app):
    return factories.make_user(role="admin", name="Ada Beheer")


def test_admin_verifies(app, admin):
    owner = factories.make_user()
    organisation = factories.make_org(verified=False, member=owner)
    with one_audit_row("organisation.verified", admin, organisation):
        _redirected(client_as(app, admin).post(f"/beheer/organisaties/{organisation.id}/verifieren"))


def test_admin_rejects(app, admin):
    organisation = factories.make_org(verified=False, member=factories.make_user())
    with one_audit_row("organisation.rejected", admin, organisation, detail="Geen geldig bewijs."):
        _redirected(
            client_as(app, admin).post(
                f"/beheer/organisaties/{organisation.id}/weigeren", data={"reason": "Geen geldig bewijs."}
            )
        )


def test_admin_sets_recognition(app, admin):
    organisation = factories.make_org(kind="sociale_onderneming", is_recognised_maatwerk=False)
    data = {"is_recognised": "y", "recognised_on": "2024-01-01", "source": "Lijst departement WSE"}
    with one_audit_row(
        "organisation.recognition", admin, organisation, detail="recognised on 2024-01-01, source Lijst departement WSE"
    ):
        _redirected(client_as(app, admin).post(f"/beheer/organisaties/{organisation.id}/erkenning", data=data))


@pytest.mark.parametrize("confirm", ["1", "0"])
def test_admin_confirms_or_withdraws_eligibility(app, admin, confirm):
    organisation = factories.make_org(kind="sociale_onderneming", is_eligible_declared=True)
    detail = "confirmed" if confirm == "1" else "withdrawn"
    with one_audit_row("organisation.eligibility", admin, organisation, detail=detail):
        url = f"/beheer/organisaties/{organisation.id}/geschiktheid"
        _redirected(client_as(app, admin).post(url, data={"confirm": confirm}))


def test_admin_disables_and_enables_a_user(app, admin):
    person = factories.make_user()
    client = client_as(app, admin)
    with one_audit_row("account.disabled", admin, person):
        _redirected(client.post(f"/beheer/gebruikers/{person.id}/uitschakelen"))
    with one_audit_row("account.enabled", admin, person):
        _redirected(client.post(f"/beheer/gebruikers/{person.id}/inschakelen"))


def _claim():
    claimant = factories.make_user(name="Cleo Claim")
    organisation = factories.make_org(is_imported=True)
    claim = ProfileClaim(organisation_id=organisation.id, user_id=claimant.id, evidence="Ik ben de zaakvoerder.")
    db.session.add(claim)
    db.session.commit()
    return claim


def test_admin_approves_a_claim(app, admin):
    claim = _claim()
    with one_audit_row("claim.approved", admin, claim):
        _redirected(client_as(app, admin).post(f"/beheer/overnames/{claim.id}/goedkeuren"))
    assert db.session.get(ProfileClaim, claim.id).state == "approved"


def test_admin_rejects_a_claim(app, admin):
    claim = _claim()
    with one_audit_row("claim.rejected", admin, claim, detail="Geen bewijs van zaakvoerderschap."):
        _redirected(
            client_as(app, admin).post(
                f"/beheer/overnames/{claim.id}/weigeren", data={"reason": "Geen bewijs van zaakvoerderschap."}
            )
        )


# Offers and needs ------------------------------------------------------------------------------------


@pytest.fixture()
def supplier(app):
    user = factories.make_user(name="Sam Leverancier")
    return user, factories.make_org(name="Groen Maatwerk", kind="maatwerkbedrijf", member=user)


@pytest.fixture()
def buyer(app):
    user = factories.make_user(name="Bart Koper")
    return user, factories.make_org(name="Bouw NV", kind="onderneming", member=user)


OFFER_FORM = {
    "title": "Groenonderhoud",
    "description": "Maaien en snoeien.",
    "domains": ["groenonderhoud"],
    "regions": ["VAN"],
    "capacity_fte": "4",
}


def test_offer_create_update_publish_archive(app, supplier):
    user, organisation = supplier
    factories.make_domain("groenonderhoud")
    client = client_as(app, user, organisation)
    last = _last_id()
    _redirected(client.post("/aanbod/nieuw", data=OFFER_FORM))
    (created,) = _rows_after(last)
    assert (created.action, created.actor_id, created.object_type) == ("offer.create", user.id, "Offer")
    from marketplace.offers.models import Offer

    offer = db.session.get(Offer, int(created.object_id))
    with one_audit_row("offer.update", user, offer, detail=offer.ref):
        _redirected(client.post(f"/aanbod/{offer.id}/bewerken", data={**OFFER_FORM, "title": "Groen en snoei"}))
    with one_audit_row("offer.publish", user, offer, detail=offer.ref):
        _redirected(client.post(f"/aanbod/{offer.id}/publiceren"))
    _flash_ok(client)
    with one_audit_row("offer.archive", user, offer, detail=offer.ref):
        _redirected(client.post(f"/aanbod/{offer.id}/archiveren"))
    _flash_ok(client)


@pytest.mark.parametrize("change, action", [("afsluiten", "need.close"), ("annuleren", "need.cancel")])
def test_need_publish_then_close_or_cancel(app, buyer, change, action):
    user, organisation = buyer
    need = factories.make_need(organisation, state="draft")
    client = client_as(app, user, organisation)
    with one_audit_row("need.publish", user, need, detail=need.ref):
        _redirected(client.post(f"/vragen/{need.id}/publiceren"))
    _flash_ok(client)
    with one_audit_row(action, user, need, detail=need.ref):
        _redirected(client.post(f"/vragen/{need.id}/{change}"))
    _flash_ok(client)


# Leads, collaborations and the award -----------------------------------------------------------------


def test_interest_then_decline(app, supplier, buyer):
    supplier_user, supplier_org = supplier
    buyer_user, buyer_org = buyer
    factories.make_offer(supplier_org)
    need = factories.make_need(buyer_org)
    client = client_as(app, supplier_user, supplier_org)
    last = _last_id()
    _redirected(client.post(f"/vragen/{need.id}/interesse", data={"availability": "Vanaf maart", "message": "Graag"}))
    (row,) = _rows_after(last)
    assert (row.action, row.actor_id, row.object_type) == ("lead.interest", supplier_user.id, "Lead")
    lead = leads.lead_for(need, supplier_org)
    assert row.object_id == str(lead.id)
    with one_audit_row("lead.decline", buyer_user, lead):
        _redirected(
            client_as(app, buyer_user, buyer_org).post(f"/contacten/{lead.id}/afwijzen", data={"reason": "fit"})
        )


def test_invitation_answered_by_interest(app, supplier, buyer):
    supplier_user, supplier_org = supplier
    buyer_user, buyer_org = buyer
    factories.make_offer(supplier_org)
    need = factories.make_need(buyer_org)
    last = _last_id()
    _redirected(client_as(app, buyer_user, buyer_org).post(f"/vragen/{need.id}/uitnodigen/{supplier_org.id}"))
    (row,) = _rows_after(last)
    lead = leads.lead_for(need, supplier_org)
    assert (row.action, row.actor_id, row.object_type, row.object_id) == (
        "lead.invite",
        buyer_user.id,
        "Lead",
        str(lead.id),
    )
    # Answering the invitation also puts the need in discussion: still one action, one row.
    with one_audit_row("lead.interest", supplier_user, lead):
        _redirected(
            client_as(app, supplier_user, supplier_org).post(
                f"/vragen/{need.id}/interesse", data={"availability": "Meteen"}
            )
        )
    assert db.session.get(type(need), need.id).state == "in_discussion"


def _interested_lead(supplier, buyer, kind="outsourcing"):
    supplier_user, supplier_org = supplier
    factories.make_offer(supplier_org)
    need = factories.make_need(buyer[1], kind=kind)
    return leads.express_interest(need, supplier_org, actor=supplier_user, message="Wij doen dit graag.")


def test_buyer_message_that_opens_the_discussion(app, supplier, buyer):
    lead = _interested_lead(supplier, buyer)
    buyer_user, buyer_org = buyer
    last = _last_id()
    response = client_as(app, buyer_user, buyer_org).post(f"/contacten/{lead.id}/berichten", data={"body": "Welkom"})
    _redirected(response)
    rows = _rows_after(last)
    assert [(row.action, row.actor_id, row.object_type) for row in rows] == [("lead.message", buyer_user.id, "Message")]
    assert rows[0].address == ADDRESS


def test_agreement_then_complete(app, supplier, buyer):
    lead = _interested_lead(supplier, buyer)
    buyer_user, buyer_org = buyer
    client = client_as(app, buyer_user, buyer_org)
    data = {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "5000", "fte": "2"}
    last = _last_id()
    _redirected(client.post(f"/contacten/{lead.id}/akkoord", data=data))
    rows = _rows_after(last)
    collaboration = db.session.get(type(lead), lead.id).collaboration
    assert [(r.action, r.actor_id, r.object_type, r.object_id) for r in rows] == [
        ("collaboration.agree", buyer_user.id, "Collaboration", str(collaboration.id))
    ]
    with one_audit_row("collaboration.afgerond", buyer_user, collaboration):
        _redirected(client.post(f"/samenwerkingen/{collaboration.id}/afronden", data={"end-ended_on": "2027-05-31"}))


def _collaboration(supplier, buyer):
    lead = _interested_lead(supplier, buyer)
    return leads.record_agreement(
        lead,
        {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "5000", "fte": "2"},
        actor=buyer[0],
    )


def test_collaboration_stopped(app, supplier, buyer):
    collaboration = _collaboration(supplier, buyer)
    supplier_user, supplier_org = supplier
    with one_audit_row("collaboration.stopgezet", supplier_user, collaboration):
        _redirected(
            client_as(app, supplier_user, supplier_org).post(
                f"/samenwerkingen/{collaboration.id}/stopzetten", data={"end-reason": "staffing", "end-note": "Ploeg"}
            )
        )


def test_collaboration_extended(app, supplier, buyer):
    collaboration = _collaboration(supplier, buyer)
    buyer_user, buyer_org = buyer
    with one_audit_row("collaboration.extend", buyer_user, collaboration):
        _redirected(
            client_as(app, buyer_user, buyer_org).post(
                f"/samenwerkingen/{collaboration.id}/verlengen", data={"extend-ends_on": "2027-12-31"}
            )
        )


def test_shortlist_and_award(app, supplier):
    officer = factories.make_user(name="Paula Aankoper")
    city = factories.make_org(name="Stad Gent", kind="overheid", member=officer)
    lead = _interested_lead(supplier, (officer, city), kind="reserved_contract")
    client = client_as(app, officer, city)
    with one_audit_row("lead.shortlist", officer, lead):
        _redirected(client.post(f"/contacten/{lead.id}/kortelijst", data={"on": "1"}))
    last = _last_id()
    data = {"starts_on": "2027-02-01", "ends_on": "2027-12-31", "value_eur": "120000", "fte": "3"}
    _redirected(client.post(f"/contacten/{lead.id}/gunnen", data=data))
    rows = _rows_after(last)
    collaboration = db.session.get(type(lead), lead.id).collaboration
    # The need becomes awarded in the same action: one row, for the award.
    assert [(r.action, r.actor_id, r.object_type, r.object_id) for r in rows] == [
        ("collaboration.award", officer.id, "Collaboration", str(collaboration.id))
    ]
    assert rows[0].address == ADDRESS
    assert db.session.get(type(lead.need), lead.need_id).state == "awarded"


# CR and LF in input ----------------------------------------------------------------------------------


def _no_line_breaks_in_audit():
    details = list(db.session.scalars(select(AuditEntry.detail)))
    assert details
    assert [detail for detail in details if "\r" in detail or "\n" in detail] == []


def _no_line_breaks_in_log(caplog):
    broken = [record.getMessage() for record in caplog.records if any(c in record.getMessage() for c in "\r\n")]
    assert broken == []


def test_line_breaks_never_split_an_audit_detail_or_log_line(app, admin, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_as(app, admin)
    organisation = factories.make_org(name=FORGED, verified=False, member=factories.make_user())
    with one_audit_row("organisation.rejected", admin, organisation, detail="evil FORGED action=admin"):
        _redirected(client.post(f"/beheer/organisaties/{organisation.id}/weigeren", data={"reason": FORGED}))
    recognised = "recognised on 2024-01-01, source evil FORGED action=admin"
    with one_audit_row("organisation.recognition", admin, organisation, detail=recognised):
        client.post(
            f"/beheer/organisaties/{organisation.id}/erkenning",
            data={"is_recognised": "y", "recognised_on": "2024-01-01", "source": FORGED},
        )
    claim = _claim()
    with one_audit_row("claim.rejected", admin, claim, detail="evil FORGED action=admin"):
        _redirected(client.post(f"/beheer/overnames/{claim.id}/weigeren", data={"reason": FORGED}))
    # An e-mail address with a line break is refused by the form before any login is tried.
    with no_audit_row():
        response = client_as(app).post("/aanmelden", data={"email": f"ina@example.be{FORGED}", "password": "x"})
    assert response.status_code == 200
    # A need title and an organisation name travel into mail subjects and lead messages.
    supplier_user = factories.make_user()
    supplier_org = factories.make_org(name=FORGED, member=supplier_user)
    factories.make_offer(supplier_org)
    buyer_user = factories.make_user()
    buyer_org = factories.make_org(name=FORGED, kind="onderneming", member=buyer_user)
    need = factories.make_need(buyer_org, title=FORGED)
    _redirected(
        client_as(app, supplier_user, supplier_org).post(
            f"/vragen/{need.id}/interesse", data={"availability": FORGED, "message": FORGED}
        )
    )
    # The buyer's mail (its subject names both) went out, and did not hold up the mail after it.
    mails = list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))
    assert mails and [mail.subject for mail in mails if mail.sent_at is None] == []
    assert [mail.subject for mail in mails if "\r" in mail.subject or "\n" in mail.subject] == []
    _no_line_breaks_in_audit()
    _no_line_breaks_in_log(caplog)


def test_provider_error_text_never_splits_a_log_line(oidc_app, caplog):  # noqa: F811 (fixture)
    caplog.set_level(logging.DEBUG)
    client = client_as(oidc_app)
    with one_audit_row("account.login_oidc_failed", None, None):
        response = client.get(
            "/aanmelden/overheid/terug", query_string={"error": "server_error", "error_description": FORGED}
        )
    _redirected(response)
    assert any("FORGED" in record.getMessage() for record in caplog.records)
    _no_line_breaks_in_log(caplog)
    _no_line_breaks_in_audit()
