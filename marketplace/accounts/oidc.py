"""Government login over OpenID Connect (for Flanders: ACM/IDM), with Authlib as the client.

Authorization code flow with PKCE (S256), state and nonce; Authlib checks the ID token's
signature, issuer, audience, expiry and nonce. We add what Authlib leaves out: the provider's
published issuer must equal OIDC_ISSUER, and the pending login states kept in the session
cookie are bounded. People are keyed by (issuer, subject) in `OidcIdentity`, never by e-mail.
"""

import time
from datetime import datetime

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from joserfc.errors import JoseError
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, ValidationError

from marketplace.access import login_required, public
from marketplace.accounts.models import User
from marketplace.accounts.passwords import verify_password
from marketplace.accounts.sessions import start_session
from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.orgs.kbo import InvalidKbo, format_kbo, normalise_kbo
from marketplace.orgs.models import Membership, Organisation

CLIENT_NAME = "overheid"
SCOPE = "openid email profile"
# Pending login states kept in the cookie: a few tabs work, abandoned attempts cannot
# push the cookie past the ~4 KB browsers accept.
MAX_PENDING_STATES = 3
PENDING_LINK_SECONDS = 600
MAX_LINK_ATTEMPTS = 5

bp = Blueprint("oidc", __name__)


class OidcIdentity(db.Model):
    """A person at an OpenID Connect provider, linked to one Werkbrug account."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_identity_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The last ID token, sent back as id_token_hint when the user logs out.
    last_id_token: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ProviderMisconfigured(RuntimeError):
    """The provider's metadata does not match the configuration."""


def is_enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET"))


