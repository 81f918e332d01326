"""Writes of the registry: signals, young people's records, triage. Each write leaves a history
record (privacy.audit); personal data never goes to the logs."""

import logging
from datetime import date, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.matching import Outcome
from reperes.network.models import Organisation, User
from reperes.network.selectors import mission_locale_for
from reperes.network.services import check_version
from reperes.pathways.enums import UNANSWERED, Channel, ContactOutcome, DeclineReason
from reperes.pathways.services import max_attempts
from reperes.privacy import audit, policy
from reperes.privacy.enums import AccessAction, WriteAction
from reperes.privacy.throttle import allow_lookup
from reperes.registry.enums import (
    ELSEWHERE_TEXT_MAX,
    OPEN_SIGNAL_STATUSES,
    PLAUSIBLE_AGE_MAX,
    PLAUSIBLE_AGE_MIN,
    SIGNAL_CLOSURES,
    Barrier,
    BirthPrecision,
    CandidateStatus,
    MeetingAnswer,
    SignalConsent,
    SignalStatus,
    YouthStatus,
)
from reperes.registry.identity import find_known, record_of, refresh_match_keys
from reperes.registry.models import Consent, DuplicateCandidate, Merge, Signal, SignalContact, Youth, age_on
from reperes.territory.models import Commune

logger = logging.getLogger(__name__)

# A note on a contact attempt, as on a pathway (DOMAIN.md: comments capped at 200 characters).
NOTE_MAX = 200
SIGNAL_FIELDS = ["first_name", "last_name", "approximate_age", "birth_date", "sex", "commune", "met_where", "barriers"]
EDITABLE_FIELDS = [
    "first_names",
    "last_name",
    "usage_name",
    "sex",
    "birth_date",
    "birth_precision",
    "phone",
    "email",
    "commune",
    "left_school_on",
    "last_level",
    "has_diploma",
    "followed_elsewhere",
    "ine",
    "note",
]
# What the history keeps of a record when it is created.
YOUTH_FIELDS = EDITABLE_FIELDS + ["mission_locale", "referent", "status"]


def check_birth_date(birth_date: date, today: date | None = None) -> None:
    """A future date, or an age outside 14–30, is a typing error rather than a person to follow."""
    today = today or timezone.localdate()
    if birth_date > today:
        raise ValidationError({"birth_date": _("La date de naissance est dans le futur.")})
    age = age_on(birth_date, today)
    if not PLAUSIBLE_AGE_MIN <= age <= PLAUSIBLE_AGE_MAX:
        raise ValidationError(
            {
                "birth_date": _("Cette date donne %(age)d ans : vérifiez-la (le programme suit les 16-25 ans).")
                % {"age": age}
            }
        )


# Nobody leaves school before this age; a youth of the programme left it at most this many years ago.
LEFT_SCHOOL_AGE_MIN = 10
LEFT_SCHOOL_YEARS_MAX = 20


def check_left_school_on(left_on: date, birth_date: date | None, today: date | None = None) -> None:
    """A school-leaving date in the future, before the age of ten or decades ago is a typing error."""
    today = today or timezone.localdate()
    if left_on > today:
        raise ValidationError({"left_school_on": _("La date de sortie du système scolaire est dans le futur.")})
    if birth_date is not None and age_on(birth_date, left_on) < LEFT_SCHOOL_AGE_MIN:
        raise ValidationError(
            {
                "left_school_on": _(
                    "Cette date de sortie du système scolaire donne un âge de moins de %(age)d ans : vérifiez-la."
                )
                % {"age": LEFT_SCHOOL_AGE_MIN}
            }
        )
    if left_on.year < today.year - LEFT_SCHOOL_YEARS_MAX:
        raise ValidationError(
            {
                "left_school_on": _(
                    "Cette date de sortie du système scolaire remonte à plus de %(years)d ans : vérifiez-la."
                )
                % {"years": LEFT_SCHOOL_YEARS_MAX}
            }
        )


def _mission_for(commune: Commune) -> Organisation:
    mission = mission_locale_for(commune)
    if mission is None:
        raise ValidationError(
            {"commune": _("Aucune Mission locale de Repères ne couvre %(commune)s.") % {"commune": commune.name}}
        )
    return mission


def _estimated_birth_date(approximate_age: int, today: date) -> date:
    # Half a year past the birthday: the age is right whatever the exact date.
    return date(today.year - approximate_age, today.month, min(today.day, 28)) - timedelta(days=182)


