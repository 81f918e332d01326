"""Pages of a list import: upload, columns, check, import, report. Thin: the work is in
services.py and worker.py, the access rule in privacy.policy."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.csv_export import csv_response
from reperes.network.models import User
from reperes.privacy import audit, policy
from reperes.registry.enums import ImportStatus, RowOutcome
from reperes.registry.imports import guide, services, worker
from reperes.registry.imports.forms import LIMITS, MappingForm, UploadForm
from reperes.registry.imports.reading import read_table
from reperes.registry.models import ListImport
from reperes.typing import HtmxHttpRequest

PREVIEW_LINES = 5
PAGE_SIZE = 50
LINES_PER_PAGE = 100


def _user(request: HtmxHttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not policy.can_import_lists(user):
        raise Http404
    return user


def _import(user: User, import_id: int) -> ListImport:
    return get_object_or_404(
        policy.list_imports_visible_to(user).select_related("mission_locale", "created_by"), pk=import_id
    )


def import_list(request: HtmxHttpRequest) -> HttpResponse:
    """The upload form, what the file should hold (with a sample list, `?exemple=csv` or `xlsx`),
    and the imports already made, with their reports."""
    user = _user(request)
    if request.method == "GET" and request.GET.get("exemple") in guide.FORMATS:
        return guide.sample_response(request.GET["exemple"], user.organisation)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            list_import = services.upload_list(
                user=user, file_name=upload.name, content=upload.read(), kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("registry:import_detail", import_id=list_import.pk)
    page = Paginator(policy.list_imports_visible_to(user).select_related("created_by"), 20).get_page(
        request.GET.get("page")
    )
    columns = guide.column_guide()
    required = ", ".join(column.label for column in columns if column.required)
    context = {"form": form, "page": page, "query": "", "columns": columns, "required": required, "limits": LIMITS}
    return render(request, "registry/imports/list.html", context)


@require_safe
def import_detail(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    user = _user(request)
    list_import = _import(user, import_id)
    context: dict[str, object] = {"list_import": list_import, "report": list_import.report}
    if (
        list_import.status in (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.INVALID)
        and list_import.content
    ):
        context["form"] = MappingForm(columns=list_import.columns, mapping=list_import.mapping)
        context["preview"] = _preview(list_import)
    if list_import.report.get("errors"):
        context["errors"] = Paginator(list_import.report["errors"], PAGE_SIZE).get_page(request.GET.get("page"))
    if list_import.status in (ImportStatus.CHECKED, ImportStatus.DONE):
        context["lines"] = _lines(user, list_import, request.GET.get("page"))
    counts = list_import.report.get("counts", {})
    context["outcomes"] = [
        (outcome.label, counts[outcome.value]) for outcome in RowOutcome if counts.get(outcome.value)
    ]
    return render(request, "registry/imports/detail.html", context)


def _preview(list_import: ListImport) -> dict[str, object]:
    try:
        table = read_table(list_import.file_format, bytes(list_import.content or b""))
    except ValidationError:
        return {}
    return {"columns": table.columns, "rows": table.rows[:PREVIEW_LINES]}


def _lines(user: User, list_import: ListImport, page_number: str | None) -> Page[dict[str, Any]]:
    """One page of the report's lines with the records they name; the names shown are logged as a list."""
    lines = (
        [line for line in list_import.report.get("lines", []) if line["outcome"] != RowOutcome.CREATED]
        if (list_import.status == ImportStatus.CHECKED)
        else list_import.report.get("lines", [])
    )
    page = Paginator(lines, LINES_PER_PAGE).get_page(page_number)
    ids = {line["youth"] for line in page.object_list if line.get("youth")}
    youths = {y.pk: y for y in policy.youths_visible_to(user).filter(pk__in=ids)}
    if youths:
        audit.record_list(user, sorted(youths), reason=f"import={list_import.pk}")
    labels = dict(RowOutcome.choices)
    page.object_list = [
        {**line, "label": labels[line["outcome"]], "record": youths.get(line.get("youth"))}
        for line in page.object_list
    ]
    return page


@require_POST
def import_mapping(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """Save the columns and run the check (the dry run): nothing is written to the registry."""
    user = _user(request)
    list_import = _import(user, import_id)
    form = MappingForm(request.POST, columns=list_import.columns, mapping=list_import.mapping)
    if not form.is_valid():
        messages.error(request, _("Associez une colonne à chaque champ obligatoire."))
        return redirect("registry:import_detail", import_id=list_import.pk)
    try:
        services.set_mapping(list_import, form.mapping())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:import_detail", import_id=list_import.pk)
    worker.launch(list_import, user=user)
    return redirect("registry:import_detail", import_id=list_import.pk)


@require_POST
def import_commit(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    user = _user(request)
    list_import = _import(user, import_id)
    try:
        services.start_import(list_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:import_detail", import_id=list_import.pk)
    worker.launch(list_import, user=user)
    list_import.refresh_from_db()
    if list_import.status == ImportStatus.DONE:
        messages.success(request, _("Import terminé."))
    return redirect("registry:import_detail", import_id=list_import.pk)


@require_POST
def import_cancel(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    user = _user(request)
    list_import = _import(user, import_id)
    try:
        services.cancel_import(list_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Import abandonné : le fichier a été effacé, rien n'a été importé."))
    return redirect("registry:import_list")


@require_safe
def import_progress(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """Polled while a check or an import runs; once it ends, the page reloads with its report."""
    user = _user(request)
    list_import = _import(user, import_id)
    response = render(request, "registry/imports/progress.html", {"list_import": list_import})
    if not list_import.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_safe
def import_errors_csv(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """The lines to correct, to open beside the file: line, column, reason (never a value)."""
    user = _user(request)
    list_import = _import(user, import_id)
    rows = [[e["line"] or "", e["column"], e["reason"]] for e in list_import.report.get("errors", [])]
    return csv_response(
        f"import-{list_import.pk}-lignes-a-corriger.csv", [_("ligne"), _("colonne"), _("problème")], rows
    )
