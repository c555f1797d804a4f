"""Every page of accounts, organisations and administration renders in both languages with one h1."""

import pytest

from marketplace.extensions import db
from marketplace.orgs.models import Invitation
from tests.conftest import page


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pages_render_with_one_h1(client, make_user, make_org, login_as, lang):
    anonymous_pages = [
        "/aanmelden",
        "/registreren",
        "/registreren/nieuwe-link",
        "/wachtwoord-vergeten",
    ]
    admin = make_user(role="admin")
    org = make_org(member=admin, is_imported=True)
    db.session.add(Invitation(organisation_id=org.id, email="x@example.be", role="member"))
    db.session.commit()
    person = make_user()
    logged_in_pages = [
        "/account",
        "/account/wachtwoord",
        "/organisaties/nieuw",
        "/organisaties/wisselen",
        "/organisatie/instellingen",
        "/organisatie/leden",
        f"/organisaties/{org.id}/overnemen",
        "/beheer/",
        "/beheer/organisaties?state=all",
        f"/beheer/organisaties/{org.id}",
        "/beheer/gebruikers",
        f"/beheer/gebruikers/{person.id}",
        "/beheer/overnames",
        "/beheer/audit",
    ]
    client.post("/taal", data={"lang": lang})
    for path in anonymous_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = page(response)
        assert html.html["lang"] == lang and len(html.find_all("h1")) == 1, path
    login_as(admin, org)
    client.post("/taal", data={"lang": lang})
    for path in logged_in_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = page(response)
        assert html.html["lang"] == lang and len(html.find_all("h1")) == 1, path
        for field in html.select("input:not([type=hidden]), select, textarea"):
            assert field.get("id") and html.find("label", attrs={"for": field["id"]}), (path, field)
