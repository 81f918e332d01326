import unicodedata
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation, User
from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason
from reperes.registry.enums import (
    AGE_MAX,
    AGE_MIN,
    ELSEWHERE_TEXT_MAX,
    PARTNER_OUTCOME,
    BirthPrecision,
    CandidateStatus,
    ImportStatus,
    InformedHow,
    ListKind,
    RowOutcome,
    SchoolLevel,
    Sex,
    SignalConsent,
    SignalStatus,
    YouthStatus,
)
from reperes.territory.models import Commune
from reperes.territory.text import fold


def sort_key(text: str) -> str:
    """French alphabetical order without a database collation: accents and case set aside."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


class YouthQuerySet(models.QuerySet["Youth"]):
    def active(self) -> "YouthQuerySet":
        return self.filter(status=YouthStatus.ACTIVE)


class Youth(models.Model):
    """A young person known to the programme. Free text is short and optional: record what the
    support needs, nothing more (data minimisation)."""

    first_names = models.CharField(_("prénoms"), max_length=150)
    last_name = models.CharField(_("nom de naissance"), max_length=150, blank=True)
    usage_name = models.CharField(_("nom d'usage"), max_length=150, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    # With a partial precision, the date holds the first day of the month or year.
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_precision = models.CharField(
        _("précision de la date de naissance"),
        max_length=10,
        choices=BirthPrecision.choices,
        default=BirthPrecision.DAY,
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune de résidence"),
    )
    left_school_on = models.DateField(_("sortie du système scolaire"), null=True, blank=True)
    last_level = models.CharField(_("dernière classe suivie"), max_length=10, choices=SchoolLevel.choices, blank=True)
    # None: nobody said (the eligibility shows « à vérifier », not « oui »).
    has_diploma = models.BooleanField(_("a obtenu un diplôme"), null=True, blank=True, default=None)
    followed_elsewhere = models.BooleanField(
        _("déjà accompagné·e par une autre structure d'insertion"), null=True, blank=True, default=None
    )
    ine = models.CharField(_("INE"), max_length=11, blank=True, db_index=True)
    mission_locale = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="youths",
        limit_choices_to={"kind": "mission_locale"},
        verbose_name=_("Mission locale qui détient le dossier"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_youths",
        verbose_name=_("référent·e"),
    )
    note = models.CharField(_("remarque"), max_length=200, blank=True)
    # Folded names (accents, case, hyphens), for a search that finds « Hélène » from « helene ».
    search_name = models.CharField(max_length=400, editable=False, default="", db_index=True)
    # Name, then first names, without accents or case: « BÈGUE » before « BRUNET » on every database.
    sort_name = models.CharField(max_length=400, editable=False, default="", db_index=True)
    status = models.CharField(_("statut"), max_length=10, choices=YouthStatus.choices, default=YouthStatus.ACTIVE)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )
    created_at = models.DateTimeField(_("création"), default=timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)
    # Set by the retention job once the identity is gone (reperes/privacy/retention.py).
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    objects = YouthQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeune")
        ordering = ["sort_name", "pk"]
        indexes = [models.Index(fields=["mission_locale", "status"]), models.Index(fields=["referent", "status"])]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived from the names on every save, the admin's included; bulk writes call it themselves.
        self.refresh_search_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "sort_name"}
        super().save(*args, **kwargs)

    def refresh_search_name(self) -> None:
        """The stored forms of the names: words for the search, a collation key for sorting."""
        self.search_name = " " + fold(f"{self.first_names} {self.last_name} {self.usage_name}")
        self.sort_name = f"{sort_key(self.usage_name or self.last_name)} {sort_key(self.first_names)}"

    @property
    def display_name(self) -> str:
        if self.anonymised_at is not None:
            return gettext("Dossier anonymisé n° %(pk)s") % {"pk": self.pk}
        name = self.usage_name or self.last_name
        return f"{self.first_names} {name.upper()}".strip()

    def age(self, today: date | None = None) -> int | None:
        if self.birth_date is None or self.birth_precision == BirthPrecision.UNKNOWN:
            return None
        return age_on(self.birth_date, today or timezone.localdate())

    def eligibility(self, today: date | None = None) -> list[tuple[bool | None, str]]:
        """Each criterion of the programme's public with its answer (None when unknown), in French."""
        age = self.age(today)
        in_range = None if age is None else AGE_MIN <= age <= AGE_MAX
        return [
            (in_range, gettext("a entre 16 et 25 ans") if age is None else gettext("a %(age)d ans") % {"age": age}),
            (
                self.left_school_on is not None or bool(self.last_level) or None,
                gettext("a quitté le système scolaire"),
            ),
            (None if self.has_diploma is None else not self.has_diploma, gettext("sans diplôme")),
            (
                None if self.followed_elsewhere is None else not self.followed_elsewhere,
                gettext("n'est pas accompagné·e ailleurs"),
            ),
        ]


