"""config.settings.production, run as production runs it: in a fresh process, from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent.parent

# The variables docs/environment.md asks production to set.
DOCUMENTED = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_ALLOWED_HOSTS": "reperes.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://reperes.example.org",
    "DATABASE_URL": "postgres://reperes:secret@db.invalid:5432/reperes",
    "DJANGO_EMAIL_HOST": "smtp.example.org",
    "DJANGO_DEFAULT_FROM_EMAIL": "Repères <ne-pas-repondre@example.org>",
}


def run(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def settings_of(*names: str, **variables: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = run("-c", code, **variables)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[: len(names)]


def test_check_deploy_finds_nothing_with_the_documented_variables():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        **DOCUMENTED,
        DJANGO_SECRET_KEY=get_random_secret_key(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_finds_nothing_when_hsts_is_preloaded_either():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        **DOCUMENTED,
        DJANGO_SECRET_KEY=get_random_secret_key(),
        DJANGO_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "secret",
    [None, "", "trop-court", "a" * 60, "django-insecure-" + get_random_secret_key()],
    ids=["absent", "empty", "short", "one-character", "django-insecure"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    variables = dict(DOCUMENTED)
    if secret is not None:
        variables["DJANGO_SECRET_KEY"] = secret
    result = run("manage.py", "check", **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_ALLOWED_HOSTS", "", "DJANGO_ALLOWED_HOSTS must name the host names"),
        ("DJANGO_ALLOWED_HOSTS", " , ", "DJANGO_ALLOWED_HOSTS must name the host names"),
        ("DJANGO_DEBUG", "1", "production never runs in debug mode"),
        ("DJANGO_DEBUG", "True", "production never runs in debug mode"),
    ],
)
def test_production_refuses_to_start_misconfigured(variable, value, message):
    variables = {**DOCUMENTED, "DJANGO_SECRET_KEY": get_random_secret_key(), variable: value}
    result = run("manage.py", "check", **variables)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable}" in result.stderr and message in result.stderr


def test_hsts_is_on_for_a_year_with_subdomains_by_default():
    values = settings_of(
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "DEBUG",
        **DOCUMENTED,
        DJANGO_SECRET_KEY=get_random_secret_key(),
    )
    assert values == ["31536000", "True", "False", "True", "False"]


def test_the_wsgi_application_runs_the_production_settings():
    assert "config.settings.production" in (ROOT / "config" / "wsgi.py").read_text()
