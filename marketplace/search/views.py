"""Supplier search, its CSV download, needs for a supplier and the reservation advice."""

import csv
import io

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from marketplace.access import current_organisation, organisation_required, public
from marketplace.extensions import db
from marketplace.matching import advice as advice_rules
from marketplace.matching.ranking import needs_for_supplier, suppliers_for_need
from marketplace.offers.models import Offer
from marketplace.orgs.geography import PROVINCES, province_label
from marketplace.orgs.kbo import format_kbo
from marketplace.search.forms import SORTS, AdviceForm, SearchForm
from marketplace.search.indexing import ensure_index, sync_after_request
from marketplace.search.querying import search_documents
from marketplace.taxonomy.models import ActivityDomain

bp = Blueprint("search", __name__)
bp.teardown_app_request(sync_after_request)

CSV_MAX_ROWS = 5000
PER_PAGE = 20


class ResultPage:
    """What the pagination macro needs of a page of search results."""

    def __init__(self, result):
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def _search(form: SearchForm, page: int, per_page: int):
    ensure_index()
    sort = form.sort.data if form.sort.data in SORTS else "relevance"
    result = search_documents(
        "offer", form.q.data or "", filters=form.filters(), sort=sort, page=page, per_page=per_page
    )
    offers = {}
    ids = [hit["doc_id"] for hit in result.hits]
    if ids:
        rows = db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(ids))
            .options(selectinload(Offer.domains), selectinload(Offer.organisation))
        )
        offers = {o.id: o for o in rows}
    rows = []
    for hit in result.hits:
        offer = offers.get(hit["doc_id"])
        if offer is not None:
            # Whoosh's formatter escapes the text around the <mark> tags it adds.
            rows.append({"offer": offer, "highlight": Markup(hit["highlight"] or "")})
    return result, rows


def _query_args() -> dict:
    return {k: v for k, v in request.args.items() if v and k != "page"}


@bp.get("/zoeken")
@public
def index():
    form = SearchForm(request.args).fill_choices()
    form.validate()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    result, rows = _search(form, page, PER_PAGE)
    domains = {d.code: d for d in db.session.scalars(select(ActivityDomain))}
    return render_template(
        "search/index.html",
        form=form,
        result=result,
        rows=rows,
        page=ResultPage(result),
        args=_query_args(),
        domains=domains,
        provinces=PROVINCES,
    )


def _safe_cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ (or a tab/CR) as formulas: quote them."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@bp.get("/zoeken.csv")
@public
def download():
    form = SearchForm(request.args).fill_choices()
    form.validate()
    _result, rows = _search(form, 1, CSV_MAX_ROWS)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            _("Naam"),
            _("Ondernemingsnummer"),
            _("Provincie"),
            _("Aanbod"),
            _("Domeinen"),
            _("Erkend maatwerkbedrijf"),
            _("Voorbehouden opdrachten"),
            _("Enclave"),
            _("Capaciteit (VTE)"),
            _("Profiel"),
        ]
    )
    yes, no = _("ja"), _("nee")

    for row in rows:
        offer = row["offer"]
        org = offer.organisation
        enclave = _("ja, tot %(num)s personen", num=offer.enclave_max_team) if offer.has_enclave else no
        writer.writerow(
            [
                _safe_cell(v)
                for v in (
                    org.name,
                    format_kbo(org.kbo),
                    province_label(org.province),
                    offer.title,
                    ", ".join(d.label_nl for d in offer.domains),
                    yes if org.is_recognised_maatwerk else no,
                    yes if org.is_eligible_reserved else no,
                    enclave,
                    offer.capacity_fte if offer.capacity_fte is not None else "",
                    _profile_url(org.id) if org.has_public_profile else "",
                )
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=werkbrug-leveranciers.csv"},
    )


def _profile_url(org_id: int) -> str:
    return url_for("offers.profile", org_id=org_id, _external=True)


@bp.get("/mijn-kansen")
@organisation_required()
def opportunities():
    organisation = current_organisation()
    if not organisation.is_social_economy:
        abort(403)
    ensure_index()
    matches = needs_for_supplier(organisation, limit=30)
    return render_template(
        "search/opportunities.html", organisation=organisation, matches=matches, need_link=_need_link
    )


def _need_link(need) -> str | None:
    """The need's page, once the needs feature has one."""
    try:
        return url_for("needs.detail", need_id=need.id)
    except BuildError:
        return None


@bp.get("/voorbehouden-advies")
@public
def advice():
    form = AdviceForm(request.args).fill_choices()
    result = None
    if request.args and form.validate():
        if not form.province.data:
            form.province.errors = [_("Kies de provincie waar de opdracht wordt uitgevoerd.")]
        else:
            ensure_index()
            cpv = [c.strip() for c in (form.cpv.data or "").replace(";", ",").split(",") if c.strip()]
            result = advice_rules.advice_for(form.domains.data, cpv, form.province.data, form.estimated_value.data)
    return render_template("search/advice.html", form=form, result=result, rules=advice_rules)


def matching_suppliers(need, limit: int = 10) -> list:
    """For the need's detail page: ranked suppliers, for the buyer who owns the need (and admins)."""
    organisation = current_organisation()
    is_owner = organisation is not None and organisation.id == need.organisation_id
    if not (is_owner or (current_user.is_authenticated and current_user.is_admin)):
        return []
    ensure_index()
    return suppliers_for_need(need, limit=limit)


@bp.app_context_processor
def _inject():
    return {"matching_suppliers": matching_suppliers}
