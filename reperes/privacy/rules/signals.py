"""Who acts on a signal once it has arrived (named by reperes.privacy.policy through __all__).

A signal is the Mission locale's that received it: its counsellors and coordinators close it with its
real outcome (unreachable, declined, referred elsewhere, out of the public) and, for a contact
opportunity — sent without the youth's agreement, so without a file — reach the youth through the
partner who met them, until the youth agrees and a file is opened. The sending partner reads what
became of its signals and answers the Mission locale's request to propose a meeting, for its own
signals only. Nobody else acts on a signal. The barriers a partner ticked are named to a reader
only with the section of the file they belong to (`barrier_kinds_visible`)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation
from reperes.pathways.enums import barrier_section
from reperes.privacy.enums import Section
from reperes.privacy.rules.pathways import barrier_kinds_visible
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of
from reperes.privacy.rules.youths import (
    MISSION_LOCALE_STAFF,
    SENSITIVE_KINDS,
    sections_visible_to,
    sections_visible_to_many,
)
from reperes.registry.enums import OPEN_SIGNAL_STATUSES, Barrier, SignalStatus
from reperes.registry.models import Signal, SignalContact

__all__ = [
    "can_answer_meeting_request",
    "can_close_signal",
    "can_work_opportunity",
    "closing_destinations",
    "meeting_requests_for",
    "opportunities_sent_by",
    "opportunities_workable_by",
    "signal_barriers_shown",
    "signals_closable_by",
]


def signals_closable_by(user: AnyUser) -> QuerySet[Signal]:
    """The open signals — to triage, or contact opportunities — the user's Mission locale received,
    for its counsellors and coordinators: they close them with their real outcome."""
    own = organisation_of(user)
    if own is None or not has_role(user, *MISSION_LOCALE_STAFF):
        return Signal.objects.none()
    return Signal.objects.filter(mission_locale=own, status__in=list(OPEN_SIGNAL_STATUSES))


def can_close_signal(user: AnyUser, signal: Signal) -> bool:
    """`signals_closable_by`, for one signal (asked without a query: for a button)."""
    own = organisation_of(user)
    return (
        has_role(user, *MISSION_LOCALE_STAFF)
        and own is not None
        and signal.mission_locale_id == own.pk
        and signal.status in OPEN_SIGNAL_STATUSES
    )


def closing_destinations(user: AnyUser, signal: Signal) -> QuerySet[Organisation]:
    """The organisations a closure « orienté·e ailleurs / déjà suivi·e ailleurs » may name, for
    those who close the signal: the directory's active organisations but the receiving Mission
    locale, the funder and the platform's operator — a specialised partner (PJJ, SPIP, CSAPA, health)
    only for whoever holds its section of the youth's file, since its kind would tell it (others
    write where in a few words). A contact opportunity has no file: no specialised partner."""
    if not can_close_signal(user, signal):
        return Organisation.objects.none()
    held = sections_visible_to(user, signal.youth) if signal.youth is not None else set()
    hidden = [kind for kind, section in SENSITIVE_KINDS.items() if section not in held]
    return (
        Organisation.objects.active()
        .exclude(pk=signal.mission_locale_id)
        .exclude(kind__in=[OrganisationKind.FUNDER, OrganisationKind.OPERATOR, *hidden])
        .order_by("name")
    )


def opportunities_workable_by(user: AnyUser) -> QuerySet[Signal]:
    """The contact opportunities still open that the user's Mission locale received, for its
    counsellors and coordinators: they record the attempts made through the partner, ask it to
    propose a meeting, and open a file once the youth agreed."""
    return signals_closable_by(user).filter(status=SignalStatus.OPPORTUNITY)


def can_work_opportunity(user: AnyUser, signal: Signal) -> bool:
    """`opportunities_workable_by`, for one signal (asked without a query)."""
    return signal.status == SignalStatus.OPPORTUNITY and can_close_signal(user, signal)


def opportunities_sent_by(user: AnyUser) -> QuerySet[Signal]:
    """The contact opportunities still open that the user's organisation sent, for its partner
    workers: the Mission locale may ask them to propose a meeting to the youth, and they answer."""
    own = organisation_of(user)
    if own is None or not has_role(user, Role.PARTNER_WORKER):
        return Signal.objects.none()
    return Signal.objects.filter(organisation=own, status=SignalStatus.OPPORTUNITY)


def meeting_requests_for(user: AnyUser) -> QuerySet[Signal]:
    """`opportunities_sent_by` on which a request of the Mission locale to propose a meeting awaits
    the partner's answer."""
    return opportunities_sent_by(user).filter(pk__in=SignalContact.objects.awaiting_answer().values("signal_id"))


def can_answer_meeting_request(user: AnyUser, signal: Signal) -> bool:
    """Whether the user answers a request to propose a meeting on this signal (`meeting_requests_for`)."""
    return meeting_requests_for(user).filter(pk=signal.pk).exists()


def signal_barriers_shown(user: AnyUser, signals: Iterable[Signal]) -> dict[int, tuple[list[str], int]]:
    """For each signal (by pk), the barriers its partner ticked that this reader sees named — in the
    order of `Barrier` — and how many others it ticked. A barrier of a sensitive section (housing,
    health and addiction, justice) is named only to whoever holds that section of the youth's file
    (its référent, in practice); a contact opportunity has no file, so its sensitive barriers are
    only counted. The sections are asked once, and only for files whose signals tick a sensitive one."""
    signals = list(signals)
    common = {Section.IDENTITY, Section.PATHWAY}
    asked = {
        s.youth_id
        for s in signals
        if s.youth_id is not None and any(barrier_section(kind) not in common for kind in s.barriers)
    }
    sections = sections_visible_to_many(user, asked) if asked else {}
    shown: dict[int, tuple[list[str], int]] = {}
    for signal in signals:
        kinds = [kind for kind in Barrier.values if kind in signal.barriers]
        held = common | (sections.get(signal.youth_id, set()) if signal.youth_id is not None else set())
        visible = barrier_kinds_visible(held, kinds)
        shown[signal.pk] = (visible, len(kinds) - len(visible))
    return shown
