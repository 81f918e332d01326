"""Writes of the partnership mesh."""

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reperes.network.enums import Role, Vocabulary
from reperes.network.models import ChangeRecord, FundingScheme, Membership, Organisation, Service, Term, User
from reperes.privacy import audit
from reperes.privacy.enums import WriteAction
from reperes.privacy.models import WriteRecord
from reperes.territory.models import Commune, Territory
from reperes.territory.text import fold

logger = logging.getLogger(__name__)


def _vocabularies() -> list[tuple[str, str, str, str]]:
    from data_inclusion.schema import v1

    rows = [(Vocabulary.THEME.value, c.value, c.label, "") for c in v1.Categorie]
    rows += [(Vocabulary.THEME.value, t.value, t.label, t.value.split("--")[0]) for t in v1.Thematique]
    rows += [(Vocabulary.PUBLIC.value, p.value, p.label, "") for p in v1.Public]
    rows += [(Vocabulary.SERVICE_TYPE.value, t.value, t.label, "") for t in v1.TypeService]
    rows += [(Vocabulary.NETWORK.value, r.value, r.label, "") for r in v1.ReseauPorteur]
    return rows


@transaction.atomic
def load_vocabularies() -> int:
    """Insert or update the data·inclusion vocabularies (thématiques with their categories,
    publics, types de services, réseaux porteurs). Idempotent."""
    terms = [Term(vocabulary=v, code=c, label=label, category=cat) for v, c, label, cat in _vocabularies()]
    Term.objects.bulk_create(
        terms, update_conflicts=True, unique_fields=["vocabulary", "code"], update_fields=["label", "category"]
    )
    return len(terms)


ALL_PUBLICS = "tous-publics"


def _require_themes(themes: Sequence[Term], publics: Sequence[Term] = ()) -> None:
    # A service without a theme could never be found by need.
    if not themes:
        raise ValidationError(
            {"themes": _("Choisissez au moins une thématique : c'est par elle qu'on trouve un service.")}
        )
    # data·inclusion's rule, so that every service exports: « tous publics » stands alone.
    if len(publics) > 1 and any(term.code == ALL_PUBLICS for term in publics):
        raise ValidationError({"publics": _("« Tous publics » ne se combine pas avec un autre public.")})


def search_text_of(service: Service) -> str:
    """What the directory's word search matches: name, description and organisation, folded."""
    parts = (service.name, service.description, service.organisation.name)
    return " ".join(fold(part) for part in parts if part)


def refresh_search_text(services: "Iterable[Service] | models.QuerySet[Service]") -> int:
    """Store Service.search_text again from what it is derived from (search_text_of): the one
    function that writes the field, called by every path that changes a service's name or
    description or an organisation's name (edit pages, the Django admin, the data·inclusion
    import, the demo). A queryset is read with its organisations; instances are updated in place.
    Writes only the rows whose text changed; returns how many."""
    if isinstance(services, models.QuerySet):
        services = services.select_related("organisation")
    stale = []
    for service in services:
        text = search_text_of(service)
        if service.search_text != text:
            service.search_text = text
            stale.append(service)
    Service.objects.bulk_update(stale, ["search_text"], batch_size=500)
    return len(stale)


@transaction.atomic
def create_service(
    organisation: Organisation,
    *,
    name: str,
    themes: Sequence[Term],
    acting_user: User | None,
    publics: Sequence[Term] = (),
    types: Sequence[Term] = (),
    communes: Sequence[Commune] = (),
    updated_on: date | None = None,
    **fields: object,
) -> Service:
    """Add a service to a partner. A service without a theme could never be found by need: refused."""
    _require_themes(themes, publics)
    service = Service(organisation=organisation, name=name, updated_on=updated_on or timezone.localdate(), **fields)
    service.full_clean(exclude=["themes", "publics", "types", "communes", "search_text"])
    service.save()
    refresh_search_text([service])
    service.themes.set(themes)
    service.publics.set(publics)
    service.types.set(types)
    service.communes.set(communes)
    if acting_user is not None:
        _record(organisation, service, acting_user, {}, {"name": service.name})
    return service


FUNDING_SCHEMES_FILE = Path(__file__).resolve().parent / "data" / "funding_schemes.json"


