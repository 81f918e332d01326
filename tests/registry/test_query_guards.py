"""Query guards (issue 11): every list page of the registry asks the database a bounded number of
times, whatever the number of rows it shows. Each page is rendered with N rows, then with 3N
(still one page), and must ask exactly as many queries both times, and no more than its budget.
A loop that asks a query per row (an N+1) fails the first check; a new query on the page fails
the second one, which says to look before raising the budget."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation, User
from reperes.privacy import audit
from reperes.privacy.enums import Section
from reperes.registry.models import Youth
from reperes.registry.services import merge_youths
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import (
    ConsentFactory,
    DuplicateCandidateFactory,
    ListImportFactory,
    SignalFactory,
    YouthFactory,
    mission_locale,
)

pytestmark = pytest.mark.django_db

N = 3  # rows of each kind first; then 3N, still on one page (25 a page)


@dataclass
class Cast:
    mission: Organisation
    counsellor: User
    coordinator: User
    partner: Organisation  # serves Saverne: a consent may name it
    worker: User
    specialised: Organisation  # a CSAPA: named only to those who hold the health section


@pytest.fixture
def cast() -> Cast:
    mission = mission_locale("Mission locale A", "67437", "67300")
    partner = OrganisationFactory(name="Partenaire P", territory=area("P", "67437"), commune_id="67437")
    return Cast(
        mission=mission,
        counsellor=MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user,
        coordinator=MembershipFactory(role=Role.COORDINATOR, organisation=mission).user,
        partner=partner,
        worker=MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user,
        specialised=OrganisationFactory(name="CSAPA S", kind=OrganisationKind.CSAPA, commune_id="67437"),
    )


def queries(client: Client, user: User, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False) -> int:
    """How many queries one request asks (the session, the second factor's device that django-otp
    loads for it on every request (ADR 012), and the user's membership included)."""
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data, headers=headers) if data is not None else client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return len(captured)


def assert_bounded(measure: Callable[[], int], grow: Callable[[int], None], *, budget: int) -> int:
    """The same count with N rows and with 3N rows, within the budget; the count."""
    grow(N)
    small = measure()
    grow(2 * N)
    large = measure()
    print(f"\n{N} lignes : {small} requêtes ; {3 * N} lignes : {large} requêtes")
    assert small == large, f"{small} requêtes pour {N} lignes, {large} pour {3 * N} : une requête par ligne"
    assert large <= budget, f"{large} requêtes, budget {budget}"
    return large


# --- The caseload -------------------------------------------------------------------------------


def _caseload(cast: Cast) -> Callable[[int], None]:
    def grow(n: int) -> None:
        for i in range(n):
            # Each with a commune, half with a référent, some brought by a list: every column filled.
            YouthFactory(mission_locale=cast.mission, first_names="Inès", followed=i % 2 == 0)
            YouthFactory(mission_locale=cast.mission, first_names="Inès", from_list=True, share_with=[cast.partner])

    return grow


def test_the_caseload_asks_a_bounded_number_of_queries(client, cast):
    url = reverse("registry:youth_list")
    assert_bounded(lambda: queries(client, cast.counsellor, url), _caseload(cast), budget=12)


def test_the_caseload_search_asks_a_bounded_number_of_queries(client, cast):
    url = reverse("registry:youth_list")
    search = {"q": "ines", "sort": "recent"}
    assert_bounded(lambda: queries(client, cast.counsellor, url, search, htmx=True), _caseload(cast), budget=12)


def test_the_caseload_of_a_partner_asks_a_bounded_number_of_queries(client, cast):
    url = reverse("registry:youth_list")
    assert_bounded(lambda: queries(client, cast.worker, url, {"q": "ines"}), _caseload(cast), budget=11)


# --- Triage -------------------------------------------------------------------------------------


def _triage(cast: Cast, *, partner: Organisation | None = None) -> Callable[[int], None]:
    def grow(n: int) -> None:
        author = MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner or cast.partner).user
        for _i in range(n):
            SignalFactory(author=author)  # a new record to triage
            SignalFactory(author=author, opportunity=True, met_where="au local")
            YouthFactory(mission_locale=cast.mission, from_list=True)  # to inform
        # A youth already followed, reported again: in the queue with a référent.
        known = YouthFactory(mission_locale=cast.mission, followed=True)
        SignalFactory(
            author=author, first_name=known.first_names, last_name=known.last_name, birth_date=known.birth_date
        )

    return grow