@transaction.atomic
def send_signal(
    *,
    author: User,
    first_name: str,
    commune: Commune,
    consent: str,
    last_name: str = "",
    approximate_age: int | None = None,
    birth_date: date | None = None,
    sex: str = "",
    met_where: str = "",
    barriers: list[str] | None = None,
    phone: str = "",
) -> Signal:
    """Record a partner's fiche de repérage. With the youth's agreement to be contacted, it
    opens a named record at the Mission locale of the commune, to be triaged; without it, the
    Mission locale only learns that a young person may be met through this partner."""
    organisation = author.organisation
    if organisation is None:
        raise ValidationError(_("Votre compte n'est rattaché à aucune structure."))
    if birth_date is not None:
        check_birth_date(birth_date)
    if approximate_age is not None and not PLAUSIBLE_AGE_MIN <= approximate_age <= PLAUSIBLE_AGE_MAX:
        raise ValidationError({"approximate_age": _("L'âge approximatif doit être compris entre 14 et 30 ans.")})
    unknown = set(barriers or []) - set(Barrier.values)
    if unknown:
        raise ValidationError({"barriers": _("Frein inconnu.")})
    named = consent == SignalConsent.CONTACT
    signal = Signal(
        author=author,
        organisation=organisation,
        mission_locale=_mission_for(commune),
        first_name=first_name.strip(),
        # Without agreement, nothing that identifies the youth leaves the partner.
        last_name=last_name.strip() if named else "",
        phone=phone.strip() if named else "",
        birth_date=birth_date if named else None,
        approximate_age=approximate_age,
        sex=sex,
        commune=commune,
        met_where=met_where.strip(),
        barriers=sorted(set(barriers or [])),
        consent=consent,
        status=SignalStatus.NEW if named else SignalStatus.OPPORTUNITY,
    )
    signal.full_clean()
    signal.save()
    if named:
        known = _known_youth(signal)
        if known is not None:
            # The engine is sure: the signal joins the record the Mission locale already holds,
            # and still goes to triage (a probe must be seen). Its sender learns only that the
            # youth is followed, and by whom, within the hourly allowance of such answers; the
            # file itself opens to them only through a consent naming their organisation.
            signal.youth = known
            if known.referent_id and allow_lookup(author.pk):
                signal.known_on_arrival = True
                if not policy.can_view_youth(author, known):
                    audit.record_access(author, [known.pk], action=AccessAction.LOOKUP, reason=f"signal={signal.pk}")
        else:
            signal.youth = _open_record(signal, acting_user=author)
        signal.save(update_fields=["youth", "known_on_arrival"])
    audit.record_write(
        signal, acting_user=author, action=WriteAction.CREATE, after=audit.snapshot(signal, SIGNAL_FIELDS)
    )
    logger.info("signal=%s sent by organisation=%s", signal.pk, organisation.pk)
    return signal


def _known_youth(signal: Signal) -> Youth | None:
    """The youth this signal certainly describes, when the engine decides SAME alone and the
    record is held by the same Mission locale; otherwise None (a new record, reviewed later)."""
    draft = _youth_from_signal(signal)
    decision, youths = find_known(record_of(draft))
    if decision.outcome != Outcome.SAME or decision.best is None:
        return None
    youth = youths[decision.best.id]
    return youth if youth.mission_locale_id == signal.mission_locale_id else None


def _youth_from_signal(signal: Signal) -> Youth:
    youth = draft_youth(
        first_name=signal.first_name,
        last_name=signal.last_name,
        commune=signal.commune,
        birth_date=signal.birth_date,
        approximate_age=signal.approximate_age,
        sex=signal.sex,
        phone=signal.phone,
    )
    youth.mission_locale = signal.mission_locale
    return youth


def draft_youth(
    *,
    first_name: str,
    last_name: str,
    commune: Commune | None,
    birth_date: date | None = None,
    approximate_age: int | None = None,
    sex: str = "",
    phone: str = "",
) -> Youth:
    """The record a signal would open, unsaved: what the engine compares with the registry."""
    if birth_date is not None:
        birth, precision = birth_date, BirthPrecision.DAY
    elif approximate_age is not None:
        birth, precision = _estimated_birth_date(approximate_age, timezone.localdate()), BirthPrecision.ESTIMATED
    else:
        birth, precision = None, BirthPrecision.UNKNOWN
    return Youth(
        first_names=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth,
        birth_precision=precision,
        phone=phone,
        commune=commune,
    )


def _open_record(signal: Signal, *, acting_user: User) -> Youth:
    return _save_record(_youth_from_signal(signal), acting_user=acting_user)


def _save_record(youth: Youth, *, acting_user: User) -> Youth:
    youth.refresh_search_name()
    youth.save()
    refresh_match_keys(youth)
    audit.record_write(
        youth, acting_user=acting_user, action=WriteAction.CREATE, after=audit.snapshot(youth, YOUTH_FIELDS)
    )
    return youth