class YouthMatchKey(models.Model):
    """The blocking keys of a youth (reperes.matching), indexed so that a new record is compared
    with the few candidates sharing a key, never with the whole registry."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=80, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["youth", "key"], name="match_key_unique")]

    def __str__(self) -> str:
        return self.key


class Signal(models.Model):
    """A fiche de repérage: one partner's report of one young person met, in 30 seconds."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signals_sent")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signals_sent")
    first_name = models.CharField(_("prénom ou surnom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    approximate_age = models.PositiveSmallIntegerField(_("âge approximatif"), null=True, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    met_on = models.DateField(_("rencontré·e le"), default=timezone.localdate)
    met_where = models.CharField(_("où et comment"), max_length=200, blank=True)
    barriers = models.JSONField(_("freins supposés"), default=list, blank=True)
    consent = models.CharField(_("accord du jeune"), max_length=10, choices=SignalConsent.choices)
    phone = models.CharField(_("téléphone du jeune"), max_length=20, blank=True)
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, null=True, blank=True, related_name="signals")
    mission_locale = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signals_received", verbose_name=_("Mission locale")
    )
    status = models.CharField(_("statut"), max_length=12, choices=SignalStatus.choices, default=SignalStatus.NEW)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The signal joined a file already followed and the sender was told so (« déjà connu·e »,
    # within their hourly allowance of such answers): they may see the référent's contact.
    known_on_arrival = models.BooleanField(default=False)
    # How a closed signal ended, beyond its status (registry.services.close_signal).
    decline_reason = models.CharField(_("raison du refus"), max_length=12, choices=DeclineReason.choices, blank=True)
    # The day from which the sending partner may bring the programme up again with a youth who declined.
    reapproach_on = models.DateField(_("le partenaire peut en reparler à partir du"), null=True, blank=True)
    referred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("orienté·e vers ou suivi·e par"),
    )
    referred_to_text = models.CharField(
        _("orienté·e vers ou suivi·e par (hors annuaire)"), max_length=ELSEWHERE_TEXT_MAX, blank=True
    )

    class Meta:
        verbose_name = _("signalement")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["mission_locale", "status"])]

    def __str__(self) -> str:
        return f"signalement {self.pk}"

    @property
    def outcome_for_partner(self) -> str:
        if self.known_on_arrival and self.status in (SignalStatus.NEW, SignalStatus.ASSIGNED):
            return gettext("jeune déjà connu·e de la Mission locale, qui le ou la suit")
        return str(PARTNER_OUTCOME[SignalStatus(self.status)])


class SignalContactQuerySet(models.QuerySet["SignalContact"]):
    def awaiting_answer(self) -> "SignalContactQuerySet":
        """Requests that the partner propose a meeting, not answered yet."""
        return self.filter(outcome="")


class SignalContact(models.Model):
    """One attempt to reach the youth of a contact opportunity, who has no file: carried out
    through the partner who met them (« le partenaire a proposé un rendez-vous ») or, with them, by
    another channel. Without an outcome, it is the Mission locale's request that the partner
    propose a meeting, until the partner answers. Notes stay at the Mission locale."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="contacts")
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("moyen"), max_length=12, choices=Channel.choices)
    outcome = models.CharField(_("résultat"), max_length=20, choices=ContactOutcome.choices, blank=True)
    # The partner through whom the attempt was made: the signal's sender.
    through = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("partenaire")
    )
    note = models.CharField(_("commentaire"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # For a request: who of the partner answered it, and when.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SignalContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("tentative de contact via un partenaire")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"contact {self.pk} (signalement {self.signal_id})"


class Consent(models.Model):
    """When and how the youth was informed, what they agreed to share and with whom; a
    withdrawal takes effect at once and is kept with its date."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="consents")
    informed_on = models.DateField(_("informé·e le"))
    informed_how = models.CharField(_("comment"), max_length=100, choices=InformedHow.choices)
    share_with = models.ManyToManyField(Organisation, blank=True, related_name="+", verbose_name=_("partage avec"))
    sensitive_sections = models.JSONField(_("sections sensibles partagées"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("consentement")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"consentement {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Merge(models.Model):
    """Two records found to be one person. Everything needed to undo it is kept: which signals
    and consents moved, and the kept record's fields before it borrowed the other's."""

    kept = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="merges_kept")
    absorbed = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="merges_absorbed")
    moved_signals = models.JSONField(default=list)
    moved_consents = models.JSONField(default=list)
    kept_before = models.JSONField(default=dict)
    # The same fields just after the merge: an undo restores only those nobody changed since.
    kept_after = models.JSONField(default=dict)
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fusion de dossiers")
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"fusion {self.absorbed_id} → {self.kept_id}"


class ListImport(models.Model):
    """One list file brought into the registry: its column mapping, its check and the report
    kept afterwards. The file itself is personal data: kept only until it is imported or
    abandoned, then erased; the report keeps line numbers and reasons, never values."""

    mission_locale = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="list_imports")
    kind = models.CharField(_("type de liste"), max_length=10, choices=ListKind.choices)
    file_name = models.CharField(_("fichier"), max_length=200)
    file_format = models.CharField(max_length=4)  # csv or xlsx
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(null=True, editable=False)
    columns = models.JSONField(default=list)  # headers of the file, in order
    mapping = models.JSONField(default=dict)  # field name -> column index
    row_count = models.PositiveIntegerField(_("lignes"), default=0)
    progress = models.PositiveIntegerField(default=0)  # rows handled by the running check or import
    status = models.CharField(_("statut"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING)
    report = models.JSONField(default=dict)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import de liste")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)


class ImportedRow(models.Model):
    """A line of an imported list and the record it created or completed. Its fingerprint (a hash
    of the mapped values) makes a second import of the same line a no-op."""

    list_import = models.ForeignKey(ListImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, db_index=True)
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="imported_rows")
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)

    class Meta:
        ordering = ["list_import", "line"]

    def __str__(self) -> str:
        return f"ligne {self.line}"


class DuplicateCandidate(models.Model):
    """Two active records the engine finds alike without being sure: a counsellor compares them
    side by side and merges them or marks them as two people (then never proposed again)."""

    youth_a = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="+")
    youth_b = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.CharField(max_length=300)
    found_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("doublon possible")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["youth_a", "youth_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=models.Q(youth_a__lt=models.F("youth_b")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"doublon possible {self.youth_a_id} / {self.youth_b_id}"