@transaction.atomic
def load_funding_schemes(path: Path = FUNDING_SCHEMES_FILE) -> int:
    """Add the seed schemes that are missing, by name. An existing scheme is never overwritten:
    once loaded, the catalogue is edited by people. Returns how many were added."""
    seeds = json.loads(path.read_text(encoding="utf-8"))["schemes"]
    existing = set(FundingScheme.objects.values_list("name", flat=True))
    missing = [FundingScheme(**seed) for seed in seeds if seed["name"] not in existing]
    for scheme in missing:
        scheme.full_clean()
    FundingScheme.objects.bulk_create(missing)
    return len(missing)


ORGANISATION_FIELDS = ["name", "description", "address", "commune", "phone", "email", "website", "can_identify"]
SERVICE_FIELDS = [
    "name",
    "description",
    "conditions",
    "how_to_refer",
    "address",
    "commune",
    "is_itinerant",
    "opening_hours",
    "is_active",
]


def display_value(value: object) -> str:
    """A value as the change history shows it."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, models.Manager):
        return ", ".join(sorted(str(item) for item in value.all()))
    return "" if value is None else str(value)


def _snapshot(instance: models.Model, fields: Sequence[str]) -> dict[str, str]:
    return {name: display_value(getattr(instance, name)) for name in fields}


def field_label(model: type[models.Model], name: str) -> str:
    """The French name of a field in the change history (« commune » for commune_id too)."""
    if name == "served":
        return str(_("communes desservies"))
    field = model._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def _record(
    organisation: Organisation,
    service: Service | None,
    user: User | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    model = Service if service is not None else Organisation
    changes = {
        field_label(model, name): [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if changes:
        ChangeRecord.objects.create(organisation=organisation, service=service, user=user, changes=changes)


def check_version(current: datetime, version: str | None) -> None:
    """The edit form carries the updated_at it was built from; a different one means somebody
    saved in between, and their changes must not be silently overwritten. A save that does not
    say which version it was built from (no version, or an empty one) is refused the same way:
    it cannot show that it has seen the last change."""
    if not version or current.isoformat() != version:
        raise ValidationError(
            _(
                "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez. "
                "Rechargez la page pour voir sa version actuelle, puis refaites vos changements."
            ),
            code="concurrent_edit",
        )


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    *,
    acting_user: User,
    version: str | None,
    themes: Sequence[Term],
    served_communes: Sequence[Commune] | None = None,
    **fields: object,
) -> Organisation:
    """Change an organisation's profile, its themes and the communes it serves, recording who
    changed what. Refused when someone else saved the same profile since the form was opened."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_version(locked.updated_at, version)
    extra = [name for name in fields if name not in ORGANISATION_FIELDS]  # quiet_days_alert, for a Mission locale
    tracked = ORGANISATION_FIELDS + extra + ["themes"] + (["served"] if served_communes is not None else [])
    before = _snapshot(locked, [f for f in tracked if f != "served"])
    before["served"] = display_value(locked.territory.communes) if locked.territory else ""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = acting_user
    locked.full_clean(exclude=["territory", "themes", "networks"], validate_unique=True)
    locked.save()
    refresh_search_text(locked.services.all())  # the organisation's name is part of each
    locked.themes.set(themes)
    if served_communes is not None:
        if locked.territory is None:
            locked.territory = Territory.objects.create(name=f"Zone d'intervention — {locked.name}")
            locked.save(update_fields=["territory"])
        locked.territory.communes.set(served_communes)
    after = _snapshot(locked, [f for f in tracked if f != "served"])
    if served_communes is not None:
        after["served"] = display_value(locked.territory.communes)  # type: ignore[union-attr]
    _record(locked, None, acting_user, before, after)
    return locked


