"""Home, language choice, Mijn Werkbrug and the static information pages."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from marketplace.access import current_organisation, login_required, public
from marketplace.main.services import dashboard_for, home_figures
from marketplace.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    return render_template("main/index.html", figures=home_figures())


@bp.post("/taal")
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/mijn-werkbrug")
@login_required
def dashboard():
    return render_template("main/dashboard.html", dashboard=dashboard_for(current_organisation()))


@bp.get("/over")
@public
def about():
    return render_template("main/about.html")


@bp.get("/toegankelijkheid")
@public
def accessibility():
    return render_template("main/accessibility.html")