def _client():
    """The Authlib client for the configured provider; checks the published issuer on first use."""
    config = current_app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    settings = (issuer, config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    cached = current_app.extensions.get("werkbrug.oidc")
    if cached and cached[0] == settings and "_loaded_at" in cached[1].server_metadata:
        return cached[1]
    oauth = OAuth()
    oauth.init_app(current_app._get_current_object())
    client = oauth.register(
        CLIENT_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
    )
    metadata = client.load_server_metadata()
    # Authlib trusts whatever issuer the metadata names; a provider (or a DNS hijack) that
    # publishes another issuer would then have its tokens accepted.
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        current_app.extensions.pop("werkbrug.oidc", None)
        raise ProviderMisconfigured(f"provider publishes issuer {metadata.get('issuer')!r}, expected {issuer!r}")
    current_app.extensions["werkbrug.oidc"] = (settings, client)
    return client


def _bound_pending_states() -> None:
    prefix = f"_state_{CLIENT_NAME}_"
    pending = sorted(
        (key for key in session if key.startswith(prefix)),
        key=lambda key: (session[key] or {}).get("exp", 0),
    )
    for key in pending[:-MAX_PENDING_STATES]:
        session.pop(key)


def _fail(message: str, log: str = "", user: User | None = None):
    if log:
        current_app.logger.warning("OIDC login failed: %s", log)
    # Nothing of the failed attempt is pending in the session: the audit row is all this commits.
    record_audit("account.login_oidc_failed", user, detail=log, actor_id=user.id if user else None)
    db.session.commit()
    flash(message, "error")
    return redirect(url_for("accounts.login"))


UNREACHABLE = _l("De aanmeldingsdienst van de overheid is nu niet bereikbaar. Probeer het later opnieuw.")
MISCONFIGURED = _l("Aanmelden met de overheid werkt nu niet door een instellingsfout. Meld u aan met uw e-mailadres.")
EXPIRED = _l("Uw aanmelding is verlopen of werd al gebruikt. Probeer opnieuw.")
REFUSED = _l("De aanmeldingsdienst van de overheid heeft de aanmelding niet bevestigd. Probeer opnieuw.")
CANCELLED = _l("De aanmelding bij de overheid werd afgebroken. U bent niet aangemeld.")
BAD_TOKEN = _l("We konden uw aanmelding bij de overheid niet controleren. U bent niet aangemeld.")


@bp.post("/aanmelden/overheid")
@public
def start():
    if not is_enabled():
        abort(404)
    try:
        client = _client()
        redirect_uri = url_for("oidc.callback", _external=True)
        authorization = client.create_authorization_url(redirect_uri)
    except requests.RequestException as error:
        return _fail(str(UNREACHABLE), repr(error))
    except ProviderMisconfigured as error:
        return _fail(str(MISCONFIGURED), str(error))
    # Authlib would also keep the whole authorization URL; the verifier and nonce suffice.
    client.save_authorize_data(
        state=authorization["state"],
        redirect_uri=redirect_uri,
        code_verifier=authorization["code_verifier"],
        nonce=authorization["nonce"],
    )
    _bound_pending_states()
    return redirect(authorization["url"])


@bp.get("/aanmelden/overheid/terug")
@public
def callback():
    if not is_enabled():
        abort(404)
    try:
        client = _client()
        token = client.authorize_access_token()
    except requests.RequestException as error:
        return _fail(str(UNREACHABLE), repr(error))
    except ProviderMisconfigured as error:
        return _fail(str(MISCONFIGURED), str(error))
    except OAuthError as error:
        if error.error == "mismatching_state":
            return _fail(str(EXPIRED), "state mismatch")
        if error.error == "access_denied":
            return _fail(str(CANCELLED), "cancelled")
        return _fail(str(REFUSED), f"{error.error}: {error.description}")
    except (JoseError, ValueError, KeyError) as error:
        return _fail(str(BAD_TOKEN), repr(error))
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        return _fail(str(BAD_TOKEN), "no ID token")
    return _after_provider_login(dict(claims), token.get("id_token", ""))


def _after_provider_login(claims: dict, id_token: str):
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    identity = db.session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == str(claims["sub"]))
    )
    kbo = _claimed_kbo(claims)
    if identity is not None:
        if not identity.user.is_enabled:
            return _fail(_("Dit account is uitgeschakeld."), "disabled account", identity.user)
        return _log_in(identity, id_token, kbo)

    email = str(claims.get("email") or "").strip().lower()
    if not email:
        return _fail(_("De overheid gaf geen e-mailadres door. Meld u aan met uw e-mailadres."), "no email")
    existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if existing is not None:
        if claims.get("email_verified") is not True:
            return _fail(
                _("Er bestaat al een account met dit e-mailadres. Meld u aan met uw e-mailadres en wachtwoord."),
                "unverified email of an existing account",
            )
        session["oidc_pending_link"] = {
            "issuer": issuer,
            "subject": str(claims["sub"]),
            "user_id": existing.id,
            "id_token": "",
            "kbo": kbo,
            "expires": time.time() + PENDING_LINK_SECONDS,
            "attempts": 0,
        }
        return redirect(url_for("oidc.link"))

    user = User(
        email=email,
        name=str(claims.get("name") or email)[:120],
        password_hash=None,
        email_confirmed_at=utcnow() if claims.get("email_verified") is True else None,
    )
    db.session.add(user)
    db.session.flush()
    identity = OidcIdentity(issuer=issuer, subject=str(claims["sub"]), user=user)
    db.session.add(identity)
    record_audit("account.created_oidc", user, actor_id=user.id)
    return _log_in(identity, id_token, kbo, new=True)


def _claimed_kbo(claims: dict) -> str | None:
    claim = current_app.config.get("OIDC_KBO_CLAIM") or ""
    try:
        return normalise_kbo(str(claims.get(claim) or "")) if claim else None
    except InvalidKbo:
        return None


def _log_in(identity: OidcIdentity, id_token: str, kbo: str | None, new: bool = False):
    identity.last_id_token = id_token[:8000]
    identity.last_login_at = utcnow()
    user = identity.user
    start_session(user)
    record_audit("account.login_oidc", user, actor_id=user.id)
    db.session.commit()
    session["oidc_identity_id"] = identity.id
    if kbo:
        session["oidc_kbo"] = kbo
    if new or not user.memberships:
        return redirect(url_for("oidc.organisation"))
    flash(_("U bent aangemeld."), "success")
    return redirect(url_for("main.dashboard"))


class LinkForm(FlaskForm):
    password = PasswordField(
        _l("Wachtwoord van uw Werkbrug-account"), validators=[DataRequired(_l("Vul uw wachtwoord in."))]
    )


