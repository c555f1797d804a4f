"""Registration, login and logout (to be completed by the accounts work)."""

from flask import Blueprint, redirect, render_template, url_for

from marketplace.access import public
from marketplace.accounts.sessions import end_session
from marketplace.extensions import db

bp = Blueprint("accounts", __name__)


@bp.route("/aanmelden", methods=["GET", "POST"])
@public
def login():
    return render_template("accounts/login.html")


@bp.route("/registreren", methods=["GET", "POST"])
@public
def register():
    return render_template("accounts/register.html")


@bp.post("/afmelden")
@public
def logout():
    end_session()
    db.session.commit()
    return redirect(url_for("main.index"))
