"""`flask users …` commands."""

from sqlalchemy import select

from marketplace.accounts.models import User, UserSession
from marketplace.accounts.passwords import verify_password
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def test_create_an_administrator(app):
    result = run(app, "create", "Baas@Example.be", "--name", "De Baas", "--role", "admin", "--password", "x" * 3)
    assert result.exit_code == 1 and "minstens 8 tekens" in result.output
    result = run(
        app, "create", "Baas@Example.be", "--name", "De Baas", "--role", "admin", input="een lang wachtwoord\n" * 2
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.platform_role, user.is_confirmed) == ("baas@example.be", "admin", True)
    assert verify_password(user.password_hash, "een lang wachtwoord")
    again = run(app, "create", "baas@example.be", "--name", "X", "--password", "een lang wachtwoord")
    assert again.exit_code == 1 and "bestaat al" in again.output
    bad = run(app, "create", "geen-adres", "--name", "X", "--password", "een lang wachtwoord")
    assert bad.exit_code == 1 and "geen geldig e-mailadres" in bad.output


def test_set_role_and_disable(app, make_user, login_as):
    user = login_as(make_user(email="jan@example.be"))
    assert run(app, "set-role", "jan@example.be", "analyst").exit_code == 0
    db.session.refresh(user)
    assert user.is_analyst
    assert run(app, "disable", "JAN@example.be").exit_code == 0
    db.session.refresh(user)
    assert not user.is_enabled
    assert db.session.scalar(select(UserSession)).ended_at is not None
    missing = run(app, "disable", "niemand@example.be")
    assert missing.exit_code == 1 and "geen account" in missing.output
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"account.platform_role", "account.disabled"} <= actions