@bp.route("/aanmelden/overheid/koppelen", methods=["GET", "POST"])
@public
def link():
    pending = session.get("oidc_pending_link")
    if not pending or pending.get("expires", 0) < time.time():
        session.pop("oidc_pending_link", None)
        return _fail(str(EXPIRED), "no pending link")
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.is_enabled:
        session.pop("oidc_pending_link", None)
        return _fail(str(EXPIRED), "linked account gone")
    form = LinkForm()
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.password.data):
            session.pop("oidc_pending_link", None)
            identity = OidcIdentity(issuer=pending["issuer"], subject=pending["subject"], user=user)
            db.session.add(identity)
            record_audit("account.linked_oidc", user, actor_id=user.id)
            return _log_in(identity, pending.get("id_token", ""), pending.get("kbo"))
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= MAX_LINK_ATTEMPTS:
            session.pop("oidc_pending_link", None)
            return _fail(
                _("Te veel foute wachtwoorden. Uw account werd niet gekoppeld."), "too many link attempts", user
            )
        record_audit("account.login_failed", user, detail="linking a government login", actor_id=user.id)
        db.session.commit()
        session["oidc_pending_link"] = pending
        form.password.errors.append(_("Dit wachtwoord klopt niet."))
    return render_template("accounts/oidc_link.html", form=form, email=user.email)


def _validate_kbo(form, field):
    try:
        field.data = normalise_kbo(field.data or "")
    except InvalidKbo as error:
        raise ValidationError(_("Vul een geldig ondernemingsnummer in, bijvoorbeeld 0403.019.261.")) from error


class OrganisationForm(FlaskForm):
    kbo = StringField(
        _l("Ondernemingsnummer van de organisatie die u vertegenwoordigt"),
        validators=[DataRequired(_l("Vul het ondernemingsnummer in.")), _validate_kbo],
    )


@bp.route("/aanmelden/overheid/organisatie", methods=["GET", "POST"])
@login_required
def organisation():
    """After a first government login: which organisation does this person represent?"""
    claimed = session.get("oidc_kbo")
    form = OrganisationForm(data={"kbo": format_kbo(claimed) if claimed and request.method == "GET" else None})
    if form.validate_on_submit():
        kbo = form.kbo.data
        org = db.session.scalar(select(Organisation).where(Organisation.kbo == kbo))
        if org is None:
            return redirect(url_for("orgs.register", kbo=kbo))
        if current_user.membership_of(org.id) is None:
            if kbo != claimed:
                form.kbo.errors.append(
                    _(
                        "%(name)s staat al op Werkbrug. Vraag een beheerder van die organisatie om u uit te nodigen.",
                        name=org.name,
                    )
                )
                return render_template(
                    "accounts/oidc_organisation.html", form=form, claimed=format_kbo(claimed) if claimed else None
                )
            # The provider vouches that this person represents the enterprise.
            db.session.add(Membership(user_id=current_user.id, organisation_id=org.id, role="member"))
            record_audit("membership.joined_oidc", org, detail=f"kbo claim {kbo}")
            db.session.commit()
        session["org_id"] = org.id
        session.pop("oidc_kbo", None)
        flash(_("U bent aangemeld voor %(name)s.", name=org.name), "success")
        return redirect(url_for("main.dashboard"))
    return render_template(
        "accounts/oidc_organisation.html", form=form, claimed=format_kbo(claimed) if claimed else None
    )


def oidc_logout_url() -> str | None:
    """Where to send the browser after logging out, to end the provider session too.

    Call before the Werkbrug session is ended; None when the user did not log in through
    the provider, or the provider advertises no end_session_endpoint (or cannot be reached).
    """
    identity_id = session.get("oidc_identity_id")
    if not identity_id or not is_enabled():
        return None
    identity = db.session.get(OidcIdentity, identity_id)
    if identity is None:
        return None
    try:
        client = _client()
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        result = client.create_logout_url(
            post_logout_redirect_uri=url_for("main.index", _external=True),
            id_token_hint=identity.last_id_token or None,
            client_id=client.client_id,
        )
    except (requests.RequestException, ProviderMisconfigured, RuntimeError) as error:
        current_app.logger.warning("OIDC logout URL unavailable: %r", error)
        return None
    return result["url"]
