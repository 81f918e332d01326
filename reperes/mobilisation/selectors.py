"""Reads of reperes.mobilisation. `timeline_entries`, `home_card`, `youths_needing_attention` and
`youth_ids_needing_attention` are called by other apps; keep their signatures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import FirstValue, Lead, RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reperes.mobilisation.enums import AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways.timeline import TimelineEntry
from reperes.privacy import policy
from reperes.registry.models import Youth

ACTION_ORDER = {
    "date": ("-starts_on", "-pk"),
    "titre": ("title", "pk"),
    "commune": ("commune__name", "-starts_on", "pk"),
    "places": ("capacity", "-starts_on", "pk"),
}
HOME_CARD_SIZE = 5


def actions_list(user: User, *, sort: str = "date") -> QuerySet[Action]:
    """The actions the user sees, with the number of youths enrolled (`enrolled`)."""
    return (
        policy.actions_visible_to(user)
        .select_related("mission_locale", "commune")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__withdrawn_at=None), distinct=True))
        .order_by(*ACTION_ORDER.get(sort, ACTION_ORDER["date"]))
    )


def partner_choices(mission: Organisation, action: Action | None = None) -> QuerySet[Organisation]:
    """The partners an action of this Mission locale may name: active partners serving its territory
    or located in it, and those the action already names."""
    communes = mission.territory.communes.values("pk") if mission.territory is not None else []
    serving = Q(territory__communes__in=communes) | Q(commune__in=communes)
    chosen = Q(pk__in=action.partners.values("pk")) if action is not None else Q(pk__in=[])
    ids = Organisation.objects.partners().filter((Q(is_active=True) & serving) | chosen).values("pk")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def minutes_attended(enrolment_ids: Iterable[int]) -> dict[int, int]:
    """Enrolment pk -> minutes of the sessions the youth was present at (0 when none)."""
    ids = list(enrolment_ids)
    rows = (
        Attendance.objects.filter(enrolment_id__in=ids, status=AttendanceStatus.PRESENT)
        .values("enrolment_id")
        .annotate(minutes=Sum("session__duration_minutes"))
    )
    totals = dict.fromkeys(ids, 0)
    totals.update({row["enrolment_id"]: row["minutes"] or 0 for row in rows})
    return totals


def hours_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@dataclass
class SheetRow:
    enrolment: Enrolment
    name: str
    full: bool  # named in full (the reader may see the file)
    status: str
    minutes: int = 0

    @property
    def hours(self) -> str:
        return hours_label(self.minutes)


def short_name(youth: Youth) -> str:
    """First name and initial of the last name: what a partner reads on an attendance sheet."""
    last = youth.usage_name or youth.last_name
    return f"{youth.first_names} {last[:1].upper()}." if last else youth.first_names


def enrolled_rows(user: User, action: Action, session: Session | None = None) -> list[SheetRow]:
    """The youths enrolled in the action, named as `policy.youths_named_in_full` says, with each
    one's status at the session (when given) and minutes attended."""
    enrolments = list(action.enrolments.filter(withdrawn_at=None).select_related("youth"))
    full = policy.youths_named_in_full(user, [e.youth_id for e in enrolments])
    statuses = dict(session.attendances.values_list("enrolment_id", "status")) if session is not None else {}
    minutes = minutes_attended(e.pk for e in enrolments)
    rows = [
        SheetRow(
            enrolment=e,
            name=e.youth.display_name if e.youth_id in full else short_name(e.youth),
            full=e.youth_id in full,
            status=statuses.get(e.pk, ""),
            minutes=minutes[e.pk],
        )
        for e in enrolments
    ]
    return sorted(rows, key=lambda row: (row.enrolment.youth.sort_name, row.enrolment.pk))


def sessions_with_counts(action: Action) -> list[Session]:
    """The action's sessions, each with `present`, `recorded` (attendances recorded) counts."""
    return list(
        action.sessions.annotate(
            present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
            recorded=Count("attendances"),
        ).order_by("starts_at", "pk")
    )


def attendance_rate(sessions: Iterable[Session]) -> int | None:
    """Present among the attendances recorded, in percent; None when nothing is recorded yet."""
    sessions = list(sessions)
    recorded = sum(s.recorded for s in sessions)  # type: ignore[attr-defined]
    if not recorded:
        return None
    return round(100 * sum(s.present for s in sessions) / recorded)  # type: ignore[attr-defined]


# --- For the other apps --------------------------------------------------------------------------


def _session_day(session: Session) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "j F Y")


def _status_sentence(status: str, title: str, day: str) -> str:
    if status == AttendanceStatus.PRESENT:
        text = _("Présent·e à « %(title)s », séance du %(day)s")
    elif status == AttendanceStatus.ABSENT:
        text = _("Absent·e à « %(title)s », séance du %(day)s")
    else:
        text = _("Excusé·e à « %(title)s », séance du %(day)s")
    return text % {"title": title, "day": day}


