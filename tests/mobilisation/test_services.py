from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reperes.mobilisation.enums import AttendanceStatus
from reperes.mobilisation.models import Attendance, Enrolment
from reperes.mobilisation.selectors import minutes_attended
from reperes.mobilisation.services import enrol_youth, record_attendance, update_action, withdraw_enrolment
from reperes.pathways.enums import Channel, ContactOutcome, Stage
from reperes.pathways.models import Pathway
from reperes.pathways.services import record_contact
from reperes.privacy.models import WriteRecord
from tests.mobilisation.factories import mobilisation_world, new_action, past_session
from tests.registry.factories import YouthFactory, mission_locale

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return mobilisation_world()


def test_an_action_takes_no_more_youths_than_its_places(world):
    action = new_action(world.counsellor, partners=[world.partner], capacity=2)
    for _ in range(2):
        enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="L'action est complète \\(2 places\\)"):
        enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    assert Enrolment.objects.filter(action=action).count() == 2


def test_a_youth_is_enrolled_once_and_only_by_the_mission_locale_holding_the_file(world):
    action = new_action(world.counsellor, partners=[world.partner])
    youth = YouthFactory(mission_locale=world.mission)
    enrol_youth(action, youth=youth, acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="déjà inscrit·e"):
        enrol_youth(action, youth=youth, acting_user=world.counsellor)
    elsewhere = YouthFactory(mission_locale=mission_locale("Mission locale de Strasbourg", "67482"))
    with pytest.raises(ValidationError, match="dont votre Mission locale suit le dossier"):
        enrol_youth(action, youth=elsewhere, acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="dont votre Mission locale suit le dossier"):
        enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.worker)


def test_attendance_is_refused_for_a_youth_not_enrolled_or_enrolled_in_another_action(world):
    action = new_action(world.counsellor, partners=[world.partner])
    other_action = new_action(world.counsellor, partners=[world.partner], title="Sortie vélo")
    session = past_session(action)
    enrolment = enrol_youth(
        other_action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor
    )
    with pytest.raises(ValidationError, match="n'est pas inscrit à cette action"):
        record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: AttendanceStatus.PRESENT})
    with pytest.raises(ValidationError, match="n'est pas inscrit à cette action"):
        record_attendance(session, acting_user=world.worker, statuses={10**9: AttendanceStatus.PRESENT})
    assert not Attendance.objects.exists()


def test_attendance_is_recorded_only_by_the_partners_running_the_action_and_the_mission_locale(world):
    action = new_action(world.counsellor, partners=[world.partner])
    session = past_session(action)
    enrolment = enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="ne pouvez pas saisir"):
        record_attendance(session, acting_user=world.other_worker, statuses={enrolment.pk: AttendanceStatus.PRESENT})
    record_attendance(session, acting_user=world.counsellor, statuses={enrolment.pk: AttendanceStatus.ABSENT})
    record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: AttendanceStatus.EXCUSED})
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.recorded_by, attendance.organisation) == (
        AttendanceStatus.EXCUSED,
        world.worker,
        world.partner,
    )
    history = WriteRecord.objects.filter(model="mobilisation.attendance", object_id=attendance.pk).order_by("pk")
    assert [(r.before, r.after["status"]) for r in history] == [({}, "absent"), ({"status": "absent"}, "excused")]


def test_a_future_session_has_no_attendance_yet(world):
    action = new_action(world.counsellor, partners=[world.partner])
    session = past_session(action, at=timezone.now() + timedelta(days=1))
    enrolment = enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="pas encore commencé"):
        record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: AttendanceStatus.PRESENT})


def test_an_edit_from_a_stale_form_is_refused_and_names_who_saved_since(world):
    action = new_action(world.counsellor, partners=[world.partner])
    coordinator = type(world.counsellor).objects.get(pk=world.counsellor.pk)
    opened = action.version
    update_action(action, acting_user=coordinator, version=opened, title="Atelier théâtre d'improvisation")
    with pytest.raises(ValidationError, match=f"modifiée entre-temps par {world.counsellor.get_full_name()}") as error:
        update_action(action, acting_user=world.counsellor, version=opened, capacity=12)
    assert error.value.code == "concurrent_edit"
    action.refresh_from_db()
    assert (action.title, action.capacity, action.version) == ("Atelier théâtre d'improvisation", 8, opened + 1)


