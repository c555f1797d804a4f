"""Offers of suppliers, the public directory of social-economy suppliers and their profile pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from marketplace.access import current_organisation, get_own_or_404, organisation_required, public
from marketplace.extensions import db
from marketplace.offers import queries
from marketplace.offers.forms import DirectoryFilterForm, OfferForm
from marketplace.offers.models import Offer
from marketplace.offers.rules import may_create_offer
from marketplace.offers.services import archive_offer, create_offer, publish_offer, update_offer
from marketplace.offers.validation import NotAllowed, RuleViolation
from marketplace.orgs.models import Organisation
from marketplace.urls import page_number

bp = Blueprint("offers", __name__)


def _page_number() -> int:
    return page_number()


@bp.get("/leveranciers")
@public
def directory():
    form = DirectoryFilterForm(request.args)
    domain, province = form.domain.data or "", form.province.data or ""
    page = queries.directory_page(domain, province, _page_number())
    domains = queries.domains_by_organisation([o.id for o in page.items])
    filters = {k: v for k, v in {"domain": domain, "province": province}.items() if v}
    return render_template("orgs/directory.html", form=form, page=page, domains=domains, filters=filters)


def _claim_url(organisation: Organisation) -> str | None:
    """The link to claim an imported profile, once the claim page exists (orgs.claim)."""
    if not organisation.is_imported or "orgs.claim" not in current_app.view_functions:
        return None
    for argument in ("org_id", "organisation_id"):
        try:
            return url_for("orgs.claim", **{argument: organisation.id})
        except BuildError:
            continue
    return None


@bp.get("/leveranciers/<int:org_id>")
@public
def profile(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    if not organisation.has_public_profile:
        abort(404)
    return render_template(
        "orgs/profile.html",
        organisation=organisation,
        offers=queries.published_offers_of(organisation.id),
        claim_url=_claim_url(organisation),
    )


@bp.get("/mijn-aanbod")
@organisation_required()
def mine():
    organisation = current_organisation()
    page = queries.own_offers_page(organisation.id, _page_number())
    return render_template(
        "offers/mine.html", page=page, organisation=organisation, may_create=may_create_offer(organisation) is None
    )


@bp.route("/aanbod/nieuw", methods=["GET", "POST"])
@organisation_required()
def new():
    organisation = current_organisation()
    if may_create_offer(organisation):
        abort(403)
    form = OfferForm()
    if form.validate_on_submit():
        try:
            offer = create_offer(organisation, form.to_data(), actor=current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        else:
            flash(_("Uw aanbod is bewaard als concept. Publiceer het om het zichtbaar te maken."), "success")
            return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_template("offers/new.html", form=form)


@bp.get("/aanbod/<int:offer_id>")
@public
def detail(offer_id: int):
    offer = db.get_or_404(Offer, offer_id)
    organisation = current_organisation()
    is_own = organisation is not None and organisation.id == offer.organisation_id
    if not is_own and not (offer.state == "published" and offer.organisation.is_verified):
        abort(404)
    return render_template("offers/detail.html", offer=offer, is_own=is_own)


@bp.route("/aanbod/<int:offer_id>/bewerken", methods=["GET", "POST"])
@organisation_required()
def edit(offer_id: int):
    offer = get_own_or_404(Offer, offer_id)
    form = OfferForm(offer=offer) if request.method == "GET" else OfferForm()
    if form.validate_on_submit():
        try:
            update_offer(offer, form.to_data(), actor=current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        else:
            flash(_("Uw aanbod is bijgewerkt."), "success")
            return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_template("offers/edit.html", form=form, offer=offer)


def _change_state(offer_id: int, change, message: str):
    offer = get_own_or_404(Offer, offer_id)
    try:
        change(offer, actor=current_user)
    except NotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(message, "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))


@bp.post("/aanbod/<int:offer_id>/publiceren")
@organisation_required()
def publish(offer_id: int):
    return _change_state(offer_id, publish_offer, _("Uw aanbod is gepubliceerd."))


@bp.post("/aanbod/<int:offer_id>/archiveren")
@organisation_required()
def archive(offer_id: int):
    return _change_state(offer_id, archive_offer, _("Uw aanbod is gearchiveerd en niet langer zichtbaar."))


@bp.app_context_processor
def _labels():
    """Dutch/English labels of states, kinds and provinces for every template (templates never compute)."""
    from marketplace.needs.models import NEED_KINDS, NEED_STATES, RESERVATIONS
    from marketplace.offers.models import OFFER_STATES
    from marketplace.orgs.geography import province_label
    from marketplace.orgs.models import ORG_KINDS

    return {
        "offer_states": OFFER_STATES,
        "need_states": NEED_STATES,
        "need_kinds": NEED_KINDS,
        "reservations": RESERVATIONS,
        "org_kinds": ORG_KINDS,
        "province_label": province_label,
    }
