"""The one settings module. Every value that differs between machines comes from the environment
through the typed helpers in longcheng.env, which refuse malformed values at start-up."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from longcheng.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LONGCHENG_VAR_DIR", str(BASE_DIR / "var")))
# Parallel test workers (pytest-xdist, `make test`) each get their own var dir — SQLite files,
# uploads, the job store — so two workers never share a file. Only inside the pytest process itself:
# a subprocess a test starts is given its own LONGCHENG_VAR_DIR and must use it as it is.
if os.environ.get("PYTEST_XDIST_WORKER") and "pytest" in sys.modules:
    VAR_DIR = VAR_DIR / os.environ["PYTEST_XDIST_WORKER"]

# "development" (make run, tests) or "production". Production refuses unsafe settings below.
ENVIRONMENT = env_str("LONGCHENG_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"LONGCHENG_ENV={ENVIRONMENT!r}: expected 'development' or 'production'")

_DEFAULT_SECRET = "longcheng-development-secret-not-for-production"
SECRET_KEY = env_secret("SECRET_KEY", _DEFAULT_SECRET)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

def _weak_secret(secret: str) -> bool:
    # Django's own check (security.W009): 50 characters, 5 distinct, not the insecure prefix. A key
    # like "k" * 40 passed our old length rule yet is guessable by anyone who reads that rule.
    return secret == _DEFAULT_SECRET or len(secret) < 50 or len(set(secret)) < 5 \
        or secret.startswith("django-insecure-")


if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (LONGCHENG_ENV=production)")
    if _weak_secret(SECRET_KEY):
        raise ImproperlyConfigured(
            "SECRET_KEY must be a random value of at least 50 characters with at least 5 different "
            "characters in production (set SECRET_KEY or SECRET_KEY_FILE; e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))')"
        )
    if "*" in ALLOWED_HOSTS or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names in production, not '*' "
            f"(ALLOWED_HOSTS={','.join(ALLOWED_HOSTS)!r})"
        )
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # HSTS: once a browser has seen the site over HTTPS it never tries plain HTTP again. Sent only on
    # HTTPS responses; behind the TLS proxy set TLS_PROXY=1 so Django knows the request was HTTPS.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TLS_PROXY", False):
    # Only behind a proxy that sets (and overwrites) X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    # Its static Swagger UI (no CDN) is found only when ninja is an installed app.
    "ninja",
    "axes",
    "csp",
    # Two-factor sign-in (TOTP) for roles that reveal, pay or manage accounts (kernel/access/twofactor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Leaflet's files for the kernel map (kernel/maps.py), from the package: no CDN.
    "leaflet",
    # The kernel: what every public service stands on. Order matters only for migrations' readability.
    "longcheng.kernel.places",
    "longcheng.kernel.access",
    "longcheng.kernel.audit",
    "longcheng.kernel.people",
    "longcheng.kernel.orgs",
    "longcheng.kernel.workdays",
    "longcheng.kernel.ledger",
    "longcheng.kernel.notify",
    "longcheng.kernel.jobs",
    # Data-subject requests (PIPL art. 44-47) and retention (kernel/rights).
    "longcheng.kernel.rights",
    # Device telemetry shared by the modules that have devices (kernel/telemetry, docs/telemetry.md).
    "longcheng.kernel.telemetry",
    "longcheng.kernel.web",
    # Public services: one app each, discovered through the kernel registry in their AppConfig.ready().
    *env_list("LONGCHENG_MODULES", ["longcheng.modules.homesafety", "longcheng.modules.youthaid",
                                    "longcheng.modules.onestop",
                                    "longcheng.modules.ecorestore", "longcheng.modules.remediation",
                                    "longcheng.modules.accidents",
                                    "longcheng.modules.cleanaudit",
                                    "longcheng.modules.wastecycle",
                                    "longcheng.modules.platformdoor"]),
]

AUTH_USER_MODEL = "access.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "longcheng.kernel.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a forced password change and a missing second factor come before any page.
    "longcheng.kernel.access.middleware.SignInGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "longcheng.kernel.web.signin.IdleTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lock-out flagged during the request into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "longcheng.urls"
WSGI_APPLICATION = "longcheng.wsgi.application"
ASGI_APPLICATION = "longcheng.asgi.application"

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
                "django.template.context_processors.i18n",
                "longcheng.kernel.web.context.shell",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'longcheng.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r}: {exc}") from exc
# PostgreSQL behind an ASGI server: a pool of DB_POOL_SIZE connections per process (psycopg_pool).
# Under ASGI each request runs in a thread of its own, so persistent connections (DB_CONN_MAX_AGE)
# are not reused, and a burst of requests (200 consoles reconnecting after a restart) would each open
# one and exhaust max_connections; with the pool they wait their turn. Off (0) by default.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0, minimum=0, maximum=1000)
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DB_POOL_SIZE and DB_CONN_MAX_AGE exclude each other: set DB_CONN_MAX_AGE=0")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 30}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the job worker writes; IMMEDIATE transactions take the write
    # lock at BEGIN so two writers queue up instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The test database is a file too, not Django's shared-cache memory database: there a second
    # connection (a job consumer thread, a live-server request) fails at once with "table is locked"
    # instead of waiting, which made thread-backed tests flaky. A file honours busy_timeout and WAL.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-longcheng.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in through the city's identity provider: answers nothing unless OIDC_ENABLED.
    "longcheng.kernel.access.oidc.CityIdentityBackend",
]

# Sign-in through the city's identity provider over OpenID Connect (docs/operations.md), off by
# default. The endpoints are configured, not discovered: the platform never depends on reaching the
# provider to start. An identity is mapped to an existing local account whose username equals the
# OIDC_ACCOUNT_CLAIM claim of the verified id_token; no account is ever created.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")  # optional: when the claim is not in the id_token
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET", None if OIDC_ENABLED else "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid")
OIDC_ACCOUNT_CLAIM = env_str("OIDC_ACCOUNT_CLAIM", "sub")
# The provider's second factor counts as ours only when configured: an `amr` value (RFC 8176, e.g.
# "mfa", "otp", "hwk") or an `acr` value listed here. Empty (the default): the platform's own TOTP
# is still asked of the roles that need it.
OIDC_TRUSTED_AMR = env_list("OIDC_TRUSTED_AMR", [])
OIDC_TRUSTED_ACR = env_list("OIDC_TRUSTED_ACR", [])
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1, maximum=60)
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "access:oidc_callback"
if OIDC_ENABLED:
    _missing = [name for name in ("OIDC_OP_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                                  "OIDC_OP_JWKS_ENDPOINT", "OIDC_RP_CLIENT_ID") if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_ENABLED is set but {', '.join(_missing)} not")
    _plain = [name for name in ("OIDC_OP_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                                "OIDC_OP_JWKS_ENDPOINT") if not globals()[name].startswith("https://")]
    if ENVIRONMENT == "production" and _plain:
        # The token and the keys that verify it must not cross the network in clear.
        raise ImproperlyConfigured(f"{', '.join(_plain)}: must be https:// in production")
# The test suite (conftest.py sets it, and the servers and workers its tests start inherit it)
# hashes passwords with MD5: Django's 1,000,000 PBKDF2 rounds cost most of a second per test user
# on a 2-core machine, minutes of `make test`. Never in production, whatever the environment says
# (the suite's production-settings checks run with it set).
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                         "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if env_bool("LONGCHENG_TEST_FAST_HASHING", False) and ENVIRONMENT != "production":
    PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lock-out (django-axes), for the login page and POST /api/v1/auth/tokens alike: after
# LOGIN_FAILURE_LIMIT wrong passwords for one account (from anywhere), or from one address (for any
# accounts), further attempts are refused for LOGIN_LOCKOUT_MINUTES, even with the right password.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "longcheng.kernel.web.signin.lockout_response"
# Behind nginx every request comes from the proxy: name it here so the client's own address (from
# X-Forwarded-For, which the proxy must set) is counted, not the proxy's.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "longcheng.kernel.web.signin.client_address"
AXES_VERBOSE = False
# Successful sign-ins are in our audit trail; axes' own access log would be a second copy.
AXES_DISABLE_ACCESS_LOG = True

# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and after SESSION_MAX_HOURS in all.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
# PIPL data-subject requests: the answer is due this many working days after the request (kernel/rights).
DATA_REQUEST_WORKING_DAYS = env_int("DATA_REQUEST_WORKING_DAYS", 15, minimum=1, maximum=60)
# The nightly retention job deletes or anonymises this many rows per statement (kernel/rights/retention.py).
RETENTION_BATCH = env_int("RETENTION_BATCH", 2000, minimum=1)

# API tokens expire: API_TOKEN_DAYS by default, API_TOKEN_MAX_DAYS at most when the client asks.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)

# The kernel map's base layer: the city's own tile server, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png
# (kernel/maps.py). Empty: places are drawn on a blank ground. Its origin is added to img-src below.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_ATTRIBUTION = env_str("MAP_ATTRIBUTION", "")
# The datum the tiles are drawn in: "wgs84" (天地图's CGCS2000 is within a metre of it) or "gcj02"
# (高德, 腾讯: the shifted datum China requires of commercial maps). Coordinates are stored as WGS-84;
# with a GCJ-02 base map they are shifted only as they are drawn, so points sit on the tiles' streets.
MAP_TILE_DATUM = env_str("MAP_TILE_DATUM", "wgs84").lower()
if MAP_TILE_DATUM not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(f"MAP_TILE_DATUM must be wgs84 or gcj02, not {MAP_TILE_DATUM!r}")
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("https://") else ""

# Content-Security-Policy (django-csp). Scripts only from our own static files: no inline script,
# no event handler attribute, no CDN. Styles also allow inline: pygal's server-drawn SVG charts
# carry their own <style> element (see docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The API docs page (Swagger UI from ninja's static files) is for signed-in users in production.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", ENVIRONMENT != "production")
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "longcheng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Uploaded proofs (admission letters, hospital bills) are private: no URL serves MEDIA_ROOT; each
# module's own view checks the permission and audits the opening.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))

# Background jobs run on Huey. Embedded default: a SQLite file next to the database and a consumer
# started by `longcheng serve`, so `make run` needs no extra server. At scale: JOBS_URL=redis://…
JOBS_URL = env_str("JOBS_URL", f"sqlite:///{VAR_DIR / 'jobs.sqlite3'}")
JOBS_IMMEDIATE = env_bool("JOBS_IMMEDIATE", False)
JOBS_WORKERS = env_int("JOBS_WORKERS", 2, minimum=1, maximum=64)


def _huey_settings(url: str) -> dict[str, object]:
    common: dict[str, object] = {
        "name": env_str("JOBS_QUEUE", "longcheng"),
        "immediate": JOBS_IMMEDIATE,
        "utc": True,
        # An idle worker looks at the queue at least every second (huey backs off to 10 s by default),
        # so a job due now (an alarm's escalation round) starts within about a second.
        "consumer": {"workers": JOBS_WORKERS, "worker_type": "thread", "periodic": True, "max_delay": 1.0},
    }
    if url.startswith("sqlite:///"):
        return {**common, "huey_class": "huey.SqliteHuey", "filename": url.removeprefix("sqlite:///")}
    if url.startswith(("redis://", "rediss://")):
        return {**common, "huey_class": "huey.PriorityRedisHuey", "url": url}
    raise ImproperlyConfigured(f"JOBS_URL={url!r}: expected sqlite:///path or redis://host:port/db")


HUEY = _huey_settings(JOBS_URL)

# mqtt://user:password@host:1883, or mqtts://…:8883 for TLS (MQTT_URL_FILE keeps the password out of
# the environment). Checked here so that a mistyped address stops every process at start, not an
# ingest worker later; the message never repeats the URL, which holds a password.
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
if MQTT_URL.split("://", 1)[0] not in ("mqtt", "mqtts", "tcp", "ssl") or "://" not in MQTT_URL:
    raise ImproperlyConfigured("MQTT_URL must look like mqtt://user:password@host:1883 or mqtts://user:password@host:8883")

# Notification adapters per channel; "local" records deliveries in the database (demo, tests, offline).
NOTIFY_ADAPTERS = {
    "inapp": env_str("NOTIFY_INAPP_ADAPTER", "local"),
    "sms": env_str("NOTIFY_SMS_ADAPTER", "local"),
    "wechat": env_str("NOTIFY_WECHAT_ADAPTER", "local"),
    "voice": env_str("NOTIFY_VOICE_ADAPTER", "local"),
}
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1, maximum=50)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 30, minimum=1)

# Office hours for working-day arithmetic (half-day precision): morning and afternoon sessions.
WORKDAY_MORNING = env_str("WORKDAY_MORNING", "09:00-12:00")
WORKDAY_AFTERNOON = env_str("WORKDAY_AFTERNOON", "13:30-17:30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "longcheng": {"level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        "huey": {"level": "WARNING", "propagate": True},
    },
}
