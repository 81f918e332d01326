"""The funder's bilan: no secret cell can be recomputed from what is published (ADR 009).

Each constructed table first shows that naive suppression (cells under the threshold only) leaks,
then that `protect` leaves nothing for `recoverable_cells` to find. The check itself is compared
with a brute-force enumeration of every whole-number table consistent with a publication."""

import hashlib
import hmac
import random

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from reperes.programme.disclosure import (
    Bounds,
    Breakdown,
    Cell,
    CrossTable,
    Funnel,
    Publication,
    Sum,
    build,
    cell_bounds,
    left_between,
    protect,
    pseudonym,
    recoverable_cells,
    secret_note,
    small_cell_threshold,
)

T = 11
STAGES = ("identified", "contacted", "met", "accompanied", "exited")


def naive(tables, threshold=T):
    """What a bilan would publish with primary suppression only."""
    structure = build(tables)
    return structure.publish(structure.primary_secret(threshold), threshold)


def assert_safe(publication: Publication):
    assert recoverable_cells(publication) == {}
    threshold = publication.threshold
    assert all(v is None or v == 0 or v >= threshold for v in publication.values.values())
    for cell in publication.secret_cells:
        bounds = cell_bounds(publication)[cell]
        assert not bounds.exact, cell
        assert bounds.high is None or bounds.high >= threshold, cell


# --- Constructed tables where naive suppression leaks ----------------------------------------


def test_a_small_cell_is_recovered_by_subtracting_the_published_total_unless_a_complement_is_masked():
    by_sex = Breakdown("identified", "sex", {"female": 3, "male": 40, "unknown": 57})

    assert recoverable_cells(naive([by_sex])) == {by_sex.cell("female"): Bounds(3, 3)}

    published = protect([by_sex], threshold=T)
    assert_safe(published)
    assert published.secret_cells == {by_sex.cell("female"), by_sex.cell("male")}  # 40 < 57: the smallest
    assert published.values[by_sex.total_cell] == 100
    assert cell_bounds(published)[by_sex.cell("female")] == Bounds(0, 43)


def test_two_small_cells_whose_sum_is_known_leak_a_range_under_the_threshold():
    by_age = Breakdown("identified", "age", {"16-17": 3, "18-21": 5, "22-25": 100})

    leaks = recoverable_cells(naive([by_age]))
    assert leaks == {by_age.cell("16-17"): Bounds(0, 8), by_age.cell("18-21"): Bounds(0, 8)}  # « at most 8 »

    published = protect([by_age], threshold=T)
    assert_safe(published)
    assert published.values[by_age.total_cell] == 108


def test_a_two_by_two_table_with_one_small_cell_masks_its_four_inner_cells_and_keeps_the_margins():
    table = CrossTable(
        "identified", "sex", "age", {"female": {"minor": 3, "adult": 50}, "male": {"minor": 60, "adult": 70}}
    )

    assert recoverable_cells(naive([table])) == {table.cell("female", "minor"): Bounds(3, 3)}

    published = protect([table], threshold=T)
    assert_safe(published)
    inner = {table.cell(r, c) for r in ("female", "male") for c in ("minor", "adult")}
    assert published.secret_cells == inner
    assert [published.values[table.row_cell(r)] for r in ("female", "male")] == [53, 130]
    assert [published.values[table.column_cell(c)] for c in ("minor", "adult")] == [63, 120]
    assert cell_bounds(published)[table.cell("female", "minor")] == Bounds(0, 53)


def test_a_small_row_total_is_secret_and_not_recovered_from_the_grand_total():
    table = CrossTable(
        "identified", "sex", "age", {"female": {"minor": 3, "adult": 4}, "male": {"minor": 50, "adult": 60}}
    )

    leaks = recoverable_cells(naive([table]))
    assert leaks[table.row_cell("female")] == Bounds(7, 7)  # 117 - 110

    assert_safe(protect([table], threshold=T))


