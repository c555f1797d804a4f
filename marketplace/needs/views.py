"""Needs of buyers: outsourcing, enclave requests and reserved contracts; the public contract list."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import current_organisation, get_own_or_404, organisation_required, public
from marketplace.extensions import db
from marketplace.needs import queries
from marketplace.needs.forms import FORMS, SLUGS
from marketplace.needs.models import Need
from marketplace.needs.rules import accepts_responses, display_state, eligibility_for, is_editable, may_post_need
from marketplace.needs.services import cancel_need, close_need, create_need, publish_need, update_need
from marketplace.offers.validation import NotAllowed, RuleViolation, brussels_time
from marketplace.urls import page_number

bp = Blueprint("needs", __name__)
KIND_SLUGS = {kind: slug for slug, kind in SLUGS.items()}


def _page_number() -> int:
    return page_number()


@bp.get("/opdrachten")
@public
def contracts():
    return render_template("needs/contracts.html", page=queries.open_contracts_page(_page_number()))


@bp.get("/mijn-vragen")
@organisation_required()
def mine():
    organisation = current_organisation()
    return render_template(
        "needs/mine.html", page=queries.own_needs_page(organisation.id, _page_number()), organisation=organisation
    )


@bp.get("/vragen/nieuw")
@organisation_required()
def choose():
    organisation = current_organisation()
    kinds = [(kind, KIND_SLUGS[kind]) for kind in FORMS if may_post_need(organisation, kind) is None]
    return render_template("needs/choose.html", kinds=kinds)


@bp.route("/vragen/nieuw/<any(uitbesteding, enclave, 'voorbehouden-opdracht'):slug>", methods=["GET", "POST"])
@organisation_required()
def new(slug: str):
    kind = SLUGS[slug]
    organisation = current_organisation()
    if may_post_need(organisation, kind):
        abort(403)
    form = FORMS[kind]()
    if form.validate_on_submit():
        try:
            need = create_need(organisation, kind, form.to_data(), actor=current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        else:
            flash(_("Uw vraag is bewaard als concept. Publiceer ze om ze zichtbaar te maken."), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/new.html", form=form, kind=kind)


def _viewable_need(need_id: int):
    """(need, is_own), or a response: login for anonymous visitors, 403 for the wrong kind of organisation."""
    need = db.get_or_404(Need, need_id)
    organisation = current_organisation()
    if organisation is not None and organisation.id == need.organisation_id:
        return need, True
    if need.state == "draft":
        abort(404)
    if need.kind == "reserved_contract":
        return need, False
    # Outsourcing needs and enclave requests: only for logged-in verified social-economy suppliers.
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if organisation is None or not (organisation.is_social_economy and organisation.is_verified):
        abort(403)
    return need, False


@bp.get("/vragen/<int:need_id>")
@public
def detail(need_id: int):
    result = _viewable_need(need_id)
    if not isinstance(result, tuple):
        return result
    need, is_own = result
    organisation = current_organisation()
    eligibility = None
    if not is_own and organisation is not None and organisation.is_social_economy:
        eligibility = eligibility_for(need, organisation)
    return render_template(
        "needs/detail.html",
        need=need,
        is_own=is_own,
        state=display_state(need),
        accepts=accepts_responses(need),
        editable=is_editable(need),
        eligibility=eligibility,
        deadline=brussels_time(need.deadline_at),
    )


@bp.route("/vragen/<int:need_id>/bewerken", methods=["GET", "POST"])
@organisation_required()
def edit(need_id: int):
    need = get_own_or_404(Need, need_id)
    if not is_editable(need):
        flash(_("Deze vraag is afgesloten en kan niet meer gewijzigd worden."), "error")
        return redirect(url_for("needs.detail", need_id=need.id))
    form_class = FORMS[need.kind]
    form = form_class(need=need) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        try:
            update_need(need, form.to_data(), actor=current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            flash(str(exc), "error")
        else:
            flash(_("Uw vraag is bijgewerkt."), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/edit.html", form=form, need=need, kind=need.kind)


def _change_state(need_id: int, change, message: str):
    need = get_own_or_404(Need, need_id)
    try:
        change(need, actor=current_user)
    except NotAllowed as exc:
        flash(str(exc), "error")
    except RuleViolation as exc:
        db.session.rollback()
        flash(_("Deze vraag kan niet gepubliceerd worden: %(reasons)s", reasons=" ".join(exc.errors.values())), "error")
    else:
        flash(message, "success")
    return redirect(url_for("needs.detail", need_id=need_id))


@bp.post("/vragen/<int:need_id>/publiceren")
@organisation_required()
def publish(need_id: int):
    return _change_state(need_id, publish_need, _("Uw vraag is gepubliceerd."))


@bp.post("/vragen/<int:need_id>/annuleren")
@organisation_required()
def cancel(need_id: int):
    return _change_state(need_id, cancel_need, _("Uw vraag is geannuleerd."))


@bp.post("/vragen/<int:need_id>/afsluiten")
@organisation_required()
def close(need_id: int):
    return _change_state(need_id, close_need, _("Uw vraag is afgesloten."))