def _close_signal(signal: Signal, *, status: str, acting_user: User, **details: object) -> None:
    before = audit.snapshot(signal, ["status", *details])
    signal.status = status
    signal.handled_by = acting_user
    signal.handled_at = timezone.now()
    for name, value in details.items():
        setattr(signal, name, value)
    signal.save(update_fields=["status", "handled_by", "handled_at", *details])
    after = audit.snapshot(signal, ["status", *details])
    audit.record_write(
        signal,
        acting_user=acting_user,
        before={name: value for name, value in before.items() if value != after[name]},
        after={name: value for name, value in after.items() if value != before[name] or name == "status"},
    )


@transaction.atomic
def assign_referent(signal: Signal, *, referent: User, acting_user: User) -> Youth:
    """Take a new signal in: its youth gets a référent of the Mission locale (or keeps the one it
    has, who may be changed only as `policy.can_change_referent` allows)."""
    signal = _locked_new_signal(signal)
    if signal.youth_id is None:
        raise ValidationError(_("Ce signalement a déjà été traité."))
    youth = Youth.objects.select_for_update().get(pk=signal.youth_id)
    _check_referent(youth, referent, acting_user=acting_user, mission_locale=signal.mission_locale)
    before = {"referent": youth.referent_id}
    youth.referent = referent
    youth.save(update_fields=["referent", "updated_at"])
    audit.record_write(youth, acting_user=acting_user, before=before, after={"referent": referent.pk})
    _close_signal(signal, status=SignalStatus.ASSIGNED, acting_user=acting_user)
    return youth


@transaction.atomic
def close_signal(
    signal: Signal,
    *,
    status: str,
    acting_user: User,
    decline_reason: str = "",
    reapproach_on: date | None = None,
    referred_to: Organisation | None = None,
    referred_to_text: str = "",
) -> Signal:
    """Close a signal still open — to triage, or a contact opportunity — with its real outcome:
    unreachable; declined, with its reason and, if the partner may bring it up again, from which
    day; referred or already followed elsewhere, with where (an organisation of the directory, or
    100 characters); out of the programme's public. The sending partner reads it in words meant for
    it (`PARTNER_OUTCOME`). (A youth already known is a merge, `merge_signal_into`: a label would
    leave two files of one person.) A record opened by this signal alone, with nobody following it,
    is closed with it: nothing justifies keeping an open file (data minimisation)."""
    signal = _locked_open_signal(signal)
    if status == SignalStatus.DUPLICATE:
        raise ValidationError(
            _(
                "Pour rattacher ce signalement à un jeune déjà connu, utilisez « Fusionner avec ce dossier » "
                "ou la file des doublons."
            )
        )
    if status not in SIGNAL_CLOSURES:
        raise ValidationError(_("Choisissez comment classer ce signalement."))
    details = _closure_details(
        status,
        decline_reason=decline_reason,
        reapproach_on=reapproach_on,
        referred_to=referred_to,
        referred_to_text=referred_to_text,
        destinations=policy.closing_destinations(acting_user, signal),
    )
    _close_signal(signal, status=status, acting_user=acting_user, **details)
    youth = Youth.objects.select_for_update().get(pk=signal.youth_id) if signal.youth_id else None
    if youth is not None and _opened_by_alone(youth, signal):
        youth.status = YouthStatus.CLOSED
        youth.save(update_fields=["status", "updated_at"])
        audit.record_write(
            youth, acting_user=acting_user, before={"status": YouthStatus.ACTIVE}, after={"status": youth.status}
        )
    logger.info("signal=%s closed as %s", signal.pk, status)
    return signal


def _closure_details(
    status: str,
    *,
    decline_reason: str,
    reapproach_on: date | None,
    referred_to: Organisation | None,
    referred_to_text: str,
    destinations: QuerySet[Organisation],
) -> dict[str, object]:
    """What a closure keeps beside its status, checked: each status its own details, no other."""
    details: dict[str, object] = {
        "decline_reason": "",
        "reapproach_on": None,
        "referred_to": None,
        "referred_to_text": "",
    }
    if status == SignalStatus.DECLINED:
        if decline_reason not in DeclineReason.values:
            raise ValidationError({"decline_reason": _("Indiquez pourquoi le jeune décline.")})
        if reapproach_on is not None and reapproach_on <= timezone.localdate():
            raise ValidationError(
                {"reapproach_on": _("Le partenaire pourra en reparler plus tard : choisissez une date à venir.")}
            )
        details |= {"decline_reason": decline_reason, "reapproach_on": reapproach_on}
    elif status == SignalStatus.ELSEWHERE:
        text = referred_to_text.strip()
        if referred_to is None and not text:
            raise ValidationError(
                {
                    "referred_to": _(
                        "Indiquez vers quelle structure le jeune est orienté, ou par qui il est déjà accompagné."
                    )
                }
            )
        if len(text) > ELSEWHERE_TEXT_MAX:
            raise ValidationError({"referred_to_text": _("%(n)d caractères au plus.") % {"n": ELSEWHERE_TEXT_MAX}})
        if referred_to is not None and not destinations.filter(pk=referred_to.pk).exists():
            raise ValidationError({"referred_to": _("Choisissez une autre structure active de l'annuaire.")})
        details |= {"referred_to": referred_to, "referred_to_text": "" if referred_to is not None else text}
    return details


