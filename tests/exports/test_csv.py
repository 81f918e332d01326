import csv
import io

from reperes.csv_export import csv_response as legacy_csv_response
from reperes.exports.csv import csv_response, safe_cell, table_csv, table_csv_response
from tests.exports.example import figures_table


def test_the_table_is_rfc_4180_with_semicolons_a_bom_and_crlf():
    data = table_csv(figures_table())
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == "Commune;Jeunes;Heures financées;Part"
    assert lines[1] == "Saverne;1234;10234,50;60,0 %"
    # A field holding a quote or the separator is quoted, its quotes doubled.
    assert lines[2] == '"\'=HYPERLINK(""http://example.org"",""Cliquez"")";< 11;0,10;< 11'
    assert lines[3] == '"Colmar; « centre »";822;1999,99;40,0 %'
    assert lines[4] == "Total;2056;12234,59;100,0 %"
    assert lines[5] == "< 11 : effectif inférieur à 11, masqué.;;;"


def test_a_spreadsheet_reads_it_back_with_the_same_fields():
    rows = list(csv.reader(io.StringIO(table_csv(figures_table()).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert {len(row) for row in rows} == {4}
    assert rows[2][0] == '\'=HYPERLINK("http://example.org","Cliquez")'
    assert rows[2][1] == "< 11"


def test_every_formula_start_is_neutralised():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Saverne") == "Saverne" and safe_cell(-3) == -3


def test_the_responses_are_downloads_and_the_old_module_still_serves():
    assert legacy_csv_response is csv_response
    response = table_csv_response("bilan été.csv", figures_table())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''bilan%20%C3%A9t%C3%A9.csv"
    plain = csv_response("a.csv", ["=nom"], [["-1", 2]])
    assert plain["Content-Disposition"] == 'attachment; filename="a.csv"'
    assert plain.content.decode("utf-8-sig") == "'=nom\r\n'-1;2\r\n"
