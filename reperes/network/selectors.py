"""Reads of the partnership mesh shared by pages, the API and (later) pathway screens."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from reperes.network.enums import SchemeAudience, Vocabulary
from reperes.network.models import FundingScheme, Organisation, Service, Term, User
from reperes.territory.models import Commune, Territory
from reperes.territory.text import fold

# The needs a coverage table shows, in the order of the seed's « freins » (data·inclusion categories).
COVERAGE_THEMES = [
    "logement-hebergement",
    "sante",
    "mobilite",
    "remobilisation",
    "se-former",
    "trouver-un-emploi",
    "difficultes-financieres",
    "famille",
]


def theme_categories() -> QuerySet[Term]:
    return Term.objects.filter(vocabulary=Vocabulary.THEME, category="")


def _serves(commune: Commune) -> Q:
    """A service serves a commune when it lists it, or lists none and its organisation's area holds it.

    One IN (… UNION …) subquery: both databases run it as a hashed semi-join over a few hundred
    ids, where an OR of EXISTS was evaluated service by service (bench/directory.py)."""
    listing = Service.communes.through.objects.filter(commune_id=commune.code).values("service_id")
    by_area = (
        Service.objects.filter(organisation__territory__communes=commune.code)
        .filter(~Exists(Service.communes.through.objects.filter(service_id=OuterRef("pk"))))
        .values("pk")
    )
    return Q(pk__in=listing.union(by_area))


def _has_theme(code: str) -> Q:
    """A category code matches every theme under it; a full theme code matches itself."""
    themes = Service.themes.through.objects.filter(service_id=OuterRef("pk"))
    themes = (
        themes.filter(term__code=code) if "--" in code else themes.filter(Q(term__code=code) | Q(term__category=code))
    )
    return Q(Exists(themes))


def search_services(
    *,
    text: str = "",
    theme: str = "",
    commune: Commune | None = None,
    kind: str = "",
    public: str = "",
) -> QuerySet[Service]:
    """Active services matching every criterion given: words of the name, description or
    organisation (accents ignored), a need (theme or category code), a commune served, a kind of
    organisation, a public. Ordered by organisation then name."""
    qs = Service.objects.active()
    for word in fold(text).split():
        qs = qs.filter(search_text__contains=word)
    if theme:
        qs = qs.filter(_has_theme(theme))
    if commune is not None:
        qs = qs.filter(_serves(commune))
    if kind:
        qs = qs.filter(organisation__kind=kind)
    if public:
        qs = qs.filter(Exists(Service.publics.through.objects.filter(service_id=OuterRef("pk"), term__code=public)))
    # The commune is prefetched for the page shown, not joined: a join made the planner hash every commune.
    return (
        qs.select_related("organisation")
        .prefetch_related(
            "commune", "organisation__commune", Prefetch("themes", queryset=Term.objects.order_by("label"))
        )
        .order_by("organisation__name", "name", "pk")
    )


def partner_profile(organisation_id: int) -> Organisation:
    return (
        Organisation.objects.select_related("commune", "territory", "updated_by")
        .prefetch_related(
            "themes",
            "networks",
            "contacts",
            Prefetch("services", queryset=Service.objects.filter(is_active=True).prefetch_related("themes")),
        )
        .get(pk=organisation_id)
    )


@dataclass
class CommuneCoverage:
    commune: Commune
    identifiers: list[Organisation] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # partners per need, in the order of Coverage.themes

    @property
    def has_gap(self) -> bool:
        return not self.identifiers


@dataclass
class EpciSummary:
    name: str
    code: str = ""
    communes: int = 0
    population: int = 0
    gap_communes: int = 0
    gap_population: int = 0
    rows: list[CommuneCoverage] = field(default_factory=list)  # those the filter keeps, by name

    @property
    def covered_communes(self) -> int:
        return self.communes - self.gap_communes


@dataclass(frozen=True)
class CoverageSummary:
    communes: int
    gap_communes: int
    population: int
    gap_population: int

    @property
    def covered_communes(self) -> int:
        return self.communes - self.gap_communes

    @property
    def gap_share(self) -> int:
        """The population living in a commune without an identifying partner, in whole percent."""
        return round(100 * self.gap_population / self.population) if self.population else 0


@dataclass
class Coverage:
    territory: Territory
    rows: list[CommuneCoverage]
    themes: list[Term]

    @property
    def gaps(self) -> list[CommuneCoverage]:
        """Communes where no partner can identify young people, the most populated first."""
        return sorted((r for r in self.rows if r.has_gap), key=lambda r: (-r.commune.population, r.commune.name))

    @property
    def summary(self) -> CoverageSummary:
        gaps = [r for r in self.rows if r.has_gap]
        return CoverageSummary(
            communes=len(self.rows),
            gap_communes=len(gaps),
            population=sum(r.commune.population for r in self.rows),
            gap_population=sum(r.commune.population for r in gaps),
        )

    def by_epci(self, *, gaps_only: bool = False, epci: str = "") -> list[EpciSummary]:
        """One summary per EPCI (counted over all its communes of the territory), holding the rows
        the filter keeps: only communes without an identifying partner, only one EPCI. EPCI with
        no row kept are left out; the largest uncovered population first."""
        summaries: dict[str, EpciSummary] = {}
        for row in self.rows:
            code = row.commune.epci_id or ""
            if epci and code != epci:
                continue
            name = row.commune.epci.name if row.commune.epci else "—"
            summary = summaries.setdefault(code, EpciSummary(name, code))
            summary.communes += 1
            summary.population += row.commune.population
            if row.has_gap:
                summary.gap_communes += 1
                summary.gap_population += row.commune.population
            if row.has_gap or not gaps_only:
                summary.rows.append(row)
        kept = [s for s in summaries.values() if s.rows or not gaps_only]
        return sorted(kept, key=lambda s: (-s.gap_population, s.name))


def coverage_of(territory: Territory) -> Coverage:
    """For each commune of a territory: the partners able to identify young people that serve it,
    and how many partners serve it for each need of COVERAGE_THEMES. Eight queries, whatever the
    number of communes; only the partners serving the territory are loaded."""
    communes = list(territory.communes.select_related("epci").order_by("name"))
    codes = [c.code for c in communes]
    partner_ids = set(Organisation.objects.active().partners().values_list("pk", flat=True))
    areas = Territory.communes.through.objects.filter(commune_id__in=codes).values_list(
        "commune_id", "territory__organisation"
    )
    listed = Service.communes.through.objects.filter(commune_id__in=codes, service__is_active=True).values_list(
        "commune_id", "service__organisation"
    )
    served: dict[str, set[int]] = defaultdict(set)
    for code, org_id in chain(areas, listed):
        if org_id in partner_ids:
            served[code].add(org_id)
    serving: set[int] = set().union(*served.values())
    partners = Organisation.objects.in_bulk(serving)
    themes = sorted(theme_categories().filter(code__in=COVERAGE_THEMES), key=lambda t: COVERAGE_THEMES.index(t.code))
    column = {t.code: j for j, t in enumerate(themes)}
    needs: dict[int, set[int]] = defaultdict(set)
    own = Organisation.themes.through.objects.filter(organisation_id__in=serving).values_list(
        "organisation_id", "term__category", "term__code"
    )
    offered = Service.themes.through.objects.filter(
        service__organisation_id__in=serving, service__is_active=True
    ).values_list("service__organisation_id", "term__category", "term__code")
    for org_id, category, code in chain(own, offered):
        j = column.get(category or code)
        if j is not None:
            needs[org_id].add(j)
    rows = []
    for commune in communes:
        org_ids = served.get(commune.code, set())
        counts = [0] * len(themes)
        for org_id in org_ids:
            for j in needs.get(org_id, ()):
                counts[j] += 1
        identifiers = sorted((partners[i] for i in org_ids if partners[i].can_identify), key=lambda o: o.name)
        rows.append(CommuneCoverage(commune=commune, identifiers=identifiers, counts=counts))
    return Coverage(territory=territory, rows=rows, themes=themes)


def search_funding_schemes(
    *, audience: str = "", age: int | None = None, situations: Sequence[str] = (), text: str = ""
) -> list[FundingScheme]:
    """Active schemes for an audience that a person of this age, in these situations, may draw on.

    A scheme is kept when the age falls in its range and the person is in every situation it
    requires. The catalogue holds tens of rows, so the eligibility test runs in Python on a
    single query, with the same rule as FundingScheme.accepts_age."""
    qs = FundingScheme.objects.active()
    if not audience and (age is not None or situations):
        audience = SchemeAudience.YOUTH  # an age or a situation describes a young person, not a project
    if audience:
        qs = qs.filter(audience=audience)
    words = fold(text).split()
    held = set(situations)

    def eligible(scheme: FundingScheme) -> bool:
        if age is not None and not scheme.accepts_age(age):
            return False
        if situations and not set(scheme.situations) <= held:
            return False
        haystack = fold(f"{scheme.name} {scheme.short_name} {scheme.summary} {scheme.operator}")
        return all(word in haystack for word in words)

    return [scheme for scheme in qs if eligible(scheme)]


def mission_locale_for(commune: Commune) -> Organisation | None:
    """The Mission locale whose territory holds the commune (territories do not overlap)."""
    return Organisation.objects.active().missions_locales().filter(territory__communes=commune).order_by("pk").first()


def covered_communes() -> QuerySet[Commune]:
    """The communes an active Mission locale's territory holds: those a signal can be sent for
    (settings.REPERES_COVERED_COMMUNES, for the commune fields that ask for them)."""
    missions = Organisation.objects.active().missions_locales()
    return Commune.objects.filter(territories__organisation__in=missions)


def departements_of(user: User | AnonymousUser) -> set[str]:
    """The départements where the user's active organisations are, or whose communes they cover:
    those a commune search puts first (settings.REPERES_NEAR_DEPARTEMENTS)."""
    if not user.is_authenticated:
        return set()
    organisations = Organisation.objects.active().filter(memberships__user=user, memberships__is_active=True)
    placed = organisations.values_list("commune__departement_id", flat=True)
    covered = organisations.values_list("territory__communes__departement_id", flat=True).order_by().distinct()
    return (set(placed) | set(covered)) - {None}
