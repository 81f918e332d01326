from datetime import date

from reperes.matching import Index, Record, blocking_keys

LEA = Record("1", "Léa", "Dupont", date(2005, 3, 11), "F", "67000", "Strasbourg")


def test_day_and_month_swapped_share_a_key():
    swapped = Record("2", "Léa", "Dupond", date(2005, 11, 3), "F", "68100", "Mulhouse")
    assert any(key.startswith("d:") for key in blocking_keys(LEA) & blocking_keys(swapped))


def test_swapped_first_and_last_names_share_a_key():
    swapped = Record("2", "Dupont", "Léa", date(2005, 3, 11), "F", "67000", "Strasbourg")
    assert blocking_keys(LEA) & blocking_keys(swapped)


def test_usage_and_birth_names_share_a_key():
    married = Record("2", "Léa", "Bernard", date(2005, 3, 11), birth_name="Dupont")
    assert any(key.startswith("n:") for key in blocking_keys(LEA) & blocking_keys(married))


def test_keys_are_short_strings_a_database_can_index():
    keys = blocking_keys(LEA)
    assert len(keys) >= 6
    assert all(isinstance(key, str) and len(key) <= 40 for key in keys)


def test_a_record_without_date_or_place_still_has_name_keys():
    assert blocking_keys(Record("2", "Léa", "Dupont"))


def test_the_index_finds_swapped_dates_and_names_but_not_strangers():
    index = Index.from_records(
        [
            Record("swapped-date", "Lea", "DUPONT", date(2005, 11, 3)),
            Record("swapped-names", "Dupont", "Léa", date(2005, 3, 11)),
            Record("stranger", "Hugo", "Weber", date(2001, 6, 7), "M", "68000", "Colmar"),
        ]
    )
    found = {profile.id for profile in index.candidates(index.add(LEA), exclude=len(index) - 1)}
    assert found == {"swapped-date", "swapped-names"}


def test_candidates_are_capped_and_taken_from_the_rarest_keys_first():
    crowd = [Record(str(n), "Léa", "Dupont", date(2000 + n % 5, 1 + n % 12, 1 + n % 28)) for n in range(50)]
    index = Index.from_records([*crowd, Record("rare", "Lea", "Dupont", date(2005, 3, 11))], max_candidates=10)
    found = [profile.id for profile in index.candidates(index.add(LEA), exclude=len(index) - 1)]
    assert len(found) == 10
    assert found[0] == "rare"
