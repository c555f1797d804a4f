"""Platform administration (to be completed)."""

from flask import Blueprint, render_template

from marketplace.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html")
