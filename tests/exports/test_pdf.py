"""The PDF a coordinator sends as it is: a cover, key figures, a chart, a table, a text — and
nothing fetched from outside."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import engines
from PIL import Image

from reperes.exports import charts
from reperes.exports.pdf import RefusedURL, html_to_pdf, pdf_response
from tests.exports.example import figures_table
from tests.exports.test_charts import STAGES

DOCUMENT = """{% extends "exports/pdf_base.html" %}
{% block content %}
<h2>Chiffres clés</h2>
{% include "exports/partials/key_figures.html" %}
{% include "exports/partials/chart.html" with svg=funnel caption="Parcours des jeunes" %}
<section style="break-before: page">
<h2>Détail</h2>
{% include "exports/partials/table.html" with table=table %}
<h2>Forces et difficultés du partenariat</h2>
<p class="qualitative">{{ text }}</p>
</section>
{% endblock %}"""


def _html(**extra) -> str:
    context = {
        "title": "Bilan de la campagne 2026",
        "subtitle": "Repérer et remobiliser les jeunes",
        "organisation": "Mission locale du Pays de Saverne",
        "period": "du 1er janvier au 31 décembre 2026",
        "figures": [("jeunes repérés", "420"), ("jeunes accompagnés", "< 11"), ("heures financées", "1 234")],
        "funnel": charts.funnel("parcours", "Parcours des jeunes", STAGES),
        "table": figures_table(),
        "text": "Le partenariat avec les clubs sportifs a permis d'aller vers des jeunes éloignés. " * 8,
        **extra,
    }
    return engines["django"].from_string(DOCUMENT).render(context)


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils (make pdf-deps) renders the pages to PNG"
)


@needs_poppler
def test_the_bilan_renders_a_cover_then_its_pages_with_the_chart_drawn(tmp_path):
    pdf = html_to_pdf(_html())
    assert pdf.startswith(b"%PDF-")
    assert _pages(pdf, tmp_path) == 3
    subprocess.run(["pdftoppm", "-r", "40", "-png", tmp_path / "bilan.pdf", tmp_path / "page"], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 3

    def share(path: Path, colour: tuple[int, int, int]) -> float:
        """The part of the page painted in (about) this colour."""
        with Image.open(path) as image:
            counts = image.convert("RGB").getcolors(maxcolors=1 << 20)
        near = sum(n for n, pixel in counts if all(abs(a - b) <= 8 for a, b in zip(colour, pixel, strict=True)))
        return near / sum(n for n, _pixel in counts)

    blue = charts.PALETTE[0]
    rgb = (int(blue[1:3], 16), int(blue[3:5], 16), int(blue[5:7], 16))
    cover, figures, detail = images
    assert 0 < share(cover, rgb) < 0.01  # the title
    assert share(figures, rgb) > 0.03  # the funnel's bars, drawn (its text alone paints < 1 %)
    assert share(detail, rgb) < 0.01 and share(detail, (0xE6, 0xE6, 0xE6)) > 0.002  # the table's header


@needs_poppler
def test_the_text_is_french_and_numbered_and_the_masked_counts_show(tmp_path):
    pdf = html_to_pdf(_html())
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert "Bilan de la campagne 2026" in pages[0] and "Page" not in pages[0]  # no number on the cover
    assert "Page 2 sur 3" in pages[1] and "Page 3 sur 3" in pages[2]
    assert "Bilan de la campagne 2026" in pages[1]  # the footer names the document
    assert "< 11" in pages[1] and "< 11" in pages[2]
    assert "=HYPERLINK" in pages[2]  # shown as it is: a PDF runs no formula
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    assert "Title:           Bilan de la campagne 2026" in info
    assert "Tagged:          yes" in info


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="https://example.org/logo.png" alt="">',
        '<img src="http://127.0.0.1:8000/static/reperes/favicon.svg" alt="">',
        '<img src="file:///etc/hostname" alt="">',
        '<link rel="stylesheet" href="/static/../../config/settings/base.py">',
    ],
)
def test_nothing_is_fetched_but_our_static_files_and_data_uris(tag):
    with pytest.raises(RefusedURL):
        html_to_pdf(f"<html><head></head><body>{tag}<p>x</p></body></html>")


def test_our_static_files_and_data_uris_are_served():
    pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
    pdf = html_to_pdf(
        '<html><head><link rel="stylesheet" href="/static/reperes/site.css"></head>'
        f'<body><img src="/static/reperes/favicon.svg" alt=""><img src="{pixel}" alt=""></body></html>'
    )
    assert pdf.startswith(b"%PDF-")


def test_the_response_is_a_download(settings):
    response = pdf_response("bilan.pdf", "exports/pdf_base.html", {"title": "Bilan"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bilan.pdf"'
    assert response.content.startswith(b"%PDF-")
