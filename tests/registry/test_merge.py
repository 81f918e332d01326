from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from reperes.privacy.models import AccessLog, WriteRecord
from reperes.registry.enums import SignalStatus, YouthStatus
from reperes.registry.models import Signal, Youth
from reperes.registry.services import merge_youths, unmerge_youths
from reperes.territory.models import Commune, Territory
from tests.network.factories import OrganisationFactory
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

FIELDS = ["first_names", "last_name", "usage_name", "sex", "birth_date", "birth_precision", "phone", "commune_id"]


def state(youth):
    youth.refresh_from_db()
    return {name: getattr(youth, name) for name in FIELDS} | {
        "status": youth.status,
        "signals": sorted(youth.signals.values_list("pk", flat=True)),
    }


def test_merge_keeps_every_signal_and_takes_what_the_kept_record_lacked(mission, counsellor):
    known = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    newcomer = report("Zoe", "Vogtlender", phone="06 01 02 03 04").youth
    merge_youths(known, newcomer, acting_user=counsellor)
    known.refresh_from_db()
    newcomer.refresh_from_db()
    assert Signal.objects.filter(youth=known).count() == 2
    assert known.phone == "06 01 02 03 04"
    assert known.birth_date == date(2007, 9, 3)  # the more precise date stays
    assert newcomer.status == YouthStatus.MERGED and newcomer.merged_into == known
    assert AccessLog.objects.filter(action="merge").count() == 2
    assert WriteRecord.objects.filter(action="merge").count() == 2


def test_unmerge_restores_both_records_exactly(mission, counsellor):
    known = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    newcomer = report("Zoe", "Vogtlender", phone="06 01 02 03 04").youth
    before = (state(known), state(newcomer))
    merge = merge_youths(known, newcomer, acting_user=counsellor)
    unmerge_youths(merge, acting_user=counsellor)
    assert (state(known), state(newcomer)) == before
    assert AccessLog.objects.filter(action="unmerge").count() == 2
    with pytest.raises(ValidationError):
        unmerge_youths(merge, acting_user=counsellor)


def test_records_of_two_missions_locales_are_never_merged(mission, counsellor):
    territory = Territory.objects.create(name="Strasbourg")
    territory.communes.set(Commune.objects.filter(code="67482"))
    OrganisationFactory(mission_locale=True, territory=territory)
    here = report("Zoé", "Vogtlander").youth
    there = report("Zoé", "Vogtlander", code="67482").youth
    with pytest.raises(ValidationError, match="deux Missions locales différentes"):
        merge_youths(here, there, acting_user=counsellor)


def test_triage_merges_a_signal_into_the_known_youth_then_undoes_it(client, mission, counsellor):
    known = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    signal = report("Zoe", "Vogtlender")
    client.force_login(counsellor)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertContains(page, "Fusionner avec ce dossier")
    response = client.post(reverse("registry:signal_merge", args=[signal.pk, known.pk]))
    assertRedirects(response, reverse("registry:youth_detail", args=[known.pk]))
    signal.refresh_from_db()
    assert signal.youth == known and signal.status == SignalStatus.DUPLICATE
    detail = client.get(reverse("registry:youth_detail", args=[known.pk]))
    assertContains(detail, "Dossiers fusionnés dans celui-ci")
    merge = known.merges_kept.get()
    client.post(reverse("registry:merge_undo", args=[merge.pk]))
    assert Youth.objects.active().count() == 2


def test_an_undo_keeps_what_was_changed_after_the_merge(mission, counsellor):
    from reperes.registry.services import update_youth

    known = report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3)).youth
    newcomer = report("Zoe", "Vogtlender", phone="06 01 02 03 04").youth
    merge = merge_youths(known, newcomer, acting_user=counsellor)
    known.refresh_from_db()
    assert known.phone == "06 01 02 03 04"  # borrowed by the merge
    update_youth(known, acting_user=counsellor, version=known.updated_at.isoformat(), phone="0700000000")
    unmerge_youths(merge, acting_user=counsellor)
    known.refresh_from_db()
    assert known.phone == "0700000000"  # the later edit stays; the rest is restored
    assert known.last_name == "Vogtlander"