def test_places_cannot_drop_below_the_youths_enrolled(world):
    action = new_action(world.counsellor, partners=[world.partner], capacity=3)
    for _ in range(2):
        enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    with pytest.raises(ValidationError, match="2 jeunes sont déjà inscrits"):
        update_action(action, acting_user=world.counsellor, version=action.version, capacity=1)


def test_a_first_presence_moves_a_mobilised_youth_to_stage_3_and_nothing_else(world):
    action = new_action(world.counsellor, partners=[world.partner])
    mobilised = YouthFactory(mission_locale=world.mission)
    spotted = YouthFactory(mission_locale=world.mission)
    record_contact(
        mobilised,
        acting_user=world.counsellor,
        channel=Channel.MEETING,
        outcome=ContactOutcome.MET,
        happened_on=timezone.localdate(),
    )
    assert Pathway.objects.get(youth=mobilised).stage == Stage.MOBILISED
    session = past_session(action)
    enrolments = [enrol_youth(action, youth=y, acting_user=world.counsellor) for y in (mobilised, spotted)]
    record_attendance(session, acting_user=world.worker, statuses={e.pk: AttendanceStatus.PRESENT for e in enrolments})
    pathway = Pathway.objects.get(youth=mobilised)
    assert pathway.stage == Stage.IN_ACTION
    assert pathway.events.last().reason == "présence à une action de mobilisation"
    # A youth not yet mobilised stays where they are: attendance does not skip a stage.
    assert not Pathway.objects.filter(youth=spotted, stage=Stage.IN_ACTION).exists()


def test_a_sheet_filled_days_later_dates_the_step_and_the_contact_from_the_session(world):
    action = new_action(world.counsellor, partners=[world.partner])
    youth = YouthFactory(mission_locale=world.mission)
    record_contact(
        youth,
        acting_user=world.counsellor,
        channel=Channel.MEETING,
        outcome=ContactOutcome.MET,
        happened_on=timezone.localdate(),
    )
    mobilised_at = Pathway.objects.get(youth=youth).stage_since
    Pathway.objects.filter(youth=youth).update(
        stage_since=mobilised_at - timedelta(days=10), last_contact_at=mobilised_at - timedelta(days=10)
    )
    session = past_session(action, days_ago=3)
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: AttendanceStatus.PRESENT})
    pathway = Pathway.objects.get(youth=youth)
    assert pathway.stage == Stage.IN_ACTION
    assert pathway.stage_since == session.starts_at == pathway.events.get(stage=Stage.IN_ACTION).at
    assert pathway.last_contact_at == session.starts_at  # seen at the session: no « sans contact » alert


def test_hours_attended_add_up_the_sessions_where_the_youth_was_present(world):
    action = new_action(world.counsellor, partners=[world.partner])
    sessions = [past_session(action, days_ago=d, minutes=m) for d, m in ((5, 90), (3, 120), (1, 45))]
    youth = YouthFactory(mission_locale=world.mission)
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    for session, status in zip(sessions, ("present", "absent", "present"), strict=True):
        record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: status})
    assert minutes_attended([enrolment.pk]) == {enrolment.pk: 135}


def test_a_youth_taken_off_an_action_leaves_its_sheets_and_its_absences_alert_and_may_come_back(world):
    from reperes.mobilisation.selectors import youths_needing_attention

    action = new_action(world.counsellor, partners=[world.partner])
    youth = YouthFactory(mission_locale=world.mission)
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    for days in (9, 2):
        record_attendance(
            past_session(action, days_ago=days),
            acting_user=world.worker,
            statuses={enrolment.pk: AttendanceStatus.ABSENT},
        )
    assert youth.pk in youths_needing_attention([youth.pk])
    with pytest.raises(ValidationError, match="Seule la Mission locale"):
        withdraw_enrolment(enrolment, acting_user=world.worker)
    withdraw_enrolment(enrolment, acting_user=world.counsellor)
    assert youth.pk not in youths_needing_attention([youth.pk])
    assert Attendance.objects.filter(enrolment=enrolment).count() == 2  # kept
    with pytest.raises(ValidationError, match="n'est déjà plus inscrit"):
        withdraw_enrolment(enrolment, acting_user=world.counsellor)
    assert WriteRecord.objects.filter(after__withdrawn_at__isnull=False).exists()
    with pytest.raises(ValidationError, match="pas inscrit"):
        record_attendance(
            past_session(action, days_ago=1), acting_user=world.worker, statuses={enrolment.pk: "present"}
        )
    assert enrol_youth(action, youth=youth, acting_user=world.counsellor).pk == enrolment.pk
