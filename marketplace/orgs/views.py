"""Organisations: registration, switching, the public directory (to be completed)."""

from flask import Blueprint, render_template

from marketplace.access import login_required, public

bp = Blueprint("orgs", __name__)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def register():
    return render_template("orgs/register.html")


@bp.route("/organisaties/wisselen", methods=["GET", "POST"])
@login_required
def switch():
    return render_template("orgs/switch.html")


@bp.get("/leveranciers")
@public
def directory():
    return render_template("orgs/directory.html")
