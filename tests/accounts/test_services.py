"""Account services and rules without the web layer."""

import pytest

from marketplace.accounts import services
from marketplace.accounts.rules import common_passwords, password_problem
from marketplace.accounts.tokens import InvalidToken, make_token, read_token
from marketplace.extensions import db


def test_password_rules(app):
    assert password_problem("1234567") is not None
    assert password_problem("correct horse battery staple") is None
    assert password_problem("P@SSW0RD") is not None  # case does not matter
    assert password_problem("a" * 64) is None
    assert password_problem("ñandú-über-ÿ") is None
    assert password_problem("jan@example.be", email="Jan@Example.be") is not None
    assert len(common_passwords()) > 100


def test_tokens_are_bound_to_their_purpose(app):
    token = make_token(services.CONFIRM, {"user_id": 1})
    assert read_token(services.CONFIRM, token) == {"user_id": 1}
    with pytest.raises(InvalidToken):
        read_token(services.RESET, token)


def test_reset_token_dies_when_the_password_changes(app, make_user):
    user = make_user()
    token = make_token(services.RESET, services._reset_payload(user))
    assert services.user_for_reset_token(token) == user
    services.change_password(user, "een heel nieuw wachtwoord", keep_session_id=None)
    with pytest.raises(InvalidToken):
        services.user_for_reset_token(token)


def test_confirmation_token_dies_when_the_address_changes(app, make_user):
    user = make_user(confirmed=False)
    token = make_token(services.CONFIRM, {"user_id": user.id, "email": user.email})
    user.email = "ander@example.be"
    db.session.commit()
    with pytest.raises(InvalidToken):
        services.confirm_email(token)


def test_disabled_user_gets_no_reset_link(app, make_user):
    from tests.accounts.helpers import mails_to

    user = make_user(is_enabled=False)
    services.request_password_reset(user.email)
    assert mails_to(user.email) == []
