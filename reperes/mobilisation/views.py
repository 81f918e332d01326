"""Views of the app (thin: they ask the policy, call one service, render)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.actions import act
from reperes.mobilisation.enums import AttendanceStatus
from reperes.mobilisation.forms import ACTION_FIELDS, ActionForm, EnrolSearchForm, SessionForm
from reperes.mobilisation.models import Action
from reperes.mobilisation.selectors import (
    ACTION_ORDER,
    actions_list,
    attendance_rate,
    enrolled_rows,
    hours_label,
    partner_choices,
    sessions_with_counts,
)
from reperes.mobilisation.services import (
    add_session,
    create_action,
    enrol_youth,
    record_attendance,
    update_action,
    withdraw_enrolment,
)
from reperes.network.models import User
from reperes.privacy import audit, policy
from reperes.registry.selectors import caseload
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 25
SEARCH_RESULTS = 10


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _action(user: User, action_id: int) -> Action:
    return get_object_or_404(
        policy.actions_visible_to(user).select_related("mission_locale", "commune", "updated_by"), pk=action_id
    )


@require_safe
def action_list(request: HtmxHttpRequest) -> HttpResponse:
    """The actions the user sees (titles, dates, counts: no youth is named)."""
    user = _user(request)
    if not policy.can_see_actions(user):
        raise Http404
    sort = request.GET.get("tri", "date")
    sort = sort if sort in ACTION_ORDER else "date"
    page = Paginator(actions_list(user, sort=sort), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "sorts": [("date", _("date")), ("titre", _("intitulé")), ("commune", _("commune")), ("places", _("places"))],
        "query": f"tri={sort}",
        "can_create": policy.can_create_actions(user),
    }
    return render(request, "mobilisation/action_list.html", context)


def action_create(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_create_actions(user):
        raise Http404
    assert user.organisation is not None
    form = ActionForm(request.POST or None, partners=partner_choices(user.organisation))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ACTION_FIELDS}
        try:
            action = create_action(acting_user=user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action créée. Ajoutez ses séances, puis inscrivez des jeunes."))
            return redirect("mobilisation:action_detail", action_id=action.pk)
    return render(request, "mobilisation/action_form.html", {"form": form, "action": None})


def action_edit(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    """Edit an action; a save from a form opened before someone else's save is refused, naming them."""
    user = _user(request)
    action = _action(user, action_id)
    if not policy.can_manage_action(user, action):
        raise Http404
    initial: dict[str, Any] = {name: getattr(action, name) for name in ACTION_FIELDS if name != "partners"}
    initial["partners"] = list(action.partners.all())
    initial["version"] = action.version
    form = ActionForm(request.POST or None, initial=initial, partners=partner_choices(action.mission_locale, action))
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ACTION_FIELDS}
        try:
            update_action(action, acting_user=user, version=form.cleaned_data["version"] or None, **data)
        except ValidationError as error:
            conflict = getattr(error, "code", None) == "concurrent_edit"
            form.add_error(None, error)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect("mobilisation:action_detail", action_id=action.pk)
    return render(request, "mobilisation/action_form.html", {"form": form, "action": action, "conflict": conflict})


