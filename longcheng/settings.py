"""The one settings module. Every value that differs between machines comes from the environment
through the typed helpers in longcheng.env, which refuse malformed values at start-up."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from longcheng.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LONGCHENG_VAR_DIR", str(BASE_DIR / "var")))

# "development" (make run, tests) or "production". Production refuses unsafe settings below.
ENVIRONMENT = env_str("LONGCHENG_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"LONGCHENG_ENV={ENVIRONMENT!r}: expected 'development' or 'production'")

_DEFAULT_SECRET = "longcheng-development-secret-not-for-production"
SECRET_KEY = env_secret("SECRET_KEY", _DEFAULT_SECRET)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (LONGCHENG_ENV=production)")
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(set SECRET_KEY or SECRET_KEY_FILE)"
        )
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    # Two-factor sign-in (TOTP) for roles that reveal, pay or manage accounts (kernel/access/twofactor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
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
    "longcheng.kernel.web",
    # Public services: one app each, discovered through the kernel registry in their AppConfig.ready().
    *env_list("LONGCHENG_MODULES", ["longcheng.modules.homesafety", "longcheng.modules.youthaid",
                                    "longcheng.modules.onestop"]),
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
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
