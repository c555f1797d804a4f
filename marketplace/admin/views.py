"""Platform administration (/beheer): verification, recognition, users, roles, claims, audit log."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from marketplace.access import admin_required
from marketplace.accounts.models import User
from marketplace.admin import services
from marketplace.admin.forms import ROLE_LABELS, PlatformRoleForm, ReasonForm, RecognitionForm
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.orgs import services as org_services
from marketplace.orgs.geography import province_label
from marketplace.orgs.kbo import format_kbo
from marketplace.orgs.models import MEMBER_ROLES, ORG_KINDS, VERIFICATION_STATES, Organisation, ProfileClaim
from marketplace.urls import page_number

bp = Blueprint("admin", __name__, url_prefix="/beheer")


def _page_number() -> int:
    return page_number()


def _paginate(statement):
    return db.paginate(statement, page=_page_number(), per_page=current_app.config["PER_PAGE"], error_out=False)


@bp.get("/")
@admin_required
def index():
    counts = {
        "pending": db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.verification_state == "pending")
        ),
        "claims": db.session.scalar(select(func.count(ProfileClaim.id)).where(ProfileClaim.state == "pending")),
        "eligibility": db.session.scalar(
            select(func.count(Organisation.id)).where(
                Organisation.is_eligible_declared.is_(True), Organisation.eligibility_confirmed_at.is_(None)
            )
        ),
    }
    return render_template("admin/index.html", counts=counts)


ORG_FILTERS = ("pending", "verified", "rejected", "eligibility", "all")


@bp.get("/organisaties")
@admin_required
def organisations():
    state = request.args.get("state", "pending")
    state = state if state in ORG_FILTERS else "pending"
    query = (request.args.get("q") or "").strip()[:200]
    statement = select(Organisation).order_by(Organisation.created_at)
    if state in VERIFICATION_STATES:
        statement = statement.where(Organisation.verification_state == state)
    elif state == "eligibility":
        statement = statement.where(
            Organisation.is_eligible_declared.is_(True), Organisation.eligibility_confirmed_at.is_(None)
        )
    if query:
        digits = "".join(c for c in query if c.isascii() and c.isdigit())
        conditions = [Organisation.name.ilike(f"%{query}%")]
        if len(digits) >= 4:
            conditions.append(Organisation.kbo.contains(digits))
        statement = statement.where(or_(*conditions))
    return render_template(
        "admin/organisations.html",
        page=_paginate(statement),
        state=state,
        query=query,
        states=VERIFICATION_STATES,
        kinds=ORG_KINDS,
        format_kbo=format_kbo,
    )


def _organisation_page(organisation, reason_form=None, recognition_form=None, status=200):
    recognition_form = recognition_form or RecognitionForm(
        data={
            "is_recognised": organisation.is_recognised_maatwerk,
            "recognised_on": organisation.recognised_on,
            "source": organisation.recognition_source,
        }
    )
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        kbo=format_kbo(organisation.kbo),
        kind=ORG_KINDS.get(organisation.kind, organisation.kind),
        province=province_label(organisation.province),
        state=VERIFICATION_STATES.get(organisation.verification_state),
        roles=MEMBER_ROLES,
        reason_form=reason_form or ReasonForm(),
        recognition_form=recognition_form,
    ), status


@bp.get("/organisaties/<int:org_id>")
@admin_required
def organisation(org_id: int):
    return _organisation_page(db.get_or_404(Organisation, org_id))


@bp.post("/organisaties/<int:org_id>/verifieren")
@admin_required
def verify(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    services.verify_organisation(organisation)
    flash(
        _("%(name)s is geverifieerd. De beheerders van de organisatie kregen een e-mail.", name=organisation.name),
        "success",
    )
    return redirect(url_for("admin.organisations"))


@bp.post("/organisaties/<int:org_id>/weigeren")
@admin_required
def reject(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, reason_form=form)
    services.reject_organisation(organisation, form.reason.data)
    flash(
        _("%(name)s is geweigerd. De beheerders van de organisatie kregen een e-mail.", name=organisation.name),
        "success",
    )
    return redirect(url_for("admin.organisations"))


@bp.post("/organisaties/<int:org_id>/erkenning")
@admin_required
def recognition(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    form = RecognitionForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, recognition_form=form)
    services.set_recognition(organisation, form.is_recognised.data, form.recognised_on.data, form.source.data or "")
    flash(_("De erkenning van %(name)s is bewaard.", name=organisation.name), "success")
    return redirect(url_for("admin.organisation", org_id=organisation.id))


@bp.post("/organisaties/<int:org_id>/geschiktheid")
@admin_required
def eligibility(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    confirm = request.form.get("confirm") == "1"
    try:
        services.set_eligibility_confirmed(organisation, confirm)
    except services.NotAllowed:
        flash(
            _("Deze organisatie verklaarde niet dat ze aan artikel 20 voldoet; er valt niets te bevestigen."), "error"
        )
    else:
        if confirm:
            flash(_("De verklaring van %(name)s is bevestigd.", name=organisation.name), "success")
        else:
            flash(_("De bevestiging van %(name)s is ingetrokken.", name=organisation.name), "success")
    return redirect(url_for("admin.organisation", org_id=organisation.id))


@bp.get("/gebruikers")
@admin_required
def users():
    query = (request.args.get("q") or "").strip()[:200]
    statement = select(User).order_by(User.email)
    if query:
        statement = statement.where(or_(User.email.ilike(f"%{query}%"), User.name.ilike(f"%{query}%")))
    return render_template("admin/users.html", page=_paginate(statement), query=query, role_labels=ROLE_LABELS)


@bp.get("/gebruikers/<int:user_id>")
@admin_required
def user(user_id: int):
    person = db.get_or_404(User, user_id)
    form = PlatformRoleForm(data={"role": person.platform_role or ""})
    return render_template(
        "admin/user.html", person=person, role_form=form, role_labels=ROLE_LABELS, member_roles=MEMBER_ROLES
    )


@bp.post("/gebruikers/<int:user_id>/uitschakelen")
@admin_required
def disable_user(user_id: int):
    person = db.get_or_404(User, user_id)
    try:
        services.disable_user(person, current_user)
    except services.NotAllowed:
        flash(_("U kunt uw eigen account niet uitschakelen."), "error")
    else:
        flash(_("Het account van %(name)s is uitgeschakeld en overal afgemeld.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/gebruikers/<int:user_id>/inschakelen")
@admin_required
def enable_user(user_id: int):
    person = db.get_or_404(User, user_id)
    services.enable_user(person)
    flash(_("Het account van %(name)s is weer ingeschakeld.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/gebruikers/<int:user_id>/rol")
@admin_required
def platform_role(user_id: int):
    person = db.get_or_404(User, user_id)
    form = PlatformRoleForm()
    if not form.validate_on_submit():
        flash(_("Kies een geldige rol."), "error")
        return redirect(url_for("admin.user", user_id=person.id))
    try:
        services.set_platform_role(person, form.role.data or None, current_user)
    except services.NotAllowed:
        flash(_("U kunt uw eigen beheerdersrol niet afnemen. Vraag een andere beheerder."), "error")
    else:
        flash(_("De rol van %(name)s is bewaard.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.get("/overnames")
@admin_required
def claims():
    statement = select(ProfileClaim).where(ProfileClaim.state == "pending").order_by(ProfileClaim.created_at)
    return render_template("admin/claims.html", page=_paginate(statement), format_kbo=format_kbo, form=ReasonForm())


@bp.post("/overnames/<int:claim_id>/goedkeuren")
@admin_required
def approve_claim(claim_id: int):
    claim = db.get_or_404(ProfileClaim, claim_id)
    if claim.state != "pending":
        flash(_("Over deze aanvraag is al beslist."), "error")
    else:
        org_services.approve_claim(claim)
        flash(_("%(name)s beheert nu %(org)s.", name=claim.user.name, org=claim.organisation.name), "success")
    return redirect(url_for("admin.claims"))


@bp.post("/overnames/<int:claim_id>/weigeren")
@admin_required
def reject_claim(claim_id: int):
    claim = db.get_or_404(ProfileClaim, claim_id)
    form = ReasonForm()
    if claim.state != "pending":
        flash(_("Over deze aanvraag is al beslist."), "error")
    elif not form.validate_on_submit():
        flash(_("Vul een reden van 5 tot 1000 tekens in om de aanvraag te weigeren."), "error")
    else:
        org_services.reject_claim(claim, form.reason.data)
        flash(_("De aanvraag van %(name)s is geweigerd.", name=claim.user.name), "success")
    return redirect(url_for("admin.claims"))


@bp.get("/audit")
@admin_required
def audit():
    action = (request.args.get("action") or "").strip()[:60]
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        statement = statement.where(AuditEntry.action == action)
    page = _paginate(statement)
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    return render_template("admin/audit.html", page=page, action=action, actions=actions, actors=actors)