def test_linked_tables_over_the_same_youths_share_their_total():
    by_sex = Breakdown("identified", "sex", {"female": 3, "male": 97})
    by_age = Breakdown("identified", "age", {"16-17": 20, "18-21": 30, "22-25": 50})
    # Protected one table at a time, the sex table could hide its total: alone, it would be safe…
    structure = build([by_sex, by_age])
    alone = build([by_sex]).publish({by_sex.cell("female"), by_sex.total_cell}, T)
    assert recoverable_cells(alone) == {}
    # …but the age table publishes the same total, and 100 - 97 = 3.
    linked = structure.publish({by_sex.cell("female"), by_sex.total_cell}, T)
    assert recoverable_cells(linked)[by_sex.cell("female")] == Bounds(3, 3)

    published = protect([by_sex, by_age], threshold=T)
    assert_safe(published)
    assert published.values[by_sex.total_cell] == 100
    assert published.secret_cells == {by_sex.cell("female"), by_sex.cell("male")}


def test_a_cross_table_and_its_margin_published_alone_are_one_table():
    table = CrossTable(
        "identified", "sex", "age", {"female": {"minor": 3, "adult": 50}, "male": {"minor": 60, "adult": 70}}
    )
    by_sex = Breakdown("identified", "sex", {"female": 53, "male": 130})

    assert by_sex.cell("female") == table.row_cell("female")
    assert_safe(protect([table, by_sex], threshold=T))


def test_the_youths_who_left_between_two_stages_of_the_funnel_are_protected():
    funnel = Funnel(dict(zip(STAGES, (233, 230, 228, 120, 60), strict=True)))

    leaks = recoverable_cells(naive([funnel]))
    assert leaks == {
        Cell(left_between("identified", "contacted")): Bounds(3, 3),
        Cell(left_between("contacted", "met")): Bounds(2, 2),
    }

    published = protect([funnel], threshold=T)
    assert_safe(published)
    assert published.secret_cells == {funnel.cell("contacted"), funnel.cell("met")}
    assert [published.values[funnel.cell(s)] for s in ("identified", "accompanied", "exited")] == [233, 120, 60]
    assert cell_bounds(published)[Cell(left_between("identified", "contacted"))] == Bounds(0, 113)


def test_two_published_stages_may_not_differ_by_a_small_count_even_far_apart():
    funnel = Funnel(dict(zip(STAGES, (233, 200, 200, 195, 100), strict=True)))

    leaks = recoverable_cells(naive([funnel]))
    assert leaks == {Cell(left_between("met", "accompanied")): Bounds(5, 5)}
    assert_safe(protect([funnel], threshold=T))


def test_a_breakdown_published_over_two_stages_does_not_give_away_its_difference():
    funnel = Funnel(dict(zip(STAGES, (233, 200, 180, 155, 50), strict=True)))
    identified = Breakdown("identified", "sex", {"female": 120, "male": 113})
    accompanied = Breakdown("accompanied", "sex", {"female": 115, "male": 40})
    # Every published count is large, yet 120 - 115: 5 women identified were not accompanied.
    leaks = recoverable_cells(naive([funnel, identified, accompanied]))
    women_who_left = {
        Cell(left_between(upper, lower), (("sex", "female"),))
        for upper, lower in zip(STAGES[:3], STAGES[1:4], strict=True)
    }
    assert set(leaks) == women_who_left
    assert all(bounds == Bounds(0, 5) for bounds in leaks.values())

    published = protect([funnel, identified, accompanied], threshold=T)
    assert_safe(published)
    assert published.secret_cells == {accompanied.cell("female"), accompanied.cell("male")}


def test_a_zero_beside_a_small_total_is_secret_and_beside_a_large_one_published():
    small = Breakdown("exited", "sex", {"female": 5, "male": 0})
    large = Breakdown("identified", "sex", {"female": 233, "male": 0})

    published = protect([small, large], threshold=T)

    assert_safe(published)
    assert published.values[small.cell("male")] is None  # else: « all 5 are women »
    assert published.values[large.cell("male")] == 0
    assert published.values[large.total_cell] == 233


def test_nothing_is_secret_in_tables_of_large_counts():
    funnel = Funnel(dict(zip(STAGES, (233, 200, 150, 150, 60), strict=True)))
    by_sex = Breakdown("identified", "sex", {"female": 120, "male": 113})
    by_age = Breakdown("identified", "age", {"16-17": 30, "18-21": 100, "22-25": 103})
    cross = CrossTable(
        "accompanied", "sex", "area", {"female": {"rural": 40, "urban": 50}, "male": {"rural": 0, "urban": 60}}
    )

    published = protect([funnel, by_sex, by_age, cross], threshold=T)

    assert published.secret_cells == set()
    assert_safe(published)


