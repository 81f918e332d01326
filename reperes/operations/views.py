"""The operator's pages: the health endpoint for the reverse proxy, the scheduled jobs with their
last runs and the retention job's passes for platform administrators (a 404 for everyone else,
like a missing page)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from reperes.network.models import User
from reperes.operations import selectors, services
from reperes.operations.schedule import job as scheduled_job
from reperes.privacy import policy

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 while the process answers and reaches its database, 503 otherwise: what the proxy and
    the process manager ask before sending traffic (docs/deployment.md). Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health: database unreachable")
        return JsonResponse({"status": "erreur", "base": "injoignable"}, status=503)
    return JsonResponse({"status": "ok", "base": "ok"})


def _admin(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware
    if not policy.can_view_scheduled_jobs(user):
        raise Http404
    return user


@require_safe
def jobs(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    rows = [(row, policy.can_launch_scheduled_job(user, pending=row.pending)) for row in selectors.job_rows()]
    return render(request, "operations/jobs.html", {"rows": rows})


@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    job = scheduled_job(request.POST.get("job", ""))
    if job is None:
        raise Http404
    if not policy.can_launch_scheduled_job(user, pending=selectors.pending(job)):
        messages.warning(
            request, _("« %(job)s » est déjà en attente ou en cours : rien n'a été relancé.") % {"job": job.label}
        )
        return redirect("operations:jobs")
    services.launch(job, acting_user=user)
    logger.info("scheduled job %s launched by user=%s", job.key, user.pk)
    messages.success(
        request, _("« %(job)s » est lancée : le traitement en arrière-plan l'exécute.") % {"job": job.label}
    )
    return redirect("operations:jobs")


def _retention_admin(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware
    if not policy.can_view_retention_runs(user):
        raise Http404
    return user


@require_safe
def retention(request: HttpRequest) -> HttpResponse:
    user = _retention_admin(request)
    context = {
        "rows": selectors.retention_runs(),
        "can_simulate": policy.can_simulate_retention(user, pending=selectors.retention_pending()),
        "file_days": settings.REPERES_RETENTION_FILE_DAYS,
        "first_age_anonymised": settings.REPERES_RETENTION_AGE_LIMIT + 1,
        "signal_days": settings.REPERES_RETENTION_SIGNAL_DAYS,
        "access_log_days": settings.REPERES_RETENTION_ACCESS_LOG_DAYS,
    }
    return render(request, "operations/retention.html", context)


@require_POST
def retention_dry_run(request: HttpRequest) -> HttpResponse:
    user = _retention_admin(request)
    if not policy.can_simulate_retention(user, pending=selectors.retention_pending()):
        messages.warning(
            request, _("Un passage de la conservation est déjà en attente ou en cours : rien n'a été relancé.")
        )
        return redirect("operations:retention")
    services.simulate_retention(acting_user=user)
    logger.info("retention dry run launched by user=%s", user.pk)
    messages.success(
        request,
        _(
            "La simulation est lancée : elle apparaîtra ci-dessous une fois exécutée (rechargez la page). "
            "Rien ne sera modifié."
        ),
    )
    return redirect("operations:retention")
