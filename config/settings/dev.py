"""Local development: `make run`."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Plain lines in a terminal; production's default is JSON (base.py).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("DJANGO_LOG_FORMAT", "text")  # noqa: F405

# The demo accounts' code page shows their current code (reperes/network/second_factor.py).
REPERES_SECOND_FACTOR_DEMO_HINT = True
