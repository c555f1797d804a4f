"""Signed, expiring tokens for the links Werkbrug mails (confirmation, reset, invitation).

Each purpose has its own salt, so a token made for one purpose never passes for another.
Single use is the caller's job: it binds the payload to state that the use changes
(the password hash, the invitation's accepted_at).
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(ValueError):
    """Tampered, for another purpose, or no longer valid."""


class ExpiredToken(InvalidToken):
    """Genuine but older than TOKEN_MAX_AGE_SECONDS."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"werkbrug.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict:
    """The payload of a genuine, unexpired token of this purpose, or InvalidToken."""
    try:
        payload = _serializer(purpose).loads(token, max_age=current_app.config["TOKEN_MAX_AGE_SECONDS"])
    except SignatureExpired as error:
        raise ExpiredToken(str(error)) from error
    except BadSignature as error:
        raise InvalidToken(str(error)) from error
    if not isinstance(payload, dict):
        raise InvalidToken("payload is not a mapping")
    return payload


def fingerprint(value: str | None) -> str:
    """A short digest of a secret (a password hash), to bind a token to it without revealing it."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:20]
