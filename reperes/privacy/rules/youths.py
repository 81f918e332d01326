"""Young people's files, the signals that report them, their consents and merges.

The grants, in one paragraph (ADR 008): the Mission locale that holds a file reads it (identity
and pathway for its counsellors and coordinators, every section for the youth's référent). A
partner reads a file only while a consent in force names its organisation, and then only the
sections that consent shares, or while a referral to its organisation is active (sent, received,
accepted), and then only the sections that referral shares; sending a signal grants nothing beyond
the signal itself and what became of it. The funder and the platform's administrators never read a person."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation, User
from reperes.privacy.enums import SENSITIVE_SECTIONS, Section
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of, role_of
from reperes.referrals.models import Referral
from reperes.registry.enums import SignalStatus, YouthStatus
from reperes.registry.models import Consent, ListImport, Merge, Signal, Youth

MISSION_LOCALE_STAFF = (Role.COUNSELLOR, Role.COORDINATOR)

# Organisations whose kind alone tells something sensitive about the youths they report: named
# only to those who hold the matching section of the file, « un partenaire spécialisé » to others.
SENSITIVE_KINDS: dict[str, str] = {
    OrganisationKind.PJJ: Section.JUSTICE,
    OrganisationKind.SPIP: Section.JUSTICE,
    OrganisationKind.CSAPA: Section.HEALTH,
    OrganisationKind.HEALTH: Section.HEALTH,
}


def can_view_personal_data(user: AnyUser) -> bool:
    """The funder never sees a person (décret i-milo: anonymised data only); neither does the
    platform operator's administrator, who manages accounts and reference data."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER)


def can_follow_youths(user: AnyUser) -> bool:
    """Counsellors and coordinators of a Mission locale hold caseloads."""
    return has_role(user, *MISSION_LOCALE_STAFF)


def _consents_naming(organisation: Organisation) -> QuerySet[Consent]:
    return Consent.objects.filter(withdrawn_at=None, share_with=organisation)


def _referrals_to(organisation: Organisation) -> QuerySet[Referral]:
    """Referrals that open a file to the partner today: sent, received or accepted, an unanswered
    one only until its expiry (a declined, done, expired or withdrawn one opens nothing)."""
    return Referral.objects.active().filter(to_organisation=organisation)


def youths_visible_to(user: AnyUser) -> QuerySet[Youth]:
    """Counsellors and coordinators of the Mission locale that holds the file; a partner worker
    while a consent in force names their organisation (a withdrawal, or a new consent that no
    longer names it, closes the file at once) or while a referral to their organisation is active
    (sent, received, accepted: declined, done, expired or withdrawn, it closes the file). Merged
    and closed records are not shown."""
    role = role_of(user)
    youths = Youth.objects.active()
    own = organisation_of(user)
    if own is None or role not in (*MISSION_LOCALE_STAFF, Role.PARTNER_WORKER):
        return youths.none()
    if role == Role.PARTNER_WORKER:
        return youths.filter(
            Q(pk__in=_consents_naming(own).values("youth_id")) | Q(pk__in=_referrals_to(own).values("youth_id"))
        )
    return youths.filter(mission_locale=own)


def can_view_youth(user: AnyUser, youth: Youth) -> bool:
    return youths_visible_to(user).filter(pk=youth.pk).exists()


def _holds_file(user: AnyUser, youth: Youth) -> bool:
    """Staff of the Mission locale that holds the file (whatever the file's status)."""
    own = organisation_of(user)
    return has_role(user, *MISSION_LOCALE_STAFF) and own is not None and youth.mission_locale_id == own.pk


def sections_visible_to(user: AnyUser, youth: Youth) -> set[str]:
    """Identity and pathway for everyone who may see the file; the sensitive sections (housing,
    health and addiction, justice flag) only to the youth's référent, and to a partner for the
    sections the consents in force naming it share and those its active referrals share."""
    return sections_visible_to_many(user, [youth.pk]).get(youth.pk, set())


def sections_visible_to_many(user: AnyUser, youth_ids: Iterable[int]) -> dict[int, set[str]]:
    """`sections_visible_to` for many files in two queries at most (the files, then for a partner
    the consents and the active referrals naming it, in one); a file the user may not see is left
    out."""
    visible = dict(youths_visible_to(user).filter(pk__in=list(youth_ids)).values_list("pk", "referent_id"))
    user_id = user.pk if user.is_authenticated else None
    sections: dict[int, set[str]] = {
        pk: {Section.IDENTITY, Section.PATHWAY} | (SENSITIVE_SECTIONS if referent == user_id else set())
        for pk, referent in visible.items()
    }
    own = organisation_of(user)
    if role_of(user) == Role.PARTNER_WORKER and own is not None and visible:
        ids = list(visible)
        shared = (
            _consents_naming(own).filter(youth_id__in=ids).order_by().values_list("youth_id", "sensitive_sections")
        )
        referred = _referrals_to(own).filter(youth_id__in=ids).order_by().values_list("youth_id", "shared_sections")
        for youth_id, names in shared.union(referred, all=True).order_by():
            sections[youth_id] |= set(names) & SENSITIVE_SECTIONS
    return sections


