"""Organisations: registration, profile settings, members and invitations, switching, claims.

The public directory and profile pages live in marketplace/offers/views.py.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from marketplace.access import current_organisation, get_own_or_404, login_required, organisation_required
from marketplace.accounts.tokens import ExpiredToken, InvalidToken
from marketplace.extensions import db
from marketplace.orgs import services
from marketplace.orgs.forms import (
    ClaimForm,
    InviteForm,
    OrganisationProfileForm,
    RegisterOrganisationForm,
    RoleForm,
    SwitchForm,
)
from marketplace.orgs.geography import province_label
from marketplace.orgs.kbo import format_kbo
from marketplace.orgs.models import (
    MEMBER_ROLES,
    ORG_KINDS,
    VERIFICATION_STATES,
    Invitation,
    Membership,
    Organisation,
    ProfileClaim,
)

bp = Blueprint("orgs", __name__)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def register():
    form = RegisterOrganisationForm(data={"kbo": request.args.get("kbo", "")} if request.method == "GET" else None)
    claimable = None
    if form.validate_on_submit():
        try:
            organisation = services.register_organisation(current_user, form.data)
        except services.OrganisationExists as exists:
            if exists.organisation.is_imported:
                claimable = exists.organisation
                form.kbo.errors.append(
                    _(
                        "Deze organisatie staat al op Werkbrug uit de officiële lijst. "
                        "Vraag hieronder om het profiel over te nemen."
                    )
                )
            else:
                form.kbo.errors.append(
                    _("Deze organisatie staat al op Werkbrug. Vraag wie haar op Werkbrug beheert om u uit te nodigen.")
                )
        else:
            session["org_id"] = organisation.id
            flash(
                _(
                    "%(name)s is geregistreerd. Een beheerder van Werkbrug kijkt de gegevens na; "
                    "u krijgt een e-mail als dat gebeurd is.",
                    name=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("main.dashboard"))
    return render_template("orgs/register.html", form=form, claimable=claimable)


@bp.route("/organisaties/wisselen", methods=["GET", "POST"])
@login_required
def switch():
    memberships = sorted(current_user.memberships, key=lambda m: m.organisation.name.lower())
    if not memberships:
        return redirect(url_for("orgs.register"))
    form = SwitchForm(data={"org_id": current_organisation().id} if request.method == "GET" else None)
    form.org_id.choices = [SelectChoice(m.organisation_id, m.organisation.name) for m in memberships]
    if form.validate_on_submit():
        session["org_id"] = form.org_id.data
        flash(
            _("U werkt nu voor %(name)s.", name=current_user.membership_of(form.org_id.data).organisation.name),
            "success",
        )
        return redirect(url_for("main.dashboard"))
    return render_template("orgs/switch.html", form=form)


@bp.route("/organisatie/instellingen", methods=["GET", "POST"])
@organisation_required(owner=True)
def settings():
    organisation = current_organisation()
    form = OrganisationProfileForm(obj=organisation)
    if form.validate_on_submit():
        services.update_organisation(organisation, form.data)
        flash(_("De gegevens van %(name)s zijn bewaard.", name=organisation.name), "success")
        return redirect(url_for("orgs.settings"))
    return render_template(
        "orgs/settings.html",
        form=form,
        organisation=organisation,
        kbo=format_kbo(organisation.kbo),
        kind=ORG_KINDS.get(organisation.kind, organisation.kind),
        province=province_label(organisation.province),
        state=VERIFICATION_STATES.get(organisation.verification_state),
    )


def _members_page(invite_form, status=200):
    organisation = current_organisation()
    memberships = sorted(organisation.memberships, key=lambda m: (m.role != "owner", m.user.name.lower()))
    invitations = db.session.scalars(
        db.select(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at.desc())
    ).all()
    role_forms = {m.id: RoleForm(prefix=f"m{m.id}", data={"role": m.role}) for m in memberships}
    return render_template(
        "orgs/members.html",
        organisation=organisation,
        memberships=memberships,
        invitations=invitations,
        invite_form=invite_form,
        role_forms=role_forms,
        roles=MEMBER_ROLES,
    ), status


@bp.route("/organisatie/leden", methods=["GET", "POST"])
@organisation_required(owner=True)
def members():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_member(current_organisation(), form.email.data, form.role.data, current_user)
        except services.AlreadyMember:
            form.email.errors.append(_("Deze persoon is al lid van uw organisatie."))
        else:
            flash(_("We hebben een uitnodiging gestuurd naar %(email)s.", email=form.email.data), "success")
            return redirect(url_for("orgs.members"))
    return _members_page(form)


@bp.post("/organisatie/leden/<int:membership_id>/rol")
@organisation_required(owner=True)
def change_role(membership_id: int):
    membership = get_own_or_404(Membership, membership_id)
    form = RoleForm(prefix=f"m{membership.id}")
    if not form.validate_on_submit():
        flash(_("Kies een geldige rol."), "error")
    else:
        try:
            services.change_role(membership, form.role.data)
        except services.LastOwner:
            flash(
                _("Een organisatie heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder."), "error"
            )
        else:
            flash(_("De rol van %(name)s is gewijzigd.", name=membership.user.name), "success")
    return redirect(url_for("orgs.members"))


@bp.post("/organisatie/leden/<int:membership_id>/verwijderen")
@organisation_required(owner=True)
def remove_member(membership_id: int):
    membership = get_own_or_404(Membership, membership_id)
    name, leaving = membership.user.name, membership.user_id == current_user.id
    try:
        services.remove_member(membership)
    except services.LastOwner:
        flash(_("U kunt de laatste beheerder niet verwijderen. Maak eerst iemand anders beheerder."), "error")
    else:
        flash(_("%(name)s is geen lid meer van uw organisatie.", name=name), "success")
        if leaving:
            session.pop("org_id", None)
            return redirect(url_for("main.dashboard"))
    return redirect(url_for("orgs.members"))


@bp.post("/organisatie/uitnodigingen/<int:invitation_id>/intrekken")
@organisation_required(owner=True)
def revoke_invitation(invitation_id: int):
    invitation = get_own_or_404(Invitation, invitation_id)
    services.revoke_invitation(invitation)
    flash(_("De uitnodiging voor %(email)s is ingetrokken.", email=invitation.email), "success")
    return redirect(url_for("orgs.members"))


@bp.route("/uitnodiging/<string:token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except ExpiredToken:
        return render_template("orgs/invitation_invalid.html", expired=True), 410
    except InvalidToken:
        return render_template("orgs/invitation_invalid.html", expired=False), 410
    wrong_recipient = current_user.email.lower() != invitation.email.lower()
    if request.method == "POST" and not wrong_recipient:
        services.accept_invitation(current_user, invitation)
        session["org_id"] = invitation.organisation_id
        flash(_("Welkom bij %(name)s.", name=invitation.organisation.name), "success")
        return redirect(url_for("main.dashboard"))
    return render_template("orgs/accept_invitation.html", invitation=invitation, wrong_recipient=wrong_recipient)


@bp.route("/organisaties/<int:org_id>/overnemen", methods=["GET", "POST"])
@login_required
def claim(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    if not organisation.is_imported:
        abort(404)
    pending = db.session.scalar(
        db.select(ProfileClaim).where(
            ProfileClaim.organisation_id == organisation.id,
            ProfileClaim.user_id == current_user.id,
            ProfileClaim.state == "pending",
        )
    )
    form = ClaimForm()
    if pending is None and form.validate_on_submit():
        services.request_claim(current_user, organisation, form.evidence.data)
        flash(_("Uw aanvraag is verstuurd. Een beheerder van Werkbrug bekijkt ze en laat u iets weten."), "success")
        return redirect(url_for("orgs.claim", org_id=organisation.id))
    return render_template(
        "orgs/claim.html", form=form, organisation=organisation, pending=pending, kbo=format_kbo(organisation.kbo)
    )
