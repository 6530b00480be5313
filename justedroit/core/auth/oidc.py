"""OpenID Connect relying party (authorization code flow with PKCE) through authlib.

Authlib checks the state kept in the session, sends the PKCE verifier, and verifies the ID token:
signature against the provider's published keys (JWKS), issuer, audience, expiry, nonce and
`at_hash`. On top of it: the discovery document must name the configured issuer, the ID token is
mandatory, and the claims from the userinfo endpoint (JSON, or a signed JWT as FranceConnect sends
them) must concern the same `sub`. Nothing here decides who the person is in Juste Droit: see
`identities`.
"""

import functools
import secrets

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ID_TOKEN_SESSION_KEY = "justedroit_oidc_id_token"
PROVIDER_SESSION_KEY = "justedroit_oidc_provider"
TIMEOUT_SECONDS = 10


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; the message is a short code for the audit
    trail, never shown as is."""


def provider_settings(name: str) -> dict | None:
    return settings.JUSTEDROIT_OIDC_PROVIDERS.get(name)


def configured_providers() -> set[str]:
    return set(settings.JUSTEDROIT_OIDC_PROVIDERS)


def session_remember(request, name: str, id_token: str) -> None:
    """Kept so that logging out can end the provider's session too."""
    request.session[PROVIDER_SESSION_KEY] = name
    request.session[ID_TOKEN_SESSION_KEY] = id_token


def session_provider(request) -> tuple[str, str]:
    """The provider the session was opened through and its ID token, or empty strings."""
    name = request.session.get(PROVIDER_SESSION_KEY, "")
    if provider_settings(name) is None:
        return "", ""
    return name, request.session.get(ID_TOKEN_SESSION_KEY, "")


def authorization_redirect(request, name: str, redirect_uri: str):
    """Send the browser to the provider; state and nonce (32 random bytes each, as FranceConnect
    demands) and the PKCE verifier are kept in the session for the callback."""
    provider = provider_settings(name)
    extra = {"acr_values": provider["acr_values"]} if provider.get("acr_values") else {}
    return _client(name).authorize_redirect(
        request,
        redirect_uri,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        **extra,
    )


def verified_claims(request, name: str) -> tuple[dict, str]:
    """The identity the provider vouches for and its ID token, from the callback request;
    `OidcError` otherwise."""
    provider = provider_settings(name)
    client = _client(name)
    try:
        metadata = client.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != provider["issuer"]:
            raise OidcError("issuer_mismatch")
        token = client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims or not claims.get("sub"):
            raise OidcError("no_id_token")
        claims = dict(claims)
        if metadata.get("userinfo_endpoint"):
            userinfo = _userinfo(client, token, metadata, provider)
            if userinfo.get("sub") != claims["sub"]:
                raise OidcError("userinfo_subject_mismatch")
            claims = {**userinfo, **claims}
    except OAuthError as error:
        raise OidcError(f"oauth:{error.error}") from error
    except JoseError as error:
        raise OidcError(f"token:{type(error).__name__}") from error
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        raise OidcError(f"provider:{type(error).__name__}") from error
    return claims, token["id_token"]


def end_session_url(name: str, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so that the provider ends its session too (RP-initiated logout),
    or None when the provider does not offer it or cannot be reached."""
    client = _client(name)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            state=secrets.token_urlsafe(32),
        )["url"]
    except (requests.RequestException, ValueError, RuntimeError):
        return None


def _userinfo(client, token: dict, metadata: dict, provider: dict) -> dict:
    response = client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        return response.json()
    keys = KeySet.import_key_set(client.fetch_jwk_set())
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or ["RS256", "ES256"]
    signed = jwt.decode(response.text.strip(), keys, algorithms=algorithms)
    claims = signed.claims
    if claims.get("iss", provider["issuer"]).rstrip("/") != provider["issuer"]:
        raise OidcError("userinfo_issuer_mismatch")
    audience = claims.get("aud", provider["client_id"])
    if provider["client_id"] not in (audience if isinstance(audience, list) else [audience]):
        raise OidcError("userinfo_audience_mismatch")
    return claims


def _client(name: str):
    provider = provider_settings(name)
    return _registered_client(
        name,
        provider["issuer"],
        provider["client_id"],
        provider["client_secret"],
        provider["scope"],
        provider["token_endpoint_auth_method"],
    )


@functools.lru_cache(maxsize=8)
def _registered_client(name, issuer, client_id, client_secret, scope, auth_method):
    """One client per configuration: authlib caches the provider's metadata and keys on it."""
    return OAuth().register(
        name=name,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": auth_method,
            "default_timeout": TIMEOUT_SECONDS,
            # FranceConnect's access tokens live 60 s: authlib's default margin (60 s) would take
            # them for expired before the userinfo call.
            "leeway": 5,
        },
    )
