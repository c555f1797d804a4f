"""Leads between a need and a supplier: interest, invitations, the message thread, agreements, awards,
collaborations, outcome reports, mail alerts and the one-click unsubscribe page."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import current_organisation, organisation_required, public
from marketplace.events.models import COLLABORATION_TYPES
from marketplace.extensions import db
from marketplace.leads import (
    queries,
    services,
    subscriptions,  # also registers the listener that tells subscribers of new needs
)
from marketplace.leads.forms import (
    AwardForm,
    CollaborationForm,
    ConfirmForm,
    DeclineForm,
    EndForm,
    ExtendForm,
    InterestForm,
    InviteForm,
    MessageForm,
    OutcomeForm,
    SavedSearchForm,
    SubscriptionForm,
)
from marketplace.leads.models import (
    COLLABORATION_STATES,
    DECLINE_REASONS,
    LEAD_STATES,
    MAIL_KINDS,
    STOP_REASONS,
    Collaboration,
    Lead,
    SavedSearch,
    Subscription,
)
from marketplace.leads.notifications import read_unsubscribe_token
from marketplace.leads.rules import interest_error
from marketplace.needs.models import Need
from marketplace.offers.validation import NotAllowed, RuleViolation, parse_date

bp = Blueprint("leads", __name__)


@bp.app_context_processor
def _labels():
    return {
        "lead_states": LEAD_STATES,
        "decline_reasons": DECLINE_REASONS,
        "collaboration_types": COLLABORATION_TYPES,
        "collaboration_states": COLLABORATION_STATES,
        "stop_reasons": STOP_REASONS,
        "need_leads_panel": queries.need_panel,
    }


@bp.after_app_request
def _record_need_view(response):
    """A supplier that opens a need's page: the `need_viewed` event, once per supplier and need."""
    if request.endpoint == "needs.detail" and response.status_code == 200 and request.method == "GET":
        organisation = current_organisation()
        need_id = (request.view_args or {}).get("need_id")
        if organisation is not None and organisation.is_social_economy and need_id:
            try:
                services.record_need_view(need_id, organisation, current_user)
            except Exception:  # noqa: BLE001 - a page already rendered must not fail for its view count
                db.session.rollback()
                current_app.logger.exception("Recording need_viewed failed")
    return response


def _own_lead(lead_id: int) -> tuple[Lead, str]:
    """The lead and the acting organisation's role in it; 404 for anyone who is not one of the two."""
    lead = db.get_or_404(Lead, lead_id)
    role = lead.party_role(current_organisation())
    if role is None:
        abort(404)
    return lead, role


def _own_need(need_id: int) -> Need:
    need = db.get_or_404(Need, need_id)
    organisation = current_organisation()
    if organisation is None or need.organisation_id != organisation.id:
        abort(404)
    return need


def _back_to(lead: Lead):
    return redirect(url_for("leads.thread", lead_id=lead.id))


@bp.route("/vragen/<int:need_id>/interesse", methods=["GET", "POST"])
@organisation_required()
def interest(need_id: int):
    need = db.get_or_404(Need, need_id)
    organisation = current_organisation()
    if need.state == "draft" and need.organisation_id != organisation.id:
        abort(404)
    lead = services.lead_for(need, organisation)
    if lead is not None and lead.state in ("interested", "in_discussion", "agreed"):
        # A second click (or a back button) lands on the thread instead of a second interest.
        return _back_to(lead)
    # Told why before writing anything: the form is only shown when the supplier may answer.
    reason = interest_error(need, organisation, lead.state if lead else None)
    offers = queries.published_offers(organisation.id)
    form = InterestForm(offers=offers)
    if reason is None and form.validate_on_submit():
        offer = next((o for o in offers if str(o.id) == form.offer_id.data), None)
        try:
            lead = services.express_interest(
                need, organisation, current_user, form.message.data, form.availability.data, offer=offer
            )
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            reason = str(exc)
        else:
            flash(_("Uw interesse is doorgegeven aan %(buyer)s.", buyer=need.organisation.name), "success")
            return _back_to(lead)
    return render_template("leads/interest.html", need=need, form=form, reason=reason)


