"""Security headers on every response, a clean session after errors, and log lines that input cannot split."""

import logging

from flask import Flask, request

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
    app.after_request(_add_headers)
    app.teardown_request(_rollback_on_error)
    if not any(isinstance(f, OneLineMessages) for f in app.logger.filters):
        app.logger.addFilter(OneLineMessages())
