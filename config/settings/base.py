"""Production defaults. Secrets and hosts come from the environment (docs/environment.md)."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import bootstrap as xstatic_bootstrap

# Django's generic classes (ModelAdmin, ModelForm, Page…) take type arguments at runtime too, as
# django-stubs wants them written: `admin.ModelAdmin[Commune]`.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    # the second factor at login: TOTP applications and recovery codes (ADR 012)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The domain apps, bottom-up (docs/architecture.md). The layers are modules, not apps: every
    # app's models and enums at the bottom, then the access rules (privacy.rules, named by
    # privacy.policy), then selectors, services and views, which ask them (tests/privacy/test_layering.py).
    "reperes.territory",
    "reperes.network",
    "reperes.registry",
    "reperes.pathways",
    "reperes.mobilisation",
    "reperes.referrals",
    "reperes.programme",
    "reperes.reporting",
    "reperes.privacy",
    "reperes.web",
    "reperes.demo",
    "reperes.exports",
    "reperes.operations",
    "crontask",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the client's address (docs/deployment.md).
    "reperes.web.middleware.ClientAddressMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A session that must pass a second factor opens nothing else first (ADR 012).
    "reperes.web.middleware.SecondFactorMiddleware",
    # Pages for a logged-in user are never stored by a browser or a proxy.
    "reperes.web.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "reperes" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reperes.web.context_processors.navigation",
            ],
        },
    },
]

# The throttles count in the cache (privacy.throttle), which every web process and the worker must
# share: Django's database cache (its table is made by operations' migration 0002), or Redis when
# DJANGO_CACHE_URL says redis://… (needs `pip install redis`, docs/deployment.md). Room for many
# counters, so that junk attempts cannot push a real address's count out.
_CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
    if _CACHE_URL.startswith(("redis://", "rediss://"))
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "reperes_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# SQLite by default so that a bare machine runs the app; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while a writer works (the dev server and the background worker). A list
    # import writes its lines in short batches, each its own transaction, pausing between two
    # (ADR 006): another writer waits for one batch at most. The 30 s timeout is a margin, so that
    # a writer waits on a slow machine rather than fail after SQLite's default 5 s.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (large list imports, the nightly sweep) is queued in the database and run by
# `manage.py db_worker`, a process beside the web server (ADR 006).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour: reset links travel by e-mail

# Sessions end after 30 idle minutes (shared computers in partner offices).
SESSION_COOKIE_AGE = int(os.environ.get("REPERES_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
# Behind a reverse proxy that ends TLS: the header it sets on HTTPS requests (« X-Forwarded-Proto »),
# so that Django knows the request was secure. Only when the proxy always sets or strips it.
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"),
        "https",
    )
# HSTS on by default: one year, subdomains included (sent on HTTPS responses only). Preloading is
# a separate decision, hard to undo (hstspreload.org): off unless DJANGO_HSTS_PRELOAD=1.
# How many reverse proxies in front append to X-Forwarded-For (docs/deployment.md): 0 trusts none.
REPERES_TRUSTED_PROXIES = int(os.environ.get("REPERES_TRUSTED_PROXIES", "0"))
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("DJANGO_HSTS_PRELOAD", "0") == "1"

# Strict policy: no inline script or style without this request's nonce, nothing from other hosts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# French first. English is prepared (gettext everywhere) but not negotiated from the browser until a
# full translation exists: a half-translated page mixing Django's English with our French is worse.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Bootstrap comes from the xstatic-bootstrap package, never from a CDN or a committed copy.
STATICFILES_DIRS = [("bootstrap", xstatic_bootstrap.BASE_DIR)]

BOOTSTRAP5 = {
    "css_url": {"url": "/static/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/static/bootstrap/js/bootstrap.bundle.min.js"},
    "set_placeholder": False,
    "required_css_class": "required",
    "success_css_class": "",
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("DJANGO_EMAIL_PORT", 25)),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Repères <ne-pas-repondre@reperes.invalid>")

# Logs carry ids, never names (STYLE.md §8). JSON lines by default (config/logging.py), for the
# server's collector; DJANGO_LOG_FORMAT=text for a terminal (dev.py's default).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": os.environ.get("DJANGO_LOG_FORMAT", "json")}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # The clock's scheduler tells each run of its own lock refresh (every 5 s): not worth a line.
    "filters": {
        "not_lock_refresh": {
            "()": "django.utils.log.CallbackFilter",
            "callback": lambda record: "crontask.utils.lock.extend" not in record.getMessage(),
        }
    },
    "loggers": {"apscheduler.executors.default": {"filters": ["not_lock_refresh"]}},
}

# The commune search ranks the user's own départements first; territory, which knows nothing of
# organisations, asks the network app for them through this function.
REPERES_NEAR_DEPARTEMENTS = "reperes.network.selectors.departements_of"
# The signal form suggests first the communes a Mission locale of the instance covers.
REPERES_COVERED_COMMUNES = "reperes.network.selectors.covered_communes"

# Pathways (docs/environment.md): unanswered contact attempts in a row before the page proposes a
# partner or an exit; days before an unanswered referral is marked for a reminder.
REPERES_CONTACT_ATTEMPTS_MAX = 5
REPERES_REFERRAL_REMINDER_DAYS = 3

# The funder's bilan (ADR 009, docs/environment.md): counts from 1 to threshold - 1 are secret, and
# so is any cell that would let one be recomputed; row-level extracts carry keyed pseudonyms, under
# a key derived from SECRET_KEY when this one is empty.
REPERES_SMALL_CELL_THRESHOLD = 11
REPERES_PSEUDONYM_KEY = os.environ.get("REPERES_PSEUDONYM_KEY", "")

# The second factor (ADR 012): the issuer shown by authentication applications, the brake on
# wrong codes per account, and the demo's hint (the current code of a demo account shown on the
# code page: dev.py only; production refuses to start with it).
OTP_TOTP_ISSUER = "Repères"
REPERES_SECOND_FACTOR_FAILURES = 5
REPERES_SECOND_FACTOR_WINDOW_SECONDS = 900
REPERES_SECOND_FACTOR_DEMO_HINT = False

# Retention (ADR 013, docs/environment.md): a file silent this many days, or whose holder is older
# than the last age kept (27: 25, the public's last year, plus two), is anonymised; a signal that
# never became a file is deleted after its days; the access log after its own (CNIL: 6 to 12 months).
REPERES_RETENTION_FILE_DAYS = int(os.environ.get("REPERES_RETENTION_FILE_DAYS", 2 * 365))
REPERES_RETENTION_AGE_LIMIT = int(os.environ.get("REPERES_RETENTION_AGE_LIMIT", 25 + 2))
REPERES_RETENTION_SIGNAL_DAYS = int(os.environ.get("REPERES_RETENTION_SIGNAL_DAYS", 365))
REPERES_RETENTION_ACCESS_LOG_DAYS = int(os.environ.get("REPERES_RETENTION_ACCESS_LOG_DAYS", 365))
# An uploaded list neither imported nor abandoned after this many days loses its file.
REPERES_RETENTION_UPLOAD_DAYS = int(os.environ.get("REPERES_RETENTION_UPLOAD_DAYS", 30))
