"""Writes of reperes.referrals: send, answer, withdraw, expire, remind. Each locks the referral it
changes, refuses what the policy does not allow with a French message, and leaves two traces: a
dated ReferralEvent (shown on the referral) and a WriteRecord (the history of personal data)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.models import Organisation, Service, User
from reperes.privacy import audit, policy
from reperes.privacy.enums import SENSITIVE_SECTIONS, WriteAction
from reperes.referrals.enums import ANSWERS, EXPIRY_DAYS, UNANSWERED_STATUSES, ReferralStatus
from reperes.referrals.models import Referral, ReferralEvent
from reperes.registry.models import Youth

REASON_MAX = 200
# What the history keeps of a referral.
FIELDS = [
    "youth",
    "from_user",
    "from_organisation",
    "to_organisation",
    "service",
    "reason",
    "shared_sections",
    "consent_override_reason",
    "status",
    "expires_on",
    "answered_by",
    "answer_reason",
    "version",
]


def reminder_days() -> int:
    """Days without an answer before the partner is reminded (setting REPERES_REFERRAL_REMINDER_DAYS)."""
    return int(getattr(settings, "REPERES_REFERRAL_REMINDER_DAYS", 3))


def _snapshot(referral: Referral) -> dict[str, Any]:
    return audit.snapshot(referral, FIELDS) | {
        "youth": referral.youth_id,
        "from_user": referral.from_user_id,
        "from_organisation": referral.from_organisation_id,
        "to_organisation": referral.to_organisation_id,
        "service": referral.service_id,
        "answered_by": referral.answered_by_id,
    }


def _short(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > REASON_MAX:
        raise ValidationError({field: _("200 caractères au plus.")})
    return text


@transaction.atomic
def send_referral(
    youth: Youth,
    *,
    to_organisation: Organisation,
    reason: str,
    acting_user: User,
    service: Service | None = None,
    shared_sections: list[str] | tuple[str, ...] = (),
    consent_override_reason: str = "",
) -> Referral:
    """Refer the youth to a partner. Identity and pathway always go with it; a sensitive section
    only if the sender holds it. Without a consent in force naming the partner and sharing those
    sections, only someone who may override it (`can_override_consent`) sends it, with a reason."""
    if not policy.can_refer(acting_user, youth):
        raise ValidationError(_("Seule la Mission locale qui détient le dossier peut orienter ce jeune."))
    youth = Youth.objects.select_for_update().get(pk=youth.pk)
    reason = _short(reason, "reason")
    override = _short(consent_override_reason, "consent_override_reason")
    if not reason:
        raise ValidationError({"reason": _("Dites en quelques mots pourquoi vous orientez ce jeune.")})
    if not policy.referral_partners(acting_user, youth).filter(pk=to_organisation.pk).exists():
        raise ValidationError({"to_organisation": _("Ce partenaire n'est pas (ou plus) actif dans le réseau.")})
    if service is not None and (
        service.organisation_id != to_organisation.pk or not Service.objects.active().filter(pk=service.pk).exists()
    ):
        raise ValidationError({"service": _("Ce service n'est pas (ou plus) proposé par ce partenaire.")})
    sections = set(shared_sections)
    if sections - SENSITIVE_SECTIONS:
        raise ValidationError({"shared_sections": _("Seules les sections sensibles se choisissent.")})
    if sections - policy.shareable_sections(acting_user, youth):
        raise ValidationError(
            {"shared_sections": _("Seul·e le ou la référent·e peut partager une section sensible du dossier.")}
        )
    if Referral.objects.active().filter(youth=youth, to_organisation=to_organisation).exists():
        raise ValidationError(_("Une orientation de ce jeune vers ce partenaire est déjà en cours."))
    if policy.consent_covers_referral(youth, to_organisation, sections):
        override = ""  # nothing to override: the youth agreed
    elif not policy.can_override_consent(acting_user, youth):
        raise ValidationError(
            _(
                "Aucun consentement en vigueur ne nomme ce partenaire (ou ne partage ces sections) : "
                "seul·e le ou la référent·e ou un·e coordinateur·rice peut orienter sans, en disant pourquoi."
            )
        )
    elif not override:
        raise ValidationError(
            {
                "consent_override_reason": _(
                    "Aucun consentement en vigueur ne nomme ce partenaire (ou ne partage ces sections) : "
                    "dites pourquoi vous orientez sans."
                )
            }
        )
    now = timezone.now()
    referral = Referral.objects.create(
        youth=youth,
        from_user=acting_user,
        from_organisation=youth.mission_locale,
        to_organisation=to_organisation,
        service=service,
        reason=reason,
        shared_sections=sorted(sections),
        consent_override_reason=override,
        sent_at=now,
        expires_on=timezone.localdate(now) + timedelta(days=EXPIRY_DAYS),
    )
    ReferralEvent.objects.create(
        referral=referral, status=ReferralStatus.SENT, at=now, by=acting_user, reason=override
    )
    audit.record_write(referral, acting_user=acting_user, action=WriteAction.CREATE, after=_snapshot(referral))
    return referral


def _locked(referral: Referral, version: int | str | None) -> Referral:
    """The referral as it is now, locked; refused if it changed since the page was built."""
    locked = Referral.objects.select_for_update().select_related("youth").get(pk=referral.pk)
    if str(locked.version) != str(version):
        last = locked.events.select_related("by").order_by("-at", "-pk").first()
        who = last.by.get_full_name() if last is not None and last.by is not None else _("l'expiration automatique")
        raise ValidationError(
            _("Cette orientation a été modifiée entre-temps par %(who)s (%(status)s) : rechargez la page.")
            % {"who": who, "status": locked.get_status_display()},
            code="concurrent_edit",
        )
    return locked


def _change(referral: Referral, status: str, *, acting_user: User | None, reason: str = "", **fields: Any) -> Referral:
    before = _snapshot(referral)
    now = timezone.now()
    referral.status = status
    referral.version += 1
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save()
    ReferralEvent.objects.create(referral=referral, status=status, at=now, by=acting_user, reason=reason)
    audit.record_write(referral, acting_user=acting_user, before=before, after=_snapshot(referral))
    return referral


@transaction.atomic
def answer_referral(
    referral: Referral, *, status: str, acting_user: User, version: int | str | None, reason: str = ""
) -> Referral:
    """The partner's answer: received, accepted, declined (with a reason) or done. An answer built
    from an older version (a colleague answered meanwhile) is refused."""
    locked = _locked(referral, version)
    if not policy.can_answer_referral(acting_user, locked):
        raise ValidationError(_("Cette orientation ne peut plus recevoir de réponse."))
    if status not in ANSWERS.get(locked.status, ()):
        raise ValidationError(
            _("Impossible de passer une orientation « %(now)s » à « %(then)s ».")
            % {
                "now": locked.get_status_display(),
                "then": ReferralStatus(status).label if status in ReferralStatus else status,
            }
        )
    reason = _short(reason, "reason")
    if status == ReferralStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Dites en quelques mots pourquoi vous refusez cette orientation.")})
    return _change(
        locked,
        status,
        acting_user=acting_user,
        reason=reason,
        answered_at=timezone.now(),
        answered_by=acting_user,
        answer_reason=reason,
    )


@transaction.atomic
def withdraw_referral(
    referral: Referral, *, acting_user: User, version: int | str | None, reason: str = ""
) -> Referral:
    """The Mission locale withdraws an active referral: the partner no longer reads the file."""
    locked = _locked(referral, version)
    if not policy.can_withdraw_referral(acting_user, locked):
        raise ValidationError(_("Cette orientation n'est plus en cours : elle ne peut pas être retirée."))
    return _change(locked, ReferralStatus.WITHDRAWN, acting_user=acting_user, reason=_short(reason, "reason"))


@transaction.atomic
def expire_overdue(today: date) -> list[int]:
    """Mark the referrals still unanswered past their expiry date as expired; their pks."""
    expired = []
    for referral in Referral.objects.overdue(today).select_for_update().order_by("pk"):
        _change(referral, ReferralStatus.EXPIRED, acting_user=None)
        expired.append(referral.pk)
    return expired


@transaction.atomic
def remind_unanswered(today: date) -> list[Referral]:
    """The referrals unanswered for `reminder_days()` days or more, not yet reminded nor expired:
    their reminder is recorded (reminder_sent_at) and they are returned, for the mail to come."""
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=reminder_days()), time.max))
    due = list(
        Referral.objects.active(today)
        .filter(status__in=UNANSWERED_STATUSES, reminder_sent_at=None, sent_at__lte=cutoff)
        .select_for_update()
        .select_related("to_organisation", "youth")
        .order_by("pk")
    )
    now = timezone.now()
    for referral in due:
        referral.reminder_sent_at = now
        referral.save(update_fields=["reminder_sent_at"])
        audit.record_write(referral, acting_user=None, after={"reminder_sent_at": now.isoformat()})
    return due


def sweep(today: date | None = None) -> dict[str, int]:
    """The daily pass: expire what is overdue, then remind what is unanswered."""
    today = today or timezone.localdate()
    return {"expired": len(expire_overdue(today)), "reminded": len(remind_unanswered(today))}
