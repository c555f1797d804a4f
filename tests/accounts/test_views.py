"""Registration, confirmation, login, logout, reset and settings through the test client."""

from sqlalchemy import select

from marketplace.accounts.models import User, UserSession
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from tests.accounts.helpers import copy_cookie, link_in, mails_to
from tests.conftest import page, text_of

PASSWORD = "een lange zin als wachtwoord"


def register(client, email="nieuw@example.be", password=PASSWORD, again=None, name="Nieuwe Persoon"):
    return client.post(
        "/registreren",
        data={"name": name, "email": email, "password": password, "password_again": again or password},
    )


def log_in(client, email, password=PASSWORD, **extra):
    return client.post("/aanmelden", data={"email": email, "password": password, **extra})


def test_register_confirm_and_log_in(client):
    response = register(client, email="Nieuw@Example.be")
    assert response.status_code == 200
    assert "Kijk in uw mailbox" in text_of(response)
    user = db.session.scalar(select(User))
    assert user.email == "nieuw@example.be" and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$")

    refused = log_in(client, "nieuw@example.be")
    assert "Bevestig eerst uw e-mailadres" in text_of(refused)

    (mail,) = mails_to("nieuw@example.be")
    confirmed = client.get(link_in(mail))
    assert confirmed.headers["Location"].endswith("/aanmelden")
    db.session.refresh(user)
    assert user.is_confirmed

    response = log_in(client, "nieuw@example.be")
    assert response.status_code == 302
    assert client.get("/mijn-werkbrug").status_code == 200


def test_register_refuses_short_common_and_mismatched_passwords(client):
    short = register(client, password="kort")
    assert "minstens 8 tekens" in text_of(short)
    assert page(short).title.string.startswith("Fout:")
    common = register(client, password="Wachtwoord123")
    assert "te vaak gebruikt" in text_of(common)
    mismatch = register(client, again="iets anders dan het eerste")
    assert "niet gelijk" in text_of(mismatch)
    assert db.session.scalar(select(User)) is None


def test_register_accepts_long_unicode_passwords(client):
    password = "ÆØÅ – zo'n wachtwoord met één 🔑 " * 4
    register(client, password=password)
    assert db.session.scalar(select(User)) is not None


def test_register_with_a_taken_address_says_the_same_and_mails_the_owner(client, make_user):
    make_user(email="bestaand@example.be")
    response = register(client, email="bestaand@example.be")
    assert "Kijk in uw mailbox" in text_of(response)
    assert len(db.session.scalars(select(User)).all()) == 1
    (mail,) = mails_to("bestaand@example.be")
    assert mail.kind == "account_exists"


def test_tampered_confirmation_link_is_refused(client):
    register(client)
    (mail,) = mails_to("nieuw@example.be")
    response = client.get(link_in(mail) + "x", follow_redirects=True)
    assert "niet geldig" in text_of(response)
    assert not db.session.scalar(select(User)).is_confirmed


def test_expired_confirmation_link_is_refused(app, client):
    register(client)
    (mail,) = mails_to("nieuw@example.be")
    app.config["TOKEN_MAX_AGE_SECONDS"] = -1
    try:
        response = client.get(link_in(mail), follow_redirects=True)
    finally:
        app.config["TOKEN_MAX_AGE_SECONDS"] = 48 * 3600
    assert "verlopen" in text_of(response)


