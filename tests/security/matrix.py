"""Try every route of the URL map as every role, and name the outcome in a word."""

from urllib.parse import urlsplit

# Values for URL variables that name no object of the world (tokens, file names).
FIXED_VALUES = {"token": "geen-geldig-token", "filename": "css/site.css"}

OUTCOMES = {
    "ok": "answered (2xx, or 3xx to a page other than login)",
    "login": "sent to the login page",
    "register": "sent to register an organisation first",
    "denied": "403",
    "hidden": "404",
    "unauth": "401 (API without a token)",
    "invalid": "400",
    "gone": "410 (an invalid or expired link)",
}


def url_values(rule, world) -> dict:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name in FIXED_VALUES:
            values[name] = FIXED_VALUES[name]
        elif name in world.objects:
            values[name] = world.objects[name]
        elif hasattr(converter, "items"):  # <any(a, b):name>: the first choice
            values[name] = sorted(converter.items)[0]
        else:
            raise KeyError(f"{rule.rule}: no value for URL variable {name!r}; add one to the world")
    return values


def method_of(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers.get("Location", "")).path
        if path.startswith("/aanmelden") and not path.startswith("/aanmelden/overheid"):
            return "login"
        if path == "/organisaties/nieuw":
            return "register"
        return "ok"
    return {400: "invalid", 403: "denied", 404: "hidden", 401: "unauth", 410: "gone"}.get(
        status, "ok" if status < 400 else f"status {status}"
    )