# --- Contact opportunities: reaching a youth without a file, through the partner -----------------

# The partner's answer to a request to propose a meeting, as the outcome of a contact attempt.
MEETING_OUTCOMES = {
    MeetingAnswer.ACCEPTED: ContactOutcome.REACHED_AGREES,
    MeetingAnswer.REFUSED: ContactOutcome.REACHED_DECLINES,
    MeetingAnswer.NOT_SEEN: ContactOutcome.NOT_REACHED,
}
CONTACT_FIELDS = ["signal", "happened_on", "channel", "outcome", "through"]


def _locked_opportunity(signal: Signal) -> Signal:
    locked = _locked_open_signal(signal)
    if locked.status != SignalStatus.OPPORTUNITY:
        raise ValidationError(_("Ce signalement n'est pas une occasion de contact via un partenaire."))
    return locked


def opportunity_unanswered_in_a_row(signal: Signal) -> int:
    """Attempts without an answer since the last real contact with the youth of an opportunity; a
    request still waiting for the partner's answer counts as one (it will be an attempt)."""
    count = 0
    for outcome in signal.contacts.order_by("-happened_on", "-recorded_at", "-pk").values_list("outcome", flat=True):
        if outcome and outcome not in UNANSWERED:
            break
        count += 1
    return count


def _check_cap(signal: Signal) -> None:
    if opportunity_unanswered_in_a_row(signal) >= max_attempts():
        raise ValidationError(
            _(
                "%(n)d tentatives sans réponse d'affilée : plutôt qu'une de plus, classez cette occasion "
                "« injoignable », ou attendez que le partenaire revoie le jeune."
            )
            % {"n": max_attempts()},
            code="cap",
        )


@transaction.atomic
def record_opportunity_contact(
    signal: Signal,
    *,
    acting_user: User,
    channel: str,
    outcome: str,
    happened_on: date,
    note: str = "",
) -> SignalContact:
    """One attempt to reach the youth of a contact opportunity, made through the partner who met
    them (channel « par un partenaire ») or, with them, another way. Attempts without an answer are
    capped as on a pathway (`REPERES_CONTACT_ATTEMPTS_MAX`); the note (200 characters) stays at
    the Mission locale."""
    signal = _locked_opportunity(signal)
    organisation = acting_user.organisation
    assert organisation is not None
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choisissez un moyen de contact.")})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": _("Choisissez le résultat de la tentative.")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("La date du contact ne peut pas être dans le futur.")})
    if happened_on < signal.met_on:
        raise ValidationError({"happened_on": _("La date du contact précède la rencontre signalée.")})
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Un commentaire tient en %(n)d caractères au plus.") % {"n": NOTE_MAX}})
    if outcome in UNANSWERED:
        _check_cap(signal)
    contact = SignalContact.objects.create(
        signal=signal,
        happened_on=happened_on,
        channel=channel,
        outcome=outcome,
        through=signal.organisation if channel == Channel.PARTNER else None,
        note=note,
        recorded_by=acting_user,
        organisation=organisation,
    )
    audit.record_write(
        contact, acting_user=acting_user, action=WriteAction.CREATE, after=audit.snapshot(contact, CONTACT_FIELDS)
    )
    logger.info("signal=%s: contact=%s recorded", signal.pk, contact.pk)
    return contact


@transaction.atomic
def ask_partner_for_meeting(signal: Signal, *, acting_user: User) -> SignalContact:
    """Ask the partner who sent a contact opportunity to propose a meeting to the youth: the partner
    sees the request on its signals and answers it (`answer_meeting_request`). One at a time, and
    within the cap of attempts without an answer."""
    signal = _locked_opportunity(signal)
    organisation = acting_user.organisation
    assert organisation is not None
    if signal.contacts.awaiting_answer().exists():
        raise ValidationError(_("Le partenaire n'a pas encore répondu à la demande précédente."), code="pending")
    _check_cap(signal)
    contact = SignalContact.objects.create(
        signal=signal,
        channel=Channel.PARTNER,
        through=signal.organisation,
        recorded_by=acting_user,
        organisation=organisation,
    )
    audit.record_write(
        contact, acting_user=acting_user, action=WriteAction.CREATE, after=audit.snapshot(contact, CONTACT_FIELDS)
    )
    logger.info("signal=%s: meeting asked of organisation=%s", signal.pk, signal.organisation_id)
    return contact


