from collections.abc import Collection

from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from reperes.territory.enums import RURAL_POPULATION_THRESHOLD, AreaClass, EpciKind
from reperes.territory.text import fold


class CommuneQuerySet(models.QuerySet["Commune"]):
    def current(self) -> "CommuneQuerySet":
        return self.filter(is_current=True)

    def matching(self, query: str, near: Collection[str] = ()) -> "CommuneQuerySet":
        """Communes whose name words start with the query's words, whose postcode starts with the
        digits typed, or whose INSEE code is the one typed; exact names first, then those of the
        départements `near` (the user's own: Saint-Louis of the Haut-Rhin before that of La
        Réunion for someone in Alsace), then by population."""
        query = query.strip()
        if not query:
            return self.none()
        elsewhere = Case(
            When(departement_id__in=list(near), then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        compact = query.replace(" ", "")
        if compact.isdigit() or (len(compact) == 5 and compact[:2].upper() in {"2A", "2B"}):
            found = self.filter(models.Q(postcodes__contains=" " + compact) | models.Q(code=compact.upper()))
            return found.annotate(elsewhere=elsewhere).order_by("elsewhere", "-population", "code")
        folded = fold(query)
        if not folded:
            return self.none()
        qs = self
        for word in folded.split():
            qs = qs.filter(search_name__contains=" " + word)
        rank = Case(
            When(search_name=" " + folded, then=Value(0)),
            When(search_name__startswith=" " + folded, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return qs.annotate(rank=rank, elsewhere=elsewhere).order_by("rank", "elsewhere", "-population", "code")


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("région")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = _("département")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, choices=EpciKind.choices)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    # Space-separated with a leading space, so that « contains ' 671' » is a prefix match.
    postcodes = models.CharField(_("codes postaux"), max_length=200, blank=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    arrondissement = models.CharField(_("arrondissement"), max_length=4, blank=True)
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    area_class = models.CharField(_("classe"), max_length=5, choices=AreaClass.choices)
    # Folded name with a leading space: see CommuneQuerySet.matching.
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    is_current = models.BooleanField(_("commune actuelle"), default=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.main_postcode or self.departement_id})"

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split()

    @property
    def main_postcode(self) -> str:
        codes = self.postcode_list
        return codes[0] if codes else ""

    @property
    def label(self) -> str:
        """What an autocomplete shows and accepts back: name, postcode and INSEE code."""
        return (
            f"{self.name} ({self.main_postcode}) — {self.code}" if self.main_postcode else f"{self.name} — {self.code}"
        )

    @staticmethod
    def classify(population: int) -> AreaClass:
        return AreaClass.RURAL if population < RURAL_POPULATION_THRESHOLD else AreaClass.URBAN

    @staticmethod
    def search_key(name: str) -> str:
        return " " + fold(name)


class Territory(models.Model):
    """A set of communes: the area of a Mission locale, or the area a partner serves."""

    name = models.CharField(_("nom"), max_length=200)
    communes = models.ManyToManyField(Commune, related_name="territories", verbose_name=_("communes"))

    class Meta:
        verbose_name = _("territoire")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
