"""The JSON API under /api/v1/ (token-authenticated, CSRF-exempt) and its pages for people.

`bp` holds the pages (the API documentation, an organisation's API clients); the nested `v1`
blueprint holds the JSON API. Only `v1` is exempt from CSRF: it never reads the session
cookie, only bearer tokens.
"""

from functools import wraps

from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import current_organisation, get_own_or_404, organisation_required, public
from marketplace.api import ratelimit, serializers
from marketplace.api.forms import ApiClientForm
from marketplace.api.models import SCOPES, ApiClient
from marketplace.api.openapi import (
    MAX_ID,
    OPERATIONS,
    PAGE_PARAMETERS,
    Operation,
    build_document,
    flask_rule,
    list_of,
    page_of,
    ref,
)
from marketplace.api.services import authenticate_client, create_api_client, issue_token, revoke_api_client, token_for
from marketplace.extensions import csrf, db
from marketplace.needs.models import Need
from marketplace.offers.validation import NotAllowed, RuleViolation

bp = Blueprint("api", __name__)
v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
csrf.exempt(v1)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields, self.headers = status, code, message, fields or {}, headers


@v1.errorhandler(ApiError)
def _api_error(error: ApiError):
    response = jsonify({"error": {"code": error.code, "message": error.message, "fields": error.fields}})
    response.status_code = error.status
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


@v1.before_request
def _rate_limit():
    # The token is looked up once here: the per-client limit needs it, and so does the view.
    g.api_token = token_for(_bearer_value())
    retry_after = ratelimit.check(request.remote_addr or "", g.api_token.api_client_id if g.api_token else None)
    if retry_after:
        raise ApiError(
            429,
            "rate_limited",
            _("Te veel aanvragen. Probeer opnieuw na %(s)s seconden.", s=retry_after),
            headers={"Retry-After": str(retry_after)},
        )


def _bearer_value() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def operation(method: str, path: str, *, summary: str, tag: str, scope: str | None = None, **spec):
    """Register a JSON view on `v1` and describe it in the OpenAPI document."""

    def decorator(view):
        if scope:
            view = _token_required(scope)(view)
        else:
            view = public(view)
        v1.add_url_rule(flask_rule(path), view.__name__, view, methods=[method])
        OPERATIONS.append(
            Operation(method=method, path=path, endpoint=view.__name__, summary=summary, tag=tag, scope=scope, **spec)
        )
        return view

    return decorator


