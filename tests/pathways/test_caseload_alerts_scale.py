"""The whole Mission locale's caseload at a size where a list of every youth's id cannot go into one
query: SQLite refuses more than 32,766 parameters (its default since 3.32; some builds, Debian's
Python among them, raise the limit, so the test sets it back), PostgreSQL's protocol 65,535. With
33,000 youths bulk-inserted (about 10 s), `/suivi/?tous=1` and `/suivi/?tous=1&alertes=1` answer,
count the youths at risk as the database decides, and no query carries more than a page's worth of
parameters. Before issue 12's fix, the page asked the alerts of all 33,000 ids at once: « too many
SQL variables » on SQLite."""

import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reperes.network.enums import Role
from reperes.pathways.enums import Channel, ReapproachStatus, Stage
from reperes.pathways.models import Pathway, Reapproach
from reperes.registry.models import Youth
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.registry.factories import mission_locale

pytestmark = pytest.mark.django_db

YOUTHS = 33_000  # past SQLite's 32,766 parameters
SQLITE_DEFAULT_MAX_VARIABLES = 32_766
MAX_PARAMETERS = 1_000


@pytest.fixture
def stock_sqlite_limit() -> Iterator[None]:
    """SQLite's own limit on a statement's parameters, whatever this build's (restored after)."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_DEFAULT_MAX_VARIABLES)
    try:
        yield
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_the_whole_mission_locale_of_33000_youths_lists_those_at_risk(client, stock_sqlite_limit):
    mission = mission_locale("Mission locale A", "67437", "67300")
    partner = OrganisationFactory(name="Partenaire P", commune_id="67437")
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    now = timezone.now()
    youths = []
    for n in range(YOUTHS):
        youth = Youth(
            first_names="Inès",
            last_name=f"Jeune{n:05d}",
            mission_locale=mission,
            referent=colleague,
            commune_id="67437",
            created_at=now - timedelta(days=200),
        )
        youth.refresh_search_name()
        youths.append(youth)
    Youth.objects.bulk_create(youths, batch_size=2_000)
    # A third quiet for 60 days (at risk); the others met a week ago, one in a hundred of them
    # declined and is due for a re-approach (at risk); none at all for every tenth youth (stage 1,
    # created 200 days ago: quiet, at risk).
    pathways = [
        Pathway(
            youth=youth,
            opened_at=youth.created_at,
            stage=Stage.MOBILISED,
            last_contact_at=now - timedelta(days=60 if n % 3 == 0 else 7),
        )
        for n, youth in enumerate(youths)
        if n % 10 != 9
    ]
    Pathway.objects.bulk_create(pathways, batch_size=2_000)
    due = [p for p in pathways if p.last_contact_at > now - timedelta(days=30)][::100]
    Reapproach.objects.bulk_create(
        Reapproach(
            youth_id=p.youth_id,
            pathway=p,
            due_on=timezone.localdate() - timedelta(days=1),
            by_organisation=partner,
            how=Channel.STREET,
            status=ReapproachStatus.PLANNED,
            created_by=counsellor,
        )
        for p in due
    )
    quiet = sum(1 for n in range(YOUTHS) if n % 3 == 0 or n % 10 == 9)
    client.force_login(counsellor)
    parameters: list[int] = []

    def count_parameters(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        parameters.extend(len(row or ()) for row in (params if many else [params]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_parameters):
        everyone = client.get(reverse("pathways:caseload"), {"tous": "1"})
        at_risk = client.get(reverse("pathways:caseload"), {"tous": "1", "alertes": "1", "page": "3"})
    assert everyone.status_code == at_risk.status_code == 200
    assert everyone.context["page"].paginator.count == YOUTHS
    assert everyone.context["alert_count"] == at_risk.context["alert_count"] == quiet + len(due)
    assert at_risk.context["page"].paginator.count == quiet + len(due)
    rows = at_risk.context["page"].object_list
    assert len(rows) == 25 and all(youth.alerts for youth in rows)
    assert max(parameters) <= MAX_PARAMETERS, max(parameters)