@transaction.atomic
def answer_meeting_request(signal: Signal, *, answer: str, acting_user: User) -> SignalContact:
    """The sending partner answers the Mission locale's request to propose a meeting: accepted,
    refused, or not seen again. The request becomes an attempt made through the partner."""
    signal = _locked_opportunity(signal)
    if not policy.can_answer_meeting_request(acting_user, signal):
        raise ValidationError(
            _("La Mission locale ne vous a pas demandé de rendez-vous pour ce jeune, ou vous avez déjà répondu.")
        )
    if answer not in MEETING_OUTCOMES:
        raise ValidationError(_("Choisissez une réponse."))
    contact = signal.contacts.awaiting_answer().select_for_update().order_by("pk").first()
    assert contact is not None  # can_answer_meeting_request, under the signal's lock
    before = audit.snapshot(contact, ["outcome", "happened_on"])
    contact.outcome = MEETING_OUTCOMES[MeetingAnswer(answer)]
    contact.happened_on = timezone.localdate()
    contact.answered_by, contact.answered_at = acting_user, timezone.now()
    contact.save(update_fields=["outcome", "happened_on", "answered_by", "answered_at"])
    audit.record_write(
        contact, acting_user=acting_user, before=before, after=audit.snapshot(contact, ["outcome", "happened_on"])
    )
    logger.info("signal=%s: contact=%s answered by the partner", signal.pk, contact.pk)
    return contact


@transaction.atomic
def open_file_from_opportunity(
    signal: Signal,
    *,
    acting_user: User,
    first_name: str,
    last_name: str,
    informed_on: date,
    informed_how: str,
    birth_date: date | None = None,
    approximate_age: int | None = None,
    sex: str = "",
    phone: str = "",
    share_with_partner: bool = False,
) -> Signal:
    """The youth of a contact opportunity met the Mission locale and agreed: the opportunity becomes
    a signal to triage with the youth's agreement, and a record of its own (`draft_youth`, as a
    named signal opens one) with the youth's consent — when and how they were informed, and whether
    the partner who met them follows the file with the Mission locale (`record_consent`). The
    names go to the record only: the signal keeps its partner's words, and the partner learns no
    more than it typed (ADR 008). Triage follows as for any named signal: the record may be a youth
    already known (« peut-être déjà connu·e », then a merge)."""
    signal = _locked_opportunity(signal)
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValidationError(_("Indiquez le prénom et le nom du jeune."))
    if birth_date is None and approximate_age is None:
        raise ValidationError({"birth_date": _("Indiquez la date de naissance ou, à défaut, l'âge du jeune.")})
    if birth_date is not None:
        check_birth_date(birth_date)
    elif approximate_age is not None and not PLAUSIBLE_AGE_MIN <= approximate_age <= PLAUSIBLE_AGE_MAX:
        raise ValidationError({"approximate_age": _("L'âge approximatif doit être compris entre 14 et 30 ans.")})
    draft = draft_youth(
        first_name=first_name,
        last_name=last_name,
        commune=signal.commune,
        birth_date=birth_date,
        approximate_age=approximate_age,
        sex=sex,
        phone=phone.strip(),
    )
    draft.mission_locale = signal.mission_locale
    draft.full_clean(exclude=["search_name", "sort_name"])
    before = audit.snapshot(signal, ["consent", "status", "youth"])
    signal.youth = _save_record(draft, acting_user=acting_user)
    signal.consent, signal.status = SignalConsent.CONTACT, SignalStatus.NEW
    signal.save(update_fields=["youth", "consent", "status"])
    audit.record_write(
        signal, acting_user=acting_user, before=before, after=audit.snapshot(signal, ["consent", "status", "youth"])
    )
    record_consent(
        signal.youth,
        informed_on=informed_on,
        informed_how=informed_how,
        share_with=[signal.organisation] if share_with_partner else [],
        acting_user=acting_user,
    )
    logger.info("signal=%s: opportunity turned into a signal to triage, youth=%s", signal.pk, signal.youth_id)
    return signal