def timeline_entries(user: User, youth: Youth) -> list[TimelineEntry]:
    """The youth's enrolments and attendances that this user may see (`policy.enrolments_shown_on_file`),
    as entries of kind « attendance »; organisations named as `policy.organisation_label` names them."""
    enrolments = list(
        policy.enrolments_shown_on_file(user, youth).select_related("action__mission_locale", "enrolled_by")
    )
    if not enrolments:
        return []
    sections = policy.sections_visible_to(user, youth)
    entries = [
        TimelineEntry(
            at=e.enrolled_at,
            kind="attendance",
            label=_("Inscrit·e à l'action « %(title)s »") % {"title": e.action.title},
            author=e.enrolled_by.get_full_name(),
            organisation=policy.organisation_label(e.action.mission_locale, sections),
        )
        for e in enrolments
    ]
    attendances = Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments]).select_related(
        "session__action", "recorded_by", "organisation"
    )
    entries += [
        TimelineEntry(
            at=a.session.starts_at,
            kind="attendance",
            label=_status_sentence(a.status, a.session.action.title, _session_day(a.session)),
            author=a.recorded_by.get_full_name(),
            organisation=policy.organisation_label(a.organisation, sections),
        )
        for a in attendances
    ]
    return sorted(entries, key=lambda entry: entry.at)


def sessions_to_record(user: User) -> QuerySet[Session]:
    """Past sessions (of the last 60 days) of the actions the user sees with youths enrolled and
    no attendance recorded yet."""
    now = timezone.now()
    return (
        policy.sessions_visible_to(user)
        .filter(starts_at__lte=now, starts_at__gte=now - timedelta(days=60), attendances=None)
        .filter(action__enrolments__withdrawn_at=None)
        .distinct()
        .select_related("action")
        .order_by("-starts_at", "pk")
    )


def home_card(user: User) -> dict[str, Any]:
    """Context for `mobilisation/partials/home_card.html`. A partner worker: « présences à saisir »,
    the past sessions of the actions their organisation runs whose attendance is not recorded yet.
    Mission locale staff: the upcoming sessions of their Mission locale's actions. Nobody else, and
    nobody whose organisation has no action: {} (no card). No youth is named."""
    if user.role not in (Role.PARTNER_WORKER, Role.COUNSELLOR, Role.COORDINATOR):
        return {}
    if not policy.actions_visible_to(user).exists():
        return {}
    if user.role == Role.PARTNER_WORKER:
        sessions = sessions_to_record(user)
        return {"to_record": True, "sessions": list(sessions[:HOME_CARD_SIZE]), "count": sessions.count()}
    upcoming = (
        policy.sessions_visible_to(user)
        .filter(starts_at__gt=timezone.now())
        .select_related("action")
        .order_by("starts_at", "pk")
    )
    return {"to_record": False, "sessions": list(upcoming[:HOME_CARD_SIZE]), "count": upcoming.count()}


def _last_of_two_absences(among: QuerySet[Youth] | None = None) -> QuerySet[Attendance]:
    """For each enrolment not withdrawn (of these youths, when given) whose last two attendances
    recorded are both « absent », its last attendance: one pass over the attendances, numbered
    latest first in each enrolment (window functions), no subquery per enrolment."""
    attendances = Attendance.objects.filter(enrolment__withdrawn_at=None)
    if among is not None:
        attendances = attendances.filter(enrolment__youth__in=among)
    enrolment = F("enrolment_id")
    latest_first = [F("session__starts_at").desc(), F("session_id").desc()]
    return attendances.annotate(
        rank=Window(RowNumber(), partition_by=enrolment, order_by=latest_first),
        last_status=Window(FirstValue("status"), partition_by=enrolment, order_by=latest_first),
        # On the first row, the attendance before the last one.
        previous_status=Window(Lead("status"), partition_by=enrolment, order_by=latest_first),
    ).filter(rank=1, last_status=AttendanceStatus.ABSENT, previous_status=AttendanceStatus.ABSENT)


def youth_ids_needing_attention(among: QuerySet[Youth] | None = None) -> QuerySet[Attendance, Any]:
    """The youths `youths_needing_attention` flags (among these youths, when given: a queryset, it
    stays a subquery), as a queryset of youth ids for the caseload's « à risque » filter and count:
    `pk__in=youth_ids_needing_attention(among=youths)`. The database decides, no list of ids goes
    through Python."""
    return _last_of_two_absences(among).values("enrolment__youth_id")


def youths_needing_attention(youth_ids: Iterable[int]) -> dict[int, str]:
    """Youths whose last two attendances recorded in an action they are still enrolled in are
    both « absent » (an excused absence breaks the row), with the reason « deux absences de suite à
    « <action> » » (the action of their first such enrolment). One query, for the few youths of a
    page: the rule is `youth_ids_needing_attention`'s."""
    ids = list(youth_ids)
    if not ids:
        return {}
    rows = _last_of_two_absences(Youth.objects.filter(pk__in=ids)).values_list(
        "enrolment__youth_id", "enrolment_id", "enrolment__action__title"
    )
    flagged: dict[int, str] = {}
    for youth_id, _enrolment, title in sorted(rows):
        flagged.setdefault(youth_id, _("deux absences de suite à « %(title)s »") % {"title": title})
    return flagged
