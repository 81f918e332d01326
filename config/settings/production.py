"""Production: base.py's defaults, and a refusal to start without what production cannot do without.

`DJANGO_SETTINGS_MODULE=config.settings.production` (config/wsgi.py's default); every variable is
described in docs/environment.md."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random secret of at least 50 characters (sessions, password-reset "
        "links and CSRF tokens are signed with it), for example the output of: python -c "
        "'from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())'"
    )

if os.environ.get("DJANGO_DEBUG", "0") not in ("", "0"):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is set, but production never runs in debug mode (it would show the data of any "
        "failing page to whoever caused it): unset it, or use DJANGO_SETTINGS_MODULE=config.settings.dev on a "
        "development machine."
    )
DEBUG = False

if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must name the host names this instance serves, comma-separated "
        "(for example reperes.example.org): without it every request would be refused."
    )

if not SECURE_HSTS_PRELOAD:  # noqa: F405
    # Not preloading is a documented choice (docs/environment.md), not an oversight to report.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Static files from the web process itself (no static server to run), right after the security
# middleware: `manage.py collectstatic` writes compressed copies (gzip, Brotli) under hashed
# names, which WhiteNoise serves with a one-year cache (docs/deployment.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
# The reverse proxy and the process manager ask /sante/ over plain HTTP on the local network.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