def _token_required(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            value = _bearer_value()
            token = g.get("api_token")
            challenge = 'Bearer realm="werkbrug"'
            if token is None:
                if value:
                    challenge += ', error="invalid_token"'
                raise ApiError(
                    401,
                    "invalid_token",
                    _("Geef een geldig toegangstoken mee (Authorization: Bearer)."),
                    headers={"WWW-Authenticate": challenge},
                )
            if scope not in token.scopes:
                raise ApiError(
                    403,
                    "insufficient_scope",
                    _("Dit token heeft de scope %(scope)s niet.", scope=scope),
                    headers={"WWW-Authenticate": f'{challenge}, error="insufficient_scope", scope="{scope}"'},
                )
            g.api_organisation = token.client.organisation
            return view(*args, **kwargs)

        wrapped.access_rule = f"api:{scope}"
        return wrapped

    return decorator


def _page_args() -> tuple[int, int]:
    fields = {}
    values = {}
    for name, default, maximum in (("page", 1, 100_000), ("per_page", 25, 100)):
        raw = request.args.get(name, str(default))
        # Leading zeros aside, more digits than the maximum has cannot be in range (and int() refuses
        # strings of over 4,300 digits with a ValueError).
        digits = raw.lstrip("0")
        too_long = len(digits) > len(str(maximum))
        if not raw.isascii() or not raw.isdigit() or too_long or not 1 <= int(digits or 0) <= maximum:
            fields[name] = _("Een geheel getal van 1 tot %(max)s.", max=maximum)
        else:
            values[name] = int(digits)
    if fields:
        raise ApiError(400, "invalid_parameter", _("Ongeldige parameter."), fields)
    return values["page"], values["per_page"]


def _paged(pagination, serialize) -> dict:
    return {
        "items": [serialize(item) for item in pagination.items],
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "pages": pagination.pages,
    }


def _own_need(need_id: int) -> Need:
    # Ids beyond a database integer cannot exist (and SQLite refuses to look them up).
    need = db.session.get(Need, need_id) if need_id <= MAX_ID else None
    if need is None or need.organisation_id != g.api_organisation.id:
        raise ApiError(404, "not_found", _("Deze vraag bestaat niet of is niet van uw organisatie."))
    return need


# OAuth 2 -------------------------------------------------------------------------------


def _oauth_error(error: OAuth2Error):
    status, body, headers = error()
    response = current_app.response_class(body if isinstance(body, str) else current_app.json.dumps(dict(body)))
    response.status_code = status
    response.mimetype = "application/json"
    for name, value in headers:
        response.headers[name] = value
    return response


@operation(
    "POST",
    "/oauth/token",
    summary="Get an access token (OAuth 2 client credentials)",
    tag="OAuth",
    request_body={
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"const": "client_credentials"},
                        "scope": {"type": "string"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                }
            }
        },
    },
    responses={200: ("A bearer token", ref("Token"))},
    errors=(400, 401),
    security=[{}],
)
def token():
    """RFC 6749 section 4.4: client authentication by HTTP Basic or in the form body."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = auth.username or "", auth.password or ""
    else:
        client_id, secret = request.form.get("client_id", ""), request.form.get("client_secret", "")
    if request.form.get("grant_type") != "client_credentials":
        if not request.form.get("grant_type"):
            return _oauth_error(InvalidRequestError(description="Missing grant_type"))
        return _oauth_error(UnsupportedGrantTypeError(request.form.get("grant_type")))
    client = authenticate_client(client_id, secret)
    if client is None:
        error = InvalidClientError(description="Unknown client, wrong secret or revoked client")
        error.status_code = 401
        return _oauth_error(error)
    asked = scope_to_list(request.form.get("scope")) or list(client.scopes)
    if not set(asked) <= set(client.scopes):
        return _oauth_error(InvalidScopeError(description="The client was not granted these scopes"))
    value, issued = issue_token(client, asked)
    lifetime = int((issued.expires_at - issued.issued_at).total_seconds())
    response = jsonify(
        {"access_token": value, "token_type": "Bearer", "expires_in": lifetime, "scope": list_to_scope(asked)}
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# Public data ---------------------------------------------------------------------------


@operation(
    "GET",
    "/suppliers",
    summary="Verified social-economy suppliers and their published offers",
    tag="Public",
    parameters=PAGE_PARAMETERS
    + (
        {"name": "province", "in": "query", "schema": {"type": "string"}},
        {"name": "domain", "in": "query", "schema": {"type": "string"}},
    ),
    responses={200: ("A page of suppliers", page_of("Supplier"))},
    errors=(400,),
)
def suppliers():
    from marketplace.offers.queries import directory_page

    page, per_page = _page_args()
    pagination = directory_page(
        domain=request.args.get("domain", "")[:50],
        province=request.args.get("province", "")[:5],
        page=page,
        per_page=per_page,
    )
    offers = serializers.published_offers_by_organisation([org.id for org in pagination.items])
    return jsonify(_paged(pagination, lambda org: serializers.supplier(org, offers.get(org.id, []))))


@operation(
    "GET",
    "/reserved-contracts",
    summary="Open reserved contracts (voorbehouden opdrachten), nearest deadline first",
    tag="Public",
    parameters=PAGE_PARAMETERS,
    responses={200: ("A page of contracts", page_of("Need"))},
    errors=(400,),
)
def reserved_contracts():
    from marketplace.needs.queries import open_contracts_page

    page, per_page = _page_args()
    return jsonify(_paged(open_contracts_page(page=page, per_page=per_page), serializers.need))


@operation(
    "GET",
    "/indicator",
    summary="The published collaboration indicator (small cells suppressed)",
    tag="Public",
    responses={
        200: (
            "Every published figure per quarter and dimension",
            {
                "type": "object",
                "required": ["min_orgs", "rows"],
                "properties": {
                    "min_orgs": {"type": "integer"},
                    "rows": {"type": "array", "items": ref("IndicatorRow")},
                },
            },
        )
    },
)
def indicator():
    from marketplace.indicator.queries import export_quarters, export_records, figure_rows

    min_orgs = current_app.config["INDICATOR_MIN_ORGS"]
    rows = figure_rows(export_quarters(), min_orgs, suppress=True)
    return jsonify({"min_orgs": min_orgs, "rows": export_records(rows)})


@operation(
    "GET",
    "/openapi.json",
    summary="This document",
    tag="Public",
    responses={200: ("The OpenAPI 3.1 document", {"type": "object"})},
)
def openapi_document():
    return jsonify(build_document(_server_url()))


def _server_url() -> str:
    return url_for("api.v1.suppliers", _external=True).rsplit("/suppliers", 1)[0]


# One's own data (bearer token) ---------------------------------------------------------


@operation(
    "GET",
    "/needs",
    summary="Your organisation's needs, newest first",
    tag="Needs",
    scope="needs:read",
    parameters=PAGE_PARAMETERS,
    responses={200: ("A page of needs", page_of("Need"))},
    errors=(400,),
)
def needs():
    from marketplace.needs.queries import own_needs_page

    page, per_page = _page_args()
    return jsonify(_paged(own_needs_page(g.api_organisation.id, page=page, per_page=per_page), serializers.need))


@operation(
    "POST",
    "/needs",
    summary="Create a need (a draft, or published at once with publish: true)",
    tag="Needs",
    scope="needs:write",
    request_body={"required": True, "content": {"application/json": {"schema": ref("NewNeed")}}},
    responses={201: ("The new need", ref("Need"))},
    errors=(400, 403, 409, 422),
)
def create_need():
    from marketplace.needs.services import create_need as create
    from marketplace.needs.services import publish_need

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("Stuur een JSON-object in de body (Content-Type: application/json)."))
    publish = data.pop("publish", False)
    if not isinstance(publish, bool):
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"publish": _("Kies true of false.")})
    try:
        need = create(g.api_organisation, str(data.get("kind") or ""), data, commit=not publish)
        if publish:
            publish_need(need)
    except RuleViolation as error:
        db.session.rollback()
        raise ApiError(422, "validation_failed", _("Controleer de velden."), error.errors) from error
    except NotAllowed as error:
        db.session.rollback()
        raise ApiError(403, "not_allowed", str(error)) from error
    response = jsonify(serializers.need(need))
    response.status_code = 201
    response.headers["Location"] = url_for("api.v1.need", need_id=need.id)
    return response


@operation(
    "GET",
    "/needs/{need_id}",
    summary="One of your organisation's needs",
    tag="Needs",
    scope="needs:read",
    responses={200: ("The need", ref("Need"))},
    errors=(404,),
)
def need(need_id: int):
    return jsonify(serializers.need(_own_need(need_id)))


@operation(
    "POST",
    "/needs/{need_id}/publish",
    summary="Publish a draft need",
    tag="Needs",
    scope="needs:write",
    responses={200: ("The published need", ref("Need"))},
    errors=(403, 404, 409, 422),
)
def publish_need(need_id: int):
    from marketplace.needs.rules import need_transition_error
    from marketplace.needs.services import publish_need as publish

    own = _own_need(need_id)
    reason = need_transition_error(own, "open")
    if reason:
        raise ApiError(409, "conflict", reason)
    try:
        publish(own)
    except RuleViolation as error:
        db.session.rollback()
        raise ApiError(422, "validation_failed", _("Controleer de velden."), error.errors) from error
    except NotAllowed as error:
        db.session.rollback()
        raise ApiError(403, "not_allowed", str(error)) from error
    return jsonify(serializers.need(own))


@operation(
    "GET",
    "/needs/{need_id}/matches",
    summary="Suppliers whose offers fit one of your needs, best first, with the reasons",
    tag="Matches",
    scope="matches:read",
    responses={200: ("The matches", list_of("Match"))},
    errors=(404,),
)
def need_matches(need_id: int):
    from marketplace.matching.ranking import suppliers_for_need

    own = _own_need(need_id)
    return jsonify({"items": [serializers.match(m) for m in suppliers_for_need(own, limit=25)]})


@operation(
    "GET",
    "/leads",
    summary="Your organisation's leads, as buyer or supplier",
    tag="Leads",
    scope="leads:read",
    responses={200: ("The leads", list_of("Lead"))},
)
def leads():
    from marketplace.leads.queries import leads_of

    org_id = g.api_organisation.id
    return jsonify({"items": [serializers.lead(lead, org_id) for lead in leads_of(org_id)]})


bp.register_blueprint(v1)


# Pages for people ----------------------------------------------------------------------


@bp.get("/api/v1/docs")
@public
def docs():
    document = build_document(_server_url())
    return render_template("api/docs.html", document=document, scopes=SCOPES)


@bp.route("/organisatie/api-clients", methods=["GET", "POST"])
@organisation_required(owner=True)
def clients():
    organisation = current_organisation()
    form = ApiClientForm()
    created = secret = None
    if form.validate_on_submit():
        created, secret = create_api_client(organisation, form.name.data, form.scopes.data, actor=current_user)
        form = ApiClientForm(formdata=None)
    rows = db.session.scalars(
        select(ApiClient).where(ApiClient.organisation_id == organisation.id).order_by(ApiClient.created_at.desc())
    ).all()
    return render_template("api/clients.html", form=form, clients=rows, created=created, secret=secret, scopes=SCOPES)


@bp.post("/organisatie/api-clients/<int:client_id>/intrekken")
@organisation_required(owner=True)
def revoke(client_id: int):
    client = get_own_or_404(ApiClient, client_id)
    revoke_api_client(client, actor=current_user)
    flash(_("De API-client %(name)s is ingetrokken. Zijn tokens werken niet meer.", name=client.name), "success")
    return redirect(url_for("api.clients"))
