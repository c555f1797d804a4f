"""Organisations: registration, switching (the public directory lives in marketplace/offers/views.py)."""

from flask import Blueprint, render_template

from marketplace.access import login_required

bp = Blueprint("orgs", __name__)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def register():
    return render_template("orgs/register.html")


@bp.route("/organisaties/wisselen", methods=["GET", "POST"])
@login_required
def switch():
    return render_template("orgs/switch.html")
