"""Browser journeys (STYLE.md §5): Playwright driving Debian's Chromium against `live_server`.

Every test in this folder is marked `e2e`. Each test gets a fresh browser context whose console
errors, page errors, Content-Security-Policy reports and requests to any host other than the
live server are collected; the test fails if any of them is not empty.
"""

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from playwright.sync_api import Browser, Page, Route, sync_playwright

HERE = Path(__file__).parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install` (no network)
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only those under tests/e2e/.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's server, started only once the test database exists.

    Otherwise pytest may start it first, while the database is still the file in settings: it then
    sees no in-memory SQLite connection to share with its threads, and each request opens its own
    connection to the in-memory test database, never closed (ResourceWarning, an error here).
    """
    return live_server


def _copy_database(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    ContentType.objects.clear_cache()  # ids change with every flush


class PostgresSnapshot:
    """Every table of the project's models, copied out in PostgreSQL's binary COPY format and
    copied back in one transaction: Django's foreign keys are deferred, so they are checked once
    every table is back. Under a second, where loading the demo takes about 15 s."""

    def __init__(self) -> None:
        self.tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        self.data: dict[str, bytes] = {}
        with connection.cursor() as cursor:
            for table in self.tables:
                buffer = bytearray()
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                    for chunk in copy:
                        buffer += chunk
                self.data[table] = bytes(buffer)

    def restore(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables) + " RESTART IDENTITY CASCADE")
            for table, payload in self.data.items():
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(payload)
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)
            # TRUNCATE left the planner believing the tables empty: the funder's first bilan then
            # took longer than a page load may (nested loops over thousands of rows).
            cursor.execute("ANALYZE " + ", ".join(f'"{t}"' for t in self.tables))
        ContentType.objects.clear_cache()


Snapshot = sqlite3.Connection | PostgresSnapshot


@pytest.fixture(scope="package", autouse=True)
def _demo_snapshot(django_db_setup, django_db_blocker) -> Iterator[Snapshot | None]:
    """The demo, loaded once for all the journeys and kept as a copy.

    `live_server` needs transactional tests, and their flush empties every table, the 35,000
    reference communes included: reloading them and the demo costs seconds per test. SQLite copies
    the database back with its backup API in a few milliseconds; PostgreSQL with binary COPY
    (PostgresSnapshot). Once the journeys are done, the database is put back as it was before
    them, reference data and no demo.
    """
    with django_db_blocker.unblock():
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            before_pg = PostgresSnapshot()
            call_command("load_demo", force=True, verbosity=0)
            demo_pg = PostgresSnapshot()
            yield demo_pg
            before_pg.restore()
            return
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            yield None
            return
        before = sqlite3.connect(":memory:")
        _copy_database(connection.connection, before)
        call_command("load_demo", force=True, verbosity=0)
        snapshot = sqlite3.connect(":memory:")
        _copy_database(connection.connection, snapshot)
        _copy_database(before, connection.connection)
        yield snapshot
        _copy_database(before, connection.connection)
        snapshot.close()
        before.close()


@pytest.fixture
def demo(transactional_db, _demo_snapshot: Snapshot | None) -> None:
    """Overrides tests/conftest.py's `demo` with the same data, restored from the snapshot."""
    if _demo_snapshot is None:
        call_command("load_demo", force=True, verbosity=0)
    elif isinstance(_demo_snapshot, PostgresSnapshot):
        _demo_snapshot.restore()
    else:
        connection.ensure_connection()
        _copy_database(_demo_snapshot, connection.connection)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the journeys.

    Playwright's sync API keeps an asyncio loop running in the test thread, so Django would raise
    SynchronousOnlyOperation on every ORM call made by the test (fixtures such as `demo`, database
    checks). DJANGO_ALLOW_ASYNC_UNSAFE is set only while Playwright runs: the package scope stops
    both once the last journey is done, so the rest of the suite keeps Django's check.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class BrowserLog:
    """What the page must never produce."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        url = message.location.get("url")
        text = f"{message.text} ({url})" if url else message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.csp_violations.append(text)
        elif message.type == "error":
            self.console_errors.append(text)

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def on_route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            self.external_requests.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def problems(self) -> str:
        sections = [
            ("Console errors", self.console_errors),
            ("Uncaught page errors", self.page_errors),
            ("Content-Security-Policy violations", self.csp_violations),
            ("Requests to hosts other than the live server (blocked)", self.external_requests),
        ]
        return "\n".join(
            f"{title}:\n" + "\n".join(f"  - {entry}" for entry in entries) for title, entries in sections if entries
        )


def _open_page(browser: Browser, **context_options) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    log = BrowserLog()
    context.route("**/*", log.on_route)
    page = context.new_page()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    page.reperes_console = log  # read by helpers.assert_accessible
    yield page
    context.close()
    if problems := log.problems():
        pytest.fail(f"The browser reported problems during the test:\n{problems}", pytrace=False)


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A desktop page (1280×800, French) in a fresh context, watched by BrowserLog."""
    yield from _open_page(browser, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """The same, as a phone (390×844, touch): the collapsed menu and the mobile layout."""
    yield from _open_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
