"""The workbook read back with openpyxl, as a spreadsheet would, and its XML read as it is stored."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reperes.exports.tables import Column, Kind, ReportTable
from reperes.exports.xlsx import CONTENT_TYPE, workbook_bytes, xlsx_response
from tests.exports.example import figures_table


def _sheet(data: bytes, index: int = 0):
    return load_workbook(io.BytesIO(data)).worksheets[index]


def test_numbers_are_exact_numbers_with_their_formats():
    sheet = _sheet(workbook_bytes([figures_table()], title="Exemple"))
    assert sheet["A1"].value == "Jeunes accompagnés par commune"
    assert [cell.value for cell in sheet[2]] == ["Commune", "Jeunes", "Heures financées", "Part"]
    count, amount, share = sheet["B3"], sheet["C3"], sheet["D3"]
    assert count.value == 1234 and isinstance(count.value, int) and count.number_format == "#,##0"
    assert Decimal(str(amount.value)) == Decimal("10234.50") and amount.data_type == "n"
    assert amount.number_format == '#,##0.00\\ "€"'
    assert share.value == pytest.approx(0.6) and share.number_format == "0.0%"
    assert [cell.value for cell in sheet[6]][:2] == ["Total", 2056]
    assert sheet["A8"].value == "< 11 : effectif inférieur à 11, masqué."


def test_amounts_are_stored_digit_for_digit_from_their_decimal():
    data = workbook_bytes([figures_table()], title="Exemple")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    values = re.findall(r'<c r="C\d+"[^>]*><v>([^<]+)</v>', xml)
    assert [Decimal(value) for value in values] == [
        Decimal("10234.50"),
        Decimal("0.10"),
        Decimal("1999.99"),
        Decimal("12234.59"),
    ]
    assert "<f>" not in xml  # not one formula in the file


def test_a_formula_is_text_with_a_leading_quote_and_a_masked_count_is_text():
    sheet = _sheet(workbook_bytes([figures_table()], title="Exemple"))
    formula = sheet["A4"]
    assert formula.value == '\'=HYPERLINK("http://example.org","Cliquez")' and formula.data_type == "s"
    assert sheet["B4"].value == "< 11" and sheet["B4"].data_type == "s"
    assert sheet["D4"].value == "< 11" and sheet["B4"].alignment.horizontal == "right"


def test_the_header_is_styled_and_frozen_and_the_columns_are_wide_enough():
    sheet = _sheet(workbook_bytes([figures_table()], title="Exemple"))
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].font.b and sheet["A2"].fill.fgColor.rgb == "00D9D9D9"
    assert sheet["A6"].font.b  # the total
    assert sheet.column_dimensions["A"].width >= len("=HYPERLINK(") and sheet.column_dimensions["A"].width <= 60


def test_one_sheet_per_table_or_all_stacked_and_sheet_names_excel_accepts():
    other = ReportTable(
        title="Heures / actions : [détail]",
        columns=[Column("Action"), Column("Heures", Kind.INTEGER)],
        rows=[["Atelier", 3]],
    )
    twice = ReportTable(title="Heures / actions : [détail]", columns=[Column("Action")], rows=[["Atelier"]])
    book = load_workbook(io.BytesIO(workbook_bytes([figures_table(), other, twice], title="Bilan")))
    assert book.sheetnames == ["Jeunes accompagnés par commune", "Heures actions détail", "Heures actions détail (2)"]
    stacked = load_workbook(io.BytesIO(workbook_bytes([figures_table(), other], title="Bilan 2026", stacked=True)))
    assert stacked.sheetnames == ["Bilan 2026"]
    column_a = [row[0] for row in stacked.active.iter_rows(values_only=True)]
    assert column_a[0] == "Jeunes accompagnés par commune" and "Heures / actions : [détail]" in column_a


def test_the_properties_name_reperes_not_a_person():
    book = load_workbook(io.BytesIO(workbook_bytes([figures_table()], title="Bilan =2026")))
    assert book.properties.creator == "Repères" and book.properties.lastModifiedBy == "Repères"
    assert book.properties.title == "Bilan =2026"


def test_the_response_is_a_download():
    response = xlsx_response("bilan.xlsx", [figures_table()], title="Bilan")
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="bilan.xlsx"'
    assert response.content.startswith(b"PK")
