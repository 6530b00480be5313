"""Settings read from the environment. See README for the variables."""

import os
from pathlib import Path

import dj_database_url
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
    "django_htmx",
    "justedroit.core",
    "justedroit.registry",
    "justedroit.reception",
    "justedroit.channels",
    "justedroit.entitlements",
    "justedroit.outreach",
    "justedroit.twin",
    "justedroit.reporting",
    "justedroit.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Channels: documents stored outside the web root, scanned by ClamAV when a socket is given.
CHANNELS_DOCUMENT_DIR = Path(os.environ.get("CHANNELS_DOCUMENT_DIR", VAR_DIR / "documents"))
CHANNELS_CLAMAV_SOCKET = os.environ.get("CHANNELS_CLAMAV_SOCKET", "")

# Partner API throttling (per token, and per client address before authentication). Behind a
# reverse proxy, NINJA_NUM_PROXIES says how many proxies append to X-Forwarded-For; 0 trusts only
# the connection's address (a client cannot choose its own throttling key).
JUSTEDROIT_API_RATES = {
    "token": os.environ.get("JUSTEDROIT_API_RATE_PER_TOKEN", "120/min"),
    "address": os.environ.get("JUSTEDROIT_API_RATE_PER_ADDRESS", "300/min"),
}
NINJA_NUM_PROXIES = int(os.environ.get("JUSTEDROIT_PROXY_COUNT", "0"))

# One clock: pins "today" for the demo (the twin's reference date) and batch runs.
JUSTEDROIT_TODAY = os.environ.get("JUSTEDROIT_TODAY") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