@require_safe
def action_detail(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    """The action, its sessions and attendance rate; the youths enrolled and their hours for the
    organising Mission locale (logged), the counts only for a partner running it."""
    user = _user(request)
    action = _action(user, action_id)
    manages = policy.can_manage_action(user, action)
    sessions = sessions_with_counts(action)
    now = timezone.now()
    for session in sessions:
        session.past = session.starts_at <= now  # type: ignore[attr-defined]
    rows = enrolled_rows(user, action) if manages else []
    audit.record_list(user, [row.enrolment.youth_id for row in rows], reason="action")
    minutes = sum(row.minutes for row in rows)
    context = {
        "action": action,
        "partners": list(action.partners.order_by("name")),
        "sessions": sessions,
        "rows": rows,
        "enrolled": len(rows) if manages else action.enrolments.filter(withdrawn_at=None).count(),
        "rate": attendance_rate(sessions),
        "hours": hours_label(minutes),
        "manages": manages,
        "can_record": policy.can_record_attendance(user, sessions[0]) if sessions else False,
        "session_form": SessionForm() if manages else None,
        "search_form": EnrolSearchForm() if manages else None,
    }
    return render(request, "mobilisation/action_detail.html", context)


@require_POST
def session_create(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    action = _action(user, action_id)
    if not policy.can_manage_action(user, action):
        raise Http404
    form = SessionForm(request.POST)
    back = redirect("mobilisation:action_detail", action_id=action.pk)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    return act(
        request,
        lambda: add_session(action, acting_user=user, **form.cleaned_data),
        done=_("Séance ajoutée."),
        then=back,
        refused=back,
    )


@require_POST
def enrol_search(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    """The youths of the caseload matching a name, to enrol; the name travels in the body. Only
    the results shown are logged."""
    user = _user(request)
    action = _action(user, action_id)
    if not policy.can_manage_action(user, action):
        raise Http404
    form = EnrolSearchForm(request.POST)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = []
    if query:
        candidates = policy.enrolment_candidates(user, action).values("pk")
        enrolled = action.enrolments.filter(withdrawn_at=None).values("youth_id")
        results = list(caseload(user, query=query).filter(pk__in=candidates).exclude(pk__in=enrolled)[:SEARCH_RESULTS])
    audit.record_list(user, [youth.pk for youth in results], reason="inscription")
    context = {"action": action, "results": results, "query": query, "search_form": form}
    template = "mobilisation/partials/enrol_results.html" if request.htmx else "mobilisation/enrol_search.html"
    return render(request, template, context)


@require_POST
def enrol(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    """Enrol the youth whose id the body carries."""
    user = _user(request)
    action = _action(user, action_id)
    if not policy.can_manage_action(user, action):
        raise Http404
    back = redirect("mobilisation:action_detail", action_id=action.pk)
    youth_id = request.POST.get("youth", "")
    youth = policy.youths_visible_to(user).filter(pk=int(youth_id)).first() if youth_id.isdigit() else None
    if youth is None:
        messages.error(request, _("Vous ne pouvez inscrire que des jeunes dont votre Mission locale suit le dossier."))
        return back
    return act(
        request,
        lambda: enrol_youth(action, youth=youth, acting_user=user),
        done=lambda enrolment: _("%(name)s est inscrit·e.") % {"name": enrolment.youth.display_name},
        then=back,
        refused=back,
    )


@require_POST
def withdraw(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    """Take the enrolment whose id the body carries off the action."""
    user = _user(request)
    action = _action(user, action_id)
    if not policy.can_manage_action(user, action):
        raise Http404
    enrolment_id = request.POST.get("enrolment", "")
    enrolment = (
        action.enrolments.filter(pk=int(enrolment_id), withdrawn_at=None).first() if enrolment_id.isdigit() else None
    )
    back = redirect("mobilisation:action_detail", action_id=action.pk)
    if enrolment is None:
        messages.error(request, _("Ce jeune n'est plus inscrit à cette action : rechargez la page."))
        return back
    return act(
        request,
        lambda: withdraw_enrolment(enrolment, acting_user=user),
        done=lambda e: (
            _("%(name)s ne fait plus partie de l'action ; ses présences restent enregistrées.")
            % {"name": e.youth.display_name}
        ),
        then=back,
        refused=back,
    )


def attendance_sheet(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    """One row per youth enrolled, three big choices each, one button: made for a phone. Names as
    the policy allows (first name and initial for a partner who may not see the file), logged."""
    user = _user(request)
    session = get_object_or_404(policy.sessions_visible_to(user).select_related("action"), pk=session_id)
    if not policy.can_record_attendance(user, session):
        raise Http404
    if request.method == "POST":
        statuses = {
            int(key.removeprefix("status-")): request.POST.get(key, "")
            for key in request.POST
            if key.startswith("status-") and key.removeprefix("status-").isdigit()
        }
        back = redirect("mobilisation:attendance_sheet", session_id=session.pk)
        return act(
            request,
            lambda: record_attendance(session, acting_user=user, statuses=statuses),
            done=_("Présences enregistrées."),
            then=back,
            refused=back,
        )
    rows = enrolled_rows(user, session.action, session)
    audit.record_list(user, [row.enrolment.youth_id for row in rows], reason="presences")
    context = {
        "session": session,
        "action": session.action,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "started": session.starts_at <= timezone.now(),
        "manages": policy.can_manage_action(user, session.action),
    }
    return render(request, "mobilisation/attendance_sheet.html", context)
