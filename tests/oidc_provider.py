"""A small OpenID Connect provider for the tests, standing in for the Caf's identity provider and
FranceConnect: real HTTP on 127.0.0.1 (discovery, authorization, token, userinfo, JWKS, end of
session), real RS256 signatures, PKCE and client authentication checked. Juste Droit's client talks
to it exactly as to the real ones; a test plays the browser with `browse_login`.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "juste-droit"
CLIENT_SECRET = "secret-du-client-de-test"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class MockProvider:
    def __init__(self, *, userinfo_as_jwt: bool = False):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "cle-1", "use": "sig"})
        self.signing_key = self.key
        self.userinfo_as_jwt = userinfo_as_jwt
        self.identity: dict = {}
        self.id_token_overrides: dict = {}
        self.userinfo_overrides: dict = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.token_requests = 0
        self._server = make_server("127.0.0.1", 0, self._app, handler_class=_Quiet)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def settings(self, **extra) -> dict:
        return {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": "openid profile",
            **extra,
        }

    # --- HTTP ------------------------------------------------------------------------------

    def _app(self, environ, start_response):
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/logout": self._logout,
        }
        handler = routes.get(environ["PATH_INFO"])
        status, headers, body = handler(environ) if handler else ("404 Not Found", [], b"")
        start_response(status, headers)
        return [body]

    def _discovery(self, environ):
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def _jwks(self, environ):
        return _json({"keys": [self.key.as_dict(private=False)]})

    def _authorize(self, environ):
        """The user has logged in at the provider as `self.identity`: back to the client."""
        query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        if (
            query.get("client_id") != CLIENT_ID
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or "openid" not in query.get("scope", "").split()
        ):
            return _json({"error": "invalid_request"}, "400 Bad Request")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "identity": dict(self.identity)}
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return "302 Found", [("Location", target)], b""

    def _token(self, environ):
        self.token_requests += 1
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if environ.get("HTTP_AUTHORIZATION") != f"Basic {expected}":
            return _json({"error": "invalid_client"}, "401 Unauthorized")
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, "400 Bad Request")
        verifier = form.get("code_verifier", "")
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        if challenge != grant["code_challenge"]:
            return _json({"error": "invalid_grant"}, "400 Bad Request")
        access_token = secrets.token_urlsafe(24)
        identity = grant["identity"]
        self.access_tokens[access_token] = identity
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": identity["sub"],
            "iat": now,
            "exp": now + 60,
            "nonce": grant["nonce"],
            "at_hash": _b64(hashlib.sha256(access_token.encode()).digest()[:16]),
            **({"acr": grant["acr_values"]} if "acr_values" in grant else {}),
            **self.id_token_overrides,
        }
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": self._sign(claims),
            }
        )

    def _userinfo(self, environ):
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        identity = self.access_tokens.get(token)
        if identity is None:
            return _json({"error": "invalid_token"}, "401 Unauthorized")
        claims = {**identity, **self.userinfo_overrides}
        if self.userinfo_as_jwt:
            body = self._sign({"iss": self.issuer, "aud": CLIENT_ID, **claims})
            return "200 OK", [("Content-Type", "application/jwt")], body.encode()
        return _json(claims)

    def _logout(self, environ):
        return "200 OK", [("Content-Type", "text/plain")], b"deconnecte"

    def _sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)


def provider_callback(client, start_url: str) -> str:
    """Plays the browser: Juste Droit sends it to the provider, which sends it back with a code;
    returns the callback address (path and query) the provider sent it to."""
    to_provider = client.get(start_url)
    assert to_provider.status_code == 302, to_provider
    with requests.Session() as browser:
        back = browser.get(to_provider["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    return f"{callback.path}?{callback.query}"


def browse_login(client, start_url: str):
    """The whole round trip; returns Juste Droit's answer to the callback."""
    return client.get(provider_callback(client, start_url))


def _json(payload: dict, status: str = "200 OK"):
    return status, [("Content-Type", "application/json")], json.dumps(payload).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
