"""Writes and checks for API clients and their tokens."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from marketplace.api.models import SCOPES, ApiClient, ApiToken
from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db

TOKEN_LIFETIME = timedelta(hours=1)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_api_client(organisation, name: str, scopes: list[str], actor=None) -> tuple[ApiClient, str]:
    """A new client and its secret (returned once, stored only as a digest)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        organisation_id=organisation.id,
        name=name.strip()[:100],
        client_id="wb_" + secrets.token_urlsafe(16),
        secret_hash=digest(secret),
        scopes=sorted(scopes),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(client)
    db.session.flush()
    record_audit("api_client.create", client, detail=client.name, actor_id=getattr(actor, "id", None))
    db.session.commit()
    return client, secret


def revoke_api_client(client: ApiClient, actor=None) -> None:
    """Revoke a client; its tokens stop working at once."""
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        db.session.execute(delete(ApiToken).where(ApiToken.api_client_id == client.id))
        record_audit("api_client.revoke", client, detail=client.name, actor_id=getattr(actor, "id", None))
    db.session.commit()


def authenticate_client(client_id: str, secret: str) -> ApiClient | None:
    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    # Compare digests in constant time even when the client is unknown.
    expected = client.secret_hash if client else digest("")
    if not hmac.compare_digest(expected, digest(secret or "")) or client is None or not client.is_active:
        return None
    return client


def issue_token(client: ApiClient, scopes: list[str], lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, ApiToken]:
    """A bearer token for `scopes` (a subset of the client's), expiring after `lifetime`."""
    value = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        api_client_id=client.id,
        token_hash=digest(value),
        scopes=sorted(scopes),
        issued_at=now,
        expires_at=now + lifetime,
    )
    client.last_used_at = now
    db.session.add(token)
    # Expired tokens of this client are of no use to anyone.
    db.session.execute(delete(ApiToken).where(ApiToken.api_client_id == client.id, ApiToken.expires_at < now))
    db.session.commit()
    return value, token


def token_for(value: str) -> ApiToken | None:
    """The live token with this value: not expired, its client not revoked."""
    if not value:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(value)))
    if token is None or token.expires_at <= utcnow() or not token.client.is_active:
        return None
    return token