@bp.post("/vragen/<int:need_id>/uitnodigen/<int:org_id>")
@organisation_required()
def invite(need_id: int, org_id: int):
    need = _own_need(need_id)
    supplier = queries.organisation_or_404(org_id)
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lead = services.invite_supplier(need, supplier, current_user, form.message.data)
    except (NotAllowed, RuleViolation) as exc:
        lead = services.lead_for(need, supplier)
        if lead is not None and lead.state in ("invited", "in_discussion", "interested"):
            return _back_to(lead)
        flash(str(exc) if isinstance(exc, NotAllowed) else " ".join(exc.errors.values()), "error")
        return redirect(url_for("needs.detail", need_id=need.id))
    flash(_("%(supplier)s is uitgenodigd.", supplier=supplier.name), "success")
    return _back_to(lead)


@bp.get("/contacten")
@organisation_required()
def mine():
    organisation = current_organisation()
    return render_template(
        "leads/mine.html", organisation=organisation, leads=queries.leads_of(organisation.id), role_of=queries.role_of
    )


@bp.get("/contacten/<int:lead_id>")
@organisation_required()
def thread(lead_id: int):
    lead, role = _own_lead(lead_id)
    return render_template("leads/thread.html", **_thread_context(lead, role, MessageForm()))


def _thread_context(lead: Lead, role: str, form) -> dict:
    return {
        "lead": lead,
        "role": role,
        "form": form,
        "other": lead.supplier if role == "buyer" else lead.buyer,
        "messages": queries.thread_messages(lead),
        "own_org_id": lead.buyer_org_id if role == "buyer" else lead.supplier_org_id,
        "actions": queries.lead_actions(lead, role),
    }


