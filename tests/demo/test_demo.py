"""`flask demo load`: the demo catalog and accounts, idempotent, never in production."""

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import verify_password
from marketplace.catalog.records import read_file
from marketplace.catalog.services import check_catalog
from marketplace.demo.services import DEMO_ACCOUNTS, DEMO_CATALOG, DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import Membership, Organisation


def counts() -> tuple:
    found = tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Organisation, Offer, Need, User, Membership)
    )
    db.session.rollback()
    return found


def test_the_demo_catalog_is_valid_and_covers_the_field(app):
    catalog = check_catalog(read_file(str(DEMO_CATALOG)))
    db.session.rollback()

    kinds = {o["kind"] for o in catalog.organisations}
    assert kinds == {"maatwerkbedrijf", "sociale_onderneming", "onderneming", "overheid"}
    assert len(catalog.organisations) >= 25
    recognised_provinces = {o["province"] for o in catalog.organisations if o["is_recognised_maatwerk"]}
    assert recognised_provinces == {"VAN", "VLI", "VOV", "VBR", "VWV", "BRU"}
    assert {n["kind"] for n in catalog.needs} == {"outsourcing", "enclave", "reserved_contract"}
    assert any(n.get("lots") for n in catalog.needs)


def test_demo_load_twice_makes_everything_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    after_first = counts()

    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0, second.output
    assert counts() == after_first
    for account in DEMO_ACCOUNTS:
        assert account.email in first.output
    assert DEMO_PASSWORD in first.output
    assert "0 organisaties, 0 aanbiedingen en 0 vragen" in second.output


def test_demo_accounts_have_their_roles_and_organisations(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0

    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["admin@werkbrug.demo"].is_admin
    assert users["analist@werkbrug.demo"].is_analyst
    assert all(verify_password(u.password_hash, DEMO_PASSWORD) and u.is_confirmed for u in users.values())
    owned = {
        m.user.email: m.organisation for m in db.session.scalars(select(Membership).where(Membership.role == "owner"))
    }
    assert owned["leverancier@werkbrug.demo"].kind == "maatwerkbedrijf"
    assert owned["leverancier@werkbrug.demo"].is_recognised_maatwerk
    assert owned["kmo@werkbrug.demo"].kind == "onderneming"
    assert owned["aankoper@werkbrug.demo"].kind == "overheid"
    assert not owned["aankoper@werkbrug.demo"].is_imported
    reserved = db.session.scalars(select(Need).where(Need.kind == "reserved_contract")).all()
    assert any(n.lots for n in reserved)


def test_demo_load_is_refused_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
    finally:
        app.config["ENV_NAME"] = "development"

    assert result.exit_code == 1
    assert "niet geladen in productie" in result.output
    assert counts() == (0, 0, 0, 0, 0)
