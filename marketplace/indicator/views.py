"""Indicator pages: the analysts' dashboard, the published figures, downloads, methodology and OCDS."""

from flask import Blueprint, Response, current_app, render_template, request

from marketplace.access import platform_role_required, public
from marketplace.indicator import dashboard
from marketplace.indicator.definitions import DIMENSIONS, FIGURES, METHOD_VERSION
from marketplace.indicator.exports import ocds_package, render_csv, render_json
from marketplace.indicator.forms import PeriodForm, quarter_label
from marketplace.indicator.queries import export_quarters
from marketplace.indicator.services import published_rows
from marketplace.orgs.nace import NACE_VERSION

bp = Blueprint("indicator", __name__, url_prefix="/indicator")


def _page(template: str, suppress: bool):
    form = PeriodForm(request.args)
    form.validate()
    data = dashboard.build(form.quarters(), current_app.config["INDICATOR_MIN_ORGS"], suppress=suppress)
    return render_template(
        template,
        form=form,
        data=data,
        figures=FIGURES,
        quarter_label=quarter_label,
        min_orgs=current_app.config["INDICATOR_MIN_ORGS"],
        public_view=suppress,
    )


@bp.get("/dashboard")
@platform_role_required("admin", "analyst")
def dashboard_view():
    return _page("indicator/dashboard.html", suppress=False)


@bp.get("")
@public
def published():
    return _page("indicator/published.html", suppress=True)


def _published_rows():
    return published_rows(export_quarters(), current_app.config["INDICATOR_MIN_ORGS"])


@bp.get("/data.csv")
@public
def data_csv():
    return Response(
        render_csv(_published_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=werkbrug-indicator.csv"},
    )


@bp.get("/data.json")
@public
def data_json():
    text = render_json(_published_rows(), current_app.config["INDICATOR_MIN_ORGS"])
    return Response(text, mimetype="application/json")


@bp.get("/methodology")
@public
def methodology():
    shown = [f for f in FIGURES.values() if f.published]
    return render_template(
        "indicator/methodology.html",
        figures=shown,
        dimensions=DIMENSIONS,
        method_version=METHOD_VERSION,
        nace_version=NACE_VERSION,
        min_orgs=current_app.config["INDICATOR_MIN_ORGS"],
    )


@bp.get("/ocds.json")
@public
def ocds():
    package = ocds_package(current_app.config["PUBLIC_URL"])
    return current_app.response_class(current_app.json.dumps(package), mimetype="application/json")