def test_inconsistent_tables_are_refused():
    with pytest.raises(ValueError, match="counted as"):
        build([Breakdown("identified", "sex", {"female": 20, "male": 20}), Funnel({"identified": 41, "met": 30})])
    with pytest.raises(ValueError, match="subset"):
        build([Funnel({"identified": 30, "met": 41})])


# --- Many random tables ----------------------------------------------------------------------


def count(rng: random.Random, *, large_only: bool = False) -> int:
    draw = rng.random()
    if large_only or draw > 0.55:
        return rng.randint(T, 150)
    return 0 if draw < 0.15 else rng.randint(1, T - 1)


def leaving(rng: random.Random, n: int, *, large_only: bool) -> int:
    """How many of n youths leave at a stage; with large counts only, none, all, or a large count
    leaving a large count."""
    if not large_only:
        return min(n, count(rng))
    return rng.choice([0, n, *([rng.randint(T, n - T)] if n >= 2 * T else [])])


def random_tables(rng: random.Random, *, large_only: bool = False) -> list:
    kind = rng.choice(("breakdown", "cross", "funnel", "funnel_and_breakdowns"))
    if kind == "breakdown":
        size = rng.randint(1, 6)
        return [Breakdown("identified", "x", {f"c{i}": count(rng, large_only=large_only) for i in range(size)})]
    if kind == "cross":
        rows, columns = rng.randint(1, 4), rng.randint(2, 4)
        return [
            CrossTable(
                "identified",
                "x",
                "y",
                {f"r{i}": {f"c{j}": count(rng, large_only=large_only) for j in range(columns)} for i in range(rows)},
            )
        ]
    # Stage × category counts, each stage within the previous one.
    categories = rng.randint(2, 3)
    levels = [[count(rng, large_only=True) for _ in range(categories)]]
    for _ in STAGES[1:]:
        levels.append([n - leaving(rng, n, large_only=large_only) for n in levels[-1]])
    funnel = Funnel({stage: sum(level) for stage, level in zip(STAGES, levels, strict=True)})
    if kind == "funnel" or large_only:
        return [funnel]
    published_at = sorted(rng.sample(range(len(STAGES)), 2))
    tables: list = [funnel]
    tables += [Breakdown(STAGES[i], "sex", {f"s{k}": n for k, n in enumerate(levels[i])}) for i in published_at]
    if rng.random() < 0.5:  # a second breakdown of the first stage, linked by its total
        total, cut = sum(levels[0]), rng.randint(0, sum(levels[0]))
        tables.append(Breakdown(STAGES[0], "age", {"minor": cut, "adult": total - cut}))
    return tables


def test_on_random_tables_no_secret_cell_is_recoverable_and_no_published_count_is_small():
    rng = random.Random(20240611)
    secret_seen = 0
    for _ in range(250):
        tables = random_tables(rng)
        published = protect(tables, threshold=T)
        assert_safe(published)
        secret_seen += len(published.secret_cells)
    assert secret_seen > 250  # the cases did exercise suppression


def test_on_random_tables_of_large_counts_nothing_is_secret():
    rng = random.Random(7)
    for _ in range(100):
        assert protect(random_tables(rng, large_only=True), threshold=T).secret_cells == set()


# --- The check is exact: brute force on tiny tables ------------------------------------------


