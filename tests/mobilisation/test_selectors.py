import pytest

from reperes.mobilisation.selectors import home_card, timeline_entries, youths_needing_attention
from reperes.mobilisation.services import enrol_youth, record_attendance
from tests.mobilisation.factories import mobilisation_world, new_action, past_session
from tests.registry.factories import YouthFactory

pytestmark = pytest.mark.django_db


def _sheet(world, sessions, statuses_by_youth):
    action = sessions[0].action
    enrolments = {youth: enrol_youth(action, youth=youth, acting_user=world.counsellor) for youth in statuses_by_youth}
    for index, session in enumerate(sessions):
        record_attendance(
            session,
            acting_user=world.worker,
            statuses={enrolments[y].pk: statuses[index] for y, statuses in statuses_by_youth.items()},
        )


def test_two_missed_sessions_in_a_row_flag_a_youth_and_an_excused_absence_breaks_the_row(
    django_assert_max_num_queries,
):
    world = mobilisation_world()
    action = new_action(world.counsellor, partners=[world.partner], title="Découverte du bâtiment")
    sessions = [past_session(action, days_ago=d) for d in (7, 5, 3)]
    missing, excused, came_back, once = (YouthFactory(mission_locale=world.mission) for _ in range(4))
    _sheet(
        world,
        sessions,
        {
            missing: ("present", "absent", "absent"),
            excused: ("absent", "excused", "absent"),
            came_back: ("absent", "absent", "present"),
            once: ("present", "present", "absent"),
        },
    )
    ids = [y.pk for y in (missing, excused, came_back, once)]
    with django_assert_max_num_queries(2):
        flagged = youths_needing_attention(ids)
    assert flagged == {missing.pk: "deux absences de suite à « Découverte du bâtiment »"}
    assert youths_needing_attention([]) == {}


def test_the_partner_home_card_lists_past_sessions_without_attendance(django_assert_max_num_queries):
    world = mobilisation_world()
    action = new_action(world.counsellor, partners=[world.partner])
    done, todo = past_session(action, days_ago=3), past_session(action, days_ago=1)
    youth = YouthFactory(mission_locale=world.mission)
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    record_attendance(done, acting_user=world.worker, statuses={enrolment.pk: "present"})
    card = home_card(world.worker)
    assert card["to_record"] and card["sessions"] == [todo] and card["count"] == 1
    assert home_card(world.other_worker) == {}  # runs no action: no card
    assert home_card(world.counsellor)["to_record"] is False


def test_the_timeline_shows_the_enrolment_and_attendance_to_those_who_see_the_file():
    world = mobilisation_world()
    action = new_action(world.counsellor, partners=[world.partner], title="Atelier CV")
    session = past_session(action)
    youth = YouthFactory(mission_locale=world.mission)
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    record_attendance(session, acting_user=world.worker, statuses={enrolment.pk: "present"})
    entries = timeline_entries(world.counsellor, youth)
    assert [e.kind for e in entries] == ["attendance", "attendance"]
    enrolled, present = sorted(entries, key=lambda e: e.label.startswith("Présent"))
    assert enrolled.label == "Inscrit·e à l'action « Atelier CV »"
    assert enrolled.organisation == "Mission locale de Saverne"
    assert present.label.startswith("Présent·e à « Atelier CV », séance du ")
    assert (present.author, present.organisation) == (world.worker.get_full_name(), "Horizons")
    # The partner runs the action but no consent shares the youth's file with it.
    assert timeline_entries(world.worker, youth) == []
