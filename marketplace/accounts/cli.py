"""`flask users …`: accounts from the command line, for operators (the first administrator, roles, disabling)."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from flask_babel import gettext as _

users_cli = AppGroup("users", help="Accounts and platform roles.")
ROLE_CHOICES = click.Choice(["admin", "analyst", "none"])


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(1)


def _user_or_fail(email: str):
    from marketplace.accounts.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        _fail(_("Er is geen account met het e-mailadres %(email)s.", email=email))
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=ROLE_CHOICES, default="none", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_command(email, name, role, password):
    """Create a confirmed account, for example the first administrator."""
    from marketplace.accounts.rules import password_problem
    from marketplace.accounts.services import create_confirmed_user, find_user_by_email

    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        _fail(_("%(email)s is geen geldig e-mailadres.", email=email))
    if not name.strip():
        _fail(_("Geef een naam op met --name."))
    problem = password_problem(password, email)
    if problem:
        _fail(_("Wachtwoord geweigerd: %(problem)s", problem=problem))
    if find_user_by_email(email) is not None:
        _fail(_("Er bestaat al een account met het e-mailadres %(email)s.", email=email))
    user = create_confirmed_user(email, name, password, None if role == "none" else role)
    click.echo(_("Account %(email)s aangemaakt.", email=user.email))


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICES)
def set_role_command(email, role):
    """Grant a platform role (admin, analyst) or take it away (none)."""
    from marketplace.admin.services import set_platform_role

    user = _user_or_fail(email)
    set_platform_role(user, None if role == "none" else role, admin=None)
    click.echo(_("De rol van %(email)s is nu %(role)s.", email=user.email, role=role))


@users_cli.command("disable")
@click.argument("email")
def disable_command(email):
    """Disable an account and end all its sessions."""
    from marketplace.admin.services import disable_user

    user = _user_or_fail(email)
    disable_user(user, admin=None)
    click.echo(_("Het account %(email)s is uitgeschakeld en overal afgemeld.", email=user.email))


commands = [users_cli]
