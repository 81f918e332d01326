"""A partner worker records attendance at a session from a phone, in a few taps."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.mobilisation.models import Attendance
from reperes.mobilisation.selectors import short_name
from reperes.mobilisation.services import add_session, create_action, enrol_youth
from reperes.network.models import User
from reperes.privacy import policy
from reperes.registry.models import Youth
from tests.e2e.helpers import assert_accessible, login

PARTNER = "partenaire@reperes.example"
COUNSELLOR = "conseillere@reperes.example"


def test_a_partner_records_attendance_on_a_phone(phone_page: Page, live_server, demo):
    counsellor = User.objects.get(email=COUNSELLOR)
    worker = User.objects.get(email=PARTNER)
    mission = counsellor.organisation
    assert mission is not None and worker.organisation is not None
    youths = list(Youth.objects.active().filter(mission_locale=mission).order_by("sort_name")[:2])
    assert len(youths) == 2
    today = timezone.localdate()
    action = create_action(
        acting_user=counsellor,
        title="Atelier boxe éducative",
        kind=ActionKind.SPORT,
        format=ActionFormat.COLLECTIVE,
        objectives="Se remettre en mouvement, en groupe.",
        partners=[worker.organisation],
        commune=youths[0].commune,
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=30),
        capacity=10,
        cost=Decimal("1500.00"),
    )
    session = add_session(
        action, acting_user=counsellor, starts_at=timezone.now() - timedelta(hours=2), duration_minutes=90
    )
    enrolments = [enrol_youth(action, youth=youth, acting_user=counsellor) for youth in youths]
    # Named as the partner reads them: in full for a file a consent shares with it, else short.
    full = policy.youths_named_in_full(worker, [y.pk for y in youths])
    names = [y.display_name if y.pk in full else short_name(y) for y in youths]

    page = phone_page
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/actions/")
    page.get_by_role("link", name="Atelier boxe éducative").click()
    page.get_by_role("link", name="Saisir les présences").click()
    expect(page.get_by_role("heading", level=1, name="Feuille de présence")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name=names[0]).get_by_text("Présent·e", exact=True).click()
    page.get_by_role("group", name=names[1]).get_by_text("Excusé·e", exact=True).click()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status")).to_contain_text("Présences enregistrées.")
    expect(page.get_by_role("group", name=names[0]).get_by_label("Présent·e")).to_be_checked()

    recorded = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    assert recorded == {enrolments[0].pk: AttendanceStatus.PRESENT, enrolments[1].pk: AttendanceStatus.EXCUSED}
