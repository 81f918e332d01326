"""Query guard of the caseload (issue 12): « Ma file active » asks the database a fixed number of
times, whatever the number of youths a counsellor follows, and so does the whole Mission locale's
(`?tous=1`, with `&alertes=1` the youths at risk) whatever the Mission locale's size. The page is
rendered for 10 youths, then for 150 (six pages of 25), in every state the real services leave them
in, each kind of alert included; then the Mission locale grows from 30 to 250 youths around the
same counsellor. The counts must be equal and within the budget, and so must the largest number of
parameters a query carries: which youths are at risk is decided by the database (subqueries), so no
query lists the ids of the whole caseload (SQLite refuses more than 32,766 parameters). A query per
youth (an N+1) fails the first check; a new query on the page fails the budget, which says to look
before raising it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reperes.mobilisation.models import Action, Session
from reperes.mobilisation.services import enrol_youth, record_attendance
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways import services
from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason, ExitReason, OutcomeKind, Stage
from reperes.pathways.models import Occupation, Pathway
from reperes.pathways.selectors import alerts_for, at_risk, caseload_youths
from reperes.referrals.models import Referral
from reperes.referrals.services import expire_overdue, send_referral
from reperes.registry.models import Youth
from tests.mobilisation.factories import new_action, past_session
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import YouthFactory, mission_locale

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 150
STATES = 11  # see _follow
AT_RISK = (3, 6, 7, 9, 10)  # quiet for 45 days, follow-up due, re-approach due, two absences, referral expired
# The session, the user, the second factor's device (ADR 012) and their membership; the counts by
# stage with those at risk (one grouped query), the page's rows; for them, re-approaches due,
# follow-ups due, attendances, referrals; the access log. Measured at 16 (SQLite and PostgreSQL).
BUDGET = 16
# The most parameters a query of the page carries (the access log's rows of a page of 25, the
# details asked for those 25 youths): it must not grow with the caseload.
MAX_PARAMETERS = 1_000
WHOLE = {
    "the whole Mission locale": {"tous": "1"},
    "the whole Mission locale at risk": {"tous": "1", "alertes": "1"},
    "the whole Mission locale at risk, second page": {"tous": "1", "alertes": "1", "page": "2"},
    "the whole Mission locale, oldest contact first": {"tous": "1", "tri": "contact"},
    "the whole Mission locale at risk at one stage": {"tous": "1", "alertes": "1", "etape": str(Stage.MOBILISED)},
}
PAGES = {
    "by name": {},
    "at risk": {"alertes": "1"},
    "oldest contact first": {"tri": "contact"},
    "one stage": {"etape": str(Stage.MOBILISED)},
    **WHOLE,
}


@dataclass
class Cast:
    mission: Organisation
    counsellor: User
    colleague: User  # another counsellor of the Mission locale, who follows youths of her own
    partner: Organisation  # a re-approach is given to it, a referral sent to it, it runs the action
    reporter: User  # sends the signals that open the files, records attendance
    action: Action  # of the Mission locale, run by the partner
    sessions: list[Session]  # two past sessions of the action


@pytest.fixture
def cast() -> Cast:
    mission = mission_locale("Mission locale A", "67437", "67300")
    partner = OrganisationFactory(name="Partenaire P", territory=area("P", "67437"), commune_id="67437")
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    action = new_action(counsellor, partners=[partner], title="Atelier vélo", capacity=500)
    return Cast(
        mission=mission,
        counsellor=counsellor,
        colleague=MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user,
        partner=partner,
        reporter=MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user,
        action=action,
        sessions=[past_session(action, days_ago=3), past_session(action, days_ago=1)],
    )


def _contact(youth: Youth, who: User, outcome: str, days_ago: int = 0, **plan: object) -> None:
    services.record_contact(
        youth,
        acting_user=who,
        channel=Channel.PHONE,
        outcome=outcome,
        happened_on=timezone.localdate() - timedelta(days=days_ago),
        **plan,  # type: ignore[arg-type]
    )


def _follow(cast: Cast, i: int, who: User | None = None) -> None:
    """A youth of the counsellor's caseload (or `who`'s) in one of STATES states, each left by the
    real services."""
    who = who or cast.counsellor
    youth = YouthFactory(mission_locale=cast.mission, referent=who, reported_by=cast.reporter)
    today = timezone.localdate()
    state = i % STATES
    if state == 0:
        return  # just reported: no pathway yet (stage 1)
    if state == 1:
        _contact(youth, who, ContactOutcome.NOT_REACHED)  # stage 1, attempts but no real contact
        return
    _contact(youth, who, ContactOutcome.MET)  # stage 2

    def version() -> int:
        return Pathway.objects.get(youth=youth, closed_at=None).version

    if state == 3:
        # Quiet: the last real contact was 45 days ago (a date the services only ever set to now).
        Pathway.objects.filter(youth=youth).update(last_contact_at=timezone.now() - timedelta(days=45))
    elif state == 4:
        services.change_stage(youth, stage=Stage.IN_ACTION, acting_user=who, version=version())
    elif state == 5:
        services.change_stage(youth, stage=Stage.IN_ACTION, acting_user=who, version=version())
        services.validate_project(youth, acting_user=who, occupation=Occupation.objects.order_by("code").first())
    elif state == 6:  # in training for four months: the 3-month follow-up is due
        services.record_outcome(
            youth,
            acting_user=who,
            kind=OutcomeKind.QUALIFYING_TRAINING,
            starts_on=today - timedelta(days=125),
            skip_reason="emploi trouvé seul",
        )
    elif state == 7:  # declined three weeks ago; the re-approach by the partner was due last week
        _contact(
            youth,
            who,
            ContactOutcome.REACHED_DECLINES,
            days_ago=21,
            decline_reason=DeclineReason.NOT_NOW,
            reapproach_on=today - timedelta(days=7),
            reapproach_by=cast.partner,
            reapproach_how=Channel.STREET,
        )
    elif state == 8:
        services.exit_pathway(youth, reason=ExitReason.MOVED, acting_user=who, version=version())
    elif state == 9:  # enrolled in the partner's action, absent from its last two sessions
        enrolment = enrol_youth(cast.action, youth=youth, acting_user=who)
        for session in cast.sessions:
            record_attendance(session, acting_user=cast.reporter, statuses={enrolment.pk: "absent"})
    elif state == 10:  # referred to the partner, who never answered
        referral = send_referral(
            youth, to_organisation=cast.partner, reason="Logement", acting_user=who, consent_override_reason="urgence"
        )
        Referral.objects.filter(pk=referral.pk).update(expires_on=today - timedelta(days=1))
        expire_overdue(today)


def _grow(cast: Cast, who: User | None = None) -> Callable[[int], None]:
    who = who or cast.counsellor

    def grow(total: int) -> None:
        start = Youth.objects.filter(referent=who).count()
        for i in range(start, total):
            _follow(cast, i, who)
        assert Youth.objects.filter(referent=who).count() == total

    return grow


@dataclass(frozen=True)
class Asked:
    queries: int
    parameters: int  # the most any one query carried


def _queries(client: Client, user: User, data: dict[str, str]) -> Asked:
    client.force_login(user)
    parameters: list[int] = []

    def count_parameters(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        rows = params if many else [params]
        parameters.extend(len(row or ()) for row in rows)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(count_parameters):
        response = client.get(reverse("pathways:caseload"), data)
    assert response.status_code == 200, response.status_code
    assert response.context["page"].object_list, "an empty caseload proves nothing"
    return Asked(len(captured), max(parameters))


def _assert_every_state_and_alert(client: Client, cast: Cast) -> None:
    """The data the guard measures is what it claims: every stage, exits, and each kind of alert."""
    client.force_login(cast.counsellor)
    response = client.get(reverse("pathways:caseload"))
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert all(counts[stage] > 0 for stage in Stage.values), counts
    assert response.context["exited_count"] == sum(1 for i in range(LARGE) if i % STATES == 8)
    assert response.context["page"].paginator.count == LARGE
    at_risk_page = client.get(reverse("pathways:caseload"), {"alertes": "1"})
    assert at_risk_page.context["alert_count"] == sum(1 for i in range(LARGE) if i % STATES in AT_RISK)
    kinds: set[str] = set()
    for number in at_risk_page.context["page"].paginator.page_range:
        page = client.get(reverse("pathways:caseload"), {"alertes": "1", "page": number}).context["page"]
        assert all(youth.alerts for youth in page.object_list), "a youth listed at risk without an alert"
        kinds |= {alert.kind for youth in page.object_list for alert in youth.alerts}
    assert kinds == {"quiet", "reapproach", "follow_up", "attendance", "referral"}, kinds


def _assert_the_database_and_the_details_agree(client: Client, cast: Cast) -> None:
    """The youths the database counts and lists at risk (`at_risk`) are exactly those `alerts_for`
    gives an alert, over the whole Mission locale and page after page."""
    user = cast.counsellor
    youths = caseload_youths(user, mine_only=False)
    detailed = {pk for pk, found in alerts_for(user, list(youths)).items() if found}
    assert set(at_risk(user, youths, mine_only=False).values_list("pk", flat=True)) == detailed
    client.force_login(user)
    first = client.get(reverse("pathways:caseload"), {"tous": "1", "alertes": "1"})
    assert first.context["alert_count"] == first.context["page"].paginator.count == len(detailed)
    listed: list[int] = []
    for number in first.context["page"].paginator.page_range:
        page = client.get(reverse("pathways:caseload"), {"tous": "1", "alertes": "1", "page": number}).context["page"]
        assert all(youth.alerts for youth in page.object_list)
        listed += [youth.pk for youth in page.object_list]
    assert sorted(listed) == sorted(detailed) and len(listed) == len(set(listed))


def test_the_caseload_asks_as_many_queries_for_150_youths_as_for_10(client, cast):
    grow = _grow(cast)
    grow(SMALL)
    small = {name: _queries(client, cast.counsellor, data) for name, data in PAGES.items() if "page" not in data}
    grow(LARGE)
    large = {name: _queries(client, cast.counsellor, data) for name, data in PAGES.items() if "page" not in data}
    for name in small:
        print(f"\n{name}: {SMALL} jeunes, {small[name]} ; {LARGE} jeunes, {large[name]}")
    _assert_every_state_and_alert(client, cast)
    assert {n: a.queries for n, a in small.items()} == {n: a.queries for n, a in large.items()}, (
        f"une requête par jeune : {small} pour {SMALL}, {large} pour {LARGE}"
    )
    assert max(a.queries for a in large.values()) <= BUDGET, f"{large}, budget {BUDGET}"


def test_the_whole_mission_locale_asks_as_many_queries_and_parameters_for_170_youths_as_for_70(client, cast):
    """The counsellor follows 10 youths; her colleague 60, then 160: the whole Mission locale's pages
    (two pages at risk, then five) ask the same queries, and no query carries more parameters than
    a full page's (the access log of 25 youths), whatever the Mission locale's size."""
    _grow(cast)(SMALL)
    colleague = _grow(cast, cast.colleague)
    colleague(60)
    small = {name: _queries(client, cast.counsellor, data) for name, data in WHOLE.items()}
    colleague(160)
    large = {name: _queries(client, cast.counsellor, data) for name, data in WHOLE.items()}
    for name in WHOLE:
        print(f"\n{name}: {SMALL + 60} jeunes, {small[name]} ; {SMALL + 160} jeunes, {large[name]}")
    _assert_the_database_and_the_details_agree(client, cast)
    queries = {name: asked.queries for name, asked in small.items()}
    assert queries == {name: asked.queries for name, asked in large.items()}, f"{small} ; {large}"
    assert max(queries.values()) <= BUDGET, f"{large}, budget {BUDGET}"
    most = max(asked.parameters for asked in small.values())
    assert max(asked.parameters for asked in large.values()) == most <= MAX_PARAMETERS, f"{small} ; {large}"
