"""The right of access (GDPR art. 15, issue 14): everything the platform holds about one young
person, gathered for their référent to hand over as a readable PDF and a machine-readable JSON.

Every part of the file is in it, the sensitive sections and every organisation's notes included
(the person is owed all of it); the staff who wrote it are named by their organisation only.
Internal fields (search keys, versions, fingerprints) are left out: they are derived, not held."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.mobilisation.models import Attendance, Enrolment
from reperes.network.models import User
from reperes.pathways.models import (
    ContactAttempt,
    FollowUp,
    Note,
    Outcome,
    PathwayEvent,
    ProfessionalProject,
    Reapproach,
    YouthBarrier,
)
from reperes.privacy.enums import Section
from reperes.privacy.models import AccessLog
from reperes.referrals.models import Referral, ReferralEvent
from reperes.registry.enums import Barrier
from reperes.registry.models import Consent, Signal, SignalContact, Youth

# Derived or technical: not data about the person.
HIDDEN = frozenset({"id", "search_name", "sort_name", "version", "fingerprint", "merged_into", "youth"})
CODED_LISTS = {"barriers": Barrier, "sensitive_sections": Section, "shared_sections": Section}


@dataclass(frozen=True)
class Part:
    key: str  # stable, in the JSON
    title: str
    rows: list[dict[str, str]]


def _value(instance: models.Model, field: models.Field[Any, Any]) -> str:
    value = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if field.choices:
        display = getattr(instance, f"get_{field.name}_display")()
        return str(display)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        labels = CODED_LISTS.get(field.name)
        return ", ".join(str(labels(code).label) if labels and code in labels.values else str(code) for code in value)
    return str(value)


def _row(instance: models.Model, skip: Iterable[str] = ()) -> dict[str, str]:
    """Each field by its French name, for a person to read; user accounts left out (their
    organisation says who), empty values kept so the JSON has one shape per part."""
    row: dict[str, str] = {}
    hidden = HIDDEN | set(skip)
    for field in instance._meta.concrete_fields:
        if field.name in hidden or field.primary_key:
            continue
        if isinstance(field, models.ForeignKey) and field.related_model is User:
            continue
        if isinstance(field, models.ForeignKey) and field.related_model in (Youth, Signal):
            continue
        row[str(field.verbose_name)] = _value(instance, field)
    return row


def _rows(instances: Iterable[models.Model], skip: Iterable[str] = ()) -> list[dict[str, str]]:
    return [_row(instance, skip) for instance in instances]


def gather(youth: Youth) -> list[Part]:
    """Every part of the file, in the order of the support: identity, signals, consents, pathway,
    contacts, barriers, project, outcomes, referrals, actions, then who read the file."""
    signals = Signal.objects.filter(youth=youth).select_related("organisation", "commune", "mission_locale")
    consents = list(Consent.objects.filter(youth=youth).prefetch_related("share_with"))
    consent_rows = []
    for consent in consents:
        row = _row(consent)
        row[str(Consent._meta.get_field("share_with").verbose_name)] = ", ".join(
            o.name for o in consent.share_with.all()
        )
        consent_rows.append(row)
    pathways = list(youth.pathways.order_by("opened_at"))
    enrolments = list(Enrolment.objects.filter(youth=youth).select_related("action"))
    reads = AccessLog.objects.filter(youth_id=youth.pk).select_related("user").order_by("at", "pk")
    return [
        Part("identity", _("Identité et coordonnées"), [_row(youth)]),
        Part(
            "merged_records",
            _("Dossiers fusionnés dans celui-ci"),
            _rows(Youth.objects.filter(merged_into=youth)),
        ),
        Part("signals", _("Signalements"), _rows(signals.order_by("created_at"))),
        Part(
            "signal_contacts",
            _("Tentatives de contact par le partenaire"),
            _rows(SignalContact.objects.filter(signal__youth=youth).order_by("recorded_at")),
        ),
        Part("consents", _("Information et consentements"), consent_rows),
        Part("pathways", _("Parcours"), _rows(pathways)),
        Part(
            "pathway_events",
            _("Étapes du parcours"),
            _rows(PathwayEvent.objects.filter(pathway__youth=youth).order_by("at", "pk"), skip=("pathway",)),
        ),
        Part(
            "contact_attempts",
            _("Tentatives de contact"),
            _rows(ContactAttempt.objects.filter(youth=youth).order_by("happened_on", "pk"), skip=("pathway",)),
        ),
        Part(
            "reapproaches",
            _("Nouvelles approches prévues"),
            _rows(Reapproach.objects.filter(youth=youth), skip=("pathway", "declined")),
        ),
        Part("notes", _("Notes"), _rows(Note.objects.filter(youth=youth).order_by("at", "pk"))),
        Part("barriers", _("Freins périphériques"), _rows(YouthBarrier.objects.filter(youth=youth))),
        Part(
            "projects",
            _("Projet professionnel"),
            _rows(ProfessionalProject.objects.filter(pathway__youth=youth).select_related("occupation"), ("pathway",)),
        ),
        Part(
            "outcomes",
            _("Accès à la formation ou à l'emploi"),
            _rows(Outcome.objects.filter(pathway__youth=youth), skip=("pathway",)),
        ),
        Part(
            "follow_ups",
            _("Suivis après la sortie"),
            _rows(FollowUp.objects.filter(outcome__pathway__youth=youth), skip=("outcome",)),
        ),
        Part(
            "referrals",
            _("Orientations vers des partenaires"),
            _rows(Referral.objects.filter(youth=youth).select_related("to_organisation", "from_organisation")),
        ),
        Part(
            "referral_events",
            _("Suites des orientations"),
            _rows(ReferralEvent.objects.filter(referral__youth=youth).order_by("at", "pk"), skip=("referral",)),
        ),
        Part(
            "actions",
            _("Actions de mobilisation"),
            [{**{_("action"): e.action.title}, **_row(e, skip=("action",))} for e in enrolments],
        ),
        Part(
            "attendance",
            _("Présences"),
            _rows(
                Attendance.objects.filter(enrolment__youth=youth).select_related("session", "organisation"),
                skip=("enrolment",),
            ),
        ),
        Part("reads", _("Consultations du dossier"), _access_rows(reads)),
    ]


def _access_rows(reads: Iterable[AccessLog]) -> list[dict[str, str]]:
    """Who read the file: the reader's organisation (its staff are not named), when, which parts."""
    rows = []
    organisations: dict[int, str] = {}
    for entry in reads:
        if entry.user_id not in organisations:  # a reader's organisation asked once
            organisation = entry.user.organisation
            organisations[entry.user_id] = organisation.name if organisation else ""
        rows.append(
            {
                _("le"): timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"),
                _("structure"): organisations[entry.user_id],
                _("consultation"): str(entry.get_action_display()),
                _("parties du dossier"): entry.section_labels(),
            }
        )
    return rows


def as_json(youth: Youth, parts: Sequence[Part]) -> dict[str, Any]:
    return {
        "document": _("Données détenues par Repères sur une personne (droit d'accès, RGPD art. 15)"),
        "produit_le": timezone.localtime().isoformat(timespec="seconds"),
        "mission_locale": youth.mission_locale.name,
        "parties": {part.key: {"titre": part.title, "lignes": part.rows} for part in parts},
    }
