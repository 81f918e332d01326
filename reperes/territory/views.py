from collections.abc import Collection
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from reperes.territory.forms import CommuneSearchForm
from reperes.territory.selectors import POSTCODE_COMMUNES, is_postcode, search_communes
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 25
SUGGESTIONS = 12
OPTION_PARAMETERS = ("format", "covered", "csrfmiddlewaretoken")


def _near(request: HtmxHttpRequest) -> Collection[str]:
    """The départements to rank first for this user. Territory knows nothing of organisations:
    the function that finds the user's is named in settings (the network app's)."""
    path = getattr(settings, "REPERES_NEAR_DEPARTEMENTS", "")
    return import_string(path)(request.user) if path else ()


@require_safe
def commune_search(request: HtmxHttpRequest) -> HttpResponse:
    """The commune search page; with format=options, the <option> list an autocomplete field
    swaps into its datalist (the typed text comes under the field's own name): every commune of
    a postcode typed in full, else the best SUGGESTIONS; with covered=1, only communes a Mission
    locale covers."""
    if request.GET.get("format") == "options":
        typed = request.GET.get("q") or next(
            (str(value) for key, value in request.GET.items() if key not in OPTION_PARAMETERS), ""
        )
        typed = typed[:100]
        limit = POSTCODE_COMMUNES if is_postcode(typed.strip()) else SUGGESTIONS
        covered = request.GET.get("covered") == "1"
        communes = (
            search_communes(typed, limit=limit, near=_near(request), covered=covered)
            if len(typed.strip()) >= 2
            else []
        )
        return render(request, "territory/partials/commune_options.html", {"communes": communes})
    form = CommuneSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = None
    if query:
        page = Paginator(search_communes(query, near=_near(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "query": query, "page": page, "filters": urlencode({"q": query})}
    template = "territory/partials/commune_results.html" if request.htmx else "territory/commune_search.html"
    return render(request, template, context)
