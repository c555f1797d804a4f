"""Security headers on every response, a clean session after errors, control characters kept out of
form and query input, and log lines that input cannot split."""

import logging
import re

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

from marketplace.extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def _add_headers(response):
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def _rollback_on_error(exc):
    # A failed flush leaves the session refusing everything until it is rolled back.
    if exc is not None:
        db.session.rollback()


# C0 control characters other than tab, line feed and carriage return, and DEL: nobody types them,
# and PostgreSQL refuses NUL in text (a 500 on every field it reached).
_CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def without_control_characters(text: str) -> str:
    return text.translate(_CONTROL_CHARACTERS)


class CleanParameters(ImmutableMultiDict):
    """Query and form parameters with control characters taken out of every name and text value."""

    def __init__(self, mapping=None):
        super().__init__(
            [
                (
                    without_control_characters(key) if isinstance(key, str) else key,
                    without_control_characters(value) if isinstance(value, str) else value,
                )
                for key, value in iter_multi_items(mapping or ())
            ]
        )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_json(value):
    if isinstance(value, str):
        # JSON may spell a lone surrogate ("\\ud800"), which no database can store as UTF-8.
        return _LONE_SURROGATE.sub("\ufffd", without_control_characters(value))
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, dict):
        return {_clean_json(key): _clean_json(item) for key, item in value.items()}
    return value


class CleanRequest(Request):
    """Every form and view reads `request.args`, `request.form` and JSON bodies already cleaned."""

    parameter_storage_class = CleanParameters

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        return _clean_json(super().get_json(force=force, silent=silent, cache=cache))


class OneLineMessages(logging.Filter):
    """A CR or LF that came with a request (a provider's error text, say) never starts a new log line.

    Whatever followed it would read as an entry of its own to a person or a log shipper; it is
    written as the two characters \\r or \\n instead. Tracebacks keep their lines.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "\r" in message or "\n" in message:
            record.msg = message.replace("\r", "\\r").replace("\n", "\\n")
            record.args = ()
        return True


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    app.after_request(_add_headers)
    app.teardown_request(_rollback_on_error)
    if not any(isinstance(f, OneLineMessages) for f in app.logger.filters):
        app.logger.addFilter(OneLineMessages())
