"""Timesheets: the week grid saved at once or not at all, the limits of a day, the lead's review,
locked hours and their audited unlock."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reperes.network.enums import Role
from reperes.privacy.models import WriteRecord
from reperes.programme.models import TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import week_token
from reperes.programme.services import (
    GridRow,
    create_claim,
    review_hours,
    save_week,
    submit_week,
    unlock_claim,
    unlock_entry,
)
from tests.network.factories import MembershipFactory
from tests.programme.factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2014, 10, 6)


@pytest.fixture
def project():
    campaign = CampaignFactory(engineering_rate=Decimal("41.50"), coordination_rate=Decimal("37.33"))
    return ProjectFactory(campaign=campaign)


@pytest.fixture
def counsellor(project):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=project.carrier).user


def row(project, key="r0", kind=TimeKind.ENGINEERING, activity="Réunion des partenaires", **days):
    return GridRow(key, project.pk, kind, activity, {int(d[1:]): Decimal(v) for d, v in days.items()})


def save(user, *rows, monday=MONDAY):
    return save_week(acting_user=user, monday=monday, version=week_token(user, monday), rows=list(rows))


def test_a_week_is_saved_at_once(project, counsellor):
    save(counsellor, row(project, d0="3.5", d1="2"), row(project, "r1", TimeKind.COORDINATION, "Comité", d4="1.25"))
    assert TimeEntry.objects.filter(person=counsellor).count() == 3
    assert WriteRecord.objects.filter(model="programme.timeentry").count() == 3


def test_one_bad_cell_saves_nothing_and_names_its_cell(project, counsellor):
    with pytest.raises(ValidationError) as refused:
        save(counsellor, row(project, d0="3.5", d1="2"), row(project, "r1", TimeKind.COORDINATION, "Comité", d2="-1"))
    assert set(refused.value.message_dict) == {"r1-d2"}
    assert "négatif" in refused.value.message_dict["r1-d2"][0]
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(("value", "words"), [("25", "24 heures"), ("-0.25", "négatif"), ("1.1", "quarts d'heure")])
def test_bad_hours_are_refused(project, counsellor, value, words):
    with pytest.raises(ValidationError) as refused:
        save(counsellor, row(project, d3=value))
    assert words in refused.value.message_dict["r0-d3"][0]


def test_more_than_24_hours_a_day_across_rows_is_refused(project, counsellor):
    save(counsellor, row(project, d0="14"))
    with pytest.raises(ValidationError) as refused:
        save(counsellor, row(project, "r1", TimeKind.COORDINATION, "Comité", d0="10.25"))
    assert "24 heures par jour" in refused.value.message_dict["r1-d0"][0]
    assert TimeEntry.objects.get().hours == Decimal("14")


def test_a_stale_grid_is_refused(project, counsellor):
    token = week_token(counsellor, MONDAY)
    save(counsellor, row(project, d0="1"))
    with pytest.raises(ValidationError, match="rechargez"):
        save_week(acting_user=counsellor, monday=MONDAY, version=token, rows=[row(project, d0="2")])


def test_an_empty_cell_clears_a_draft(project, counsellor):
    save(counsellor, row(project, d0="1", d1="2"))
    save(counsellor, GridRow("r0", project.pk, TimeKind.ENGINEERING, "Réunion des partenaires", {0: None}))
    assert list(TimeEntry.objects.values_list("hours", flat=True)) == [Decimal("2.00")]


def test_submitted_hours_no_longer_change_and_the_lead_approves_or_rejects(project, counsellor):
    save(counsellor, row(project, d0="1", d1="2"))
    assert submit_week(acting_user=counsellor, monday=MONDAY) == 2
    with pytest.raises(ValidationError) as refused:
        save(counsellor, row(project, d0="4"))
    assert "soumise" in refused.value.message_dict["r0-d0"][0]
    first, second = TimeEntry.objects.order_by("day")
    with pytest.raises(ValidationError):
        review_hours(project, acting_user=counsellor, entry_ids=[first.pk], approve=True)
    with pytest.raises(ValidationError) as no_reason:
        review_hours(project, acting_user=project.lead, entry_ids=[second.pk], approve=False)
    assert "reason" in no_reason.value.message_dict
    review_hours(project, acting_user=project.lead, entry_ids=[first.pk], approve=True)
    review_hours(project, acting_user=project.lead, entry_ids=[second.pk], approve=False, reason="Pas ce jour-là")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status, second.rejection_reason) == (
        TimeStatus.APPROVED,
        TimeStatus.DRAFT,
        "Pas ce jour-là",
    )


def _claimed(project, counsellor):
    save(counsellor, row(project, d0="1", d1="2"))
    submit_week(acting_user=counsellor, monday=MONDAY)
    review_hours(
        project, acting_user=project.lead, entry_ids=list(TimeEntry.objects.values_list("pk", flat=True)), approve=True
    )
    return create_claim(project, acting_user=project.lead, period_start=MONDAY, period_end=MONDAY + timedelta(days=6))


def test_claimed_hours_and_their_period_are_locked(project, counsellor):
    _claimed(project, counsellor)
    with pytest.raises(ValidationError) as refused:
        save(counsellor, row(project, d0="5"), row(project, "r1", TimeKind.COORDINATION, "Comité", d2="1"))
    assert "verrouillées" in refused.value.message_dict["r0-d0"][0]
    assert "verrouillée" in refused.value.message_dict["r1-d2"][0]


def test_an_unlock_needs_a_reason_and_leaves_a_history_record(project, counsellor):
    claim = _claimed(project, counsellor)
    entry = TimeEntry.objects.order_by("day").first()
    with pytest.raises(ValidationError):
        unlock_entry(entry, acting_user=project.lead, reason="")
    with pytest.raises(ValidationError):
        unlock_entry(entry, acting_user=counsellor, reason="Erreur de saisie")
    claim = unlock_entry(entry, acting_user=project.lead, reason="Erreur de saisie")
    entry.refresh_from_db()
    assert (entry.status, entry.claim_id) == (TimeStatus.DRAFT, None)
    assert claim.hours_amount == Decimal("83.00")  # 2 h × 41,50 €
    records = WriteRecord.objects.filter(model="programme.timeentry", object_id=entry.pk).order_by("pk")
    assert records.last().after["reason"] == "Erreur de saisie"
    save(counsellor, row(project, d0="1.5"))  # the unlocked draft is corrected
    unlock_claim(claim, acting_user=project.lead, reason="Demande refaite")
    assert not TimeEntry.objects.exclude(status=TimeStatus.DRAFT).exists()
