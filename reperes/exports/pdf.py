"""PDF documents from Django templates, with WeasyPrint: the bilan a coordinator sends as it is.

The templates extend `exports/pdf_base.html` (A4, French, a cover page, page numbers in the
footer, print styles for tables, key figures and charts). Charts are inlined as SVG
(`reperes.exports.charts`), so they stay sharp and their text stays text. Fonts are Debian's
DejaVu (`fonts-dejavu-core`, found through fontconfig; the charts are drawn with the same
family). Nothing is fetched from the network: the URL fetcher serves `data:` URIs and our own
static files, and refuses everything else, which stops the rendering (a template that names an
outside address is a bug, not a missing image).
"""

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from weasyprint import HTML, URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

CONTENT_TYPE = "application/pdf"
# Relative URLs in the templates resolve against this address, which is never requested.
BASE_URL = "https://reperes.invalid/"


class RefusedURL(ValueError):
    pass


class LocalFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves `data:` URIs and the files of `STATIC_URL` from the static finders; refuses the rest."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static = urlsplit(BASE_URL)._replace(path=settings.STATIC_URL).geturl()
        if not url.startswith(static) or parts.query or parts.fragment:
            raise RefusedURL(f"the PDF may not fetch {url}")
        found = finders.find(unquote(parts.path.removeprefix(settings.STATIC_URL)))
        if not isinstance(found, str):
            raise RefusedURL(f"no static file at {url}")
        path = Path(found)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document (our template's output), tagged for screen readers."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher())
    try:
        pdf = document.write_pdf(pdf_tags=True)
    except FatalURLFetchingError as error:  # a BaseException: made an ordinary error again
        raise RefusedURL(str(error)) from error
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(
    filename: str, template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> HttpResponse:
    response = HttpResponse(render_pdf(template_name, context, request=request), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