def sections_shown(
    sections: set[str],
    *,
    barriers_shown: bool = False,
    organisations: Iterable[Organisation] = (),
    labelled: Iterable[str] = (),
) -> set[str]:
    """What a page really showed, for the access log: identity and pathway when granted; health
    when the flag of barriers signalled was shown; the section an organisation's name revealed
    (a PJJ unit named on the file says « justice »); the sections a consent was shown to share."""
    shown = (sections & {Section.IDENTITY, Section.PATHWAY}) | (set(labelled) & sections)
    if barriers_shown and Section.HEALTH in sections:
        shown.add(Section.HEALTH)
    for organisation in organisations:
        revealed = SENSITIVE_KINDS.get(organisation.kind)
        if revealed in sections:
            shown.add(revealed)
    return shown


def organisation_label(organisation: Organisation, sections: set[str]) -> str:
    """The organisation's name, or « un partenaire spécialisé » when its kind would reveal a
    section the reader does not hold."""
    revealed = SENSITIVE_KINDS.get(organisation.kind)
    if revealed is None or revealed in sections:
        return organisation.name
    return gettext("un partenaire spécialisé")


def signal_senders_labels(user: AnyUser, signals: Iterable[Signal]) -> dict[int, str]:
    """For each signal (by pk), its organisation as `organisation_label` names it to this reader
    of the youth's file; the sections are asked once for all the specialised senders. A contact
    opportunity names no youth and its sender is the only way to them: it is named."""
    signals = list(signals)
    specialised = {s.youth_id for s in signals if s.organisation.kind in SENSITIVE_KINDS and s.youth_id}
    sections = sections_visible_to_many(user, specialised) if specialised else {}
    return {
        s.pk: organisation_label(s.organisation, sections.get(s.youth_id, set()))
        if s.youth_id
        else s.organisation.name
        for s in signals
    }


def file_signals_visible_to(user: AnyUser, youth: Youth) -> QuerySet[Signal]:
    """The signals listed on a file: all of them for the Mission locale, a partner's own only
    (who else reported the youth is not the partner's to know)."""
    signals = youth.signals.all()
    if role_of(user) == Role.PARTNER_WORKER:
        own = organisation_of(user)
        return signals.filter(organisation=own) if own is not None else signals.none()
    return signals if _holds_file(user, youth) else signals.none()


def announces_existence_only(user: AnyUser, youth: Youth) -> bool:
    """« Déjà connu·e » told about someone: with the file for whoever may see it, as a bare
    « known to this Mission locale » for anyone else (logged as a lookup)."""
    return not can_view_youth(user, youth)


# --- Signals ------------------------------------------------------------------------------------


def can_send_signals(user: AnyUser) -> bool:
    """Partner workers and Mission locale staff report young people they meet."""
    return has_role(user, Role.PARTNER_WORKER, *MISSION_LOCALE_STAFF)


def signals_visible_to(user: AnyUser) -> QuerySet[Signal]:
    """A partner sees the signals its organisation sent (and what became of them); Mission
    locale staff see the signals their Mission locale received."""
    role = role_of(user)
    own = organisation_of(user)
    if own is None or role not in (*MISSION_LOCALE_STAFF, Role.PARTNER_WORKER):
        return Signal.objects.none()
    if role == Role.PARTNER_WORKER:
        return Signal.objects.filter(organisation=own)
    return Signal.objects.filter(mission_locale=own)


def can_triage_signals(user: AnyUser) -> bool:
    """Counsellors and coordinators triage the signals their Mission locale receives."""
    return has_role(user, *MISSION_LOCALE_STAFF)


def can_see_referent_contact(user: AnyUser, signal: Signal) -> bool:
    """The partner who sent a signal learns the professional contact of the youth's référent, to
    coordinate, once the Mission locale took the youth in or the youth was already followed."""
    own = organisation_of(user)
    if own is None or signal.organisation_id != own.pk or signal.youth is None or signal.youth.referent_id is None:
        return False
    return signal.status == SignalStatus.ASSIGNED or signal.known_on_arrival


# --- Actions on a file --------------------------------------------------------------------------


def can_edit_youth(user: AnyUser, youth: Youth) -> bool:
    """Mission locale staff holding the file keep it up to date; partners only report (signals)."""
    return _holds_file(user, youth) and youth.status == YouthStatus.ACTIVE