def test_wrong_password_and_unknown_address_look_the_same(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    wrong = text_of(log_in(client, "jan@example.be", "niet het wachtwoord"))
    unknown = text_of(log_in(client, "niemand@example.be", "niet het wachtwoord"))
    assert "Het e-mailadres of het wachtwoord klopt niet." in wrong
    assert wrong == unknown


def test_login_renews_the_session(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    with client.session_transaction() as flask_session:
        flask_session["sid"] = "planted-by-an-attacker"
        flask_session["org_id"] = 12345
    log_in(client, "jan@example.be")
    with client.session_transaction() as flask_session:
        assert flask_session["sid"] != "planted-by-an-attacker"
        assert "org_id" not in flask_session
    assert db.session.get(UserSession, flask_session["sid"]).ended_at is None


def test_logout_ends_the_session_so_a_copied_cookie_fails(app, client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    log_in(client, "jan@example.be")
    thief = app.test_client()
    copy_cookie(client, thief)
    assert thief.get("/account").status_code == 200

    client.post("/afmelden")
    assert client.get("/account").status_code == 302
    response = thief.get("/account")
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    assert db.session.scalar(select(UserSession)).ended_at is not None


def test_login_and_logout_with_csrf_on(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(email="jan@example.be", password=PASSWORD)
    assert log_in(client, "jan@example.be").status_code == 400
    token = page(client.get("/aanmelden")).find("input", {"name": "csrf_token"})["value"]
    assert log_in(client, "jan@example.be", csrf_token=token).status_code == 302

    assert client.post("/afmelden").status_code == 400
    assert client.get("/account").status_code == 200
    token = page(client.get("/account")).find("input", {"name": "csrf_token"})["value"]
    assert client.post("/afmelden", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_next_is_followed_only_to_local_paths(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    response = log_in(client, "jan@example.be", next="/account")
    assert response.headers["Location"].endswith("/account")
    client.post("/afmelden")
    response = log_in(client, "jan@example.be", next="//evil.example/x")
    assert response.headers["Location"].endswith("/mijn-werkbrug")


def test_login_page_carries_next_from_the_redirect(client):
    response = client.get("/account")
    assert response.status_code == 302
    form = page(client.get(response.headers["Location"]))
    assert form.find("input", {"id": "next"})["value"] == "/account"


def test_disabled_account_cannot_log_in(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD, is_enabled=False)
    response = log_in(client, "jan@example.be")
    assert "uitgeschakeld" in text_of(response)
    assert client.get("/account").status_code == 302


def test_password_reset_is_single_use_and_ends_sessions(app, client, make_user, login_as):
    user = make_user(email="jan@example.be", password=PASSWORD)
    other_device = app.test_client()
    log_in(other_device, "jan@example.be")

    response = client.post("/wachtwoord-vergeten", data={"email": "jan@example.be"})
    assert "Kijk in uw mailbox" in text_of(response)
    (mail,) = mails_to("jan@example.be")
    link = link_in(mail)
    assert client.get(link).status_code == 200
    new = "een heel ander lang wachtwoord"
    response = client.post(link, data={"password": new, "password_again": new})
    assert response.headers["Location"].endswith("/aanmelden")

    assert other_device.get("/account").status_code == 302
    assert log_in(client, "jan@example.be").status_code == 200
    assert log_in(client, "jan@example.be", new).status_code == 302

    again = client.post(link, data={"password": "nog een ander wachtwoord", "password_again": "x"})
    assert again.headers["Location"].endswith("/wachtwoord-vergeten")
    db.session.refresh(user)
    assert user.password_hash and db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "account.password_reset")
    )


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/wachtwoord-vergeten", data={"email": "niemand@example.be"})
    assert "Kijk in uw mailbox" in text_of(response)
    assert mails_to("niemand@example.be") == []


def test_reset_refuses_a_common_password(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    client.post("/wachtwoord-vergeten", data={"email": "jan@example.be"})
    link = link_in(mails_to("jan@example.be")[0])
    response = client.post(link, data={"password": "password123", "password_again": "password123"})
    assert "te vaak gebruikt" in text_of(response)


def test_resend_confirmation(client, make_user):
    make_user(email="jan@example.be", confirmed=False)
    client.post("/registreren/nieuwe-link", data={"email": "jan@example.be"})
    (mail,) = mails_to("jan@example.be")
    client.get(link_in(mail))
    assert db.session.scalar(select(User)).is_confirmed


def test_settings_change_name_and_language(client, make_user, login_as):
    user = login_as(make_user())
    response = client.post("/account", data={"name": "Andere Naam", "locale": "en"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(user)
    assert (user.name, user.locale) == ("Andere Naam", "en")
    assert page(response).html["lang"] == "en"


def test_settings_refuse_an_empty_name(client, make_user, login_as):
    login_as(make_user())
    response = client.post("/account", data={"name": "", "locale": "nl"})
    assert "Vul uw naam in." in text_of(response)


def test_change_password_ends_other_sessions_but_not_this_one(app, client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    other_device = app.test_client()
    log_in(other_device, "jan@example.be")
    log_in(client, "jan@example.be")
    new = "een heel ander lang wachtwoord"
    wrong = client.post(
        "/account/wachtwoord", data={"current_password": "fout", "password": new, "password_again": new}
    )
    assert "klopt niet" in text_of(wrong)
    response = client.post(
        "/account/wachtwoord", data={"current_password": PASSWORD, "password": new, "password_again": new}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_account_pages_need_login(client):
    for path in ("/account", "/account/wachtwoord"):
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_settings_link_owners_to_their_organisation_pages(client, make_user, make_org, login_as):
    owner = make_user()
    org = make_org(member=owner)
    login_as(owner, org)
    links = [a["href"] for a in page(client.get("/account")).find_all("a")]
    assert "/organisatie/instellingen" in links and "/organisatie/leden" in links
