"""Production settings: the base settings hardened for HTTPS (`check --deploy` is clean).

Refuses to start without a secret key of its own, whatever DEBUG says: with DEBUG=1 in the
environment the base settings fall back to the public development key."""

import os

from django.core.exceptions import ImproperlyConfigured

from justedroit.settings import *  # noqa: F403
from justedroit.settings import _DEV_SECRET_KEY

if not os.environ.get("SECRET_KEY") or os.environ["SECRET_KEY"] == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "En production, SECRET_KEY doit être fournie et différente de la clé de développement."
    )

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Real mail in production (SMTP settings from the environment: EMAIL_HOST, EMAIL_PORT, …).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
# Local (password) agent accounts need their TOTP code; the Caf's identity provider has its own.
JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP = True