def can_export_subject_access(user: AnyUser, youth: Youth) -> bool:
    """The youth's référent hands them everything the platform holds about them (right of access,
    GDPR art. 15): sensitive sections included, which only the référent reads. Without a référent,
    the coordinator names one first (a recorded change)."""
    own = organisation_of(user)
    return (
        youth.referent_id is not None
        and youth.referent_id == user.pk
        and youth.status == YouthStatus.ACTIVE
        and own is not None
        and own.pk == youth.mission_locale_id
        and role_of(user) in MISSION_LOCALE_STAFF
    )


def can_manage_consent(user: AnyUser, youth: Youth) -> bool:
    """Mission locale staff holding the file record the youth's consent and its withdrawal."""
    return can_edit_youth(user, youth)


def can_replace_consent(user: AnyUser, youth: Youth) -> bool:
    """A new consent replaces the one in force: only someone who holds every section it shares,
    and may name every specialised partner it names, records it (the référent, in practice) — a
    colleague would otherwise drop, unseen, what they may not see. A withdrawal stays open to all
    the Mission locale's staff (`can_manage_consent`): it is the youth's right, and it widens nothing."""
    if not can_manage_consent(user, youth):
        return False
    held = sections_visible_to(user, youth)
    hidden_kinds = [kind for kind, section in SENSITIVE_KINDS.items() if section not in held]
    in_force = youth.consents.filter(withdrawn_at=None)
    shares_beyond = any(not set(shared) <= held for shared in in_force.values_list("sensitive_sections", flat=True))
    names_hidden = in_force.filter(share_with__kind__in=hidden_kinds).exists()
    return not shares_beyond and not names_hidden


def consent_partners(user: AnyUser, youth: Youth) -> QuerySet[Organisation]:
    """The partners a consent recorded by this user may name: those that reported the youth, and
    those serving the youth's commune (active ones) — among them, the specialised partners whose
    kind tells a sensitive section only for someone who holds that section (the référent)."""
    reported = youth.signals.values("organisation_id")
    serving = Organisation.objects.partners().filter(territory__communes=youth.commune_id)
    partners = Organisation.objects.active().filter(Q(pk__in=reported) | Q(pk__in=serving.values("pk")))
    held = sections_visible_to(user, youth)
    hidden = [kind for kind, section in SENSITIVE_KINDS.items() if section not in held]
    return partners.exclude(kind__in=hidden).order_by("name")


def merges_undoable_by(user: AnyUser) -> QuerySet[Merge]:
    """Merges still in force whose kept file the user's Mission locale holds, for its staff."""
    own = organisation_of(user)
    if own is None or not can_triage_signals(user):
        return Merge.objects.none()
    return Merge.objects.filter(undone_at=None, kept__mission_locale=own, kept__status=YouthStatus.ACTIVE)


def can_undo_merge(user: AnyUser, merge: Merge) -> bool:
    """Only the Mission locale's triage staff undo a merge of its files: an undo restores a
    record and sends signals back to triage."""
    return merges_undoable_by(user).filter(pk=merge.pk).exists()


def merges_shown_to(user: AnyUser, youth: Youth) -> QuerySet[Merge]:
    """The records merged into a file, named on it to the Mission locale's staff only."""
    if not _holds_file(user, youth):
        return Merge.objects.none()
    return youth.merges_kept.filter(undone_at=None)


def possible_referents(mission_locale: Organisation) -> QuerySet[User]:
    """Who may follow a youth of this Mission locale: its active counsellors and coordinators."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation=mission_locale,
        memberships__is_active=True,
        memberships__role__in=list(MISSION_LOCALE_STAFF),
    ).order_by("last_name", "first_name", "pk")


def can_change_referent(user: AnyUser, youth: Youth) -> bool:
    """A file without référent may be taken by the staff who keep it; one that has a référent
    changes hands only by that référent or a coordinator (the référent sees the sensitive
    sections: nobody gives them to themselves)."""
    if not can_edit_youth(user, youth):
        return False
    assert isinstance(user, User)
    return youth.referent_id is None or youth.referent_id == user.pk or has_role(user, Role.COORDINATOR)


# --- Lists --------------------------------------------------------------------------------------


def can_import_lists(user: AnyUser) -> bool:
    """Mission locale staff bring dropout and partner lists into their own Mission locale's files."""
    return has_role(user, *MISSION_LOCALE_STAFF) and organisation_of(user) is not None


def list_imports_visible_to(user: AnyUser) -> QuerySet[ListImport]:
    """The imports of the user's Mission locale, with their reports."""
    if not can_import_lists(user):
        return ListImport.objects.none()
    return ListImport.objects.filter(mission_locale=organisation_of(user))
