"""Registration, e-mail confirmation, login, logout, password reset and account settings."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import login_required, public
from marketplace.accounts import oidc, services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    SettingsForm,
)
from marketplace.accounts.passwords import verify_password
from marketplace.accounts.sessions import client_address, end_session
from marketplace.accounts.tokens import ExpiredToken, InvalidToken
from marketplace.audit.services import record_audit
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.orgs.models import MEMBER_ROLES
from marketplace.urls import safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/aanmelden", methods=["GET", "POST"])
@public
def login():
    form = LoginForm(next=request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("main.dashboard"))
    problem, status, outcome = None, 200, None
    if form.validate_on_submit():
        result = services.log_in(form.email.data, form.password.data, client_address())
        outcome = result.outcome
        if result.outcome == "ok":
            flash(_("U bent aangemeld."), "success")
            return redirect(safe_next(form.next.data) or url_for("main.dashboard"))
        if result.outcome == "throttled":
            minutes = max(1, current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] // 60)
            problem = _(
                "Er werd te vaak een fout wachtwoord ingevuld. Wacht %(minutes)s minuten en probeer dan opnieuw, "
                "of vraag een nieuw wachtwoord aan.",
                minutes=minutes,
            )
            status = 429
        elif result.outcome == "unconfirmed":
            problem = _("Bevestig eerst uw e-mailadres met de link in de e-mail die we u stuurden.")
        elif result.outcome == "disabled":
            problem = _("Dit account is uitgeschakeld. Neem contact op met de beheerders van Werkbrug.")
        else:
            form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
    return render_template(
        "accounts/login.html", form=form, problem=problem, outcome=outcome, oidc_enabled=oidc.is_enabled()
    ), status


@bp.post("/afmelden")
@public
def logout():
    provider_logout = oidc.oidc_logout_url() if current_user.is_authenticated else None
    if current_user.is_authenticated:
        record_audit("account.logout", current_user._get_current_object())
    end_session()
    db.session.commit()
    flash(_("U bent afgemeld."), "success")
    return redirect(provider_logout or url_for("main.index"))


@bp.route("/registreren", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        services.register_user(form.email.data, form.name.data, form.password.data, locale=current_language())
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="register")
    return render_template("accounts/register.html", form=form)


@bp.get("/registreren/bevestigen/<string:token>")
@public
def confirm(token: str):
    try:
        services.confirm_email(token)
    except ExpiredToken:
        flash(_("Deze bevestigingslink is verlopen. Vraag hieronder een nieuwe aan."), "error")
        return redirect(url_for("accounts.resend_confirmation"))
    except InvalidToken:
        flash(_("Deze bevestigingslink is niet geldig. Vraag hieronder een nieuwe aan."), "error")
        return redirect(url_for("accounts.resend_confirmation"))
    flash(_("Uw e-mailadres is bevestigd. U kunt zich nu aanmelden."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/registreren/nieuwe-link", methods=["GET", "POST"])
@public
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="confirm")
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="reset")
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<string:token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidToken as error:
        if isinstance(error, ExpiredToken):
            flash(_("Deze link is verlopen. Vraag een nieuwe aan."), "error")
        else:
            flash(_("Deze link is niet meer geldig: hij werd al gebruikt of is fout. Vraag een nieuwe aan."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        end_session()
        db.session.commit()
        flash(_("Uw wachtwoord is gewijzigd. Meld u aan met het nieuwe wachtwoord."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    form = SettingsForm(obj=user)
    if form.validate_on_submit():
        services.update_profile(user, form.name.data, form.locale.data)
        session["lang"] = form.locale.data
        flash(_("Uw gegevens zijn bewaard."), "success")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, user=user, membership_roles=MEMBER_ROLES)


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Uw huidige wachtwoord klopt niet."))
        else:
            services.change_password(user, form.password.data, keep_session_id=session.get("sid"))
            flash(_("Uw wachtwoord is gewijzigd. Op andere toestellen bent u afgemeld."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/change_password.html", form=form, has_password=bool(user.password_hash))