@transaction.atomic
def update_service(
    service: Service,
    *,
    acting_user: User,
    version: str | None,
    themes: Sequence[Term],
    publics: Sequence[Term],
    types: Sequence[Term],
    **fields: object,
) -> Service:
    """Change a service; same rules as update_organisation, and a theme stays required."""
    _require_themes(themes, publics)
    locked = Service.objects.select_for_update().select_related("organisation").get(pk=service.pk)
    check_version(locked.updated_at, version)
    tracked = SERVICE_FIELDS + ["themes", "publics", "types"]
    before = _snapshot(locked, tracked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_on = timezone.localdate()
    locked.full_clean(exclude=["themes", "publics", "types", "communes", "search_text"])
    locked.save()
    refresh_search_text([locked])
    locked.themes.set(themes)
    locked.publics.set(publics)
    locked.types.set(types)
    _record(locked.organisation, locked, acting_user, before, _snapshot(locked, tracked))
    return locked


# --- Mail after the answer ----------------------------------------------------------------------

_pending: list[threading.Thread] = []


def send_later(send: Callable[[Any], None], outgoing: Any) -> None:
    """Run send(outgoing) in a thread, in the current language: the answer does not wait for the
    mail server. Always a thread, even with nothing to send, so that both cases take the same path."""
    language = translation.get_language()

    def run() -> None:
        with translation.override(language):
            send(outgoing)

    thread = threading.Thread(target=run, name="reperes-mail", daemon=True)
    _pending[:] = [t for t in _pending if t.is_alive()]
    _pending.append(thread)
    thread.start()


def wait_for_mail(timeout: float = 10) -> None:
    """Wait until the mail handed to send_later has left (tests, management commands)."""
    for thread in list(_pending):  # noqa: PERF101 - a copy: send_later replaces the list's items meanwhile
        thread.join(timeout)


# --- Accounts and memberships (ADR 007) ---------------------------------------------------------
# Every change to an account or a membership, on every path (these functions, the Django admin,
# the commands), leaves a privacy WriteRecord: who, when, before and after. A membership's record
# always names its organisation, so that a Mission locale finds the changes touching it.

ACCOUNT_FIELDS = ["email", "first_name", "last_name", "phone", "is_active", "is_staff", "is_superuser"]
MEMBERSHIP_FIELDS = ["user", "organisation", "role", "is_active"]
# What happened to the password, in the record (never the password itself): set by an
# administrator, or replaced by a random one that the holder replaces through the invitation mail.
PASSWORD = "password"  # noqa: S105 - the field's name
PASSWORD_SET_BY_ADMIN = "set_by_admin"  # noqa: S105 - what happened, not a password
PASSWORD_CLEARED = "cleared"  # noqa: S105 - what happened, not a password
SECOND_FACTOR = "second_factor"
SECOND_FACTOR_CHANGES = {
    "activated": gettext_lazy("second facteur activé"),
    "replaced": gettext_lazy("application du second facteur remplacée"),
    "codes_renewed": gettext_lazy("codes de secours renouvelés"),
    "recovery_code_used": gettext_lazy("connexion avec un code de secours"),
    "reset": gettext_lazy("second facteur réinitialisé, à configurer à la prochaine connexion"),
}


def account_snapshot(user: User) -> dict[str, Any]:
    return audit.snapshot(user, ACCOUNT_FIELDS)


def membership_snapshot(membership: Membership) -> dict[str, Any]:
    return audit.snapshot(membership, MEMBERSHIP_FIELDS)


def record_account_change(
    user: User,
    *,
    acting_user: User | None,
    before: dict[str, Any] | None,
    password: str = "",
    second_factor: str = "",
) -> None:
    """One history record for a created or changed account (nothing when nothing changed);
    password says what happened to it, if anything (PASSWORD_SET_BY_ADMIN, PASSWORD_CLEARED), and
    second_factor what happened to its second factor (the constants of `second_factor.py`)."""
    after = account_snapshot(user)
    if password:
        after[PASSWORD] = password
    if second_factor:
        after[SECOND_FACTOR] = second_factor
    if before is not None and before == after:
        return
    action = WriteAction.CREATE if before is None else WriteAction.UPDATE
    audit.record_write(user, acting_user=acting_user, action=action, before=before, after=after)


def record_membership_change(
    membership: Membership, *, acting_user: User | None, before: dict[str, Any] | None
) -> None:
    after = membership_snapshot(membership)
    if before is not None and before == after:
        return
    action = WriteAction.CREATE if before is None else WriteAction.UPDATE
    audit.record_write(membership, acting_user=acting_user, action=action, before=before, after=after)


@dataclass(frozen=True)
class Invitation:
    """How the link of an invitation mail is built: the site's address as the request saw it."""

    domain: str
    use_https: bool


@transaction.atomic
def add_member(
    organisation: Organisation,
    *,
    acting_user: User | None,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str,
    invitation: Invitation | None = None,
) -> Membership:
    """Give someone a role in an organisation: an existing account by its e-mail address, or a new
    one. Either way the account gets a random password nobody knows and the mail (invitation) a
    link to choose one: only whoever reads that mailbox gets in, not whoever set or knew the
    account's password before. The caller has checked that acting_user may grant the role
    (privacy.rules.accounts); refused here: a role the organisation cannot hold, an account of the
    technical administration, an account already active elsewhere or already a member."""
    if role not in organisation.allowed_roles():
        raise ValidationError(
            {
                "role": _("Ce rôle n'existe pas dans une structure de ce type : %(kind)s.")
                % {"kind": organisation.get_kind_display()}
            }
        )
    email = User.objects.normalize_email(email).lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        if not first_name or not last_name:
            raise ValidationError(
                _("Aucun compte n'existe avec cette adresse : indiquez le prénom et le nom de la personne.")
            )
        user = User.objects.create_user(
            email, password=get_random_string(48), first_name=first_name, last_name=last_name
        )
        record_account_change(user, acting_user=acting_user, before=None, password=PASSWORD_CLEARED)
    else:
        _check_attachable(user, organisation)
        before_account = account_snapshot(user)
        user.set_password(get_random_string(48))  # also ends the account's open sessions
        user.save(update_fields=["password"])
        record_account_change(user, acting_user=acting_user, before=before_account, password=PASSWORD_CLEARED)
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    before = membership_snapshot(membership) if membership else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
    membership.role, membership.is_active = role, True
    membership.full_clean(validate_unique=False)
    membership.save()
    record_membership_change(membership, acting_user=acting_user, before=before)
    if invitation is not None:
        transaction.on_commit(lambda: _send_invitation(membership, acting_user, invitation))
    return membership


def _check_attachable(user: User, organisation: Organisation) -> None:
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _(
                "Ce compte a accès à l'administration technique de la plateforme : il ne peut pas "
                "recevoir un rôle qui ouvre les dossiers des jeunes. Invitez une autre adresse."
            )
        )
    if not user.is_active:
        raise ValidationError(
            _("Ce compte est désactivé. Demandez à l'administration de la plateforme de le réactiver.")
        )
    active = user.memberships.filter(is_active=True).select_related("organisation")
    if any(m.organisation_id == organisation.pk for m in active):
        raise ValidationError(
            _("Cette personne est déjà membre de cette structure (%(org)s).") % {"org": organisation.name}
        )
    elsewhere = next(iter(active), None)
    if elsewhere is not None:
        raise ValidationError(
            _(
                "Cette personne est membre d'une autre structure (%(org)s) : elle doit d'abord y "
                "être retirée, un compte n'agit que pour une structure."
            )
            % {"org": elsewhere.organisation.name}
        )