def enumerated_bounds(publication: Publication) -> dict[Cell, tuple[int, int]]:
    """Every whole-number completion of the publication, by depth-first search."""
    lines = [(line.total, line.parts) for line in publication.sums]
    cells = set(publication.values) | {c for total, parts in lines for c in (total, *parts)}
    known = {c: v for c, v in publication.values.items() if v is not None}
    unknown = sorted(cells - set(known))
    limit = max(known.values())
    found: dict[Cell, tuple[int, int]] = {}

    def search(assigned: dict[Cell, int]) -> None:
        assigned = dict(assigned)
        changed = True
        while changed:
            changed = False
            for total, parts in lines:
                open_cells = [c for c in (total, *parts) if c not in assigned]
                if not open_cells:
                    if assigned[total] != sum(assigned[p] for p in parts):
                        return
                elif len(open_cells) == 1:
                    (cell,) = open_cells
                    rest = sum(assigned[p] for p in parts if p != cell)
                    value = rest if cell == total else assigned[total] - rest
                    if not 0 <= value <= limit:
                        return
                    assigned[cell], changed = value, True
                elif total in assigned and sum(assigned[p] for p in parts if p in assigned) > assigned[total]:
                    return
        free = [c for c in unknown if c not in assigned]
        if not free:
            for cell in unknown:
                low, high = found.get(cell, (assigned[cell], assigned[cell]))
                found[cell] = (min(low, assigned[cell]), max(high, assigned[cell]))
            return
        for value in range(limit + 1):
            search(assigned | {free[0]: value})

    search(known)
    return found


def tiny_tables(rng: random.Random) -> list:
    def tiny() -> int:
        return rng.choice((0, 1, 2, 3, 4, 5, 6, 8))

    kind = rng.choice(("breakdown", "cross", "funnel", "funnel_and_breakdowns"))
    if kind == "breakdown":
        return [Breakdown("p", "x", {f"c{i}": tiny() for i in range(rng.randint(2, 4))})]
    if kind == "cross":
        rows, columns = rng.randint(2, 3), rng.randint(2, 3)
        return [CrossTable("p", "x", "y", {f"r{i}": {f"c{j}": tiny() for j in range(columns)} for i in range(rows)})]
    if kind == "funnel":
        stages = [rng.randint(8, 20)]
        for _ in range(4):
            stages.append(max(0, stages[-1] - tiny()))
        return [Funnel({f"s{i}": n for i, n in enumerate(stages)})]
    levels = [[rng.randint(2, 9), rng.randint(2, 9)]]
    for _ in range(2):
        levels.append([max(0, n - tiny()) for n in levels[-1]])
    funnel = Funnel({f"s{i}": sum(level) for i, level in enumerate(levels)})
    return [funnel, *(Breakdown(f"s{i}", "sex", {"f": levels[i][0], "m": levels[i][1]}) for i in (0, 2))]


def test_the_bounds_of_the_check_are_those_of_every_whole_number_table_consistent_with_the_publication():
    rng = random.Random(99)
    checked = 0
    for _ in range(120):
        tables = tiny_tables(rng)
        for publication in (naive(tables, threshold=4), protect(tables, threshold=4)):
            grand_totals = {line.total for line in publication.sums} - {
                p for line in publication.sums for p in line.parts
            }
            if any(publication.values.get(total) is None for total in grand_totals):
                continue  # the enumeration needs a published bound on every cell
            expected = enumerated_bounds(publication)
            assert {c: (b.low, b.high) for c, b in cell_bounds(publication).items()} == expected
            checked += 1
    assert checked > 150


def test_the_check_reasons_in_whole_numbers_not_fractions():
    # Three counts of 1 that each add two of x, y, z: x = y = z = 1/2 fits, no whole numbers do.
    x, y, z = Cell("p", (("k", "x"),)), Cell("p", (("k", "y"),)), Cell("p", (("k", "z"),))
    a, b, c = Cell("a"), Cell("b"), Cell("c")
    publication = Publication(
        values={a: 1, b: 1, c: 1, x: None, y: None, z: None},
        sums=(Sum(a, (x, y)), Sum(b, (y, z)), Sum(c, (x, z))),
        threshold=T,
    )
    with pytest.raises(ValueError, match="whole-number"):
        cell_bounds(publication)


# --- Settings, display, pseudonyms -----------------------------------------------------------


def test_the_threshold_comes_from_the_settings_when_protecting():
    by_sex = Breakdown("identified", "sex", {"female": 6, "male": 40, "unknown": 57})

    assert small_cell_threshold() == 11
    assert protect([by_sex]).values[by_sex.cell("female")] is None
    with override_settings(REPERES_SMALL_CELL_THRESHOLD=5):
        assert small_cell_threshold() == 5
        assert protect([by_sex]).secret_cells == set()
    with override_settings(REPERES_SMALL_CELL_THRESHOLD=20):
        published = protect([by_sex])
        assert published.threshold == 20
        assert_safe(published)
    with override_settings(REPERES_SMALL_CELL_THRESHOLD=0), pytest.raises(ImproperlyConfigured):
        small_cell_threshold()


