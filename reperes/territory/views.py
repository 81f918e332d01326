from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from reperes.network.selectors import departements_of
from reperes.territory.forms import CommuneSearchForm
from reperes.territory.selectors import search_communes
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 25
SUGGESTIONS = 12


def commune_search(request: HtmxHttpRequest) -> HttpResponse:
    """The commune search page; with format=options, the <option> list an autocomplete field
    swaps into its datalist (the typed text comes under the field's own name)."""
    if request.GET.get("format") == "options":
        typed = request.GET.get("q") or next(
            (str(value) for key, value in request.GET.items() if key not in ("format", "csrfmiddlewaretoken")), ""
        )
        near = departements_of(request.user)
        communes = search_communes(typed[:100], limit=SUGGESTIONS, near=near) if len(typed.strip()) >= 2 else []
        return render(request, "territory/partials/commune_options.html", {"communes": communes})
    form = CommuneSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    near = departements_of(request.user) if query else set()
    page = Paginator(search_communes(query, near=near), PAGE_SIZE).get_page(request.GET.get("page")) if query else None
    context = {"form": form, "query": query, "page": page, "filters": urlencode({"q": query})}
    template = "territory/partials/commune_results.html" if request.htmx else "territory/commune_search.html"
    return render(request, template, context)