def test_the_triage_page_asks_a_bounded_number_of_queries(client, cast):
    url = reverse("registry:signal_list")
    assert_bounded(lambda: queries(client, cast.counsellor, url), _triage(cast), budget=15)


def test_the_triage_page_asks_a_bounded_number_of_queries_with_specialised_partners(client, cast):
    """The queue names a CSAPA only to those who hold the health section: to be asked once, not per signal."""
    url = reverse("registry:signal_list")
    assert_bounded(lambda: queries(client, cast.counsellor, url), _triage(cast, partner=cast.specialised), budget=16)


# --- What a partner sent ------------------------------------------------------------------------


def test_the_signals_a_partner_sent_ask_a_bounded_number_of_queries(client, cast):
    def grow(n: int) -> None:
        for _i in range(n):
            SignalFactory(author=cast.worker)
            SignalFactory(author=cast.worker, triaged=True)  # the référent's contact is shown
            SignalFactory(author=cast.worker, opportunity=True)

    url = reverse("registry:signal_list")
    assert_bounded(lambda: queries(client, cast.worker, url), grow, budget=11)


# --- Duplicates and imports ---------------------------------------------------------------------


def test_the_duplicate_queue_asks_a_bounded_number_of_queries(client, cast):
    def grow(n: int) -> None:
        for _i in range(n):
            DuplicateCandidateFactory(youth_a=YouthFactory(mission_locale=cast.mission))

    url = reverse("registry:duplicate_list")
    assert_bounded(lambda: queries(client, cast.counsellor, url), grow, budget=12)


def test_the_imports_page_asks_a_bounded_number_of_queries(client, cast):
    def grow(n: int) -> None:
        for i in range(n):
            user = cast.counsellor if i % 2 else cast.coordinator
            ListImportFactory(created_by=user, size=2, **({"done": True} if i % 3 == 0 else {"checked": True}))

    url = reverse("registry:import_list")
    assert_bounded(lambda: queries(client, cast.counsellor, url), grow, budget=11)


# --- The file -----------------------------------------------------------------------------------


def _file(cast: Cast, youth: Youth) -> Callable[[int], None]:
    """Signals, consents (each replacing the last), records merged in, lines of lists, and
    readings by others: every part of the file grows."""

    def grow(n: int) -> None:
        for i in range(n):
            SignalFactory(
                author=MembershipFactory(role=Role.PARTNER_WORKER, organisation=cast.specialised).user,
                first_name=youth.first_names,
                last_name=youth.last_name,
                birth_date=youth.birth_date,
                barriers=["health"],
            )
            merge_youths(youth, YouthFactory(mission_locale=cast.mission), acting_user=cast.coordinator)
            ConsentFactory(
                youth=youth,
                share_with=[cast.partner],
                # The one left in force shares no section, at every size: whether a colleague may
                # replace it (and so sees the form) depends on it, not on the number of rows.
                sensitive_sections=[Section.HOUSING] if i % 2 and i < n - 1 else [],
                acting_user=cast.counsellor,
            )
            reader = MembershipFactory(role=Role.COUNSELLOR, organisation=cast.mission).user
            audit.record_read(reader, youth.pk, sections=(Section.IDENTITY,), reason="dossier")
        youth.refresh_from_db()

    return grow


def test_the_file_asks_a_bounded_number_of_queries(client, cast):
    youth = YouthFactory(mission_locale=cast.mission, referent=cast.counsellor, reported_by=cast.worker)
    url = reverse("registry:youth_detail", args=[youth.pk])
    # The référent: every section, the consent form and history, who else read the file.
    assert_bounded(lambda: queries(client, cast.counsellor, url), _file(cast, youth), budget=31)


def test_the_file_read_by_a_colleague_and_a_partner_asks_a_bounded_number_of_queries(client, cast):
    youth = YouthFactory(mission_locale=cast.mission, referent=cast.counsellor, reported_by=cast.worker)
    url = reverse("registry:youth_detail", args=[youth.pk])
    grow = _file(cast, youth)
    grow(N)
    small = (queries(client, cast.coordinator, url), queries(client, cast.worker, url))
    grow(2 * N)
    large = (queries(client, cast.coordinator, url), queries(client, cast.worker, url))
    print(f"\n{N} lignes : {small} requêtes ; {3 * N} lignes : {large} requêtes")
    assert small == large
    # The pathway's stage shown at the top of the file: one query more than the file alone.
    assert large[0] <= 28 and large[1] <= 16, large