def _send_invitation(membership: Membership, acting_user: User | None, invitation: Invitation) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = membership.user
    context = {
        "user": user,
        "organisation": membership.organisation,
        "role": membership.get_role_display(),
        "inviter": acting_user.get_full_name() if acting_user else "",
        "domain": invitation.domain,
        "protocol": "https" if invitation.use_https else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }

    def send(context: dict[str, Any]) -> None:
        subject = "".join(render_to_string("network/email/invitation_subject.txt", context).splitlines())
        body = render_to_string("network/email/invitation.txt", context)
        try:
            EmailMessage(subject, body, to=[user.email]).send()
        except Exception:
            logger.exception("failed to send the invitation of user %s", user.pk)

    send_later(send, context)


@transaction.atomic
def deactivate_member(membership: Membership, *, acting_user: User | None) -> Membership:
    """End a membership: its holder loses at once what the role gave. Kept, inactive, for the
    history; a coordinator does not end their own (another coordinator does)."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if acting_user is not None and locked.user_id == acting_user.pk:
        raise ValidationError(
            _("Vous ne pouvez pas retirer votre propre accès : demandez-le à un·e autre coordinateur·rice.")
        )
    if not locked.is_active:
        raise ValidationError(_("Cet accès est déjà retiré."))
    before = membership_snapshot(locked)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    record_membership_change(locked, acting_user=acting_user, before=before)
    return locked


def access_history(organisations: Iterable[Organisation]) -> "models.QuerySet[WriteRecord]":
    """The history of the memberships of these organisations, and of the accounts of their
    members (past or present), newest first."""
    ids = [organisation.pk for organisation in organisations]
    member_ids = Membership.objects.filter(organisation__in=ids).values("user_id")
    return (
        WriteRecord.objects.filter(
            Q(model=Membership._meta.label_lower) & (Q(after__organisation__in=ids) | Q(before__organisation__in=ids))
            | Q(model=User._meta.label_lower, object_id__in=member_ids)
        )
        .select_related("user")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class AccessChange:
    """One line of « Qui a accès à nos dossiers »: when, by whom, what."""

    at: datetime
    by: str
    what: str


def describe_access_changes(records: Iterable[WriteRecord]) -> list[AccessChange]:
    """The records in words, naming people and organisations as they are today."""
    records = list(records)
    user_ids = {r.object_id for r in records if r.model == User._meta.label_lower}
    organisation_ids = set()
    for record in records:
        if record.model == Membership._meta.label_lower:
            state = record.after or record.before
            user_ids.add(state.get("user"))
            organisation_ids.add(state.get("organisation"))
    people = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    names = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    changes = []
    for record in records:
        by = _("l'exploitant de la plateforme (commande sur le serveur)") if record.user is None else str(record.user)
        if record.model == Membership._meta.label_lower:
            what = _describe_membership(record, people, names)
        else:
            what = _describe_account(record, people.get(record.object_id, _("compte supprimé")))
        changes.append(AccessChange(at=record.at, by=by, what=what))
    return changes


def _role_label(role: str | None) -> str:
    return str(Role(role).label) if role in Role.values else str(role or "")


def _describe_membership(record: WriteRecord, people: dict[int, str], names: dict[int, str]) -> str:
    before, after = record.before, record.after
    values = {
        "person": people.get(after.get("user"), _("compte supprimé")),
        "org": names.get(after.get("organisation"), ""),
        "role": _role_label(after.get("role")),
    }
    if not before:
        return _("%(org)s : %(person)s reçoit le rôle %(role)s") % values
    if before.get("is_active") and not after.get("is_active"):
        return _("%(org)s : %(person)s n'a plus le rôle %(role)s") % values
    if not before.get("is_active") and after.get("is_active"):
        return _("%(org)s : %(person)s retrouve le rôle %(role)s") % values
    if before.get("role") != after.get("role"):
        return _("%(org)s : %(person)s passe de %(before)s à %(role)s") % {
            **values,
            "before": _role_label(before.get("role")),
        }
    return _("%(org)s : appartenance de %(person)s modifiée") % values


ACCOUNT_CHANGE_LABELS = {
    "email": _("adresse e-mail"),
    "first_name": _("prénom"),
    "last_name": _("nom"),
    "phone": _("téléphone"),
}


def _describe_account(record: WriteRecord, person: str) -> str:
    before, after = record.before, record.after
    if not before:
        if after.get(PASSWORD) == PASSWORD_SET_BY_ADMIN:
            return _("compte de %(person)s créé, mot de passe défini par l'administration") % {"person": person}
        return _("compte de %(person)s créé") % {"person": person}
    parts = []
    if (change := after.get(SECOND_FACTOR)) in SECOND_FACTOR_CHANGES:
        parts.append(str(SECOND_FACTOR_CHANGES[change]))
    if after.get(PASSWORD) == PASSWORD_SET_BY_ADMIN:
        parts.append(_("mot de passe défini par l'administration"))
    elif after.get(PASSWORD) == PASSWORD_CLEARED:
        parts.append(_("mot de passe effacé, à choisir par la personne (invitation)"))
    for name, label in (("is_staff", _("administration technique")), ("is_superuser", _("super-utilisateur·rice"))):
        if before.get(name) != after.get(name):
            parts.append(
                _("%(what)s accordé") % {"what": label} if after.get(name) else _("%(what)s retiré") % {"what": label}
            )
    if before.get("is_active") != after.get("is_active"):
        parts.append(_("compte réactivé") if after.get("is_active") else _("compte désactivé"))
    changed = [str(label) for name, label in ACCOUNT_CHANGE_LABELS.items() if before.get(name) != after.get(name)]
    if changed:
        parts.append(_("%(fields)s modifié(s)") % {"fields": ", ".join(changed)})
    return _("compte de %(person)s : %(changes)s") % {"person": person, "changes": " ; ".join(map(str, parts))}
