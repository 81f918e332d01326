"""The production stack of the process list (Procfile), started for a test: gunicorn with two
processes on `config.settings.production`, static files collected, the database cache shared."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
CLIENT = "203.0.113.9"  # the visitor, as the proxy names it


class Stack:
    def __init__(self, port: int, log: Path, env: dict[str, str]) -> None:
        self.port, self.log, self.env = port, log, env

    def request(self, method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None):
        """One request on a new connection (so that either process may answer it), as the proxy
        sends it: HTTPS said by X-Forwarded-Proto, unless `headers` say otherwise."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT,
            **(headers or {}),
        }
        connection.request(method, path, body=body, headers={k: v for k, v in sent.items() if v})
        response = connection.getresponse()
        content = response.read()
        connection.close()
        return response, content


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def production_stack(tmp_path: Path) -> Iterator[Stack]:
    """The stack on the test's database, which must be committed (`committed_database`)."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": database_url(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "REPERES_TRUSTED_PROXIES": "1",
        # A browser reaches the stack without the proxy's TLS: its Origin says http (the smoke test).
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
    }
    env.pop("DJANGO_CACHE_URL", None)
    manage = [sys.executable, "manage.py"]
    # The test database was made with the test settings' local cache: the production cache's table
    # is what `migrate` makes on a real instance (operations' migration 0002).
    subprocess.run([*manage, "createcachetable"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            served = Stack(port, log, env)
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if served.request("GET", "/sante/", headers={"X-Forwarded-Proto": ""})[0].status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield served
        finally:
            process.terminate()
            process.wait(timeout=30)
            print(log.read_text()[-5000:])  # shown when the test fails
