"""Test runs (pytest): fast hashing, in-memory mail."""

import os

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105 - signs test sessions only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEBUG_PROPAGATE_EXCEPTIONS = os.environ.get("DEBUG_PROPAGATE_EXCEPTIONS", "") == "1"
# One cache per test process, emptied between tests where it matters: the database cache's rows
# would outlive a live-server test's data. The shared cache itself is tested against the
# production stack (tests/operations/test_production_stack.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 100_000}}}
# Each test builds its own registry: never reuse the registry size counted in another test.
REPERES_POPULATION_CACHE_SECONDS = 0
# Tasks run at once in the test's process. The tests of the worker itself (the `db_worker`
# fixture) switch to the database backend and start `manage.py db_worker`, whose own settings say
# so through REPERES_TEST_TASKS.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    if os.environ.get("REPERES_TEST_TASKS") == "database"
    else {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
}
# django-otp's own delay after a wrong code (1, 2, 4… s per device) stays on in production; here
# a test types a wrong code and then the right one at once. The per-account brake is tested.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