def _opened_by_alone(youth: Youth, signal: Signal) -> bool:
    """Whether the record was opened by this signal (not an earlier file it joined) and nothing
    else has come to it since: no référent, no other signal, no list, no consent, no merge."""
    return (
        youth.status == YouthStatus.ACTIVE
        and youth.created_at >= signal.created_at
        and youth.referent_id is None
        and not youth.signals.exclude(pk=signal.pk).exists()
        and not youth.imported_rows.exists()
        and not youth.consents.exists()
        and not youth.merges_kept.exists()
    )


def _locked_open_signal(signal: Signal) -> Signal:
    """The signal, locked until the end of the transaction, if it is still open: to triage, or a
    contact opportunity. A closed one is refused as it is, with its status named."""
    locked = Signal.objects.select_for_update(of=("self",)).get(pk=signal.pk)
    if locked.status not in OPEN_SIGNAL_STATUSES:
        raise ValidationError(
            _("Ce signalement a déjà été traité. Il est classé « %(status)s » : rien n'a été changé.")
            % {"status": locked.get_status_display()},
            code="closed",
        )
    return locked


def _locked_new_signal(signal: Signal) -> Signal:
    """The signal, locked until the end of the transaction, if it is still to triage: two
    counsellors acting at once do not both handle it."""
    locked = Signal.objects.select_for_update(of=("self",)).get(pk=signal.pk)
    if locked.status != SignalStatus.NEW:
        raise ValidationError(_("Ce signalement a déjà été traité."))
    return locked


def _check_referent(youth: Youth, referent: User | None, *, acting_user: User, mission_locale: Organisation) -> None:
    """A new référent must be one of the Mission locale's staff, chosen by someone allowed to
    change it (`policy.can_change_referent`)."""
    if referent is not None and referent.pk == youth.referent_id:
        return
    if not policy.can_change_referent(acting_user, youth):
        raise ValidationError(
            {
                "referent": _(
                    "Seul·e le ou la référent·e actuel·le ou un·e coordinateur·rice peut confier ce dossier "
                    "à quelqu'un d'autre."
                )
            }
        )
    if referent is not None and not policy.possible_referents(mission_locale).filter(pk__in=[referent.pk]).exists():
        raise ValidationError({"referent": _("Le ou la référent·e doit appartenir à la Mission locale du jeune.")})


# Fields the kept record borrows from the absorbed one when its own are empty.
BORROWED_FIELDS = [
    "last_name",
    "usage_name",
    "sex",
    "phone",
    "email",
    "commune",
    "ine",
    "left_school_on",
    "last_level",
]


@transaction.atomic
def merge_youths(kept: Youth, absorbed: Youth, *, acting_user: User) -> Merge:
    """Make one record of two: the absorbed record's signals and consents move to the kept one,
    which also takes the fields it lacked (and a more precise birth date). Undone by
    unmerge_youths, exactly. Both records must be held by the same Mission locale."""
    if kept.pk == absorbed.pk:
        raise ValidationError(_("Un dossier ne peut pas être fusionné avec lui-même."))
    # Read both records again under a lock: a second click, or a colleague merging the same pair
    # the other way round, waits here and then finds them already merged.
    locked = Youth.objects.select_for_update().in_bulk([kept.pk, absorbed.pk])
    kept, absorbed = locked[kept.pk], locked[absorbed.pk]
    if kept.mission_locale_id != absorbed.mission_locale_id:
        raise ValidationError(
            _("Ces deux dossiers sont détenus par deux Missions locales différentes : fusion refusée.")
        )
    if kept.status != YouthStatus.ACTIVE or absorbed.status != YouthStatus.ACTIVE:
        raise ValidationError(_("L'un de ces dossiers a déjà été fusionné."))
    before = audit.snapshot(kept, BORROWED_FIELDS + ["birth_date", "birth_precision"])
    for name in BORROWED_FIELDS:
        if not getattr(kept, name) and getattr(absorbed, name):
            setattr(kept, name, getattr(absorbed, name))
    if _precision_rank(absorbed.birth_precision) > _precision_rank(kept.birth_precision):
        kept.birth_date, kept.birth_precision = absorbed.birth_date, absorbed.birth_precision
    kept.refresh_search_name()
    kept.save()
    merge = Merge.objects.create(
        kept=kept,
        absorbed=absorbed,
        moved_signals=list(absorbed.signals.values_list("pk", flat=True)),
        moved_consents=list(absorbed.consents.values_list("pk", flat=True)),
        kept_before=before,
        kept_after=audit.snapshot(kept, list(before)),
        merged_by=acting_user,
    )
    Signal.objects.filter(pk__in=merge.moved_signals).update(youth=kept)
    Consent.objects.filter(pk__in=merge.moved_consents).update(youth=kept)
    absorbed.status, absorbed.merged_into = YouthStatus.MERGED, kept
    absorbed.save(update_fields=["status", "merged_into", "updated_at"])
    refresh_match_keys(kept)
    audit.record_access(acting_user, [kept.pk, absorbed.pk], action=AccessAction.MERGE, reason=f"merge={merge.pk}")
    audit.record_write(
        kept,
        acting_user=acting_user,
        action=WriteAction.MERGE,
        before=before,
        after=audit.snapshot(kept, list(before)),
    )
    audit.record_write(absorbed, acting_user=acting_user, action=WriteAction.MERGE, after={"merged_into": kept.pk})
    return merge


