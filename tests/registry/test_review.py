"""The duplicate review queue: the sweep proposes pairs, a counsellor merges or separates them,
an undone merge puts everything back in its queue."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from reperes.network.enums import Role
from reperes.privacy.models import AccessLog
from reperes.registry.enums import CandidateStatus, SignalStatus, YouthStatus
from reperes.registry.models import DuplicateCandidate, Merge, Youth
from reperes.registry.review import sweep_duplicates
from reperes.registry.services import merge_signal_into, unmerge_youths
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db


def test_the_sweep_proposes_a_likely_pair_once(mission):
    a = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    b = report("Zoe", "Vogtlender").youth
    report("Marc", "Antoine", birth_date=date(2006, 1, 1))
    assert sweep_duplicates(mission) == 1
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.youth_a, candidate.youth_b) == (a, b)
    assert "nom" in candidate.explanation
    assert sweep_duplicates(mission) == 0  # a second sweep adds nothing


def test_a_counsellor_compares_and_merges_then_the_undo_reopens_the_pair(client, mission, counsellor):
    a = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    b = report("Zoe", "Vogtlender").youth
    sweep_duplicates(mission)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(counsellor)
    page = client.get(reverse("registry:duplicate_list")).content.decode()
    assert "Zoé VOGTLANDER" in page and "Zoe VOGTLENDER" in page
    page = client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).content.decode()
    assert "diffère" in page and "Fusionner en gardant le dossier de Zoé VOGTLANDER" in page
    assert AccessLog.objects.filter(reason=f"doublon={candidate.pk}").count() == 2
    response = client.post(reverse("registry:duplicate_merge", args=[candidate.pk]), {"keep": a.pk})
    assert response["Location"] == reverse("registry:youth_detail", args=[a.pk])
    b.refresh_from_db()
    candidate.refresh_from_db()
    assert b.status == YouthStatus.MERGED and candidate.status == CandidateStatus.MERGED
    assert "Aucun doublon possible" in client.get(reverse("registry:duplicate_list")).content.decode()
    unmerge_youths(Merge.objects.get(), acting_user=counsellor)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_two_people_are_never_proposed_again(client, mission, counsellor):
    report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3))
    report("Zoe", "Vogtlender")
    sweep_duplicates(mission)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(counsellor)
    client.post(reverse("registry:duplicate_distinct", args=[candidate.pk]))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISTINCT
    assert sweep_duplicates(mission) == 0
    assert Youth.objects.active().count() == 2


def test_an_undone_triage_merge_sends_the_signal_back_to_triage(mission, counsellor):
    known = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    signal = report("Zoe", "Vogtlender")
    merge = merge_signal_into(signal, known, acting_user=counsellor)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.DUPLICATE
    unmerge_youths(merge, acting_user=counsellor)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW and signal.handled_by is None
    assert signal.youth.status == YouthStatus.ACTIVE


def test_another_mission_locales_pair_answers_404(client, mission):
    report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3))
    report("Zoe", "Vogtlender")
    sweep_duplicates(mission)
    candidate = DuplicateCandidate.objects.get()
    other = MembershipFactory(role=Role.COUNSELLOR, organisation=OrganisationFactory(mission_locale=True)).user
    client.force_login(other)
    assert client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).status_code == 404
    assert client.post(reverse("registry:duplicate_merge", args=[candidate.pk])).status_code == 404


def test_two_clicks_on_merge_merge_once(mission, counsellor):
    from reperes.registry.review import merge_candidate

    report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3))
    report("Zoe", "Vogtlender")
    sweep_duplicates(mission)
    first, second = DuplicateCandidate.objects.get(), DuplicateCandidate.objects.get()
    merge_candidate(first, keep=first.youth_a, acting_user=counsellor)
    with pytest.raises(ValidationError):
        merge_candidate(second, keep=second.youth_b, acting_user=counsellor)  # a colleague, the other way
    assert Merge.objects.count() == 1 and Youth.objects.active().count() == 1


def test_two_people_stay_two_people_after_one_of_them_is_merged(mission, counsellor):
    from reperes.registry.review import mark_distinct
    from reperes.registry.services import merge_youths

    zoe = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    sister = report("Zoe", "Vogtlender").youth
    sweep_duplicates(mission)
    mark_distinct(DuplicateCandidate.objects.get(), acting_user=counsellor)
    # Zoé's file is later merged into a second file of hers, which thereby looks like her sister's.
    second = Youth.objects.create(
        first_names="Zoé",
        last_name="Vogtlander",
        mission_locale=mission,
        commune_id="67437",
        birth_precision="unknown",
    )
    second.refresh_search_name()
    merge_youths(second, zoe, acting_user=counsellor)
    sweep_duplicates(mission)
    involving_sister = DuplicateCandidate.objects.filter(Q(youth_a=sister) | Q(youth_b=sister), status="open")
    assert not involving_sister.exists()


def test_the_nightly_command_sweeps_and_fails_stalled_imports(mission, counsellor):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from reperes.registry.enums import ImportStatus
    from reperes.registry.imports.services import upload_list
    from reperes.registry.models import ListImport

    report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3))
    report("Zoe", "Vogtlender")
    stalled = upload_list(
        user=counsellor, file_name="l.csv", content=b"nom;prenom;commune\nA;B;Saverne\n", kind="dropout"
    )
    ListImport.objects.filter(pk=stalled.pk).update(
        status=ImportStatus.IMPORTING, updated_at=timezone.now() - timedelta(hours=1)
    )
    call_command("sweep_duplicates", verbosity=0)
    assert DuplicateCandidate.objects.filter(status="open").count() == 1
    stalled.refresh_from_db()
    assert stalled.status == ImportStatus.FAILED and stalled.content is None
