import logging
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.actions import act
from reperes.exports.pdf import pdf_response
from reperes.matching import Outcome, Record
from reperes.network.models import Organisation, User
from reperes.network.services import display_value, field_label
from reperes.pathways.enums import barrier_section
from reperes.pathways.selectors import pathway_stage_label
from reperes.pathways.services import max_attempts
from reperes.privacy import audit, policy
from reperes.privacy.enums import SENSITIVE_SECTIONS, AccessAction, Section
from reperes.privacy.throttle import allow_lookup
from reperes.registry import subject_access
from reperes.registry.enums import Barrier, MeetingAnswer, SignalConsent, SignalStatus
from reperes.registry.forms import (
    AssignForm,
    ConsentForm,
    MeetingAnswerForm,
    OpenFileForm,
    OpportunityContactForm,
    SignalCloseForm,
    SignalForm,
    YouthForm,
    YouthSearchForm,
)
from reperes.registry.identity import find_known, record_of
from reperes.registry.models import DuplicateCandidate, Signal, Youth
from reperes.registry.review import mark_distinct, merge_candidate
from reperes.registry.selectors import (
    Reading,
    caseload,
    contact_opportunities,
    duplicate_queue,
    handover_target,
    inform_by,
    information_due,
    opportunity_contacts,
    readings_by_others,
    signals_sent,
    to_inform,
    triage_queue,
)
from reperes.registry.services import (
    EDITABLE_FIELDS,
    answer_meeting_request,
    ask_partner_for_meeting,
    assign_referent,
    close_signal,
    draft_youth,
    merge_signal_into,
    open_file_from_opportunity,
    opportunity_unanswered_in_a_row,
    record_consent,
    record_opportunity_contact,
    send_signal,
    unmerge_youths,
    update_youth,
    withdraw_consent,
)
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 25
# The triage page lists at most this many youths to inform and contact opportunities (the most
# urgent, the most recent) and says how many there are in all.
SHOWN_AT_MOST = 50

logger = logging.getLogger(__name__)


