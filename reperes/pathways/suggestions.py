"""For each barrier of a youth's file, who could help and what the youth could draw on: the services
of the directory serving the youth's commune on the barrier's themes, and the funding schemes of the
catalogue the youth is (or may be) eligible for, each with the reason it is suggested. A selector:
it reads only.

Privacy. Only the barriers whose section the reader holds get suggestions (`barrier_kinds_visible`):
a suggestion never tells a sensitive barrier. Specialised partners (PJJ, SPIP, CSAPA, health
centres), whose kind would tell a section, are suggested only under a health or addiction barrier —
which the reader then holds — and PJJ or SPIP never: the justice flag gets generic access-to-rights
services, and no funding scheme. What the youth's situation is taken from is only what the file
says (the diploma, the référent) and the barriers the reader sees.

Cost: four queries at most, whatever the number of barriers — the themes, the (service, theme)
pairs serving the commune, the catalogue of schemes, the youth's département — when the youth
comes with their commune (`select_related("commune")`, as the pathway page loads them)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reperes.network.enums import NON_PARTNER_KINDS, OrganisationKind, SchemeAudience, Situation, Vocabulary
from reperes.network.models import FundingScheme, Service, Term, User
from reperes.pathways.enums import BarrierStatus
from reperes.pathways.models import YouthBarrier
from reperes.privacy import policy
from reperes.registry.enums import Barrier
from reperes.registry.models import Youth
from reperes.territory.models import Commune, Territory
from reperes.territory.text import fold

# How many services and how many schemes one barrier suggests at most.
LIMIT = 3

# Barrier → data·inclusion thématiques (schema v1, the codes `load_vocabularies` loads). A category
# code (no « -- ») stands for every theme under it, as in the directory search; a theme code for
# itself. The choices:
# - health: care, mental and sexual health, a disability file — not addictions, which is its own barrier;
# - justice: only the generic « accès aux droits », never « problématique judiciaire » (a coarse flag);
# - isolation (isolement familial): social ties, and family conflicts, separation or violence;
# - money: the whole « difficultés financières » category (budget, debts, protection).
BARRIER_THEMES: dict[str, tuple[str, ...]] = {
    Barrier.HOUSING: ("logement-hebergement",),
    Barrier.HEALTH: (
        "sante--acces-aux-soins",
        "sante--sante-mentale",
        "sante--sante-sexuelle",
        "sante--constituer-un-dossier-mdph-invalidite",
    ),
    Barrier.ADDICTION: ("sante--addictions",),
    Barrier.JUSTICE: ("difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",),
    Barrier.MOBILITY: ("mobilite",),
    Barrier.ISOLATION: ("remobilisation--lien-social", "famille--surmonter-conflits-separation-violence"),
    Barrier.MONEY: ("difficultes-financieres",),
    Barrier.CHILDCARE: ("famille--garde-denfants",),
    Barrier.LANGUAGE: ("lecture-ecriture-calcul--maitriser-le-francais",),
    Barrier.DIGITAL: ("numerique",),
}

# Barrier → words (folded, matched at the start of a word) of a funding scheme's name or summary
# that relate it to the barrier. The catalogue has no themes of its own and is edited by people:
# words keep a scheme added later in its place (« Fonds d'aide aux jeunes: subsistance, transport,
# logement » is suggested for money, mobility and housing). The justice flag gets none.
BARRIER_SCHEME_WORDS: dict[str, tuple[str, ...]] = {
    Barrier.HOUSING: ("logement", "locati", "loyer"),
    Barrier.HEALTH: ("sante", "soins"),
    Barrier.ADDICTION: ("sante", "soins", "addiction"),
    Barrier.JUSTICE: (),
    Barrier.MOBILITY: ("mobilite", "permis", "transport", "deplacement"),
    Barrier.ISOLATION: ("isolement", "lien social"),
    Barrier.MONEY: ("aides financieres", "aide financiere", "subsistance", "allocation"),
    Barrier.CHILDCARE: ("garde d enfant", "creche"),
    Barrier.LANGUAGE: ("francais", "langue"),
    Barrier.DIGITAL: ("numerique",),
}

# Statuses of a barrier that call for suggestions: confirmed and not lifted. A barrier only
# suspected (« à confirmer »), lifted or not confirmed gets none.
SUGGESTED_STATUSES = {BarrierStatus.IDENTIFIED, BarrierStatus.IN_PROGRESS}

# Partners whose kind tells a section: those of health only under a health or addiction barrier.
_HEALTH_KINDS = {OrganisationKind.CSAPA, OrganisationKind.HEALTH}
_JUSTICE_KINDS = {OrganisationKind.PJJ, OrganisationKind.SPIP}
_HEALTH_BARRIERS = {Barrier.HEALTH, Barrier.ADDICTION}


@dataclass(frozen=True)
class ServiceSuggestion:
    service_id: int
    name: str
    organisation_name: str
    is_partner: bool  # a referral may name its organisation (not a Mission locale's own service)
    reason: str


@dataclass(frozen=True)
class SchemeSuggestion:
    scheme_id: int
    name: str
    short_name: str
    eligible: bool | None  # True: every criterion is met; None: possibly, something is to check
    reason: str  # the criteria met, « 16–25 ans, réside à Colmar (Haut-Rhin) »
    to_check: str  # what the file does not say, « ni en emploi, ni en études, ni en formation »


@dataclass(frozen=True)
class BarrierSuggestions:
    kind: str
    label: str
    services: list[ServiceSuggestion]
    schemes: list[SchemeSuggestion]
    commune_name: str  # the youth's commune, « » when unknown
    directory_query: str  # the directory search for this need in the youth's commune

    @property
    def is_empty(self) -> bool:
        return not self.services and not self.schemes


def suggested_kinds(barriers: Iterable[YouthBarrier]) -> list[str]:
    """The kinds, among barriers already filtered for the reader (`barriers_of`), that call for
    suggestions: confirmed and not lifted."""
    return [barrier.kind for barrier in barriers if barrier.status in SUGGESTED_STATUSES]


def suggestions_for(
    youth: Youth,
    kinds: Iterable[str],
    user: User,
    *,
    sections: set[str] | None = None,
    today: date | None = None,
) -> dict[str, BarrierSuggestions]:
    """For each barrier kind the reader may see, up to LIMIT active services of the directory that
    serve the youth's commune on the barrier's themes (those located in the commune first, then
    those listing it, then those serving it through their organisation's area, the smallest area
    first) and up to LIMIT active funding schemes for a young person related to the barrier that
    the youth is eligible for, or possibly eligible for (labelled so), by age, situation and
    residence. `sections` is `policy.sections_visible_to(user, youth)` when the caller has it."""
    if sections is None:
        sections = policy.sections_visible_to(user, youth)
    wanted = [kind for kind in dict.fromkeys(kinds) if kind in BARRIER_THEMES]
    visible = policy.barrier_kinds_visible(sections, wanted)
    if not visible:
        return {}
    commune = youth.commune if youth.commune_id else None
    services = _services(commune, visible)
    schemes = _schemes(youth, commune, visible, today or timezone.localdate())
    return {
        kind: BarrierSuggestions(
            kind=kind,
            label=str(Barrier(kind).label),
            services=services.get(kind, []),
            schemes=schemes.get(kind, []),
            commune_name=commune.name if commune is not None else "",
            directory_query=urlencode(
                {"theme": BARRIER_THEMES[kind][0], **({"commune": commune.code} if commune is not None else {})}
            ),
        )
        for kind in visible
    }


# --- Services of the directory ------------------------------------------------------------------


def _theme_terms(kinds: list[str]) -> tuple[dict[str, set[int]], dict[int, Term], dict[str, str]]:
    """For each kind, the ids of the terms its themes stand for; the terms; the categories' labels.
    One query."""
    codes = {code for kind in kinds for code in BARRIER_THEMES[kind]}
    categories = {code for code in codes if "--" not in code}
    parents = {code.split("--")[0] for code in codes}
    terms = list(
        Term.objects.filter(vocabulary=Vocabulary.THEME).filter(
            Q(code__in=codes | parents) | Q(category__in=categories)
        )
    )
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind in kinds:
        for code in BARRIER_THEMES[kind]:
            for term in terms:
                if term.code == code or ("--" not in code and term.category == code):
                    by_kind[kind].add(term.pk)
    labels = {term.code: term.label for term in terms if not term.category}
    return by_kind, {term.pk: term for term in terms}, labels


def _services(commune: Commune | None, kinds: list[str]) -> dict[str, list[ServiceSuggestion]]:
    """Two queries: the themes, then every (service, theme) pair of an active service serving the
    commune on one of the themes, with what ranks it (located, listing, the size of its area)."""
    if commune is None:
        return {}
    by_kind, terms, category_labels = _theme_terms(kinds)
    term_ids = set().union(*by_kind.values())
    if not term_ids:
        return {}
    excluded = set(_JUSTICE_KINDS) | (set() if _HEALTH_BARRIERS & set(kinds) else _HEALTH_KINDS)
    listed_communes = Service.communes.through.objects
    listing = listed_communes.filter(commune_id=commune.code).values("service_id")
    by_area = (
        Service.objects.filter(organisation__territory__communes=commune.code)
        .filter(~Exists(listed_communes.filter(service_id=OuterRef("pk"))))
        .values("pk")
    )
    listed_count = (
        listed_communes.filter(service_id=OuterRef("service_id"))
        .order_by()
        .values("service_id")
        .annotate(n=Count("commune_id"))
        .values("n")  # type: ignore[misc]  # an annotation
    )
    area_count = (
        Territory.communes.through.objects.filter(territory_id=OuterRef("service__organisation__territory_id"))
        .order_by()
        .values("territory_id")
        .annotate(n=Count("commune_id"))
        .values("n")  # type: ignore[misc]  # an annotation
    )
    rows = (
        Service.themes.through.objects.filter(term_id__in=term_ids)
        .filter(service__is_active=True, service__organisation__is_active=True)
        .filter(service_id__in=listing.union(by_area))
        .exclude(service__organisation__kind__in=excluded)
        .annotate(
            located=Case(
                When(service__commune_id=commune.code, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            listed=Exists(listed_communes.filter(service_id=OuterRef("service_id"), commune_id=commune.code)),
            listed_count=Subquery(listed_count),
            area_count=Subquery(area_count),
        )
        .values_list(
            "service_id",
            "term_id",
            "service__name",
            "service__organisation__name",
            "service__organisation__kind",
            "located",
            "listed",
            "listed_count",
            "area_count",
        )
    )
    found: dict[int, _Candidate] = {}
    themes_of: dict[int, set[int]] = defaultdict(set)
    for service_id, term_id, name, organisation, kind, located, listed, n_listed, n_area in rows:
        themes_of[service_id].add(term_id)
        served = (n_listed if listed else n_area) or 1
        found[service_id] = _Candidate(service_id, name, organisation, kind, located, listed, served)
    suggestions: dict[str, list[ServiceSuggestion]] = {}
    for kind in kinds:
        matching = [found[pk] for pk, held in themes_of.items() if held & by_kind[kind]]
        if kind not in _HEALTH_BARRIERS:
            matching = [candidate for candidate in matching if candidate.kind not in _HEALTH_KINDS]
        matching.sort(key=_Candidate.rank)
        suggestions[kind] = [
            ServiceSuggestion(
                service_id=candidate.pk,
                name=candidate.name,
                organisation_name=candidate.organisation,
                is_partner=candidate.kind not in NON_PARTNER_KINDS,
                reason=_service_reason(
                    candidate,
                    commune,
                    [terms[t] for t in sorted(themes_of[candidate.pk] & by_kind[kind])],
                    category_labels,
                ),
            )
            for candidate in matching[:LIMIT]
        ]
    return suggestions


@dataclass(frozen=True)
class _Candidate:
    """A service serving the commune on a theme of the barriers asked, with what ranks it."""

    pk: int
    name: str
    organisation: str
    kind: str
    located: bool  # its address is in the youth's commune
    listed: bool  # it lists the commune among those it serves
    served: int  # how many communes it serves (listed, or its organisation's area)

    def rank(self) -> tuple[int, int, str, str, int]:
        tier = 0 if self.located else 1 if self.listed else 2
        return (tier, self.served, fold(self.organisation), fold(self.name), self.pk)


def _service_reason(
    candidate: _Candidate, commune: Commune, matched: list[Term], category_labels: dict[str, str]
) -> str:
    """« dessert Colmar · thématique Mobilité (Préparer un permis) »."""
    if candidate.located and candidate.served <= 1:
        where = _("à %(commune)s") % {"commune": commune.name}
    elif candidate.served <= 1:
        where = _("dessert %(commune)s") % {"commune": commune.name}
    else:
        others = candidate.served - 1
        where = ngettext(
            "dessert %(commune)s et %(n)d autre commune", "dessert %(commune)s et %(n)d autres communes", others
        ) % {"commune": commune.name, "n": others}
    labels: dict[str, list[str]] = {}
    for term in matched:
        if term.category:
            labels.setdefault(category_labels.get(term.category, term.category), []).append(term.label)
        else:
            labels.setdefault(term.label, [])
    themes = ", ".join(
        f"{category} ({', '.join(subs[:2])}{'…' if len(subs) > 2 else ''})" if subs else category
        for category, subs in labels.items()
    )
    return _("%(where)s · thématique %(themes)s") % {"where": where, "themes": themes}


# --- Funding schemes of the catalogue -----------------------------------------------------------


def _schemes(
    youth: Youth, commune: Commune | None, kinds: list[str], today: date
) -> dict[str, list[SchemeSuggestion]]:
    """One query for the catalogue (tens of rows, as `search_funding_schemes`), one for the
    département when a scheme asks for it."""
    wanted = {kind: BARRIER_SCHEME_WORDS.get(kind, ()) for kind in kinds}
    if not any(wanted.values()):
        return {}
    known = _known_situations(youth, kinds)
    age = youth.age(today)
    suggestions: dict[str, list[SchemeSuggestion]] = {}
    catalogue = list(FundingScheme.objects.active().filter(audience=SchemeAudience.YOUTH))
    for kind, words in wanted.items():
        related = [scheme for scheme in catalogue if _mentions(scheme, words)]
        answers = [_eligibility(scheme, age, known, commune) for scheme in related]
        kept = [answer for answer in answers if answer.eligible is not False]
        kept.sort(key=lambda answer: (answer.eligible is not True, fold(answer.name)))
        suggestions[kind] = kept[:LIMIT]
    return suggestions


def _mentions(scheme: FundingScheme, words: tuple[str, ...]) -> bool:
    text = f" {fold(f'{scheme.name} {scheme.summary}')} "
    return any(f" {word}" in text for word in words)


def _known_situations(youth: Youth, kinds: list[str]) -> dict[str, bool]:
    """The situations of Situation the file answers: no diploma (when the file says), accompanied
    (a référent of the Mission locale follows the youth), housing difficulty and low income (a
    confirmed housing or money barrier the reader sees). Any other is « à vérifier »."""
    known: dict[str, bool] = {}
    if youth.has_diploma is not None:
        known[Situation.NO_DIPLOMA] = not youth.has_diploma
    if youth.referent_id is not None:
        known[Situation.ACCOMPANIED] = True
    if Barrier.HOUSING in kinds:
        known[Situation.HOUSING] = True
    if Barrier.MONEY in kinds:
        known[Situation.LOW_INCOME] = True
    return known


def _age_range(scheme: FundingScheme) -> str:
    if scheme.age_min is not None and scheme.age_max is not None:
        return _("%(min)d–%(max)d ans") % {"min": scheme.age_min, "max": scheme.age_max}
    if scheme.age_min is not None:
        return _("%(min)d ans et plus") % {"min": scheme.age_min}
    return _("jusqu'à %(max)d ans") % {"max": scheme.age_max}


def _residence(scheme: FundingScheme, commune: Commune | None) -> tuple[bool | None, str]:
    """The residence the scheme asks for (free text in the catalogue), three-state: « France »
    alone is met by any commune of the file; a text naming the département (« Département de
    l'aide ») by the youth's département; any other text, or no commune on the file, is to check."""
    required = fold(scheme.residence)
    if not required:
        return True, ""
    if commune is not None and required == "france":
        return True, _("réside en France")
    if commune is not None and "departement" in required:
        return True, _("réside à %(commune)s (%(departement)s)") % {
            "commune": commune.name,
            "departement": commune.departement.name,
        }
    return None, _("résidence : %(required)s") % {"required": scheme.residence}


def _eligibility(
    scheme: FundingScheme, age: int | None, known: dict[str, bool], commune: Commune | None
) -> SchemeSuggestion:
    met: list[str] = []
    to_check: list[str] = []
    eligible: bool | None = True
    if scheme.age_min is not None or scheme.age_max is not None:
        if age is None:
            to_check.append(_("âge (%(range)s)") % {"range": _age_range(scheme)})
            eligible = None
        elif scheme.accepts_age(age):
            met.append(_age_range(scheme))
        else:
            eligible = False
    resides, text = _residence(scheme, commune)
    if resides is None:
        to_check.append(text)
        eligible = None if eligible is True else eligible
    elif text:
        met.append(text)
    for code in scheme.situations:
        label = str(Situation(code).label) if code in Situation.values else code
        answer = known.get(code)
        if answer is False:
            eligible = False
        elif answer is None:
            to_check.append(label)
            eligible = None if eligible is True else eligible
        else:
            met.append(label)
    return SchemeSuggestion(
        scheme_id=scheme.pk,
        name=scheme.name,
        short_name=scheme.short_name,
        eligible=eligible,
        reason=", ".join(met),
        to_check=", ".join(to_check),
    )
