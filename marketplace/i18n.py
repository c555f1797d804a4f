"""Locale choice and Belgian formatting of numbers, amounts and dates."""

from datetime import date, datetime

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup

from marketplace.extensions import babel

LOCALE_TAGS = {"nl": "nl_BE", "en": "en_BE"}


def select_locale() -> str:
    """The language the person chose, else their browser's, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands, imports and tests of rules run without a request: use the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "nl")[:2]


def _babel_locale() -> str:
    return LOCALE_TAGS.get(current_language(), "nl_BE")


def number(value, digits: int = 0) -> str:
    """1234.5 -> '1.234,5' in Dutch (Belgian grouping)."""
    if value is None or value == "":
        return ""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=_babel_locale())


def fte(value) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.#", locale=_babel_locale())


def euro(value, cents: bool = True) -> str:
    """1234.5 -> '1.234,50 €' (Dutch) or '€1,234.50' (English)."""
    if value is None or value == "":
        return ""
    fmt = None if cents else "#,##0 ¤"
    if current_language() == "nl":
        fmt = "#,##0.00 ¤" if cents else "#,##0 ¤"
    return format_currency(value, "EUR", format=fmt, locale=_babel_locale(), currency_digits=cents)


def short_date(value: date | datetime | None) -> str:
    """28/11/2026 in both languages: the format Belgian readers expect."""
    if value is None:
        return ""
    return format_date(value, "dd/MM/yyyy")


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, "d MMMM yyyy")


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def nl2br(text: str | None) -> Markup:
    """Escape, then keep the line breaks of user text."""
    if not text:
        return Markup("")
    return Markup("<br>").join(Markup.escape(line) for line in text.splitlines())


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        number=number,
        euro=euro,
        fte=fte,
        short_date=short_date,
        long_date=long_date,
        date_time=date_time,
        nl2br=nl2br,
    )
    app.jinja_env.globals.update(current_language=current_language)
    app.jinja_env.add_extension("jinja2.ext.i18n")
