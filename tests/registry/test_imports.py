"""List imports: the check reports every bad line and writes nothing, the import is all or
nothing, a repeat of a line or of a file creates nothing, limits are checked before parsing."""

import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from reperes.network.enums import Role
from reperes.privacy.models import WriteRecord
from reperes.registry.enums import ImportStatus, RowOutcome
from reperes.registry.imports import guide, reading, services, worker
from reperes.registry.models import DuplicateCandidate, ImportedRow, ListImport, Youth
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

HEADER = "NOM;PRENOM;DATE_NAISSANCE;SEXE;COMMUNE;INE;DERNIERE CLASSE"
GOOD = [
    "Muller;Léa;03/04/2008;F;Saverne;;3e",
    "Schmitt;Kevin;17/11/2007;M;67437;1234567890A;CAP",
    "Haas;Inès;2009;F;Saverne;;",
]


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def check(user, content: bytes, name: str = "liste.csv") -> ListImport:
    list_import = services.upload_list(user=user, file_name=name, content=content, kind="dropout")
    services.set_mapping(list_import, list_import.mapping)
    worker.launch(list_import, user=user)
    return list_import


def import_(user, list_import: ListImport) -> ListImport:
    services.start_import(list_import)
    worker.launch(list_import, user=user)
    return list_import


def test_headers_of_a_dropout_list_are_recognised(counsellor):
    list_import = services.upload_list(user=counsellor, file_name="l.csv", content=csv_bytes(*GOOD), kind="dropout")
    assert list_import.mapping == {
        "last_name": 0,
        "first_names": 1,
        "birth_date": 2,
        "sex": 3,
        "commune": 4,
        "ine": 5,
        "last_level": 6,
    }
    assert list_import.row_count == 3


def test_every_bad_line_is_reported_with_its_column_and_nothing_is_written(counsellor):
    bad = csv_bytes(
        GOOD[0],
        "Weber;Tom;31/02/2008;M;Saverne;;",  # no 31 February
        ";Sarah;01/01/2008;F;Saverne;;",  # no last name
        "Klein;Yanis;01/01/2001;M;Saverne;;",  # 25 today, but fine: 14–30 accepted
        "Roth;Noah;01/01/2020;M;Saverne;;",  # six years old
        "Fuchs;Emma;01/01/2008;F;Strasbourgg;;",  # unknown commune
        "Wolff;Jade;01/01/2008;F;Colmar;;",  # another Mission locale's territory
        "Bauer;Lou;01/01/2008;X;Saverne;ABC;",  # bad sex and INE
    )
    before = Youth.objects.count()
    list_import = check(counsellor, bad)
    assert list_import.status == ImportStatus.INVALID
    errors = {(e["line"], e["column"]) for e in list_import.report["errors"]}
    assert errors == {
        (3, "DATE_NAISSANCE"),
        (4, "NOM"),
        (6, "DATE_NAISSANCE"),
        (7, "COMMUNE"),
        (8, "COMMUNE"),
        (9, "SEXE"),
        (9, "INE"),
    }
    reasons = {e["line"]: e["reason"] for e in list_import.report["errors"]}
    assert reasons[3] == "cette date n'existe pas"
    assert "6 ans" in reasons[6]
    assert reasons[8] == "commune hors du territoire de la Mission locale"
    with pytest.raises(ValidationError):
        services.start_import(list_import)
    assert Youth.objects.count() == before


