import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,first_name,last_name,birth_date,sex,postcode,commune,notes\n"
PEOPLE = (
    "1,Léa,Dupont,2005-03-11,F,67000,Strasbourg,\n"
    "2,Hugo,Weber,2001-06-07,M,68000,Colmar,\n"
    "3,Chloé,Dupont,2005-03-11,F,67000,Strasbourg,jumelle de 1\n"
)


def run(*arguments: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reperes.matching", *map(str, arguments)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8")


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + PEOPLE + "4,LEA,DUPOND,2005-03-11,,67000,STRASBOURG,\n", encoding="utf-8")
    return path


def test_dedupe_writes_the_pairs_of_the_same_person(people, tmp_path):
    out = tmp_path / "pairs.csv"
    result = run("dedupe", people, "-o", out)
    assert result.returncode == 0, result.stderr
    assert [(row["id_left"], row["id_right"], row["decision"]) for row in read_pairs(out)] == [("1", "4", "same")]
    assert float(read_pairs(out)[0]["score"]) > 20
    assert "1 paire(s)" in result.stderr


def test_review_adds_the_pairs_to_look_at(people, tmp_path):
    out = tmp_path / "pairs.csv"
    assert run("dedupe", people, "-o", out, "--review").returncode == 0
    found = {(row["id_left"], row["id_right"], row["decision"]) for row in read_pairs(out)}
    assert ("1", "4", "same") in found
    assert ("1", "3", "review") in found


def test_link_reads_semicolons_a_bom_and_other_column_names(tmp_path):
    left = tmp_path / "left.csv"
    left.write_text("\ufeffref;prenom;nom;naissance\nA;lea;Dupont;2005-03-11\nB;Kerem;Öztürk;\n", encoding="utf-8")
    right = tmp_path / "right.csv"
    right.write_text(HEADER + PEOPLE, encoding="utf-8")
    out = tmp_path / "pairs.csv"
    result = run(
        "link", left, right, "-o", out, "--columns", "id=ref,first_name=prenom,last_name=nom,birth_date=naissance"
    )
    assert result.returncode == 0, result.stderr
    assert [(row["id_left"], row["id_right"]) for row in read_pairs(out)] == [("A", "1")]
    in_two = tmp_path / "pairs-2.csv"
    columns = "id=ref,first_name=prenom,last_name=nom,birth_date=naissance"
    assert run("link", left, right, "-o", in_two, "--columns", columns, "--processus", "2").returncode == 0
    assert read_pairs(in_two) == read_pairs(out)


def test_pairs_go_to_standard_output_without_o(people):
    result = run("dedupe", people)
    assert result.stdout.splitlines() == ["id_left,id_right,score,decision", result.stdout.splitlines()[1]]
    assert result.stdout.splitlines()[1].startswith("1,4,")


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,prenom,last_name,birth_date\n1,Léa,Dupont,2005-03-11\n", encoding="utf-8")
    result = run("dedupe", path)
    assert result.returncode == 2
    assert "colonne « first_name » absente" in result.stderr


def test_a_bad_date_gives_its_line_and_value(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + PEOPLE + "4,Léa,Dupont,11/03/2005,F,,,\n", encoding="utf-8")
    result = run("dedupe", path, "-o", tmp_path / "pairs.csv")
    assert result.returncode == 2
    assert "ligne 5" in result.stderr and "« 11/03/2005 »" in result.stderr
    assert not (tmp_path / "pairs.csv").exists()


def test_a_repeated_id_is_refused(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + PEOPLE + "2,Léa,Dupont,,F,,,\n", encoding="utf-8")
    result = run("dedupe", path)
    assert result.returncode == 2
    assert "identifiant « 2 » déjà vu ligne 3" in result.stderr


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes((HEADER + PEOPLE).encode("latin-1"))
    result = run("dedupe", path)
    assert result.returncode == 2
    assert "UTF-8" in result.stderr


def test_a_missing_file_and_a_bad_mapping_are_reported(tmp_path):
    missing = run("dedupe", tmp_path / "nowhere.csv")
    assert missing.returncode == 2 and "impossible de lire" in missing.stderr
    bad = run("dedupe", tmp_path / "nowhere.csv", "--columns", "prenom")
    assert bad.returncode == 2 and "champ=colonne" in bad.stderr


def test_short_rows_and_missing_optional_columns_read_as_empty(tmp_path):
    from reperes.matching.cli import read_records

    path = tmp_path / "short.csv"
    path.write_text("last_name;id;first_name;birth_date;commune\nDupont;1;Léa\nWeber;2;Hugo;2001-06-07;Colmar\n")
    short, full = read_records(path, {})
    assert (short.id, short.first_name, short.last_name, short.birth_date, short.commune) == (
        "1",
        "Léa",
        "Dupont",
        None,
        "",
    )
    assert (full.commune, full.postcode, full.sex, full.birth_name) == ("Colmar", "", "", "")


def test_the_flags_to_learn_weights_and_lift_the_guard_are_accepted(people, tmp_path):
    out = tmp_path / "pairs.csv"
    result = run("dedupe", people, "-o", out, "--apprendre", "--sans-garde-fous")
    assert result.returncode == 0, result.stderr
    assert ("1", "4", "same") in {(row["id_left"], row["id_right"], row["decision"]) for row in read_pairs(out)}
