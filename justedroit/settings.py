"""Settings read from the environment. See README for the variables."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JUSTEDROIT_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("DEBUG", "0").lower() in ("1", "true", "yes")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY est obligatoire quand DEBUG n'est pas activé.")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_htmx",
    # The API documentation's assets (Swagger UI) are then served from our static files, not a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "justedroit.core",
    "justedroit.registry",
    "justedroit.reception",
    "justedroit.channels",
    "justedroit.entitlements",
    "justedroit.controls",
    "justedroit.outreach",
    "justedroit.exchanges",
    "justedroit.recovery",
    "justedroit.appeals",
    "justedroit.cycle",
    "justedroit.fraud",
    "justedroit.quality",
    "justedroit.twin",
    "justedroit.reporting",
    "justedroit.portal",
    "justedroit.data_protection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "justedroit.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "justedroit.urls"
WSGI_APPLICATION = "justedroit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "justedroit.navigation.links",
                "justedroit.home.worklist_panels",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'justedroit.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout: the web server and batch commands share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Sessions end after 30 minutes of inactivity and with the browser.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling: 5 failures lock the username+IP pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind the reverse proxy every request comes from the proxy's address: the client's is read from
# X-Forwarded-For, but only when the request comes from one of these proxies (addresses or
# networks, comma-separated). Empty: the application is reached directly.
try:
    JUSTEDROIT_TRUSTED_PROXIES = tuple(
        ipaddress.ip_network(proxy.strip(), strict=False)
        for proxy in os.environ.get("JUSTEDROIT_TRUSTED_PROXIES", "").split(",")
        if proxy.strip()
    )
except ValueError as error:
    raise ImproperlyConfigured(
        f"JUSTEDROIT_TRUSTED_PROXIES : adresse invalide ({error})."
    ) from None
AXES_CLIENT_IP_CALLABLE = "justedroit.core.auth.client_ip.client_ip"

# Agents who log in with a password (local accounts, not through the Caf's identity provider) give
# a TOTP code as a second factor; required in production (settings_production).
JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP = os.environ.get("JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP") == "1"
OTP_TOTP_ISSUER = "Juste Droit — Caf de la Vienne"


def _oidc_provider(prefix: str, **extra) -> dict:
    return {
        "issuer": os.environ.get(f"{prefix}_ISSUER", "").rstrip("/"),
        "client_id": os.environ.get(f"{prefix}_CLIENT_ID", ""),
        "client_secret": os.environ.get(f"{prefix}_CLIENT_SECRET", ""),
        "token_endpoint_auth_method": os.environ.get(
            f"{prefix}_TOKEN_AUTH_METHOD", "client_secret_basic"
        ),
        **extra,
    }


# OpenID Connect providers, each enabled when its issuer is set (discovery at
# <issuer>/.well-known/openid-configuration). Agents are found by `username_claim`, which must
# equal their existing account's username; nobody is ever created from a provider's answer.
JUSTEDROIT_OIDC_PROVIDERS = {
    name: provider
    for name, provider in {
        "caf_agents": _oidc_provider(
            "JUSTEDROIT_AGENT_OIDC",
            scope="openid profile",
            username_claim=os.environ.get(
                "JUSTEDROIT_AGENT_OIDC_USERNAME_CLAIM", "preferred_username"
            ),
        ),
        "franceconnect": _oidc_provider(
            "JUSTEDROIT_FRANCECONNECT",
            scope="openid given_name family_name birthdate",
            acr_values=os.environ.get("JUSTEDROIT_FRANCECONNECT_ACR", "eidas1"),
        ),
    }.items()
    if provider["issuer"]
}

# Content-Security-Policy on every response: our own scripts and styles only, nothing inline. The
# identity providers' origins may receive form posts (logout redirects to their end of session).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The API documentation's stylesheet (Swagger UI) draws its icons as data: images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [
            SELF,
            *sorted(
                {
                    "{0.scheme}://{0.netloc}".format(urlsplit(provider["issuer"]))
                    for provider in JUSTEDROIT_OIDC_PROVIDERS.values()
                }
            ),
        ],
    }
}

# Every form is drawn by the shared templates (core/forms/): errors beside their field.
FORM_RENDERER = "justedroit.core.renderers.FormRenderer"

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Notifications (reception/notifications): SMS through a backend class, like email backends —
# the console by default; "justedroit.reception.notifications.backends.BrevoSmsBackend" with
# JUSTEDROIT_SMS_API_KEY and JUSTEDROIT_SMS_SENDER sends real SMS.
JUSTEDROIT_SMS_BACKEND = os.environ.get(
    "JUSTEDROIT_SMS_BACKEND", "justedroit.reception.notifications.backends.ConsoleSmsBackend"
)
JUSTEDROIT_SMS_API_KEY = os.environ.get("JUSTEDROIT_SMS_API_KEY", "")
JUSTEDROIT_SMS_SENDER = os.environ.get("JUSTEDROIT_SMS_SENDER", "CafVienne")
# The provider's delivery reports reach /accueil/accuses-sms/ with `Authorization: Bearer <token>`;
# without a token the address does not exist.
JUSTEDROIT_SMS_RECEIPT_TOKEN = os.environ.get("JUSTEDROIT_SMS_RECEIPT_TOKEN", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Caf de la Vienne <ne-pas-repondre@vienne.caf.example>"
)
# Seconds before an SMTP connection is given up (then retried): a hung server must not hold the
# worker forever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# Outbound SMS and e-mails leave through a task queue stored in the database (django-tasks,
# database backend), run by `justedroit db_worker` (core/sending.py). A failed attempt is retried
# after 1, 2, 4, 8… minutes (base × 2^(n-1)), and the message is marked failed after the last one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JUSTEDROIT_SEND_MAX_ATTEMPTS = int(os.environ.get("JUSTEDROIT_SEND_MAX_ATTEMPTS", "5"))
JUSTEDROIT_SEND_RETRY_BASE_SECONDS = int(os.environ.get("JUSTEDROIT_SEND_RETRY_BASE_SECONDS", "60"))

# Monthly cycle: the partners' files are dropped in <inbox>/<AAAA-MM>/ (docs/echanges.md); letters
# sent by post are dropped in the print shop's folder.
JUSTEDROIT_EXCHANGE_INBOX = Path(os.environ.get("JUSTEDROIT_EXCHANGE_INBOX", VAR_DIR / "echanges"))
JUSTEDROIT_PRINT_DIR = Path(os.environ.get("JUSTEDROIT_PRINT_DIR", VAR_DIR / "courriers"))

# Channels: documents stored outside the web root, scanned by ClamAV when a socket is given.
CHANNELS_DOCUMENT_DIR = Path(os.environ.get("CHANNELS_DOCUMENT_DIR", VAR_DIR / "documents"))
CHANNELS_CLAMAV_SOCKET = os.environ.get("CHANNELS_CLAMAV_SOCKET", "")

# Partner API throttling (per token, and per client address before authentication). The client
# address is the one login uses (`core.auth.client_ip`): X-Forwarded-For is believed only from
# JUSTEDROIT_TRUSTED_PROXIES, so a client cannot choose its own throttling key.
JUSTEDROIT_API_RATES = {
    "token": os.environ.get("JUSTEDROIT_API_RATE_PER_TOKEN", "120/min"),
    "address": os.environ.get("JUSTEDROIT_API_RATE_PER_ADDRESS", "300/min"),
}

# "default" holds what goes stale (the report's figures, keyed by `data_version`; throttling
# counts). "renders" holds drawings keyed by a digest of everything they are drawn from (the
# charts, the annual report's PDF): an entry never goes stale, so nothing needs to clear it. Each
# process has its own; no personal data goes there (the report and its charts are aggregates).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "renders": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "renders",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# One clock: pins "today" for the demo (the twin's reference date) and batch runs.
JUSTEDROIT_TODAY = os.environ.get("JUSTEDROIT_TODAY") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The console SMS backend's messages (reception.notifications.backends).
    "loggers": {
        "justedroit.sms": {
            "handlers": ["stdout"],
            "level": os.environ.get("JUSTEDROIT_SMS_CONSOLE_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}
