"""Access rules for views. Every view declares one, and a test checks that none is missing.

`view.access_rule` names the rule, so the route inventory can list who may open what.
"""

from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from marketplace.extensions import db
from marketplace.orgs.models import Membership, Organisation


def _mark(view, rule: str):
    view.access_rule = rule
    return view


def public(view):
    """Open to anyone, logged in or not."""
    return _mark(view, "public")


def _require_login():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return None


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        return _require_login() or view(*args, **kwargs)

    return _mark(wrapped, "login")


def platform_role_required(*roles: str):
    """Administrators (and analysts, where named) of the platform itself."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            redirect_to_login = _require_login()
            if redirect_to_login:
                return redirect_to_login
            if current_user.platform_role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, "platform:" + ",".join(roles))

    return decorator


admin_required = platform_role_required("admin")


def current_membership() -> Membership | None:
    """The membership of the organisation the user is acting for (they may have several)."""
    if "membership" in g:
        return g.membership
    membership = None
    if current_user.is_authenticated and current_user.memberships:
        chosen = session.get("org_id")
        membership = next((m for m in current_user.memberships if m.organisation_id == chosen), None)
        membership = membership or current_user.memberships[0]
    g.membership = membership
    return membership


def current_organisation() -> Organisation | None:
    membership = current_membership()
    return membership.organisation if membership else None


def organisation_required(*, owner: bool = False, verified: bool = False):
    """The user acts for an organisation (as its owner, where asked; verified, where asked)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            redirect_to_login = _require_login()
            if redirect_to_login:
                return redirect_to_login
            membership = current_membership()
            if membership is None:
                return redirect(url_for("orgs.register"))
            if owner and membership.role != "owner":
                abort(403)
            if verified and not membership.organisation.is_verified:
                abort(403)
            return view(*args, **kwargs)

        rule = "org:owner" if owner else "org:member"
        return _mark(wrapped, rule + (":verified" if verified else ""))

    return decorator


def get_own_or_404(model, object_id: int, organisation_attr: str = "organisation_id"):
    """An object of the current organisation; 404 for anyone else's (its existence stays hidden)."""
    obj = db.get_or_404(model, object_id)
    organisation = current_organisation()
    if organisation is None or getattr(obj, organisation_attr) != organisation.id:
        abort(404)
    return obj
