"""Who may see or do what in reperes.mobilisation (named by reperes.privacy.policy through __all__).

An action belongs to the Mission locale that organises it: its counsellors and coordinators create
and edit it, add its sessions and enrol in it the youths whose files they hold. The partners who
run it see it and record attendance at its sessions; so does the Mission locale. Nobody else
(another Mission locale, a partner that does not run it, the funder, the administrator) sees it.

Data minimisation on the attendance sheet: a partner running an action needs to tell who is there,
not to read files. The sheet names a youth in full only to someone who may already see the youth's
file (`youths_visible_to`: the Mission locale holding it, a partner named by a consent in force);
everyone else allowed on the sheet reads the first name and the initial of the last name
(« Nadia Z. »). Both are names shown: the view logs every row with `audit.record_list`
(reason « presences »). The action's own page lists the enrolled youths to the organising Mission
locale only; a partner reads the counts there."""

from collections.abc import Iterable

from django.db.models import QuerySet

from reperes.mobilisation.models import Action, Enrolment, Session
from reperes.network.enums import OrganisationKind, Role
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of
from reperes.privacy.rules.youths import MISSION_LOCALE_STAFF, can_edit_youth, youths_visible_to
from reperes.registry.enums import YouthStatus
from reperes.registry.models import Youth

__all__: list[str] = [
    "actions_visible_to",
    "can_create_actions",
    "can_enrol_youth",
    "can_manage_action",
    "can_record_attendance",
    "can_see_actions",
    "enrolment_candidates",
    "enrolments_shown_on_file",
    "sessions_visible_to",
    "youths_named_in_full",
]


def _mission_locale_of(user: AnyUser) -> int | None:
    """The pk of the user's Mission locale when they are its counsellor or coordinator."""
    own = organisation_of(user)
    if own is None or not has_role(user, *MISSION_LOCALE_STAFF) or own.kind != OrganisationKind.MISSION_LOCALE:
        return None
    return own.pk


def can_see_actions(user: AnyUser) -> bool:
    """Mission locale staff (their Mission locale's actions) and partner workers (the actions
    their organisation runs) open the list of actions; the funder and administrators do not."""
    return has_role(user, *MISSION_LOCALE_STAFF, Role.PARTNER_WORKER) and organisation_of(user) is not None


def can_create_actions(user: AnyUser) -> bool:
    """Counsellors and coordinators of a Mission locale create its actions."""
    return _mission_locale_of(user) is not None


def actions_visible_to(user: AnyUser) -> QuerySet[Action]:
    """Mission locale staff: the actions their Mission locale organises. Partner workers: the
    actions their organisation runs (one of its partners). Nobody else."""
    own = organisation_of(user)
    if own is None:
        return Action.objects.none()
    if (mission := _mission_locale_of(user)) is not None:
        return Action.objects.filter(mission_locale_id=mission)
    if has_role(user, Role.PARTNER_WORKER):
        return Action.objects.filter(partners=own)  # one row per action: one organisation
    return Action.objects.none()


def can_manage_action(user: AnyUser, action: Action) -> bool:
    """Staff of the organising Mission locale edit the action, add its sessions and enrol youths;
    the partners running it do not."""
    mission = _mission_locale_of(user)
    return mission is not None and action.mission_locale_id == mission


def sessions_visible_to(user: AnyUser) -> QuerySet[Session]:
    """The sessions of the actions the user sees (`actions_visible_to`)."""
    return Session.objects.filter(action__in=actions_visible_to(user))


def can_record_attendance(user: AnyUser, session: Session) -> bool:
    """Staff of the organising Mission locale, and workers of the partners running the action,
    record who attended a session."""
    if can_manage_action(user, session.action):
        return True
    own = organisation_of(user)
    return (
        has_role(user, Role.PARTNER_WORKER) and own is not None and session.action.partners.filter(pk=own.pk).exists()
    )


def enrolment_candidates(user: AnyUser, action: Action) -> QuerySet[Youth]:
    """The youths this user may enrol in the action: active files the user's Mission locale holds,
    when it organises the action (a partner never enrols)."""
    if not can_manage_action(user, action):
        return Youth.objects.none()
    return youths_visible_to(user).filter(mission_locale_id=action.mission_locale_id, status=YouthStatus.ACTIVE)


def can_enrol_youth(user: AnyUser, action: Action, youth: Youth) -> bool:
    """Staff of the organising Mission locale, for a youth whose active file that Mission locale
    holds (`can_edit_youth`)."""
    return (
        can_manage_action(user, action)
        and can_edit_youth(user, youth)
        and youth.mission_locale_id == (action.mission_locale_id)
    )


def youths_named_in_full(user: AnyUser, youth_ids: Iterable[int]) -> set[int]:
    """Among these youths, those whose full name the attendance sheet shows this user: the ones
    whose file the user may see. The others are named by first name and initial (module docstring)."""
    return set(youths_visible_to(user).filter(pk__in=list(youth_ids)).values_list("pk", flat=True))


def enrolments_shown_on_file(user: AnyUser, youth: Youth) -> QuerySet[Enrolment]:
    """A youth's enrolments (and so attendance) on their pathway, for someone who may see the file:
    all of them for the Mission locale holding it; for anyone else, those in actions they see
    (a partner reads the actions it runs)."""
    if not youths_visible_to(user).filter(pk=youth.pk).exists():
        return Enrolment.objects.none()
    enrolments = Enrolment.objects.filter(youth=youth)
    mission = _mission_locale_of(user)
    if mission is not None and youth.mission_locale_id == mission:
        return enrolments
    return enrolments.filter(action__in=actions_visible_to(user))
