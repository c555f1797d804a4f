"""Server-side login sessions on top of Flask-Login.

The signed cookie carries only the id of a UserSession row. Logout ends that row, and
disabling a user ends all of theirs, so a cookie copied before either no longer works.
"""

import secrets

from flask import Flask, request, session
from flask_login import login_user, logout_user
from sqlalchemy import update

from marketplace.accounts.models import User, UserSession
from marketplace.database import utcnow
from marketplace.extensions import db, login_manager


def client_address() -> str:
    return (request.remote_addr or "")[:64] if request else ""


def start_session(user: User) -> UserSession:
    """Log a user in on a fresh session (no data carried over from before login).

    A session this login replaces is ended too: its cookie, if someone kept a copy, logs no one in.
    """
    lang = session.get("lang")
    replaced = session.get("sid")
    if replaced:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == replaced, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    session.clear()
    if lang:
        session["lang"] = lang
    user_session = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, address=client_address())
    db.session.add(user_session)
    user.last_login_at = utcnow()
    db.session.flush()
    session["sid"] = user_session.id
    login_user(user)
    return user_session


def end_session() -> None:
    """Log out: end this session server-side and clear the cookie."""
    sid = session.get("sid")
    if sid:
        db.session.execute(update(UserSession).where(UserSession.id == sid).values(ended_at=utcnow()))
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def end_all_sessions(user_id: int) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def _load_user(user_id: str):
    sid = session.get("sid")
    if not sid:
        return None
    user_session = db.session.get(UserSession, sid)
    if user_session is None or user_session.ended_at is not None or str(user_session.user_id) != user_id:
        return None
    user = user_session.user
    return user if user.is_enabled else None


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    # Sessions live server-side; a remember-me cookie would bypass them.
    app.config["REMEMBER_COOKIE_DURATION"] = 0
