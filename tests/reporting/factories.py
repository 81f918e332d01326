"""A campaign with its projects and youths for the bilan's tests, dated in the past.

The youths are reported through the registry's real service (send_signal: the record, its match
keys, its signal), then backdated with queryset updates as the demo does; their pathways, actions
and attendance are written as rows, at the dates the test says (the bilan reads dates, and the
services stamp today). Every youth has a last name of its own (tests.registry.factories.unique_name),
so that a test can look for each of them in a page or a file.

    world = bilan_world()            # a closed campaign, projects A (Saverne) and B (Strasbourg)
    youth = world.identify(world.project_a, kind="pjj", sex="f", age=17, stage=3)
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways.enums import BarrierStatus, EventKind
from reperes.pathways.models import Pathway, PathwayEvent, YouthBarrier
from reperes.programme.models import BudgetLine, Campaign, Project
from reperes.registry.enums import SignalConsent
from reperes.registry.models import Signal, Youth
from reperes.registry.services import send_signal
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.programme.factories import CampaignFactory, ProjectFactory
from tests.registry.factories import FIRST_NAMES, mission_locale, unique_name

TODAY = timezone.localdate()
_names = count(50_000)


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def born(age: int, on: date, days: int = 30) -> date:
    """A birth date making someone `age` years old on `on` (and for `days` more)."""
    try:
        birthday = on.replace(year=on.year - age)
    except ValueError:  # 29 February
        birthday = on.replace(year=on.year - age, day=28)
    return birthday - timedelta(days=days)


@dataclass
class BilanWorld:
    funder: Organisation
    campaign: Campaign
    mission_a: Organisation
    mission_b: Organisation
    project_a: Project
    project_b: Project
    coordinator_a: User
    coordinator_b: User
    officer: User
    partners: dict[str, Organisation] = field(default_factory=dict)
    youths: list[Youth] = field(default_factory=list)

    def partner(self, kind: str, mission: Organisation) -> User:
        key = f"{kind}:{mission.pk}"
        if key not in self.partners:
            self.partners[key] = OrganisationFactory(
                kind=kind, name=f"Partenaire {kind} {mission.pk}", commune_id=mission.commune_id
            )
        organisation = self.partners[key]
        member = organisation.memberships.filter(is_active=True).first()
        return member.user if member else MembershipFactory(role=Role.PARTNER_WORKER, organisation=organisation).user

    def identify(
        self,
        project: Project,
        *,
        kind: str = "prevention_specialisee",
        sex: str = "",
        age: int = 19,
        stage: int = 1,
        exit: str = "",
        day: int = 10,
        commune: str | None = None,
        barriers: tuple[str, ...] = (),
    ) -> Youth:
        """A youth reported `day` days into the campaign by a partner of this kind, who then walks
        to `stage` (a stage a week) and leaves with `exit` a week after, if given."""
        on = self.campaign.starts_on + timedelta(days=day)
        mission = project.carrier
        code = commune or mission.commune_id
        n = next(_names)
        signal = send_signal(
            author=self.partner(kind, mission),
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=unique_name(n),
            commune=Commune.objects.get(code=code),
            consent=SignalConsent.CONTACT,
            birth_date=born(age, on),
            sex=sex,
        )
        assert signal.youth is not None and signal.youth.mission_locale_id == mission.pk
        Signal.objects.filter(pk=signal.pk).update(created_at=aware(on), met_on=on)
        Youth.objects.filter(pk=signal.youth_id).update(created_at=aware(on))
        youth = Youth.objects.get(pk=signal.youth_id)
        walk(youth, on=on, stage=stage, exit=exit)
        for barrier in barriers:
            YouthBarrier.objects.create(
                youth=youth, kind=barrier, status=BarrierStatus.IDENTIFIED, updated_by=self.coordinator_a
            )
        self.youths.append(youth)
        return youth


def walk(youth: Youth, *, on: date, stage: int, exit: str = "") -> Pathway:
    """A pathway opened on `on`, one stage a week up to `stage`, closed a week later with `exit`."""
    last = on + timedelta(days=7 * (stage - 1))
    pathway = Pathway.objects.create(
        youth=youth,
        opened_at=aware(on),
        stage=stage,
        stage_since=aware(last),
        closed_at=aware(last + timedelta(days=7)) if exit else None,
        exit_reason=exit,
    )
    PathwayEvent.objects.create(pathway=pathway, kind=EventKind.OPENED, stage=1, at=aware(on))
    for k in range(2, stage + 1):
        PathwayEvent.objects.create(
            pathway=pathway,
            kind=EventKind.STAGE,
            from_stage=k - 1,
            stage=k,
            at=aware(on + timedelta(days=7 * (k - 1))),
        )
    if exit:
        PathwayEvent.objects.create(pathway=pathway, kind=EventKind.EXIT, exit_reason=exit, at=pathway.closed_at)
    return pathway


def action(
    project: Project,
    *,
    partner: Organisation,
    day: int = 20,
    sessions: int = 2,
    minutes: int = 90,
    youths: list[Youth] | None = None,
    kind: str = ActionKind.SPORT,
) -> Action:
    """An action of the project's carrier starting `day` days into the campaign, with weekly
    sessions; each youth enrolled is present at the first session and absent at the others."""
    starts = project.campaign.starts_on + timedelta(days=day)
    user = project.lead
    made = Action.objects.create(
        title="Atelier",
        kind=kind,
        format=ActionFormat.COLLECTIVE,
        objectives="Reprendre confiance.",
        mission_locale=project.carrier,
        commune_id=project.carrier.commune_id,
        starts_on=starts,
        ends_on=starts + timedelta(days=60),
        capacity=12,
        cost=Decimal("1500.00"),
        cofinancing_requested=Decimal("600.00"),
        created_by=user,
        updated_by=user,
    )
    made.partners.set([partner])
    held = [
        Session.objects.create(
            action=made, starts_at=aware(starts + timedelta(days=7 * i)), duration_minutes=minutes, created_by=user
        )
        for i in range(sessions)
    ]
    for youth in youths or []:
        enrolment = Enrolment.objects.create(action=made, youth=youth, enrolled_by=user, enrolled_at=aware(starts))
        for i, session in enumerate(held):
            Attendance.objects.create(
                session=session,
                enrolment=enrolment,
                status=AttendanceStatus.PRESENT if i == 0 else AttendanceStatus.ABSENT,
                recorded_by=user,
                organisation=project.carrier,
            )
    return made


def bilan_world(*, starts_on: date | None = None, ends_on: date | None = None) -> BilanWorld:
    """A campaign of a Région, closed by default (400 to 35 days ago), with two projects: A over
    Saverne and Molsheim, B over Strasbourg; each project's coordinator and the Région's officer."""
    starts_on = starts_on or TODAY - timedelta(days=400)
    ends_on = ends_on or TODAY - timedelta(days=35)
    funder = OrganisationFactory(funder=True, name="Région Alsace")
    campaign = CampaignFactory(funder=funder, name="Campagne passée", starts_on=starts_on, ends_on=ends_on)
    mission_a = mission_locale("Mission locale du Pays de Saverne", "67437", "67300")
    mission_b = mission_locale("Mission locale de Strasbourg", "67482")
    coordinator_a = MembershipFactory(role=Role.COORDINATOR, organisation=mission_a).user
    coordinator_b = MembershipFactory(role=Role.COORDINATOR, organisation=mission_b).user
    project_a = ProjectFactory(campaign=campaign, carrier=mission_a, name="Projet Saverne", lead=coordinator_a)
    project_b = ProjectFactory(campaign=campaign, carrier=mission_b, name="Projet Strasbourg", lead=coordinator_b)
    BudgetLine.objects.create(
        project=project_a, kind="coordination", planned=Decimal("12000.50"), requested=Decimal("6000.25")
    )
    BudgetLine.objects.create(project=project_b, kind="actions", planned=Decimal("8000"), requested=Decimal("4000"))
    return BilanWorld(
        funder=funder,
        campaign=campaign,
        mission_a=mission_a,
        mission_b=mission_b,
        project_a=project_a,
        project_b=project_b,
        coordinator_a=coordinator_a,
        coordinator_b=coordinator_b,
        officer=MembershipFactory(role=Role.FUNDER_OFFICER, organisation=funder).user,
    )