def test_a_secret_cell_reads_the_same_on_the_page_the_chart_and_the_export():
    by_sex = Breakdown("identified", "sex", {"female": 3, "male": 40, "unknown": 57})
    published = protect([by_sex], threshold=T)

    female, unknown = published.shown(by_sex.cell("female")), published.shown(by_sex.cell("unknown"))
    assert (female.secret, female.text, female.export()) == (True, "secret", "secret")
    assert (unknown.secret, unknown.text, unknown.export()) == (False, "57", 57)
    # The masked 40 reads like the small 3: « < 11 » would be false and would say which is small.
    assert published.shown(by_sex.cell("male")).text == "secret"
    points = published.chart(by_sex.cells())
    assert [(p.label, p.value, p.secret) for p in points] == [
        ("female", None, True),
        ("male", None, True),
        ("unknown", 57, False),
    ]
    assert "11" in secret_note(published.threshold)
    with pytest.raises(KeyError):
        published.shown(Cell("no such population"))


def test_a_percentage_of_a_secret_cell_is_secret():
    by_sex = Breakdown("identified", "sex", {"female": 3, "male": 40, "unknown": 57})
    published = protect([by_sex], threshold=T)

    assert published.percent(by_sex.cell("female"), by_sex.total_cell).text == "secret"
    assert published.percent(by_sex.cell("female"), by_sex.total_cell).export() == "secret"
    share = published.percent(by_sex.cell("unknown"), by_sex.total_cell)
    assert (share.secret, share.value, share.text, share.export()) == (False, 57.0, "57\u00a0%", 57.0)
    assert published.percent(by_sex.cell("unknown"), by_sex.total_cell, digits=1).text == "57,0\u00a0%"


def test_a_pseudonym_is_a_keyed_hash_stable_for_one_key():
    assert pseudonym("4821", key="k1") == pseudonym("4821", key=b"k1")
    assert pseudonym("4821", key="k1") != pseudonym("4821", key="k2")
    assert pseudonym("4821", key="k1") != pseudonym("4822", key="k1")
    assert pseudonym("4821", key="k1") == hmac.new(b"k1", b"4821", hashlib.sha256).hexdigest()
    assert pseudonym("4821", key="k1") != hashlib.sha256(b"4821").hexdigest()


def test_the_pseudonym_key_comes_from_the_settings_or_else_from_the_secret_key():
    with override_settings(REPERES_PSEUDONYM_KEY="extract-key"):
        assert pseudonym("4821") == pseudonym("4821", key="extract-key")
    with override_settings(REPERES_PSEUDONYM_KEY="", SECRET_KEY="one-secret"):
        derived = pseudonym("4821")
        assert derived != pseudonym("4821", key="one-secret")  # derived, not the secret key itself
    with override_settings(REPERES_PSEUDONYM_KEY="", SECRET_KEY="another-secret"):
        assert pseudonym("4821") != derived


def test_a_zero_told_by_an_empty_category_is_published_and_only_its_small_group_is_masked():
    # Nobody of unknown sex in either project: the column's total of 0 is published, so the zero
    # beside Saverne's 4 youths tells nothing more and costs no other cell.
    table = CrossTable(
        "identified",
        "project",
        "sex",
        {
            "saverne": {"female": 4, "male": 0, "unknown": 0},
            "strasbourg": {"female": 60, "male": 70, "unknown": 0},
            "colmar": {"female": 50, "male": 55, "unknown": 0},
        },
    )

    published = protect([table], threshold=T)

    assert_safe(published)
    assert published.values[table.column_cell("unknown")] == 0
    assert published.values[table.cell("saverne", "unknown")] == 0
    assert published.values[table.cell("saverne", "male")] is None  # « all 4 are women »
    assert published.values[table.total_cell] == 239
    assert {table.cell("saverne", "unknown"), table.column_cell("unknown")}.isdisjoint(published.secret_cells)
