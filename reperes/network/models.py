from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.network.enums import (
    NON_PARTNER_KINDS,
    PARTNER_ROLES,
    ROLES_BY_KIND,
    OrganisationKind,
    Role,
    SchemeAudience,
    Situation,
    Vocabulary,
)
from reperes.territory.models import Commune, Territory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Identified by e-mail; what they may do comes from their memberships."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    date_joined = models.DateTimeField(_("date de création"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur·rice")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def active_membership(self) -> "Membership | None":
        """The membership the interface acts through (the first active one).

        Cached on the instance: the layout and the policy ask several times per request."""
        if not hasattr(self, "_active_membership"):
            self._active_membership = (
                self.memberships.filter(is_active=True).select_related("organisation").order_by("pk").first()
                if self.pk
                else None
            )
        return self._active_membership

    @property
    def role(self) -> str | None:
        membership = self.active_membership
        return membership.role if membership else None

    @property
    def organisation(self) -> "Organisation | None":
        membership = self.active_membership
        return membership.organisation if membership else None


class Term(models.Model):
    """One entry of a data·inclusion vocabulary: stored as the schema's code, shown with its French label."""

    vocabulary = models.CharField(_("vocabulaire"), max_length=20, choices=Vocabulary.choices)
    code = models.CharField(_("code"), max_length=120)
    label = models.CharField(_("libellé"), max_length=200)
    # Themes are grouped under a category (« logement-hebergement »); the category is a term itself.
    category = models.CharField(_("catégorie"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("terme")
        ordering = ["vocabulary", "label"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code")]

    def __str__(self) -> str:
        return self.label


def _terms(
    vocabulary: str, verbose_name: "StrOrPromise", *, blank: bool = True
) -> "models.ManyToManyField[Term, Any]":
    return models.ManyToManyField(
        Term, blank=blank, related_name="+", limit_choices_to={"vocabulary": vocabulary}, verbose_name=verbose_name
    )


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> "OrganisationQuerySet":
        return self.filter(is_active=True)

    def missions_locales(self) -> "OrganisationQuerySet":
        return self.filter(kind=OrganisationKind.MISSION_LOCALE)

    def partners(self) -> "OrganisationQuerySet":
        return self.exclude(kind__in=NON_PARTNER_KINDS)


class Organisation(models.Model):
    """A Mission locale, a partner of the mesh, the funder, or the platform operator."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de structure"), max_length=32, choices=OrganisationKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    # Identity in another directory (data·inclusion « source » and « id »), for idempotent imports.
    source = models.CharField(_("source"), max_length=100, blank=True)
    external_id = models.CharField(_("identifiant d'origine"), max_length=200, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    # For a Mission locale: its area of competence; for a partner: the area it serves.
    territory = models.OneToOneField(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="organisation"
    )
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    description = models.TextField(_("présentation"), max_length=1000, blank=True)
    # A Mission locale's caseload flags a youth « à risque d'être perdu·e de vue à nouveau » after
    # this many days without a real contact.
    quiet_days_alert = models.PositiveSmallIntegerField(_("alerte après … jours sans contact"), default=30)
    # The seed's rural gap: where no partner can meet young people, nobody reports them.
    can_identify = models.BooleanField(
        _("peut repérer des jeunes"),
        default=False,
        help_text=_("La structure rencontre des jeunes et peut signaler ceux qui sont perdus de vue."),
    )
    themes = _terms(Vocabulary.THEME, _("thématiques"))
    networks = _terms(Vocabulary.NETWORK, _("réseaux porteurs"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("création"), auto_now_add=True)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)
    updated_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("modifiée par")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        ordering = ["name"]
        constraints = [
            # Homonyms (« CCAS ») are common in other directories: only our own records must differ.
            models.UniqueConstraint(
                fields=["name", "kind"], condition=models.Q(external_id=""), name="organisation_unique_name_kind"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="organisation_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_mission_locale(self) -> bool:
        return self.kind == OrganisationKind.MISSION_LOCALE

    @property
    def is_partner(self) -> bool:
        return self.kind not in NON_PARTNER_KINDS

    def allowed_roles(self) -> set[str]:
        return ROLES_BY_KIND.get(self.kind, PARTNER_ROLES)


class Membership(models.Model):
    """A user's place in an organisation, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("création"), auto_now_add=True)

    class Meta:
        verbose_name = _("appartenance")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.organisation_id and self.role not in self.organisation.allowed_roles():
            raise ValidationError(
                {
                    "role": _("Ce rôle n'existe pas dans une structure de ce type : %(kind)s.")
                    % {"kind": self.organisation.get_kind_display()}
                }
            )


class Contact(models.Model):
    """A person to call at an organisation (not necessarily a user of Repères)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=150)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> "ServiceQuerySet":
        return self.filter(is_active=True, organisation__is_active=True)

    def stale(self, today: date) -> "ServiceQuerySet":
        return self.filter(updated_on__lt=today - STALE_AFTER)


# A service description not reviewed for a year is flagged (DORA asks partners to review theirs).
STALE_AFTER = timedelta(days=365)


class Service(models.Model):
    """What a partner offers: « who can help with housing in Saverne? » is answered from these."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    themes = _terms(Vocabulary.THEME, _("thématiques"), blank=False)
    publics = _terms(Vocabulary.PUBLIC, _("publics"))
    types = _terms(Vocabulary.SERVICE_TYPE, _("types de service"))
    conditions = models.TextField(_("conditions d'accès"), max_length=1000, blank=True)
    how_to_refer = models.TextField(_("comment orienter"), max_length=1000, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    is_itinerant = models.BooleanField(_("itinérant"), default=False)
    opening_hours = models.CharField(_("jours et horaires"), max_length=300, blank=True)
    # Empty means the organisation's own area.
    communes = models.ManyToManyField(Commune, blank=True, related_name="+", verbose_name=_("communes desservies"))
    updated_on = models.DateField(_("dernière mise à jour"))
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # Folded name, description and organisation name, for accent-insensitive full text search.
    search_text = models.TextField(editable=False, default="")
    # Identity in another directory (data·inclusion « source » and « id »), for idempotent imports.
    source = models.CharField(_("source"), max_length=100, blank=True)
    external_id = models.CharField(_("identifiant d'origine"), max_length=200, blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="service_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stale(self) -> bool:
        return self.updated_on < timezone.localdate() - STALE_AFTER


class FundingSchemeQuerySet(models.QuerySet["FundingScheme"]):
    def active(self) -> "FundingSchemeQuerySet":
        return self.filter(is_active=True)


class FundingScheme(models.Model):
    """A dispositif de droit commun: what a young person (or a project) can draw on, and on what terms."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("sigle"), max_length=30, blank=True)
    audience = models.CharField(_("pour"), max_length=10, choices=SchemeAudience.choices)
    operator = models.CharField(_("opérateur"), max_length=200)
    summary = models.TextField(_("ce que le dispositif finance ou propose"), max_length=2000)
    age_min = models.PositiveSmallIntegerField(_("âge minimum"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("âge maximum"), null=True, blank=True)
    residence = models.CharField(_("résidence exigée"), max_length=200, blank=True)
    # Codes of Situation; a scheme requiring none is open whatever the situation.
    situations = models.JSONField(_("situations requises"), default=list, blank=True)
    duration = models.CharField(_("durée"), max_length=200, blank=True)
    amount = models.CharField(_("montant"), max_length=300, blank=True)
    how_to_apply = models.TextField(_("comment le mobiliser"), max_length=2000, blank=True)
    source_name = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("adresse de la source"), blank=True)
    checked_on = models.DateField(_("vérifié le"), null=True, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    objects = FundingSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispositif de droit commun")
        verbose_name_plural = _("dispositifs de droit commun")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="funding_scheme_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_age(self, age: int) -> bool:
        return (self.age_min is None or age >= self.age_min) and (self.age_max is None or age <= self.age_max)

    @property
    def needs_check(self) -> bool:
        """Never checked against its source, or not for a year: amounts and ages change."""
        return self.checked_on is None or self.checked_on < timezone.localdate() - STALE_AFTER

    def situation_labels(self) -> list[str]:
        return [str(Situation(code).label) for code in self.situations if code in Situation.values]


class ChangeRecord(models.Model):
    """Who changed what in the directory, and when: organisations and services are shared
    descriptions that several people edit. Holds no personal data of young people."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="changes")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("date"), default=timezone.now)
    # {field name: [before, after]} as displayed text.
    changes = models.JSONField(_("modifications"), default=dict)

    class Meta:
        verbose_name = _("modification de l'annuaire")
        verbose_name_plural = _("modifications de l'annuaire")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.at:%Y-%m-%d %H:%M}"