@bp.post("/contacten/<int:lead_id>/berichten")
@organisation_required()
def post_message(lead_id: int):
    lead, role = _own_lead(lead_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.send_message(lead, current_organisation(), current_user, form.body.data)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            flash(str(exc), "error")
            return _back_to(lead)
        else:
            flash(_("Uw bericht is verstuurd."), "success")
            return redirect(url_for("leads.thread", lead_id=lead.id, _anchor="berichten"))
    return render_template("leads/thread.html", **_thread_context(lead, role, form)), 422


@bp.route("/contacten/<int:lead_id>/afwijzen", methods=["GET", "POST"])
@organisation_required()
def decline(lead_id: int):
    lead, role = _own_lead(lead_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_lead(lead, current_organisation(), form.reason.data or "", current_user, form.note.data)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            if lead.state in ("declined", "withdrawn"):
                return _back_to(lead)
            form.reason.errors = [str(exc)]
        else:
            flash(_("Het contact is afgesloten; de andere partij krijgt bericht."), "success")
            return _back_to(lead)
    return render_template("leads/decline.html", lead=lead, role=role, form=form)


@bp.route("/contacten/<int:lead_id>/akkoord", methods=["GET", "POST"])
@organisation_required()
def agree(lead_id: int):
    lead, role = _own_lead(lead_id)
    if role != "buyer":
        abort(403)
    if lead.collaboration is not None:
        return redirect(url_for("leads.collaboration", collaboration_id=lead.collaboration.id))
    if lead.need.kind == "reserved_contract":
        return redirect(url_for("leads.award", lead_id=lead.id))
    form = CollaborationForm()
    if request.method == "GET":
        form.type.data = services.default_collaboration_type(lead.need)
        form.workers.data = str(lead.need.team_size or "")
    if form.validate_on_submit():
        try:
            collaboration = services.record_agreement(lead, form.to_data(), current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            flash(str(exc), "error")
            return _back_to(lead)
        else:
            flash(_("Het akkoord is vastgelegd."), "success")
            return redirect(url_for("leads.collaboration", collaboration_id=collaboration.id))
    return render_template("leads/agree.html", lead=lead, form=form)


@bp.post("/contacten/<int:lead_id>/kortelijst")
@organisation_required()
def shortlist(lead_id: int):
    lead, role = _own_lead(lead_id)
    if role != "buyer":
        abort(403)
    on = request.form.get("on") == "1"
    try:
        services.set_shortlisted(lead, on, current_user)
    except NotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(_("Op de kortelijst gezet.") if on else _("Van de kortelijst gehaald."), "success")
    if request.form.get("back") == "need":
        return redirect(url_for("needs.detail", need_id=lead.need_id))
    return _back_to(lead)


@bp.route("/contacten/<int:lead_id>/gunnen", methods=["GET", "POST"])
@organisation_required()
def award(lead_id: int):
    lead, role = _own_lead(lead_id)
    if role != "buyer":
        abort(403)
    if lead.collaboration is not None:
        return redirect(url_for("leads.collaboration", collaboration_id=lead.collaboration.id))
    form = AwardForm()
    if request.method == "GET" and lead.need.estimated_value_eur is not None:
        form.value_eur.data = str(lead.need.estimated_value_eur).replace(".", ",")
    if form.validate_on_submit():
        try:
            collaboration = services.record_award(lead, form.to_data(), current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            flash(str(exc), "error")
            return _back_to(lead)
        else:
            flash(_("De gunning is vastgelegd; de andere leveranciers krijgen bericht."), "success")
            return redirect(url_for("leads.collaboration", collaboration_id=collaboration.id))
    return render_template("leads/award.html", lead=lead, form=form)


def _own_collaboration(collaboration_id: int) -> tuple[Collaboration, str]:
    collaboration = db.get_or_404(Collaboration, collaboration_id)
    role = collaboration.party_role(current_organisation())
    if role is None:
        abort(404)
    return collaboration, role


@bp.get("/samenwerkingen")
@organisation_required()
def collaborations():
    organisation = current_organisation()
    return render_template(
        "leads/collaborations.html",
        collaborations=queries.collaborations_of(organisation.id),
        organisation=organisation,
    )


@bp.get("/samenwerkingen/<int:collaboration_id>")
@organisation_required()
def collaboration(collaboration_id: int):
    collaboration, role = _own_collaboration(collaboration_id)
    return render_template(
        "leads/collaboration.html",
        collaboration=collaboration,
        role=role,
        end_form=EndForm(prefix="end"),
        extend_form=ExtendForm(prefix="extend"),
    )


@bp.route("/samenwerkingen/<int:collaboration_id>/<any(afronden, stopzetten, verlengen):action>", methods=["POST"])
@organisation_required()
def change_collaboration(collaboration_id: int, action: str):
    collaboration, role = _own_collaboration(collaboration_id)
    end_form, extend_form = EndForm(prefix="end"), ExtendForm(prefix="extend")
    form = extend_form if action == "verlengen" else end_form
    if form.validate_on_submit():
        try:
            if action == "verlengen":
                new_end = _date_or_error(extend_form.ends_on)
                services.extend_collaboration(collaboration, new_end, current_user)
                message = _("De samenwerking is verlengd.")
            else:
                ended_on = _date_or_error(end_form.ended_on) if end_form.ended_on.data else None
                target = "afgerond" if action == "afronden" else "stopgezet"
                services.end_collaboration(
                    collaboration, target, current_user, end_form.reason.data or "", end_form.note.data, ended_on
                )
                message = (
                    _("De samenwerking is afgerond.") if target == "afgerond" else _("De samenwerking is stopgezet.")
                )
        except (NotAllowed, ValueError) as exc:
            form.form_errors.append(str(exc))
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        else:
            flash(message, "success")
            return redirect(url_for("leads.collaboration", collaboration_id=collaboration.id))
    return (
        render_template(
            "leads/collaboration.html",
            collaboration=collaboration,
            role=role,
            end_form=end_form,
            extend_form=extend_form,
            action=action,
        ),
        422,
    )


def _date_or_error(field):
    from marketplace.offers.validation import FieldError

    try:
        value = parse_date(field.data, label=str(field.label.text).lower(), required=True)
    except FieldError as exc:
        field.errors = [str(exc)]
        raise ValueError(str(exc)) from exc
    return value


@bp.route("/vragen/<int:need_id>/resultaat", methods=["GET", "POST"])
@organisation_required()
def outcome(need_id: int):
    need = db.get_or_404(Need, need_id)
    organisation = current_organisation()
    if need.organisation_id != organisation.id and services.lead_for(need, organisation) is None:
        abort(404)
    form = OutcomeForm()
    if form.validate_on_submit():
        had_deal = {"yes": True, "no": False}.get(form.had_deal.data)
        try:
            services.report_outcome(need, organisation, had_deal, form.value_eur.data, form.note.data, current_user)
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed:
            abort(404)
        else:
            flash(_("Bedankt voor uw antwoord."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("leads/outcome.html", need=need, form=form, report=queries.outcome_of(need, organisation))


@bp.route("/meldingen", methods=["GET", "POST"])
@organisation_required()
def alerts():
    organisation = current_organisation()
    sub_form, search_form = SubscriptionForm(prefix="sub"), SavedSearchForm(prefix="search")
    submitted = request.form.get("form") if request.method == "POST" else None
    form = sub_form if submitted == "subscription" else search_form if submitted == "search" else None
    if request.method == "GET":
        _prefill_saved_search(search_form, request.args)
    if form is not None and form.validate_on_submit():
        try:
            if form is sub_form:
                subscriptions.create_subscription(
                    organisation, current_user, sub_form.domains.data, sub_form.provinces.data, sub_form.frequency.data
                )
            else:
                subscriptions.create_saved_search(organisation, current_user, search_form.to_data())
        except RuleViolation as exc:
            form.apply_errors(exc.errors)
        except NotAllowed as exc:
            flash(str(exc), "error")
        else:
            flash(_("Bewaard. U krijgt mail zodra er iets nieuws is."), "success")
            return redirect(url_for("leads.alerts"))
    return render_template(
        "leads/alerts.html",
        organisation=organisation,
        sub_form=sub_form,
        search_form=search_form,
        subscriptions=queries.subscriptions_of(current_user.id),
        searches=queries.saved_searches_of(current_user.id),
        domain_labels=queries.domain_labels(),
        delete_form=ConfirmForm(),
    ), (422 if form is not None else 200)


def _prefill_saved_search(form: SavedSearchForm, args) -> None:
    """A search page links here with its query, so that saving it is one click (checked again on save)."""
    if not any(args.get(key) for key in ("zoek", "doel", "domein", "provincie")):
        return
    query = (args.get("zoek", "") or "").strip()[:200]
    form.query.data = query
    form.target.data = "need" if args.get("doel") == "need" else "offer"
    form.domain.data = args.get("domein", "")[:40]
    form.province.data = args.get("provincie", "")[:40]
    if query:
        form.name.data = query[:120]


@bp.post("/meldingen/<any(abonnement, zoekopdracht):kind>/<int:item_id>/verwijderen")
@organisation_required()
def delete_alert(kind: str, item_id: int):
    model = Subscription if kind == "abonnement" else SavedSearch
    item = db.get_or_404(model, item_id)
    if item.user_id != current_user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        subscriptions.delete_own(item, current_user)
        flash(_("Verwijderd."), "success")
    return redirect(url_for("leads.alerts"))


@bp.route("/uitschrijven/<string:token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """One click, no login: the signed token names the person and the kind of mail."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind = found
    form = ConfirmForm()
    done = False
    if form.validate_on_submit():
        services.opt_out(user_id, kind)
        done = True
    return render_template("leads/unsubscribe.html", form=form, kind_label=MAIL_KINDS[kind], done=done)
