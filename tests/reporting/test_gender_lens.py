"""The gender lens (issue 13): the share of young women among the youths identified, per
département and per kind of partner, against their share among the 16–25 year-olds of the
territory (a documented estimate the administrator may correct), the gap flagged."""

from decimal import Decimal

import pytest

from reperes.reporting.bilan import Figure, campaign_bilan
from reperes.reporting.models import WomenShareReference
from reperes.reporting.selectors import women_share_references
from tests.reporting.factories import bilan_world

pytestmark = pytest.mark.django_db


def lens(bilan):
    (section,) = [s for s in bilan.sections if s.key == "jeunes-femmes"]
    return section.tables


def value(cell):
    return cell.value if isinstance(cell, Figure) else cell


def test_the_reference_is_loaded_with_its_source_and_is_an_estimate_to_check():
    references = women_share_references()
    assert {"", "67", "68"} <= set(references)
    assert references["67"].share == Decimal("0.4880")
    assert "INSEE" in references[""].source
    assert "À vérifier" in WomenShareReference.objects.get(departement_code="67").note


def test_the_share_of_young_women_is_set_against_the_reference_and_a_wide_gap_is_flagged(settings):
    settings.REPERES_SMALL_CELL_THRESHOLD = 1  # every count published: the arithmetic is checked
    world = bilan_world()
    for k in range(10):  # Saverne (67): 3 women of 10, from two kinds of partners
        world.identify(world.project_a, sex="f" if k < 3 else "m", kind="pjj" if k % 2 else "centre_social")
    by_place, by_source = lens(campaign_bilan(world.campaign))
    (bas_rhin,) = by_place.rows
    assert [value(c) for c in bas_rhin[1:4]] == [3, 10, Decimal("0.3000")]
    assert bas_rhin[4] == Decimal("0.4880")
    assert bas_rhin[5] == "−18,8 points" and bas_rhin[6] == "écart marqué"
    assert {row[0] for row in by_source.rows} == {"protection judiciaire de la jeunesse (PJJ)", "centre social"}
    assert sum(value(row[1]) for row in by_source.rows) == value(by_source.total[1]) == 3
    WomenShareReference.objects.filter(departement_code="67").update(share=Decimal("0.3300"))
    by_place, _by_source = lens(campaign_bilan(world.campaign))
    assert by_place.rows[0][5] == "−3,0 points" and by_place.rows[0][6] == ""


def test_a_secret_share_has_a_secret_gap_and_flag():
    world = bilan_world()
    for k in range(4):
        world.identify(world.project_a, sex="f" if k < 2 else "m")
    by_place, _by_source = lens(campaign_bilan(world.campaign))
    row = by_place.rows[0]
    assert all(isinstance(c, Figure) and c.suppressed for c in (row[1], row[2], row[3], row[5], row[6]))