def test_a_clean_file_imports_once_and_a_second_time_creates_nothing(counsellor):
    list_import = check(counsellor, csv_bytes(*GOOD))
    assert list_import.status == ImportStatus.CHECKED
    assert list_import.report["counts"][RowOutcome.CREATED] == 3
    assert Youth.objects.count() == 0  # the check writes nothing
    import_(counsellor, list_import)
    list_import.refresh_from_db()
    assert list_import.status == ImportStatus.DONE and list_import.content is None
    youths = Youth.objects.order_by("last_name")
    assert [y.display_name for y in youths] == ["Inès HAAS", "Léa MULLER", "Kevin SCHMITT"]
    assert youths[0].birth_precision == "year" and youths[1].birth_date == date(2008, 4, 3)
    assert youths[2].ine == "1234567890A" and youths[2].last_level == "cap_bep"
    assert WriteRecord.objects.filter(model="registry.youth", action="import").count() == 3
    # The same file again is refused outright…
    with pytest.raises(ValidationError, match="déjà été importé"):
        services.upload_list(user=counsellor, file_name="liste.csv", content=csv_bytes(*GOOD), kind="dropout")
    # … and the same lines in another layout are recognised one by one.
    again = check(counsellor, csv_bytes(*reversed(GOOD)).replace(b"\n", b"\r\n"), name="copie.csv")
    assert again.report["counts"][RowOutcome.ALREADY] == 3
    import_(counsellor, again)
    assert Youth.objects.count() == 3


def test_a_youth_listed_twice_in_the_file_is_imported_once(counsellor):
    list_import = check(counsellor, csv_bytes(GOOD[0], GOOD[1], "MULLER;Lea;03/04/2008;F;Saverne;;"))
    lines = {line["line"]: line for line in list_import.report["lines"]}
    assert lines[4]["outcome"] == RowOutcome.IN_FILE and lines[4]["same_as_line"] == 2
    import_(counsellor, list_import)
    assert Youth.objects.count() == 2
    assert ImportedRow.objects.filter(youth__last_name="Muller").count() == 2


def test_a_known_youth_is_completed_not_duplicated(counsellor, mission):
    first = check(counsellor, csv_bytes(GOOD[0]))
    import_(counsellor, first)
    known = Youth.objects.get()
    second = check(counsellor, csv_bytes("Müller;Léa;03/04/2008;F;Saverne;2345678901B;3e"), name="rio.csv")
    assert second.report["counts"][RowOutcome.KNOWN] == 1
    import_(counsellor, second)
    known.refresh_from_db()
    assert Youth.objects.count() == 1 and known.ine == "2345678901B"
    assert known.last_name == "Muller"  # what the record holds is never overwritten


def test_a_likely_duplicate_is_created_and_sent_to_review(counsellor):
    import_(counsellor, check(counsellor, csv_bytes("Muller;Léa;03/04/2008;F;Saverne;;")))
    list_import = check(counsellor, csv_bytes("Mulller;Léa;;F;Saverne;;"), name="partenaire.csv")
    assert list_import.report["counts"][RowOutcome.REVIEW] == 1
    import_(counsellor, list_import)
    assert Youth.objects.count() == 2
    assert DuplicateCandidate.objects.filter(status="open").count() == 1


def test_limits_are_checked_before_the_file_is_parsed(counsellor, monkeypatch):
    with pytest.raises(ValidationError, match="XLSX"):
        reading.check_limits("l.xlsx", b"PK\x03\x04 not a zip")
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="plus de 2 lignes"):
        services.upload_list(user=counsellor, file_name="l.csv", content=csv_bytes(*GOOD), kind="dropout")
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="limite est de"):
        services.upload_list(user=counsellor, file_name="l.csv", content=csv_bytes(*GOOD), kind="dropout")


