"""Friendly, translated error pages that never show a stack trace."""

from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from marketplace.extensions import db

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: (_l("Ongeldige aanvraag"), _l("We konden deze aanvraag niet verwerken. Ga terug en probeer opnieuw.")),
    403: (_l("Geen toegang"), _l("U hebt geen toegang tot deze pagina.")),
    404: (_l("Pagina niet gevonden"), _l("Deze pagina bestaat niet (meer). Controleer het adres.")),
    405: (_l("Niet toegestaan"), _l("Deze actie is hier niet mogelijk.")),
    413: (_l("Bestand te groot"), _l("Wat u verstuurde is te groot.")),
    429: (_l("Te veel pogingen"), _l("U probeerde het te vaak. Wacht even en probeer opnieuw.")),
    500: (
        _l("Er ging iets mis"),
        _l("Er ging bij ons iets mis. Probeer het later opnieuw; uw gegevens zijn niet verloren."),
    ),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message=None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify({"error": {"code": code, "message": str(message or text), "fields": {}}}), code
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return render_error(400, _l("Het formulier was verlopen of ongeldig. Laad de pagina opnieuw en probeer nog eens."))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code in (301, 302, 303, 307, 308):
        return error
    if error.code == 403:
        from marketplace.audit.services import record_refusal

        record_refusal()
    return render_error(error.code or 500)


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return http_error(error)
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
