"""The charts as a page, a screen reader and a printer get them."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import engines

from reperes.exports import charts
from reperes.exports.tables import Kind, Suppressed

NS = {"svg": charts.SVG_NS}
STAGES = [
    ("Repérés", 420),
    ("Contactés", 310),
    ("Rencontrés", 180),
    ("Accompagnés", Suppressed()),
    ("En emploi ou formation", 95),
]


def _funnel():
    return charts.funnel("parcours", "Parcours des jeunes", STAGES, description="Campagne 2026.")


def _grouped(stacked=False):
    return charts.grouped_bars(
        "genre",
        "Jeunes par âge et genre",
        ["16–17 ans", "18–21 ans"],
        [("Femmes", [12, Suppressed()]), ("Hommes", [30, 55])],
        stacked=stacked,
    )


def _bars(svg: str, colour: str) -> int:
    return len(re.findall(rf'<path [^>]*fill="{colour}"', svg))


def test_a_chart_has_a_title_and_a_description_that_name_it():
    svg = _funnel()
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "parcours-title parcours-desc"
    title, desc = list(root)[:2]
    assert title.tag == f"{{{charts.SVG_NS}}}title" and title.text == "Parcours des jeunes"
    assert desc.get("id") == "parcours-desc"
    assert desc.text == (
        "Campagne 2026. Repérés : 420 (100,0\u202f%) ; Contactés : 310 (73,8\u202f%) ; "
        "Rencontrés : 180 (42,9\u202f%) ; Accompagnés : < 11 ; En emploi ou formation : 95 (22,6\u202f%)."
    )


def test_a_masked_value_is_no_bar_but_says_less_than_eleven():
    assert _bars(_funnel(), charts.PALETTE[0]) == 4
    assert "&lt; 11" in _funnel()
    bars = charts.horizontal_bars("communes", "Par commune", [("Saverne", 120), ("Colmar", Suppressed())])
    assert _bars(bars, charts.PALETTE[0]) == 1 and "&lt; 11" in bars
    grouped = _grouped()
    assert _bars(grouped, charts.PALETTE[0]) == 1 + 1  # one bar of Femmes, and its legend key
    hatched = re.findall(r'<path [^>]*fill="url\(#genre-h[0-9a-f]+\)"', grouped)
    assert len(hatched) == 2 + 1  # both bars of Hommes, hatched, and their legend key
    stacked = _grouped(stacked=True)
    assert "Femmes : &lt; 11" in stacked


def test_the_same_data_give_the_same_bytes():
    assert _funnel() == _funnel()
    assert _grouped(stacked=True) == _grouped(stacked=True)
    assert charts.funnel("parcours", "Parcours des jeunes", STAGES[:4]) != _funnel()


def test_text_stays_text_and_nothing_is_fetched_or_styled_inline():
    svg = _grouped()
    assert "<text" in svg and "font-family=\"'DejaVu Sans', sans-serif\"" in svg
    assert "style=" not in svg and "<style" not in svg  # the pages' CSP allows no inline style
    assert "<metadata" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg
    urls = re.findall(r"(?:href|src)=\"([^\"#][^\"]*)\"|url\((?!#)([^)]*)\)", svg)
    assert urls == []
    assert "http" not in svg.replace(charts.SVG_NS, "") and "xlink" not in svg


def test_the_svg_namespace_is_the_default_one_whatever_other_code_registered():
    ET.register_namespace("svg", charts.SVG_NS)  # as an XML library might (WeasyPrint's metadata does)
    svg = _grouped()
    assert svg.startswith(f'<svg xmlns="{charts.SVG_NS}" ') and "svg:" not in svg and "ns0:" not in svg


def test_ids_are_prefixed_so_two_charts_share_a_page():
    svg = _grouped()
    ids = re.findall(r' id="([^"]+)"', svg)
    assert ids and all(identifier.startswith("genre-") for identifier in ids)
    references = re.findall(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"", svg)
    assert references and all(ref in ids for pair in references for ref in pair if ref)


def test_labels_are_escaped_and_never_read_as_tex():
    svg = charts.horizontal_bars("x", "Coûts <b>", [("5 $ & <script>", Decimal("12.5"))], kind=Kind.MONEY)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "5 $ &amp;" in svg  # mathtext would have eaten the dollar
    assert "12,50\u00a0€" in svg


def test_the_palette_passes_wcag_aa_for_white_text_and_against_the_page():
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in charts.PALETTE:
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour
    assert len(set(charts.HATCHES)) == len(charts.HATCHES)  # series differ in greyscale too


def test_a_template_inlines_our_svg_and_escapes_any_other_string():
    template = engines["django"].from_string("{{ chart }}|{{ other }}")
    svg = _funnel()
    html = template.render({"chart": svg, "other": "<svg onload=alert(1)>"})
    assert html.startswith("<svg ") and "&lt;svg onload" in html
    assert type(svg + "") is str  # changed, it is no longer ours


def test_a_chart_id_must_be_an_html_id():
    with pytest.raises(ValueError, match="chart id"):
        charts.horizontal_bars("1 bad", "T", [("a", 1)])