def test_an_xlsx_list_with_real_dates_imports(counsellor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Prénom", "Né(e) le", "Commune", "Téléphone"])
    sheet.append(["Muller", "Léa", date(2008, 4, 3), "Saverne", 612345678])  # a number: its 0 is lost
    sheet.append([None, None, None, None, None])  # a blank line keeps the line numbers of the sheet
    sheet.append(["Weber", "Tom", "pas de date", "Saverne", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    list_import = check(counsellor, buffer.getvalue(), name="liste.xlsx")
    assert list_import.file_format == "xlsx"
    assert list_import.report["errors"] == [
        {"line": 4, "column": "Né(e) le", "reason": "date illisible : écrivez-la JJ/MM/AAAA"}
    ]


def test_pages_walk_through_upload_check_and_import(client, counsellor):
    client.force_login(counsellor)
    upload = io.BytesIO(csv_bytes(*GOOD))
    upload.name = "liste.csv"
    response = client.post(reverse("registry:import_list"), {"file": upload, "kind": "dropout"})
    list_import = ListImport.objects.get()
    assert response["Location"] == reverse("registry:import_detail", args=[list_import.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Muller" in page and "Vérifier le fichier" in page  # the preview and the mapping
    data = {name: str(index) for name, index in list_import.mapping.items()}
    client.post(reverse("registry:import_mapping", args=[list_import.pk]), data)
    page = client.get(reverse("registry:import_detail", args=[list_import.pk])).content.decode()
    assert "Importer les 3 lignes" in page
    client.post(reverse("registry:import_commit", args=[list_import.pk]))
    page = client.get(reverse("registry:import_detail", args=[list_import.pk])).content.decode()
    assert "Compte rendu de l'import" in page and "Léa MULLER" in page


def test_another_mission_locales_import_answers_404(client, counsellor):
    list_import = services.upload_list(user=counsellor, file_name="l.csv", content=csv_bytes(*GOOD), kind="dropout")
    other = MembershipFactory(role=Role.COUNSELLOR, organisation=OrganisationFactory(mission_locale=True)).user
    client.force_login(other)
    assert client.get(reverse("registry:import_detail", args=[list_import.pk])).status_code == 404


def test_youths_from_a_list_are_to_be_informed_within_a_month(client, counsellor):
    import_(counsellor, check(counsellor, csv_bytes(GOOD[0])))
    youth = Youth.objects.get()
    client.force_login(counsellor)
    due = (timezone.localdate() + timedelta(days=30)).strftime("%-d")
    page = client.get(reverse("registry:signal_list")).content.decode()
    assert "1 jeune issu d'une liste à informer" in page and "Léa MULLER" in page
    page = client.get(reverse("registry:youth_detail", args=[youth.pk])).content.decode()
    assert f"informez-le avant le {due} " in page
    client.post(
        reverse("registry:consent_record", args=[youth.pk]),
        {"informed_on": timezone.localdate().isoformat(), "informed_how": "phone"},
    )
    assert "à informer" not in client.get(reverse("registry:signal_list")).content.decode()
    page = client.get(reverse("registry:youth_detail", args=[youth.pk])).content.decode()
    assert "informez-le avant" not in page and "Historique des consentements" in page


def test_the_import_sees_what_changed_in_the_registry_since_the_check(counsellor):
    list_import = check(counsellor, csv_bytes(GOOD[0]))
    assert list_import.report["counts"][RowOutcome.CREATED] == 1
    # Meanwhile a partner reports the same youth.
    report("Léa", "Muller", birth_date=date(2008, 4, 3))
    import_(counsellor, list_import)
    list_import.refresh_from_db()
    assert list_import.report["counts"][RowOutcome.KNOWN] == 1
    assert Youth.objects.count() == 1


def test_a_youth_reported_while_the_check_runs_is_seen_by_the_import(counsellor, monkeypatch):
    from reperes.registry.imports import plan as plan_module

    decide_line = plan_module._against_registry

    def meanwhile(row, list_import):
        decide_line(row, list_import)
        if row.line == 3:  # line 2 (Léa Muller) already decided: a new record
            report("Léa", "Muller", birth_date=date(2008, 4, 3))

    monkeypatch.setattr(plan_module, "_against_registry", meanwhile)
    list_import = check(counsellor, csv_bytes(*GOOD))
    monkeypatch.setattr(plan_module, "_against_registry", decide_line)
    import_(counsellor, list_import)
    assert Youth.objects.filter(last_name="Muller").count() == 1


def test_a_finished_import_cannot_be_abandoned_by_a_stale_page(counsellor):
    list_import = check(counsellor, csv_bytes(*GOOD))
    stale = ListImport.objects.get(pk=list_import.pk)  # the page with « Abandonner », still open
    import_(counsellor, list_import)
    with pytest.raises(ValidationError, match="importé"):
        services.cancel_import(stale)
    with pytest.raises(ValidationError, match="importé"):
        services.start_import(stale)  # a second click on « Importer »
    assert ListImport.objects.get(pk=list_import.pk).status == ImportStatus.DONE
    assert Youth.objects.count() == 3


def test_the_lines_to_correct_download_as_csv(client, counsellor):
    list_import = check(counsellor, csv_bytes(GOOD[0], "Weber;Tom;31/02/2008;M;Saverne;;"))
    client.force_login(counsellor)
    response = client.get(reverse("registry:import_errors_csv", args=[list_import.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["ligne;colonne;problème", "3;DATE_NAISSANCE;cette date n'existe pas"]


def test_a_youth_known_elsewhere_is_skipped_and_the_disclosure_logged(counsellor):
    from reperes.privacy.models import AccessLog

    strasbourg = OrganisationFactory(mission_locale=True, territory=area("Strasbourg", "67482"))
    elsewhere = report("Léa", "Muller", birth_date=date(2008, 4, 3), code="67482").youth
    assert elsewhere.mission_locale == strasbourg
    list_import = check(counsellor, csv_bytes(GOOD[0]))
    assert list_import.report["counts"][RowOutcome.ELSEWHERE] == 1
    assert AccessLog.objects.filter(user=counsellor, youth_id=elsewhere.pk, action="lookup").count() == 1
    import_(counsellor, list_import)
    assert Youth.objects.count() == 1  # nothing created for her here


def test_a_list_tells_who_is_known_elsewhere_only_within_the_hourly_allowance(counsellor, settings):
    """A list is no way around the brake on « déjà connu » answers: past it, a line opens a record
    here as a new one, and nothing is said of the other Mission locale."""
    OrganisationFactory(mission_locale=True, territory=area("Strasbourg", "67482"))
    report("Léa", "Muller", birth_date=date(2008, 4, 3), code="67482")
    report("Kevin", "Schmitt", birth_date=date(2007, 11, 17), code="67482")
    cache.clear()
    settings.REPERES_LOOKUPS_PER_HOUR = 10
    assert check(counsellor, csv_bytes(GOOD[0], GOOD[1])).report["counts"][RowOutcome.ELSEWHERE] == 2
    cache.clear()
    settings.REPERES_LOOKUPS_PER_HOUR = 1
    counts = check(counsellor, csv_bytes(GOOD[1], GOOD[0], GOOD[2])).report["counts"]
    assert counts[RowOutcome.ELSEWHERE] == 1 and counts[RowOutcome.CREATED] == 2


def test_the_line_limit_holds_whatever_the_line_endings(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    for ending in (b"\r", b"\r\n", b"\n"):  # a lone CR (old Mac) was counted as one line
        content = csv_bytes(*GOOD).replace(b"\n", ending)
        with pytest.raises(ValidationError, match="plus de 2 lignes"):
            reading.check_limits("l.csv", content)
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    assert reading.check_limits("l.csv", csv_bytes(*GOOD).replace(b"\n", b"\r")) == "csv"
    assert len(reading.read_table("csv", csv_bytes(*GOOD).replace(b"\n", b"\r")).rows) == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_utf16_list_is_read_with_or_without_its_byte_order_mark(counsellor, encoding):
    content = ("\n".join([HEADER, *GOOD]) + "\n").encode(encoding)
    list_import = services.upload_list(user=counsellor, file_name="l.csv", content=content, kind="dropout")
    assert list_import.columns[:2] == ["NOM", "PRENOM"] and list_import.row_count == 3
    assert check(counsellor, content).report["counts"][RowOutcome.CREATED] == 3


def test_nul_characters_are_refused_with_a_clear_reason():
    with pytest.raises(ValidationError, match="caractères nuls"):
        reading.read_table("csv", b"NOM;PRENOM\nMul\x00ler;L\xc3\xa9a\n")


def test_an_unclosed_quote_is_reported_with_its_line(counsellor):
    content = csv_bytes(GOOD[0], '"Schmitt;Kevin;17/11/2007;M;67437;;CAP', GOOD[2])
    with pytest.raises(ValidationError, match="Ligne 3 : un guillemet"):
        services.upload_list(user=counsellor, file_name="l.csv", content=content, kind="dropout")
    # A quoted cell over two lines, or text after a closing quote, still reads as spreadsheets do.
    table = reading.read_table(
        "csv", csv_bytes('"Muller";"Léa\nMarie";03/04/2008;F;Saverne;;3e', '"Haas"x;Inès;2009;F;Saverne;;')
    )
    assert [cells[:2] for _line, cells in table.rows] == [["Muller", "Léa\nMarie"], ["Haasx", "Inès"]]


def many(n: int) -> list[str]:
    """n lines of different young people of Saverne."""
    names = ["Léa", "Kevin", "Inès", "Noah", "Jade", "Lucas", "Chloé", "Hugo"]
    return [
        f"Nom{chr(65 + i % 26)}{chr(65 + i // 26)}x;{names[i % 8]};{i % 28 + 1:02d}/05/2007;;Saverne;;"
        for i in range(n)
    ]


def test_an_import_writes_in_batches_and_sees_a_signal_sent_between_two(counsellor, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    list_import = check(counsellor, csv_bytes(GOOD[1], GOOD[2], GOOD[0]))
    lock, write = services._lock_mission, services._write
    batches = []

    def lock_after_a_signal(list_import):
        if len(batches) == 1:  # between the first batch and the second, a partner reports line 4
            report("Léa", "Muller", birth_date=date(2008, 4, 3))
        lock(list_import)

    def write_batch(rows, *args, **kwargs):
        batches.append([row.line for row in rows])
        write(rows, *args, **kwargs)

    monkeypatch.setattr(services, "_lock_mission", lock_after_a_signal)
    monkeypatch.setattr(services, "_write", write_batch)
    import_(counsellor, list_import)
    list_import.refresh_from_db()
    assert batches == [[2, 3], [4]] and list_import.status == ImportStatus.DONE
    assert list_import.report["counts"][RowOutcome.KNOWN] == 1  # decided again in its batch
    assert Youth.objects.filter(last_name="Muller").count() == 1
    assert list_import.progress == list_import.row_count


def test_a_failed_import_changes_nothing_even_after_some_batches(counsellor, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    import_(counsellor, check(counsellor, csv_bytes("Muller;Léa;03/04/2008;F;Saverne;;")))
    known = Youth.objects.get()
    before = Youth.objects.count()
    # Lines 2–3: new records; line 4 completes Léa Muller (INE, class); the batch of lines 5–6 fails.
    list_import = check(
        counsellor,
        csv_bytes(GOOD[1], GOOD[2], "Muller;Léa;03/04/2008;F;Saverne;2345678901B;3e", *many(2)),
        name="rio.csv",
    )
    assert list_import.report["counts"][RowOutcome.KNOWN] == 1
    write = services._write
    batches = []

    def fail_at_the_third_batch(rows, *args, **kwargs):
        batches.append(rows)
        if len(batches) == 3:
            raise RuntimeError("disk full")
        write(rows, *args, **kwargs)

    monkeypatch.setattr(services, "_write", fail_at_the_third_batch)
    import_(counsellor, list_import)
    list_import.refresh_from_db()
    known.refresh_from_db()
    assert list_import.status == ImportStatus.FAILED and list_import.content is None
    assert list_import.report["errors"][0]["reason"] == "Erreur inattendue : rien n'a été importé."
    assert Youth.objects.count() == before and not ImportedRow.objects.filter(list_import=list_import).exists()
    assert known.ine == "" and known.last_level == ""  # its fields emptied again
    assert WriteRecord.objects.filter(model="registry.youth", object_id=known.pk, after__undone=True).exists()


def test_undoing_keeps_a_record_someone_attached_to_meanwhile(counsellor, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    list_import = check(counsellor, csv_bytes(*GOOD))
    write = services._write
    batches = []

    def a_signal_joins_then_a_crash(rows, *args, **kwargs):
        batches.append(rows)
        if len(batches) == 2:
            raise RuntimeError("crash")
        write(rows, *args, **kwargs)
        report("Léa", "Muller", birth_date=date(2008, 4, 3))  # joins the record of line 2

    monkeypatch.setattr(services, "_write", a_signal_joins_then_a_crash)
    import_(counsellor, list_import)
    list_import.refresh_from_db()
    assert list_import.status == ImportStatus.FAILED
    assert "1 dossier qu'il avait créé est gardé" in list_import.report["errors"][0]["reason"]
    assert [y.last_name for y in Youth.objects.all()] == ["Muller"]  # Kevin Schmitt's record is gone


def test_a_stalled_import_is_failed_and_undone_by_the_sweep(counsellor, monkeypatch):
    """A worker killed mid-import (here: between two batches) leaves the batches it wrote; the
    nightly sweep, or the worker's next import, marks it failed and takes them back."""
    from django.core.management import call_command

    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    list_import = check(counsellor, csv_bytes(*GOOD))
    write = services._write

    def killed_after_one_batch(rows, *args, **kwargs):
        if ImportedRow.objects.exists():
            raise KeyboardInterrupt  # not an Exception: nothing catches it, as for a killed process
        write(rows, *args, **kwargs)

    monkeypatch.setattr(services, "_write", killed_after_one_batch)
    services.start_import(list_import)
    with pytest.raises(KeyboardInterrupt):
        worker.launch(list_import, user=counsellor)
    assert Youth.objects.count() == 2 and ListImport.objects.get(pk=list_import.pk).status == ImportStatus.IMPORTING
    call_command("sweep_duplicates", verbosity=0)
    assert ListImport.objects.get(pk=list_import.pk).status == ImportStatus.IMPORTING  # not stalled yet
    ListImport.objects.filter(pk=list_import.pk).update(updated_at=timezone.now() - worker.STALLED_AFTER)
    call_command("sweep_duplicates", verbosity=0)
    list_import.refresh_from_db()
    assert list_import.status == ImportStatus.FAILED and Youth.objects.count() == 0


def test_the_upload_page_says_which_columns_formats_and_limits_a_list_may_have(client, counsellor):
    client.force_login(counsellor)
    page = client.get(reverse("registry:import_list")).content.decode()
    assert "Colonnes obligatoires : Nom de naissance, Prénom(s), Commune de résidence." in page
    for text in ("« nom de famille »", "« date de naissance »", "« code insee »", "« courriel »", "« cp »"):
        assert text in page  # synonyms the column mapping recognises
    assert "« ne e le »" not in page and "« nee le »" in page  # one spelling per header shown
    assert "UTF-16" in page and "XLSX" in page and "« ; »" in page and "« , »" in page
    assert "au plus 5\u202f000 lignes et 5 Mo" in page
    assert "?exemple=csv" in page and "?exemple=xlsx" in page
    # Every scroll box can take the keyboard's focus and is named (axe: scrollable-region-focusable).
    assert page.count('class="table-responsive"') == page.count('class="table-responsive" tabindex="0" role="region"')


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_sample_list_imports_three_made_up_youths_of_the_territory(client, counsellor, file_format):
    client.force_login(counsellor)
    response = client.get(reverse("registry:import_list"), {"exemple": file_format})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="exemple-liste-jeunes.{file_format}"'
    upload = io.BytesIO(response.content)
    upload.name = f"exemple-liste-jeunes.{file_format}"
    client.post(reverse("registry:import_list"), {"file": upload, "kind": "partner"})
    list_import = ListImport.objects.get()
    assert list_import.file_format == file_format
    assert set(list_import.mapping) == set(guide.SAMPLE_HEADERS)  # every header of the sample is recognised
    services.set_mapping(list_import, list_import.mapping)
    worker.launch(list_import, user=counsellor)
    assert list_import.status == ImportStatus.CHECKED and not list_import.report["errors"]
    import_(counsellor, list_import)
    assert list_import.status == ImportStatus.DONE
    youths = Youth.objects.order_by("last_name")
    # The communes of the territory, most populated first: Saverne, then 67300 (written as its INSEE code).
    assert [(y.last_name, y.first_names, y.commune_id) for y in youths] == [
        ("Essai", "Alix", "67437"),
        ("Exemple", "Camille", "67437"),
        ("Modèle", "Sacha", "67300"),
    ]
    assert youths[1].phone == "0639981234" and youths[1].email == "camille.exemple@example.org"