def _precision_rank(precision: str) -> int:
    order = [
        BirthPrecision.UNKNOWN,
        BirthPrecision.ESTIMATED,
        BirthPrecision.YEAR,
        BirthPrecision.MONTH,
        BirthPrecision.DAY,
    ]
    return order.index(BirthPrecision(precision))


@transaction.atomic
def unmerge_youths(merge: Merge, *, acting_user: User) -> Youth:
    """Restore both records as they were before the merge; returns the restored record."""
    merge = Merge.objects.select_for_update().select_related("kept", "absorbed").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("Cette fusion a déjà été annulée."))
    kept, absorbed = merge.kept, merge.absorbed
    if kept.mission_locale_id != absorbed.mission_locale_id:
        raise ValidationError(
            _("Le dossier a changé de Mission locale depuis la fusion : la fusion ne peut plus être annulée ici.")
        )
    for name, value in merge.kept_before.items():
        if merge.kept_after and audit.snapshot(kept, [name])[name] != merge.kept_after.get(name):
            continue  # changed since the merge (an edit, a list): the later value stays
        field = Youth._meta.get_field(name)
        assert isinstance(field, models.Field)
        if field.is_relation:
            setattr(kept, f"{name}_id", value)
        else:
            setattr(kept, name, field.to_python(value))
    kept.refresh_search_name()
    kept.save()
    Signal.objects.filter(pk__in=merge.moved_signals).update(youth=absorbed)
    Consent.objects.filter(pk__in=merge.moved_consents).update(youth=absorbed)
    absorbed.status, absorbed.merged_into = YouthStatus.ACTIVE, None
    absorbed.save(update_fields=["status", "merged_into", "updated_at"])
    merge.undone_by, merge.undone_at = acting_user, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    _reopen_after_unmerge(merge, acting_user=acting_user)
    refresh_match_keys(kept)
    refresh_match_keys(absorbed)
    audit.record_access(acting_user, [kept.pk, absorbed.pk], action=AccessAction.UNMERGE, reason=f"merge={merge.pk}")
    audit.record_write(kept, acting_user=acting_user, action=WriteAction.UNMERGE, after=merge.kept_before)
    audit.record_write(absorbed, acting_user=acting_user, action=WriteAction.UNMERGE, after={"merged_into": None})
    return absorbed


def _reopen_after_unmerge(merge: Merge, *, acting_user: User) -> None:
    """What the merge closed goes back to its queue: the signal triaged as « déjà connu » by
    merging it (merge_signal_into) is to triage again, and a reviewed pair is open again."""
    closed = Signal.objects.filter(
        pk__in=merge.moved_signals, status=SignalStatus.DUPLICATE, handled_at__gte=merge.merged_at
    )
    for signal in closed:
        signal.status, signal.handled_by, signal.handled_at = SignalStatus.NEW, None, None
        signal.save(update_fields=["status", "handled_by", "handled_at"])
        audit.record_write(
            signal, acting_user=acting_user, before={"status": SignalStatus.DUPLICATE}, after={"status": "new"}
        )
    a, b = sorted((merge.kept_id, merge.absorbed_id))
    DuplicateCandidate.objects.filter(youth_a_id=a, youth_b_id=b, status=CandidateStatus.MERGED).update(
        status=CandidateStatus.OPEN, decided_by=None, decided_at=None
    )


@transaction.atomic
def merge_signal_into(signal: Signal, known: Youth, *, acting_user: User) -> Merge:
    """Triage: the signal's new record is a youth already known; merge it into the known one and
    classify the signal."""
    signal = Signal.objects.select_for_update(of=("self",)).select_related("youth").get(pk=signal.pk)
    if signal.status != SignalStatus.NEW or signal.youth is None:
        raise ValidationError(_("Ce signalement a déjà été traité."))
    merge = merge_youths(known, signal.youth, acting_user=acting_user)
    signal.refresh_from_db()
    _close_signal(signal, status=SignalStatus.DUPLICATE, acting_user=acting_user)
    return merge


