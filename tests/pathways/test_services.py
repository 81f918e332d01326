"""The pathway's rules, through its real services: stages in order, a refusal and its re-approach,
the cap on attempts, exits and re-entry, concurrent edits, barriers, the project and outcomes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reperes.network.enums import Role
from reperes.pathways import services
from reperes.pathways.enums import (
    BarrierStatus,
    Channel,
    ContactOutcome,
    DeclineReason,
    EventKind,
    ExitReason,
    OutcomeKind,
    ReapproachStatus,
    Stage,
)
from reperes.pathways.models import Occupation, Pathway, PathwayEvent
from reperes.pathways.selectors import alerts_for, caseload_youths, timeline
from reperes.privacy.enums import Section
from reperes.privacy.models import WriteRecord
from reperes.registry.enums import Barrier
from tests.network.factories import MembershipFactory
from tests.registry.factories import YouthFactory, mission_locale

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def mission():
    return mission_locale("Mission locale de Saverne", "67437")


@pytest.fixture
def referent(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def youth(referent, mission):
    return YouthFactory(mission_locale=mission, referent=referent)


def meet(youth, user, **extra):
    return services.record_contact(
        youth, acting_user=user, channel=Channel.MEETING, outcome=ContactOutcome.MET, happened_on=TODAY(), **extra
    )


def stage_of(youth):
    return Pathway.objects.get(youth=youth, closed_at=None).stage


def test_a_first_meeting_mobilises_and_each_change_is_a_dated_event_with_its_author(youth, referent):
    meet(youth, referent)
    assert stage_of(youth) == Stage.MOBILISED
    events = list(PathwayEvent.objects.filter(pathway__youth=youth).order_by("at", "pk"))
    assert [(e.kind, e.stage) for e in events] == [
        (EventKind.OPENED, Stage.SPOTTED),
        (EventKind.STAGE, Stage.MOBILISED),
    ]
    assert events[-1].author == referent
    assert WriteRecord.objects.filter(model="pathways.pathwayevent").count() == 2


def test_stages_go_in_order_a_skip_needs_its_reason_and_never_backwards(youth, referent):
    meet(youth, referent)
    pathway = Pathway.objects.get(youth=youth)
    with pytest.raises(ValidationError, match="saute une étape"):
        services.change_stage(youth, stage=Stage.PROJECT, acting_user=referent, version=pathway.version)
    with pytest.raises(ValidationError, match="ne revient pas en arrière"):
        services.change_stage(youth, stage=Stage.SPOTTED, acting_user=referent, version=pathway.version)
    with pytest.raises(ValidationError, match="demande un projet"):
        services.change_stage(
            youth, stage=Stage.PROJECT, acting_user=referent, version=pathway.version, skip_reason="atelier annulé"
        )
    services.change_stage(youth, stage=Stage.IN_ACTION, acting_user=referent, version=pathway.version)
    assert stage_of(youth) == Stage.IN_ACTION


def test_a_stale_form_is_refused_and_names_who_changed_the_pathway(youth, referent, mission):
    colleague = MembershipFactory(
        role=Role.COORDINATOR, organisation=mission, user__first_name="Alice", user__last_name="Martin"
    ).user
    meet(youth, referent)
    stale = Pathway.objects.get(youth=youth).version
    services.change_stage(youth, stage=Stage.IN_ACTION, acting_user=colleague, version=stale)
    with pytest.raises(ValidationError, match="modifié entre-temps par Alice Martin"):
        services.exit_pathway(youth, reason=ExitReason.MOVED, acting_user=referent, version=stale)
    assert stage_of(youth) == Stage.IN_ACTION  # nothing lost, nothing overwritten


def test_a_refusal_needs_its_reason_and_a_plan_given_to_the_partner_who_knows_the_youth(youth, referent):
    partner = youth.signals.get().organisation
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user
    declined = {
        "channel": Channel.PHONE,
        "outcome": ContactOutcome.REACHED_DECLINES,
        "happened_on": TODAY(),
    }
    with pytest.raises(ValidationError, match="pourquoi"):
        services.record_contact(youth, acting_user=referent, **declined)
    with pytest.raises(ValidationError, match="nouvelle approche"):
        services.record_contact(youth, acting_user=referent, decline_reason=DeclineReason.DISTRUST, **declined)
    services.record_contact(
        youth,
        acting_user=referent,
        decline_reason=DeclineReason.DISTRUST,
        reapproach_on=TODAY(),
        reapproach_by=partner,
        reapproach_how=Channel.STREET,
        **declined,
    )
    plan = youth.reapproaches.get()
    assert plan.status == ReapproachStatus.PLANNED
    alerts = alerts_for(referent, list(caseload_youths(referent)))
    assert [a.kind for a in alerts[youth.pk]] == ["reapproach"]
    # The street educator meets the youth again, who agrees: the plan is done, the référent is told.
    services.report_reapproach(
        plan, acting_user=worker, channel=Channel.STREET, outcome=ContactOutcome.REACHED_AGREES, happened_on=TODAY()
    )
    plan.refresh_from_db()
    assert plan.status == ReapproachStatus.DONE
    attempt = youth.contact_attempts.order_by("-pk").first()
    assert (attempt.through, attempt.author, attempt.channel) == (partner, worker, Channel.PARTNER)
    assert not alerts_for(referent, list(caseload_youths(referent))).get(youth.pk)


def test_a_re_approach_goes_only_through_an_organisation_that_knows_the_youth(youth, referent):
    stranger = MembershipFactory(role=Role.PARTNER_WORKER).user.organisation
    with pytest.raises(ValidationError, match="ne connaît pas encore ce jeune"):
        services.record_contact(
            youth,
            acting_user=referent,
            channel=Channel.PHONE,
            outcome=ContactOutcome.REACHED_DECLINES,
            happened_on=TODAY(),
            decline_reason=DeclineReason.NOT_NOW,
            reapproach_on=TODAY(),
            reapproach_by=stranger,
            reapproach_how=Channel.STREET,
        )
    assert not youth.reapproaches.exists()


def test_attempts_without_an_answer_are_capped(youth, referent, settings):
    settings.REPERES_CONTACT_ATTEMPTS_MAX = 3
    for _ in range(3):
        services.record_contact(
            youth, acting_user=referent, channel=Channel.SMS, outcome=ContactOutcome.NOT_REACHED, happened_on=TODAY()
        )
    with pytest.raises(ValidationError, match="3 tentatives sans réponse"):
        services.record_contact(
            youth, acting_user=referent, channel=Channel.PHONE, outcome=ContactOutcome.NOT_REACHED, happened_on=TODAY()
        )
    meet(youth, referent)  # a real meeting is always recorded


def test_an_exit_closes_the_pathway_and_a_return_opens_a_new_one_keeping_the_history(youth, referent):
    meet(youth, referent)
    pathway = Pathway.objects.get(youth=youth)
    services.exit_pathway(youth, reason=ExitReason.LOST_AGAIN, acting_user=referent, version=pathway.version)
    with pytest.raises(ValidationError, match="clos"):
        meet(youth, referent)
    services.reopen_pathway(youth, acting_user=referent)
    assert list(Pathway.objects.filter(youth=youth).values_list("stage", flat=True).order_by("pk")) == [2, 1]
    labels = [e.label for e in timeline(referent, youth, kinds=["stage"])]
    assert "Sortie du parcours : perdu·e de vue à nouveau" in labels and "retour dans le parcours" in labels


def test_the_project_names_a_rome_fiche_and_the_outcome_plans_its_follow_ups(youth, referent):
    meet(youth, referent)
    services.change_stage(
        youth, stage=Stage.IN_ACTION, acting_user=referent, version=Pathway.objects.get(youth=youth).version
    )
    services.validate_project(youth, acting_user=referent, occupation=Occupation.objects.get(code="G1602"))
    assert stage_of(youth) == Stage.PROJECT
    start = TODAY() - timedelta(days=100)
    services.record_outcome(youth, acting_user=referent, kind=OutcomeKind.APPRENTICESHIP, starts_on=start)
    assert stage_of(youth) == Stage.OUTCOME
    outcome = Pathway.objects.get(youth=youth).outcomes.get()
    assert [(f.months, f.due_on) for f in outcome.follow_ups.order_by("months")] == [
        (3, services.add_months(start, 3)),
        (6, services.add_months(start, 6)),
    ]
    alerts = alerts_for(referent, list(caseload_youths(referent)))
    assert [a.kind for a in alerts[youth.pk]] == ["follow_up"]  # due: 100 days after the start
    with pytest.raises(ValidationError, match="pourquoi"):
        services.record_follow_up(outcome.follow_ups.get(months=3), acting_user=referent, still_there=False)


def test_an_outcome_before_a_project_needs_its_reason(youth, referent):
    meet(youth, referent)
    with pytest.raises(ValidationError, match="sans projet validé"):
        services.record_outcome(youth, acting_user=referent, kind=OutcomeKind.CDI, starts_on=TODAY())
    services.record_outcome(
        youth, acting_user=referent, kind=OutcomeKind.CDI, starts_on=TODAY(), skip_reason="a trouvé seul"
    )
    assert stage_of(youth) == Stage.OUTCOME


def test_a_justice_flag_carries_no_detail_and_sensitive_barriers_belong_to_their_section(youth, referent, mission):
    with pytest.raises(ValidationError, match="ni infraction ni peine"):
        services.set_barrier(
            youth, acting_user=referent, kind=Barrier.JUSTICE, status=BarrierStatus.IDENTIFIED, detail="vol"
        )
    services.set_barrier(youth, acting_user=referent, kind=Barrier.HEALTH, status=BarrierStatus.IN_PROGRESS)
    services.set_barrier(
        youth, acting_user=referent, kind=Barrier.MOBILITY, status=BarrierStatus.IDENTIFIED, detail="pas de permis"
    )
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    kinds = {entry.section for entry in timeline(colleague, youth, kinds=["barrier"])}
    assert kinds == {Section.PATHWAY}  # mobility only: health needs the section the référent holds
    assert {entry.section for entry in timeline(referent, youth, kinds=["barrier"])} == {
        Section.PATHWAY,
        Section.HEALTH,
    }


def test_no_contact_for_the_mission_locales_number_of_days_is_an_alert(youth, referent, mission):
    meet(youth, referent)
    Pathway.objects.filter(youth=youth).update(last_contact_at=timezone.now() - timedelta(days=31))
    alerts = alerts_for(referent, list(caseload_youths(referent)))
    assert [a.kind for a in alerts[youth.pk]] == ["quiet"] and "31 jours" in alerts[youth.pk][0].reason
    mission.quiet_days_alert = 45
    mission.save()
    referent.refresh_from_db()
    assert not alerts_for(
        MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user,
        list(caseload_youths(referent, mine_only=False)),
    ).get(youth.pk)


def test_a_refused_form_is_shown_again_with_what_was_typed(client, youth, referent):
    client.force_login(referent)
    response = client.post(
        reverse("pathways:contact_record", args=[youth.pk]),
        {
            "happened_on": TODAY().isoformat(),
            "channel": "phone",
            "outcome": "reached_declines",
            "note": "revoir en janvier",
        },
    )
    assert response.status_code == 200
    assert "Indiquez pourquoi le jeune décline." in response.content.decode()
    assert 'value="revoir en janvier"' in response.content.decode()
    assert not youth.contact_attempts.exists()


def test_the_pathway_page_gives_every_field_its_own_id_so_each_label_names_one_field(client, youth, referent):
    """Several forms share field names (« note », « kind »): a shared id made « Accès à » label the
    barrier's select, and screen readers read the wrong field."""
    import re
    from collections import Counter

    client.force_login(referent)
    meet(youth, referent)
    html = client.get(reverse("pathways:pathway", args=[youth.pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    assert 'for="id_outcome_kind"' in html and 'for="id_barrier_kind"' in html
