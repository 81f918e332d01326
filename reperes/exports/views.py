"""The pages of background exports: the user's own jobs, one job's progress (polled with htmx)
and its file. Every lookup goes through `policy.export_jobs_visible_to`: another user's job is a
404, like a missing one."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from reperes.exports.models import ExportJob
from reperes.network.models import User
from reperes.privacy import policy
from reperes.typing import HtmxHttpRequest

logger = logging.getLogger(__name__)
LIST_SIZE = 50


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


@require_safe
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    """The user's exports not yet expired, newest first."""
    jobs = policy.export_jobs_visible_to(_user(request)).unexpired().defer("content")[:LIST_SIZE]
    return render(request, "exports/job_list.html", {"jobs": jobs})


@require_safe
def job_detail(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """One export's progress; the fragment is polled every 2 s until the file is ready."""
    job = get_object_or_404(policy.export_jobs_visible_to(_user(request)).unexpired().defer("content"), pk=job_id)
    template = "exports/partials/job_status.html" if request.htmx else "exports/job_detail.html"
    return render(request, template, {"job": job})


@require_safe
def job_download(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """The file, to its owner, while it is kept. It holds aggregate figures, never a youth: the
    download is logged by id (no access-log entry, ADR 010)."""
    job: ExportJob = get_object_or_404(policy.export_jobs_visible_to(_user(request)), pk=job_id)
    if not job.is_ready:
        raise Http404
    assert job.content is not None
    logger.info("export_job=%s downloaded", job.pk)
    response = HttpResponse(bytes(job.content), content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.file_name)
    return response
