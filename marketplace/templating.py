"""Template globals: navigation, the acting organisation and form error summaries."""

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import current_organisation


def form_errors(form) -> list[tuple[str, str]]:
    """(field id, first message) for each invalid field, in form order."""
    errors = []
    for field in form:
        if field.errors:
            message = field.errors[0]
            if isinstance(message, (list, tuple)):
                message = message[0]
            errors.append((field.id, message))
    return errors


def main_nav() -> list[dict]:
    items = [
        ("main.index", _("Start")),
        ("offers.directory", _("Leveranciers")),
        ("search.index", _("Zoeken")),
        ("needs.contracts", _("Voorbehouden opdrachten")),
        ("indicator.published", _("Indicator")),
    ]
    if current_user.is_authenticated:
        items.insert(0, ("main.dashboard", _("Mijn Werkbrug")))
        organisation = current_organisation()
        if organisation is not None and organisation.is_social_economy:
            items.append(("search.opportunities", _("Kansen")))
        if current_user.platform_role in ("admin", "analyst"):
            items.append(("indicator.dashboard_view", _("Indicatordashboard")))
        if current_user.is_admin:
            items.append(("admin.index", _("Beheer")))
    return [
        {"url": url_for(endpoint), "label": label, "current": request.endpoint == endpoint} for endpoint, label in items
    ]


def _inject():
    return {"main_nav": main_nav, "current_organisation": current_organisation, "form_errors": form_errors}


def init_app(app: Flask) -> None:
    app.context_processor(_inject)
