"""Query guard of the caseload (issue 12): « Ma file active » asks the database a fixed number of
times, whatever the number of youths a counsellor follows. The page is rendered for 10 youths, then
for 150 (six pages of 25: every youth is read for the stage counts and the alerts), in every state
the real services leave them in; both counts must be equal and within the budget. A query per
youth (an N+1) fails the first check; a new query on the page fails the second one, which says to
look before raising the budget."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways import services
from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason, ExitReason, OutcomeKind, Stage
from reperes.pathways.models import Occupation, Pathway
from reperes.registry.models import Youth
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import YouthFactory, mission_locale

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 150
# The session, the user and their membership; the stage counts, the rows, re-approaches due,
# follow-ups due, attendances, referrals; the access log. Measured at 15 (SQLite and PostgreSQL).
BUDGET = 15
PAGES = {
    "by name": {},
    "at risk": {"alertes": "1"},
    "oldest contact first": {"tri": "contact"},
    "one stage": {"etape": str(Stage.MOBILISED)},
    "the whole Mission locale": {"tous": "1"},
}


@dataclass
class Cast:
    mission: Organisation
    counsellor: User
    partner: Organisation  # a re-approach is given to it
    reporter: User  # sends the signals that open the files


@pytest.fixture
def cast() -> Cast:
    mission = mission_locale("Mission locale A", "67437", "67300")
    partner = OrganisationFactory(name="Partenaire P", territory=area("P", "67437"), commune_id="67437")
    return Cast(
        mission=mission,
        counsellor=MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user,
        partner=partner,
        reporter=MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user,
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


def _follow(cast: Cast, i: int) -> None:
    """A youth of the counsellor's caseload in one of nine states, each left by the real services."""
    who = cast.counsellor
    youth = YouthFactory(mission_locale=cast.mission, referent=who, reported_by=cast.reporter)
    today = timezone.localdate()
    state = i % 9
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


def _grow(cast: Cast) -> Callable[[int], None]:
    def grow(total: int) -> None:
        start = Youth.objects.filter(referent=cast.counsellor).count()
        for i in range(start, total):
            _follow(cast, i)
        assert Youth.objects.filter(referent=cast.counsellor).count() == total

    return grow


def _queries(client: Client, user: User, data: dict[str, str]) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("pathways:caseload"), data)
    assert response.status_code == 200, response.status_code
    assert response.context["page"].object_list, "an empty caseload proves nothing"
    return len(captured)


def _assert_every_state_and_alert(client: Client, cast: Cast) -> None:
    """The data the guard measures is what it claims: every stage, exits, and each kind of alert."""
    response = client.get(reverse("pathways:caseload"))
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert all(counts[stage] > 0 for stage in Stage.values), counts
    assert response.context["exited_count"] == sum(1 for i in range(LARGE) if i % 9 == 8)
    assert response.context["page"].paginator.count == LARGE
    at_risk = client.get(reverse("pathways:caseload"), {"alertes": "1"})
    # Quiet for 45 days, follow-up due, re-approach due: states 3, 6 and 7.
    assert at_risk.context["alert_count"] == sum(1 for i in range(LARGE) if i % 9 in (3, 6, 7))
    kinds: set[str] = set()
    for number in at_risk.context["page"].paginator.page_range:
        page = client.get(reverse("pathways:caseload"), {"alertes": "1", "page": number}).context["page"]
        kinds |= {alert.kind for youth in page.object_list for alert in youth.alerts}
    assert kinds == {"quiet", "reapproach", "follow_up"}, kinds


def test_the_caseload_asks_as_many_queries_for_150_youths_as_for_10(client, cast):
    grow = _grow(cast)
    grow(SMALL)
    small = {name: _queries(client, cast.counsellor, data) for name, data in PAGES.items()}
    grow(LARGE)
    large = {name: _queries(client, cast.counsellor, data) for name, data in PAGES.items()}
    for name in PAGES:
        print(f"\n{name}: {SMALL} jeunes, {small[name]} requêtes ; {LARGE} jeunes, {large[name]} requêtes")
    _assert_every_state_and_alert(client, cast)
    assert small == large, f"une requête par jeune : {small} pour {SMALL}, {large} pour {LARGE}"
    assert max(large.values()) <= BUDGET, f"{large}, budget {BUDGET}"
