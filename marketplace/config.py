"""Settings from the environment, with safe defaults for one machine."""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not allow the app to start safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, is_production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if is_production:
        raise ConfigError("SECRET_KEY must be set in production: all workers need the same key.")
    # Generated once into the instance folder, so every worker and restart shares it.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ.get("MARKETPLACE_ENV", "development")
    is_production = env == "production"
    instance_path.mkdir(parents=True, exist_ok=True)
    return {
        "ENV_NAME": env,
        "SECRET_KEY": _secret_key(instance_path, is_production),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'marketplace.db'}"),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(PROJECT_ROOT / "search_index")),
        # In a single process the web app applies the index outbox after each request;
        # under gunicorn a separate `search-index worker` does it (see README).
        "SEARCH_INDEX_INLINE": _bool(os.environ.get("SEARCH_INDEX_INLINE"), default=True),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Werkbrug <noreply@werkbrug.local>"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(instance_path / "mail-outbox")),
        # Mail is sent right after the request that queued it unless a separate sender runs.
        "MAIL_SEND_INLINE": _bool(os.environ.get("MAIL_SEND_INLINE"), default=True),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        "LOGIN_THROTTLE_WINDOW_SECONDS": int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "900")),
        "TOKEN_MAX_AGE_SECONDS": int(os.environ.get("TOKEN_MAX_AGE_SECONDS", str(48 * 3600))),
        "OUTCOME_REMINDER_DAYS": int(os.environ.get("OUTCOME_REMINDER_DAYS", "28")),
        "INDICATOR_MIN_ORGS": int(os.environ.get("INDICATOR_MIN_ORGS", "3")),
        # Government login (OpenID Connect); off unless issuer, client id and secret are set.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").rstrip("/"),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_KBO_CLAIM": os.environ.get("OIDC_KBO_CLAIM", "kbo"),
        # API requests per window, per address and per client token (0 turns a limit off).
        "API_RATE_WINDOW_SECONDS": int(os.environ.get("API_RATE_WINDOW_SECONDS", "60")),
        "API_RATE_LIMIT_PER_ADDRESS": int(os.environ.get("API_RATE_LIMIT_PER_ADDRESS", "120")),
        "API_RATE_LIMIT_PER_CLIENT": int(os.environ.get("API_RATE_LIMIT_PER_CLIENT", "600")),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "marketplace" / "translations"),
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production,
        "PREFERRED_URL_SCHEME": "https" if is_production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "PER_PAGE": 20,
    }
