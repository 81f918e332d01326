from decimal import Decimal

import pytest

from reperes.exports.tables import Column, Kind, ReportTable, Suppressed, display, format_decimal

NNBSP = "\u202f"


def test_french_formats_group_thousands_with_thin_spaces_and_use_a_decimal_comma():
    assert format_decimal(1234567, 0) == f"1{NNBSP}234{NNBSP}567"
    assert format_decimal(Decimal("-1234.505"), 2) == f"-1{NNBSP}234,51"  # half up, never banker's
    assert display(Decimal("10234.5"), Kind.MONEY) == f"10{NNBSP}234,50\u00a0€"
    assert display(Decimal("0.253"), Kind.PERCENT) == f"25,3{NNBSP}%"
    assert display(12, Kind.INTEGER) == "12"
    assert display(None, Kind.INTEGER) == ""


def test_a_masked_cell_reads_as_its_text_whatever_its_column():
    assert display(Suppressed(), Kind.INTEGER) == "< 11"
    assert display(Suppressed(display="secret statistique"), Kind.MONEY) == "secret statistique"


def test_a_table_refuses_a_row_of_the_wrong_width_and_a_float_amount():
    columns = [Column("Commune"), Column("Montant", Kind.MONEY)]
    with pytest.raises(ValueError, match="2 columns"):
        ReportTable(title="T", columns=columns, rows=[["Saverne"]])
    with pytest.raises(TypeError, match="float"):
        ReportTable(title="T", columns=columns, rows=[["Saverne", 0.1]])
    with pytest.raises(TypeError, match="str"):
        ReportTable(title="T", columns=[Column("Jeunes", Kind.INTEGER)], rows=[["12"]])


def test_the_displayed_rows_mark_numbers_and_masked_cells():
    table = ReportTable(
        title="T", columns=[Column("Commune"), Column("Jeunes", Kind.INTEGER)], rows=[["Saverne", Suppressed()]]
    )
    ((first, second),) = table.displayed_rows()
    assert (first.text, first.numeric, first.suppressed) == ("Saverne", False, False)
    assert (second.text, second.numeric, second.suppressed) == ("< 11", True, True)
    assert table.has_suppressed