def _merged(_merge: object) -> str:
    return _("Dossiers fusionnés. Vous pouvez annuler la fusion depuis ce dossier.")


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def signal_create(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_send_signals(user):
        raise Http404
    form = SignalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            signal = send_signal(author=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Signalement envoyé. Merci ! Il est transmis à : %(ml)s.") % {"ml": signal.mission_locale}
            )
            return redirect("registry:signal_list")
    return render(request, "registry/signal_form.html", {"form": form})


@require_safe
def signal_list(request: HtmxHttpRequest) -> HttpResponse:
    """For a partner, what became of the signals it sent; for Mission locale staff, the triage
    queue and the contact opportunities."""
    user = _user(request)
    if policy.can_triage_signals(user):
        queue, due = list(triage_queue(user)), information_due(user, limit=SHOWN_AT_MOST)
        labels = policy.signal_senders_labels(user, queue)
        for signal in queue:
            signal.organisation_label = labels[signal.pk]  # type: ignore[attr-defined]
        # A youth reported twice, or both reported and to inform, is named twice but shown once.
        shown = {s.youth_id for s in queue if s.youth_id} | {y.pk for y, _d in due}
        audit.record_list(user, sorted(shown), reason="a-trier")
        opportunities = contact_opportunities(user)
        listed = list(opportunities[:SHOWN_AT_MOST])
        _set_barriers(user, [*queue, *listed])
        context = {
            "queue": queue,
            "opportunities": listed,
            "opportunity_count": opportunities.count() if len(listed) >= SHOWN_AT_MOST else len(listed),
            "duplicates": duplicate_queue(user).count(),
            "to_inform": due,
            "inform_count": to_inform(user).count() if len(due) >= SHOWN_AT_MOST else len(due),
            "shown_at_most": SHOWN_AT_MOST,
            "today": timezone.localdate(),
        }
        return render(request, "registry/signal_queue.html", context)
    if not policy.can_send_signals(user):
        raise Http404
    page = Paginator(signals_sent(user), PAGE_SIZE).get_page(request.GET.get("page"))
    # Asked once for the page, and only when the Mission locale waits for an answer on it.
    asked = [s.pk for s in page.object_list if s.meeting_asked]  # type: ignore[attr-defined]
    answerable = set(policy.meeting_requests_for(user).filter(pk__in=asked).values_list("pk", flat=True))
    for signal in page.object_list:
        signal.referent_contact = policy.can_see_referent_contact(user, signal)  # type: ignore[attr-defined]
        signal.can_answer = signal.pk in answerable  # type: ignore[attr-defined]
    # The names the partner typed are those of records of the Mission locale: shown again, logged.
    # (An opportunity that became a file shows only the first name or nickname the partner typed.)
    named = {s.youth_id for s in page.object_list if s.youth_id and s.last_name}
    audit.record_list(user, sorted(named), reason="signalements-envoyes")
    context = {"page": page, "query": "", "answers": MeetingAnswer.choices}
    return render(request, "registry/signals_sent.html", context)


def _set_barriers(user: User, signals: list[Signal]) -> None:
    """Each signal's barriers as this reader may see them: `barriers_named` (labels) and
    `barriers_others` (how many more, not named: a sensitive section the reader does not hold)."""
    shown = policy.signal_barriers_shown(user, signals)
    for signal in signals:
        named, others = shown[signal.pk]
        signal.barriers_named = [str(Barrier(kind).label) for kind in named]  # type: ignore[attr-defined]
        signal.barriers_others = others  # type: ignore[attr-defined]


@require_safe
def signal_detail(request: HtmxHttpRequest, signal_id: int) -> HttpResponse:
    user = _user(request)
    if not policy.can_triage_signals(user):
        raise Http404
    signal = get_object_or_404(
        policy.signals_visible_to(user).select_related("youth__referent", "organisation", "author", "referred_to"),
        pk=signal_id,
    )
    # A file that has moved to another Mission locale, or been closed, is no longer the user's to
    # read: the signal then shows only its own words, as this Mission locale received them.
    sections = policy.sections_visible_to(user, signal.youth) if signal.youth else set()
    youth = signal.youth if sections else None
    signal.organisation_label = policy.signal_senders_labels(user, [signal])[signal.pk]  # type: ignore[attr-defined]
    _set_barriers(user, [signal])
    if youth is not None:
        barrier_sections = {
            barrier_section(kind) for kind in policy.signal_barriers_shown(user, [signal])[signal.pk][0]
        }
        revealed = (
            policy.sections_shown(sections, organisations=[signal.organisation], labelled=barrier_sections)
            & SENSITIVE_SECTIONS
        )
        audit.record_read(user, youth.pk, sections={Section.IDENTITY} | revealed, reason="triage")
    form = AssignForm(mission_locale=signal.mission_locale, initial={"referent": youth.referent_id if youth else None})
    maybe_known = _maybe_known(user, signal) if youth is not None else []
    can_close, can_work = policy.can_close_signal(user, signal), policy.can_work_opportunity(user, signal)
    contacts = list(opportunity_contacts(signal))
    context = {
        "signal": signal,
        "youth": youth,
        "form": form,
        "maybe_known": maybe_known,
        "can_close": can_close,
        "close_form": SignalCloseForm(organisations=policy.closing_destinations(user, signal)) if can_close else None,
        "can_work": can_work,
        "contacts": contacts,
        "pending": any(not contact.outcome for contact in contacts),
        "contact_form": OpportunityContactForm(initial={"happened_on": timezone.localdate()}) if can_work else None,
        "unanswered": opportunity_unanswered_in_a_row(signal) if can_work else 0,
        "max_attempts": max_attempts(),
        # A PJJ unit or a CSAPA tells a section: named only to whoever holds it.
        "referred_to_label": policy.organisation_label(signal.referred_to, sections) if signal.referred_to else "",
    }
    return render(request, "registry/signal_detail.html", context)


def _maybe_known(user: User, signal: Signal) -> list[dict[str, object]]:
    if signal.youth is None or signal.status != SignalStatus.NEW:
        return []
    return _known_as_seen_by(user, record_of(signal.youth), exclude=signal.youth.pk)


def _known_as_seen_by(user: User, record: Record, *, exclude: int | None = None) -> list[dict[str, object]]:
    """Records the engine takes for this person. A record the user may not see is announced as
    known to its Mission locale, with no detail; each record named is logged as a list entry."""
    decision, youths = find_known(record, exclude=exclude)
    if decision.outcome == Outcome.NEW:
        return []
    shown: list[dict[str, object]] = []
    named: list[int] = []
    for match in decision.matches or ((decision.best,) if decision.best else ()):
        youth = youths[match.id]
        visible = not policy.announces_existence_only(user, youth)
        if visible:
            named.append(youth.pk)
        shown.append(
            {
                "youth": youth if visible else None,
                "mission_locale": youth.mission_locale,
                "explanation": match.explanation if visible else "",
                "certain": decision.outcome == Outcome.SAME,
            }
        )
    audit.record_list(user, named, reason="deja-connu")
    # Telling that a Mission locale knows a person is itself a disclosure: the référent sees who asked.
    announced = [youths[m.id].pk for m in decision.matches or (decision.best,) if m and youths[m.id].pk not in named]
    audit.record_access(user, announced, action=AccessAction.LOOKUP, reason="deja-connu")
    return shown


@require_POST
def signal_known(request: HtmxHttpRequest) -> HttpResponse:
    """While the signal form is filled: « cette personne est peut-être déjà connue ». Asked only
    with the youth's agreement and enough to tell people apart (first name, last name, commune)."""
    user = _user(request)
    if not policy.can_send_signals(user):
        raise Http404
    form = SignalForm(request.POST)
    form.is_valid()  # partial forms are expected: use what is clean
    data = form.cleaned_data
    maybe_known: list[dict[str, object]] = []
    if data.get("consent") == SignalConsent.CONTACT and data.get("first_name") and data.get("last_name"):
        if not allow_lookup(user.pk):
            logger.warning("user=%s: « déjà connu » lookups suspended for the hour", user.pk)
            return render(request, "registry/partials/maybe_known.html", {"suspended": True, "in_form": True})
        if data.get("commune"):
            draft = draft_youth(
                first_name=data["first_name"],
                last_name=data["last_name"],
                commune=data["commune"],
                birth_date=data.get("birth_date"),
                approximate_age=data.get("approximate_age"),
                sex=data.get("sex", ""),
            )
            maybe_known = _known_as_seen_by(user, record_of(draft))
    return render(request, "registry/partials/maybe_known.html", {"maybe_known": maybe_known, "in_form": True})


def _signal_to_triage(user: User, signal_id: int) -> Signal:
    if not policy.can_triage_signals(user):
        raise Http404
    return get_object_or_404(policy.signals_visible_to(user), pk=signal_id)


@require_POST
def signal_assign(request: HtmxHttpRequest, signal_id: int) -> HttpResponse:
    user = _user(request)
    signal = _signal_to_triage(user, signal_id)
    form = AssignForm(request.POST, mission_locale=signal.mission_locale)
    back = redirect("registry:signal_detail", signal_id=signal.pk)
    if not form.is_valid():
        messages.error(request, _("Choisissez un·e référent·e de la Mission locale."))
        return back
    return act(
        request,
        lambda: assign_referent(signal, referent=form.cleaned_data["referent"], acting_user=user),
        done=_("Référent·e désigné·e."),
        then=lambda youth: redirect("registry:youth_detail", youth_id=youth.pk),
        refused=back,
    )


@require_POST
def signal_dismiss(request: HtmxHttpRequest, signal_id: int) -> HttpResponse:
    """Close a signal still open with its real outcome (`close_signal`): a closed one is refused
    with its status named, nothing changed."""
    user = _user(request)
    signal = _signal_to_triage(user, signal_id)
    back = redirect("registry:signal_detail", signal_id=signal.pk)
    # Any active organisation is read here; the service checks it may be named (closing_destinations).
    form = SignalCloseForm(request.POST, organisations=Organisation.objects.active())
    # An unknown status is the service's to refuse, in words (a youth known is a merge).
    if not form.is_valid() and set(form.errors) != {"status"}:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    data = {**form.cleaned_data, "status": request.POST.get("status", "")}
    return act(
        request,
        lambda: close_signal(signal, acting_user=user, **data),
        done=lambda closed: _("Signalement classé : %(status)s.") % {"status": closed.get_status_display()},
        then=redirect("registry:signal_list"),
        refused=back,
    )


def _opportunity(user: User, opportunity_id: int) -> Signal:
    """A contact opportunity the user's Mission locale received and works (404 otherwise)."""
    return get_object_or_404(policy.opportunities_workable_by(user).select_related("organisation"), pk=opportunity_id)


@require_POST
def opportunity_contact(request: HtmxHttpRequest, opportunity_id: int) -> HttpResponse:
    """Record an attempt to reach the youth of a contact opportunity (through the partner, mostly)."""
    user = _user(request)
    signal = _opportunity(user, opportunity_id)
    back = redirect("registry:signal_detail", signal_id=signal.pk)
    form = OpportunityContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    return act(
        request,
        lambda: record_opportunity_contact(signal, acting_user=user, **form.cleaned_data),
        done=_("Tentative de contact enregistrée."),
        then=back,
        refused=back,
    )


@require_POST
def opportunity_ask_meeting(request: HtmxHttpRequest, opportunity_id: int) -> HttpResponse:
    """Ask the sending partner to propose a meeting to the youth; it sees the request on its list."""
    user = _user(request)
    signal = _opportunity(user, opportunity_id)
    back = redirect("registry:signal_detail", signal_id=signal.pk)
    return act(
        request,
        lambda: ask_partner_for_meeting(signal, acting_user=user),
        done=_("Demande envoyée : %(partner)s la verra sur ses signalements.") % {"partner": signal.organisation},
        then=back,
        refused=back,
    )


def opportunity_open_file(request: HtmxHttpRequest, opportunity_id: int) -> HttpResponse:
    """The youth met through the partner agreed: the opportunity becomes a named signal to triage."""
    user = _user(request)
    signal = _opportunity(user, opportunity_id)
    initial = {
        "first_name": signal.first_name,
        "approximate_age": signal.approximate_age,
        "informed_on": timezone.localdate(),
    }
    form = OpenFileForm(request.POST or None, initial=initial, partner=signal.organisation.name)
    if request.method == "POST" and form.is_valid():
        try:
            opened = open_file_from_opportunity(signal, acting_user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dossier ouvert : désignez maintenant son ou sa référent·e."))
            return redirect("registry:signal_detail", signal_id=opened.pk)
    return render(request, "registry/opportunity_open_file.html", {"signal": signal, "form": form})


@require_POST
def opportunity_answer(request: HtmxHttpRequest, opportunity_id: int) -> HttpResponse:
    """The sending partner answers the request to propose a meeting (accepted, refused, not seen)."""
    user = _user(request)
    signal = get_object_or_404(policy.opportunities_sent_by(user), pk=opportunity_id)
    back = redirect("registry:signal_list")
    form = MeetingAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une réponse."))
        return back
    return act(
        request,
        lambda: answer_meeting_request(signal, answer=form.cleaned_data["answer"], acting_user=user),
        done=_("Réponse transmise à la Mission locale. Merci !"),
        then=back,
        refused=back,
    )


def youth_list(request: HtmxHttpRequest) -> HttpResponse:
    """The caseload. The name searched travels in a POST body, never in the URL."""
    user = _user(request)
    if not policy.can_view_personal_data(user):
        raise Http404
    form = YouthSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    sort = (form.cleaned_data["sort"] if form.is_valid() else "") or "name"
    mine_only = request.POST.get("mine") == "1" if request.method == "POST" else request.GET.get("mine") == "1"
    page_number = request.POST.get("page") or request.GET.get("page")
    page = Paginator(caseload(user, query=query, mine_only=mine_only, sort=sort), PAGE_SIZE).get_page(page_number)
    audit.record_list(user, [youth.pk for youth in page.object_list], reason="liste")
    context = {"form": form, "page": page, "mine_only": mine_only, "sort": sort}
    template = "registry/partials/youth_results.html" if request.htmx else "registry/youth_list.html"
    return render(request, template, context)


@require_safe
def youth_detail(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = get_object_or_404(
        policy.youths_visible_to(user).select_related("commune", "referent", "mission_locale"), pk=youth_id
    )
    sections = policy.sections_visible_to(user, youth)
    show_sensitive = Section.HEALTH in sections
    signals = list(
        policy.file_signals_visible_to(user, youth).select_related("organisation", "commune").order_by("created_at")
    )
    for signal in signals:
        signal.organisation_label = policy.organisation_label(signal.organisation, sections)  # type: ignore[attr-defined]
    consent = youth.consents.filter(withdrawn_at=None).prefetch_related("share_with").first()
    holds_file = policy.can_edit_youth(user, youth)
    consent_history = (
        list(youth.consents.prefetch_related("share_with").select_related("recorded_by")) if holds_file else []
    )
    named = [signal.organisation for signal in signals]
    labelled: set[str] = set()
    for item in [consent, *consent_history] if consent else consent_history:
        # The sections a consent shares are named only to those who hold them.
        item.shown_sections = [str(Section(code).label) for code in item.sensitive_sections if code in sections]  # type: ignore[attr-defined]
        labelled |= set(item.sensitive_sections) & sections
        if holds_file:  # a partner reads « votre structure », not the list of the others
            item.share_labels = [policy.organisation_label(o, sections) for o in item.share_with.all()]  # type: ignore[attr-defined]
            named.extend(item.share_with.all())
    shown = policy.sections_shown(
        sections,
        barriers_shown=show_sensitive and any(s.barriers for s in signals),
        organisations=named,
        labelled=labelled,
    )
    audit.record_read(user, youth.pk, sections=shown, reason="dossier")
    # The file names the records merged into it (to the Mission locale only): each is a youth shown.
    merges = list(policy.merges_shown_to(user, youth).select_related("absorbed", "merged_by"))
    audit.record_list(user, sorted({merge.absorbed_id for merge in merges}), reason="dossier-fusionne")
    # One question for all the merges shown (policy.can_undo_merge asks it per merge).
    undoable = set(policy.merges_undoable_by(user).filter(pk__in=[m.pk for m in merges]).values_list("pk", flat=True))
    for merge in merges:
        merge.undoable = merge.pk in undoable  # type: ignore[attr-defined]
    context = {
        "youth": youth,
        "signals": signals,
        "sections": sections,
        "show_sensitive": show_sensitive,
        "merges": merges,
        "consent": consent,
        "can_edit": holds_file,
        "can_export_subject_access": policy.can_export_subject_access(user, youth),
        "holds_file": holds_file,
        "consent_history": consent_history,
        "inform_by": inform_by(youth) if holds_file else None,
        "listed": (
            youth.imported_rows.select_related("list_import").order_by("list_import__finished_at")
            if holds_file
            else []
        ),
        "consent_form": (
            ConsentForm(
                initial={"informed_on": timezone.localdate()},
                partners=policy.consent_partners(user, youth),
                sections=sections,
            )
            if policy.can_replace_consent(user, youth)
            else None
        ),
        "can_manage_consent": policy.can_manage_consent(user, youth),
        "readers": _readers(youth, user, sections) if youth.referent_id == user.pk else None,
        "stage_label": pathway_stage_label(youth),
        "can_refer": policy.can_refer(user, youth),
    }
    return render(request, "registry/youth_detail.html", context)


def _readers(youth: Youth, user: User, sections: set[str]) -> tuple[list[Reading], int]:
    readings, total = readings_by_others(youth, user)
    for reading in readings:
        if reading.organisation_obj is not None:
            reading.label = policy.organisation_label(reading.organisation_obj, sections)
    return readings, total


@require_POST
def signal_merge(request: HtmxHttpRequest, signal_id: int, youth_id: int) -> HttpResponse:
    user = _user(request)
    signal = _signal_to_triage(user, signal_id)
    known = get_object_or_404(policy.youths_visible_to(user), pk=youth_id)
    return act(
        request,
        lambda: merge_signal_into(signal, known, acting_user=user),
        done=_merged,
        then=redirect("registry:youth_detail", youth_id=known.pk),
        refused=redirect("registry:signal_detail", signal_id=signal.pk),
    )


@require_POST
def merge_undo(request: HtmxHttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    merge = get_object_or_404(policy.merges_undoable_by(user), pk=merge_id)
    return act(
        request,
        lambda: unmerge_youths(merge, acting_user=user),
        done=_("Fusion annulée : les deux dossiers sont rétablis."),
        then=lambda restored: redirect("registry:youth_detail", youth_id=restored.pk),
        refused=redirect("registry:youth_detail", youth_id=merge.kept_id),
    )


@require_POST
def consent_record(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = get_object_or_404(policy.youths_visible_to(user), pk=youth_id)
    if not policy.can_manage_consent(user, youth):
        raise Http404
    form = ConsentForm(
        request.POST, partners=policy.consent_partners(user, youth), sections=policy.sections_visible_to(user, youth)
    )
    back = redirect("registry:youth_detail", youth_id=youth.pk)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    return act(
        request,
        lambda: record_consent(youth, acting_user=user, **form.cleaned_data),
        done=_("Consentement enregistré."),
        then=back,
        refused=back,
    )


@require_POST
def consent_withdraw(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = get_object_or_404(policy.youths_visible_to(user), pk=youth_id)
    if not policy.can_manage_consent(user, youth):
        raise Http404
    withdraw_consent(youth, acting_user=user)
    messages.success(request, _("Consentement retiré : plus aucun partage à partir de maintenant."))
    return redirect("registry:youth_detail", youth_id=youth.pk)


@require_safe
def duplicate_list(request: HtmxHttpRequest) -> HttpResponse:
    """The pairs of records the engine takes for one person, or cannot tell apart."""
    user = _user(request)
    if not policy.can_triage_signals(user):
        raise Http404
    page = Paginator(duplicate_queue(user), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {pk for candidate in page.object_list for pk in (candidate.youth_a_id, candidate.youth_b_id)}
    audit.record_list(user, sorted(shown), reason="doublons")
    return render(request, "registry/duplicate_list.html", {"page": page, "query": ""})


def _candidate(user: User, candidate_id: int) -> DuplicateCandidate:
    if not policy.can_triage_signals(user):
        raise Http404
    return get_object_or_404(duplicate_queue(user), pk=candidate_id)


COMPARED_FIELDS = [
    "first_names",
    "last_name",
    "usage_name",
    "sex",
    "birth_date",
    "commune",
    "phone",
    "email",
    "ine",
    "left_school_on",
    "last_level",
    "referent",
    "created_at",
]


@require_safe
def duplicate_detail(request: HtmxHttpRequest, candidate_id: int) -> HttpResponse:
    """The two records side by side, with the engine's explanation; differences stand out."""
    user = _user(request)
    candidate = _candidate(user, candidate_id)
    a, b = candidate.youth_a, candidate.youth_b
    for youth in (a, b):
        # Identity and contact details, and the school situation (pathway) of both records.
        audit.record_read(
            user, youth.pk, sections=(Section.IDENTITY, Section.PATHWAY), reason=f"doublon={candidate.pk}"
        )
    rows = []
    for name in COMPARED_FIELDS:
        values = [_shown(youth, name) for youth in (a, b)]
        rows.append(
            {"label": field_label(Youth, name), "a": values[0], "b": values[1], "differs": values[0] != values[1]}
        )
    signals = {youth.pk: list(youth.signals.select_related("organisation").order_by("created_at")) for youth in (a, b)}
    labels = policy.signal_senders_labels(user, [*signals[a.pk], *signals[b.pk]])
    for signal in [*signals[a.pk], *signals[b.pk]]:
        signal.organisation_label = labels[signal.pk]  # type: ignore[attr-defined]
    context = {
        "candidate": candidate,
        "a": a,
        "b": b,
        "rows": rows,
        "signals_a": signals[a.pk],
        "signals_b": signals[b.pk],
    }
    return render(request, "registry/duplicate_detail.html", context)


def _shown(youth: Youth, name: str) -> str:
    if name == "birth_date":
        if youth.birth_date is None or youth.birth_precision == "unknown":
            return "—"
        return f"{formats.date_format(youth.birth_date, 'SHORT_DATE_FORMAT')} ({youth.get_birth_precision_display()})"
    value = getattr(youth, name)
    if name == "referent":
        return value.get_full_name() if value else "—"
    if name == "commune":
        return value.label if value else "—"
    if hasattr(youth, f"get_{name}_display") and value:
        return str(getattr(youth, f"get_{name}_display")())
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return display_value(value) or "—"


@require_POST
def duplicate_merge(request: HtmxHttpRequest, candidate_id: int) -> HttpResponse:
    user = _user(request)
    candidate = _candidate(user, candidate_id)
    keep = candidate.youth_a if request.POST.get("keep") == str(candidate.youth_a_id) else candidate.youth_b
    if request.POST.get("keep") not in (str(candidate.youth_a_id), str(candidate.youth_b_id)):
        messages.error(request, _("Choisissez le dossier à garder."))
        return redirect("registry:duplicate_detail", candidate_id=candidate.pk)
    return act(
        request,
        lambda: merge_candidate(candidate, keep=keep, acting_user=user),
        done=_merged,
        then=redirect("registry:youth_detail", youth_id=keep.pk),
        refused=redirect("registry:duplicate_list"),
    )


@require_POST
def duplicate_distinct(request: HtmxHttpRequest, candidate_id: int) -> HttpResponse:
    user = _user(request)
    candidate = _candidate(user, candidate_id)
    return act(
        request,
        lambda: mark_distinct(candidate, acting_user=user),
        done=_("Noté : ce sont deux personnes différentes. Cette paire ne sera plus proposée."),
        then=redirect("registry:duplicate_list"),
        refused=redirect("registry:duplicate_list"),
    )


def youth_edit(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    """Keep the record up to date. A concurrent edit is refused with the other person's version
    left intact; a move out of the territory hands the file to the new commune's Mission locale."""
    user = _user(request)
    youth = get_object_or_404(policy.youths_visible_to(user).select_related("commune"), pk=youth_id)
    if not policy.can_edit_youth(user, youth):
        raise Http404
    initial = {name: getattr(youth, name) for name in EDITABLE_FIELDS + ["referent"]}
    initial["version"] = youth.updated_at.isoformat()
    form = YouthForm(request.POST or None, initial=initial, youth=youth, user=user)
    handover, conflict = None, False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or ""  # never None: a form without its version is refused
        if "referent" not in form.changed_data:
            del data["referent"]  # kept as it is, whoever may or may not change it
        # Handing the file over loses the user's access to it: said first, done once confirmed.
        handover = handover_target(youth, data["commune"])
        # The confirmation names one Mission locale: another commune chosen meanwhile asks again.
        if handover is None or request.POST.get("confirm_handover") == str(handover.pk):
            try:
                saved = update_youth(youth, acting_user=user, version=version, **data)
            except ValidationError as error:
                conflict = getattr(error, "code", None) == "concurrent_edit"
                form.add_error(None, error)
            else:
                return _after_save(request, youth, saved)
    audit.record_read(user, youth.pk, sections=(Section.IDENTITY, Section.PATHWAY), reason="modification")
    context = {"youth": youth, "form": form, "handover": handover, "conflict": conflict}
    return render(request, "registry/youth_edit.html", context)


def _after_save(request: HtmxHttpRequest, youth: Youth, saved: Youth) -> HttpResponse:
    if saved.mission_locale_id != youth.mission_locale_id:
        messages.success(
            request,
            _("Dossier transmis à la Mission locale dont relève la nouvelle commune : %(ml)s.")
            % {"ml": saved.mission_locale},
        )
        return redirect("registry:youth_list")
    messages.success(request, _("Dossier enregistré."))
    return redirect("registry:youth_detail", youth_id=youth.pk)


@require_safe
def youth_subject_access(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    """Everything held about the youth, for their référent to hand over (right of access): a PDF to
    read, or with ?format=json a file to reuse. Logged as an export of every part of the file."""
    user = _user(request)
    youth = get_object_or_404(policy.youths_visible_to(user).select_related("mission_locale"), pk=youth_id)
    if not policy.can_export_subject_access(user, youth):
        raise Http404
    parts = subject_access.gather(youth)
    audit.record_export(user, youth.pk, sections=Section.values, reason="droit-d-acces")
    logger.info("subject access export youth=%s user=%s", youth.pk, user.pk)
    day = timezone.localdate()
    if request.GET.get("format") == "json":
        response = JsonResponse(
            subject_access.as_json(youth, parts), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        response["Content-Disposition"] = content_disposition_header(True, f"droit-d-acces-{youth.pk}-{day}.json")
        return response
    context = {
        "parts": parts,
        "title": _("Vos données dans Repères"),
        "subtitle": youth.display_name,
        "organisation": youth.mission_locale.name,
        "made_on": day,
    }
    return pdf_response(
        f"droit-d-acces-{youth.pk}-{day}.pdf", "registry/subject_access_pdf.html", context, request=request
    )