@transaction.atomic
def record_consent(
    youth: Youth,
    *,
    informed_on: date,
    informed_how: str,
    share_with: list[Organisation],
    acting_user: User,
    sensitive_sections: list[str] | None = None,
) -> Consent:
    """Record when and how the youth was informed and what they agreed to share, with whom. The
    new consent replaces the previous one, which is closed at the same instant."""
    sensitive_sections = list(sensitive_sections or [])
    if informed_on > timezone.localdate():
        raise ValidationError({"informed_on": _("La date d'information est dans le futur.")})
    if not policy.can_replace_consent(acting_user, youth):
        raise ValidationError(
            _(
                "Le consentement en vigueur partage des informations réservées au ou à la référent·e : "
                "seul·e il ou elle peut le remplacer. Le retrait reste possible."
            )
        )
    if set(sensitive_sections) - policy.sections_visible_to(acting_user, youth):
        raise ValidationError(
            {"sensitive_sections": _("Seul·e le ou la référent·e peut enregistrer le partage d'une section sensible.")}
        )
    allowed = set(policy.consent_partners(acting_user, youth).values_list("pk", flat=True))
    refused = sorted(o.name for o in share_with if o.pk not in allowed)
    if refused:
        raise ValidationError(
            {
                "share_with": _(
                    "Un consentement ne peut nommer que les partenaires qui ont signalé ce jeune ou qui "
                    "desservent sa commune : %(names)s n'en fait pas partie."
                )
                % {"names": ", ".join(refused)}
            }
        )
    now = timezone.now()
    replaced = list(youth.consents.select_for_update().filter(withdrawn_at=None).values_list("pk", flat=True))
    Consent.objects.filter(pk__in=replaced).update(withdrawn_at=now)
    consent = Consent.objects.create(
        youth=youth,
        informed_on=informed_on,
        informed_how=informed_how,
        sensitive_sections=sorted(sensitive_sections),
        recorded_by=acting_user,
        recorded_at=now,
    )
    consent.share_with.set(share_with)
    audit.record_write(
        consent,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after={
            "youth": youth.pk,
            "share_with": sorted(o.pk for o in share_with),
            "sensitive_sections": consent.sensitive_sections,
        },
    )
    for pk in replaced:
        audit.record_write(
            Consent(pk=pk), acting_user=acting_user, before={"withdrawn": False}, after={"replaced_by": consent.pk}
        )
    return consent


@transaction.atomic
def withdraw_consent(youth: Youth, *, acting_user: User) -> int:
    """The youth withdraws their agreement: sharing stops at once. Returns how many consents closed."""
    closed = youth.consents.filter(withdrawn_at=None)
    ids = list(closed.values_list("pk", flat=True))
    closed.update(withdrawn_at=timezone.now())
    for pk in ids:
        audit.record_write(
            Consent(pk=pk), acting_user=acting_user, before={"withdrawn": False}, after={"withdrawn": True}
        )
    return len(ids)


@transaction.atomic
def update_youth(youth: Youth, *, acting_user: User, version: str | None, **fields: object) -> Youth:
    """Change a youth's record, recording before/after. A new commune outside the Mission locale's
    territory hands the file to the Mission locale of the new commune (the youth moved), and its
    référent, who belongs to the former one, is released. `referent` may come with the fields:
    someone of the Mission locale that holds the file, or None. Refused when someone else saved
    the record since the form was opened."""
    locked = Youth.objects.select_for_update().get(pk=youth.pk)
    check_version(locked.updated_at, version)
    before = audit.snapshot(locked, EDITABLE_FIELDS + ["mission_locale", "referent"])
    if "referent" in fields:  # checked against the file as it is (a move then releases the référent)
        referent = cast(User | None, fields["referent"])
        _check_referent(locked, referent, acting_user=acting_user, mission_locale=locked.mission_locale)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name != "referent":
            raise ValueError(name)
        setattr(locked, name, value)
    birth = locked.birth_date if locked.birth_precision != BirthPrecision.UNKNOWN else None
    if birth is not None:
        check_birth_date(birth)
    if locked.left_school_on is not None:
        check_left_school_on(locked.left_school_on, birth)
    if locked.commune is not None and locked.commune_id != before["commune"]:
        mission = _mission_for(locked.commune)
        if mission.pk != locked.mission_locale_id:
            locked.mission_locale, locked.referent = mission, None
            # Signals still to triage follow the youth to the new Mission locale's queue.
            locked.signals.filter(status=SignalStatus.NEW).update(mission_locale=mission)
    locked.refresh_search_name()
    locked.full_clean()
    locked.save()
    refresh_match_keys(locked)
    after = audit.snapshot(locked, list(before))
    changed = {name for name in before if before[name] != after[name]}
    if changed:
        audit.record_write(
            locked,
            acting_user=acting_user,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return locked
