"""The production stack, as a process list runs it (Procfile, docs/deployment.md): gunicorn with
two worker processes on `config.settings.production`, static files collected and served by
WhiteNoise, the database cache shared by both processes. Behind the proxy, one login brake
counts for every process; the proxy's health check answers over plain HTTP; no log line holds
what was typed."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.conf import settings

from tests.operations.stack import CLIENT, Stack

PROBE = "personne.inconnue@exemple.invalid"


def _fail_login(stack: Stack) -> int:
    response, content = stack.request("GET", "/compte/connexion/")
    cookie = SimpleCookie(response.getheader("Set-Cookie", ""))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content.decode())
    assert token
    response, _ = stack.request(
        "POST",
        "/compte/connexion/",
        body=urlencode({"csrfmiddlewaretoken": token[1], "username": PROBE, "password": "pas-le-bon"}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"https://127.0.0.1:{stack.port}",
            "Referer": f"https://127.0.0.1:{stack.port}/compte/connexion/",
        },
    )
    return response.status


def _log(stack: Stack) -> list[dict]:
    """The log's lines, each a JSON object (config/logging.py), in order."""
    return [json.loads(line) for line in stack.log.read_text().splitlines() if line.strip()]


def _login_answers(stack: Stack) -> list[tuple[str, str]]:
    """(process id, status) of each login POST, in order, from the access log."""
    return re.findall(
        r'^<(\d+)> "POST /compte/connexion/" (\d+)', "\n".join(line["message"] for line in _log(stack)), re.M
    )


def test_the_production_stack_serves_checks_health_and_brakes_logins_across_processes(stack: Stack):
    # The health check over plain HTTP (the proxy's own network) is not redirected to HTTPS…
    response, content = stack.request("GET", "/sante/", headers={"X-Forwarded-Proto": ""})
    assert response.status == 200 and json.loads(content) == {"status": "ok", "base": "ok"}
    assert "no-cache" in response.getheader("Cache-Control", "")
    # …every page is.
    response, _ = stack.request("GET", "/compte/connexion/", headers={"X-Forwarded-Proto": ""})
    assert response.status == 301 and response.getheader("Location", "").startswith("https://")

    response, content = stack.request("GET", "/compte/connexion/")
    assert response.status == 200
    page = content.decode()
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    # Static files under hashed names, compressed, cached for a year.
    stylesheet = re.search(r'href="(/static/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, page[:1500]
    response, content = stack.request("GET", stylesheet[1], headers={"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert "max-age=315360000" in response.getheader("Cache-Control", "")
    assert len(content) < 60_000  # Bootstrap's 230 kB, compressed

    # One login brake for both processes: failed attempts for one address, each on a new
    # connection, until both processes have answered after the limit. Every answer after the
    # fifth is a refusal, whichever process gives it: a count kept per process would let the
    # other one check a password again.
    limit = getattr(settings, "REPERES_LOGIN_FAILURES", 5)  # privacy.throttle's default
    statuses = [_fail_login(stack) for _n in range(limit)]
    # Then attempts two at a time, so that while one process answers, the other must take the next.
    with ThreadPoolExecutor(max_workers=2) as pool:
        while len(statuses) < 80:
            statuses.extend(pool.map(lambda _n: _fail_login(stack), range(2)))
            if len({pid for pid, _status in _login_answers(stack)[limit:]}) == 2:
                break
    assert statuses[:limit] == [200] * limit, statuses
    assert set(statuses[limit:]) == {429}, statuses
    assert len({pid for pid, _status in _login_answers(stack)[limit:]}) == 2, "one process answered every attempt"
    # Every line is a JSON object, the application's (a missing file) as gunicorn's.
    stack.request("GET", "/static/absent.css")
    lines = _log(stack)
    assert {"gunicorn.error", "gunicorn.access", "django.request"} <= {line["logger"] for line in lines}
    log = stack.log.read_text()
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == 2, log
    assert PROBE not in log and "pas-le-bon" not in log and CLIENT not in log
