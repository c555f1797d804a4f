"""A small OpenID Connect provider for the tests, served over real HTTP on 127.0.0.1.

It implements the authorization code flow with PKCE (S256) and signs ID tokens with an RSA
test key (joserfc, the JOSE library under Authlib). `next_login` lets a test choose who logs
in and forge the ID token (wrong issuer, audience or nonce, expired, `alg=none`, foreign key).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "werkbrug-test"
CLIENT_SECRET = "werkbrug-test-secret"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeProvider:
    def __init__(self, port: int = 0):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, dict] = {}
        self.logouts: list[dict] = []
        self.reset()
        self._server = make_server("127.0.0.1", port, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Who logs in next, and how the token is forged (nothing, by default)."""
        self.next_login = {
            "sub": "sub-1",
            "email": "burger@example.be",
            "email_verified": True,
            "name": "Bea Burger",
            "kbo": None,
        }
        self.forge: dict = {}
        self.deny = False
        self.advertise_end_session = True

    def stop(self) -> None:
        self._server.shutdown()

    def metadata(self, issuer: str) -> dict:
        data = {
            "issuer": issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }
        if self.advertise_end_session:
            data["end_session_endpoint"] = f"{self.issuer}/logout"
        return data

    # WSGI ---------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            # Publishes metadata whose issuer is not the URL it is served under.
            "/wrong-issuer/.well-known/openid-configuration": self._wrong_discovery,
            "/authorize": self._authorize,
            "/token": self._token,
            "/jwks": self._jwks,
            "/logout": self._logout,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    @staticmethod
    def _json(data, status=200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _discovery(self, request):
        return self._json(self.metadata(self.issuer))

    def _wrong_discovery(self, request):
        return self._json(self.metadata(self.issuer))

    def _jwks(self, request):
        return self._json({"keys": [self.key.as_dict(private=False)]})

    def _logout(self, request):
        self.logouts.append(dict(request.args))
        return Response("logged out")

    def _authorize(self, request):
        args = request.args
        redirect_uri = args.get("redirect_uri", "")
        problems = []
        if args.get("client_id") != CLIENT_ID:
            problems.append("client_id")
        if args.get("response_type") != "code":
            problems.append("response_type")
        if "openid" not in args.get("scope", "").split():
            problems.append("scope")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            problems.append("pkce")
        if not args.get("state") or not args.get("nonce"):
            problems.append("state/nonce")
        if problems or not redirect_uri:
            return Response("bad request: " + ",".join(problems), status=400)
        if self.deny:
            query = {"error": "access_denied", "error_description": "User cancelled", "state": args["state"]}
            return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode(query)}"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "nonce": args["nonce"],
            "challenge": args["code_challenge"],
            "login": dict(self.next_login),
            "forge": dict(self.forge),
            "used": False,
        }
        query = {"code": code, "state": args["state"]}
        return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode(query)}"})

    def _token(self, request):
        auth = request.authorization
        client_ok = auth is not None and auth.username == CLIENT_ID and auth.password == CLIENT_SECRET
        if not client_ok:
            return self._json({"error": "invalid_client"}, 401)
        form = request.form
        grant = self.codes.get(form.get("code", ""))
        if form.get("grant_type") != "authorization_code" or grant is None or grant["used"]:
            return self._json({"error": "invalid_grant"}, 400)
        grant["used"] = True
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        return self._json(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    def _id_token(self, grant) -> str:
        login, forge = grant["login"], grant["forge"]
        now = int(time.time())
        claims = {
            "iss": forge.get("iss", self.issuer),
            "aud": forge.get("aud", CLIENT_ID),
            "sub": login["sub"],
            "iat": now + forge.get("iat_offset", 0),
            "exp": now + forge.get("exp_offset", 300),
            "nonce": forge.get("nonce", grant["nonce"]),
            "auth_time": now,
            "email": login["email"],
            "email_verified": login["email_verified"],
            "name": login["name"],
        }
        if forge.get("drop_nonce"):
            claims.pop("nonce")
        if login.get("kbo"):
            claims["kbo"] = login["kbo"]
        claims = {k: v for k, v in claims.items() if v is not None}
        if forge.get("alg") == "none":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        if forge.get("alg") == "HS256":
            from joserfc.jwk import OctKey

            return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(CLIENT_SECRET.encode() * 2))
        key = self.foreign_key if forge.get("foreign_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)


if __name__ == "__main__":
    # For trying the login by hand: python -m tests.oidc.provider [port]
    import sys

    provider = FakeProvider(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"Test provider at {provider.issuer} (client {CLIENT_ID} / {CLIENT_SECRET}); Ctrl-C stops it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        provider.stop()
