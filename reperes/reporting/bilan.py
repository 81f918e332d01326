"""The bilan as it is read: key figures, charts and report tables, for a campaign, for one of its
projects and across a funder's campaigns (issue 13).

Every count comes from one Publication of the campaign (reporting.cells, one
disclosure.protect call for all of the campaign's tables), read cell by cell: a page, a chart and
an export of the same bilan therefore publish the same cells, and a secret one reads « secret »
everywhere, with disclosure.secret_note as footnote. The carrier's coordinator may read their own
project's exact figures (`exact=True`, ADR 008: their staff hold these files); the exact
publication then holds every count, the projects' detailed breakdowns included, and nothing else
differs. Exports are always protected.

A table shows its rows and, as its total, the cell of the whole population: for exact figures
the total is the sum of the rows; protected, either it is published or it reads « secret ».
Across campaigns, a total is the sum of the campaigns' published cells, and secret as soon as one
of them is (it would give the secret one back)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reperes.exports import charts
from reperes.exports.charts import Svg
from reperes.exports.tables import Cell as ReportCell
from reperes.exports.tables import Column, Kind, ReportTable, display, format_decimal
from reperes.mobilisation.enums import ActionKind
from reperes.network.enums import OrganisationKind
from reperes.network.models import Organisation
from reperes.pathways.enums import Stage
from reperes.programme.disclosure import Cell, Publication, Shown, ShownPercent, protect, secret_note
from reperes.programme.enums import BudgetKind
from reperes.programme.models import Campaign, Project, TimeKind
from reperes.programme.selectors import FiguresShown, ProgrammeFigures
from reperes.registry.enums import Barrier, Sex
from reperes.reporting import cells
from reperes.reporting.cells import ENROLLED, FIRST, SIGNALS, STAGES, YES, at, furthest, stage, where
from reperes.reporting.enums import AgeBand, Situation
from reperes.reporting.selectors import (
    UNKNOWN,
    ActionFigures,
    CampaignCounts,
    WomenShare,
    campaign_projects,
    women_share_references,
)
from reperes.reporting.services import campaign_figures
from reperes.territory.enums import AreaClass

SOURCE_LABELS = {
    "list_dropout": gettext_lazy("listes de décrocheurs (SIEI / RIO)"),
    "list_partner": gettext_lazy("listes de partenaires"),
    OrganisationKind.MISSION_LOCALE.value: gettext_lazy("la Mission locale elle-même (accueil, démarches)"),
    UNKNOWN: gettext_lazy("non renseigné"),
}
AREA_LABELS = {
    AreaClass.RURAL.value: gettext_lazy("commune rurale"),
    AreaClass.URBAN.value: gettext_lazy("commune urbaine"),
    UNKNOWN: gettext_lazy("non renseigné"),
}
SEX_LABELS = {
    Sex.FEMALE.value: gettext_lazy("jeunes femmes"),
    Sex.MALE.value: gettext_lazy("jeunes hommes"),
    "": gettext_lazy("non renseigné"),
}


@dataclass(frozen=True)
class Figure:
    """A count or an amount as every writer reads it (reperes.exports.tables.MaskedCell): its value,
    or « secret » without any value."""

    display: str
    suppressed: bool
    value: int | Decimal | None


def _secret() -> Figure:
    return Figure(display=_("secret"), suppressed=True, value=None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: list[ReportTable] = field(default_factory=list)
    charts: list[tuple[str, Svg]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Bilan:
    title: str
    subtitle: str
    reference_date: date | None
    protected: bool
    key_figures: list[tuple[str, Figure, Kind]]
    sections: list[Section]
    note: str = ""
    threshold: int = 0  # the small-cell threshold this bilan's protected cells were cut at
    campaign: Campaign | None = None
    project: Project | None = None
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def tables(self) -> list[ReportTable]:
        return [table for section in self.sections for table in section.tables]

    @property
    def shows_projects(self) -> bool:
        """The qualitative part names each entry's project (a campaign's bilan)."""
        return self.project is None

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The key figures formatted (exports/partials/key_figures.html)."""
        return [(label, display(value, kind)) for label, value, kind in self.key_figures]


# --- Publications -------------------------------------------------------------------------------


def publication(counts: CampaignCounts, *, exact: bool = False) -> Publication:
    """The campaign's Publication: protected (one disclosure.protect call), or `exact`, every
    count published, the projects' detailed breakdowns included (cells.detailed_tables)."""
    if not exact:
        return protect(cells.tables(counts))
    values: dict[Cell, int | None] = {}
    for table in [*cells.tables(counts), *cells.detailed_tables(counts)]:
        values.update(table.counted())
    return Publication(values=values, sums=(), threshold=0)


class Reader:
    """Reads the cells of one Publication as report cells: a Figure, or None when the cell is not
    part of this publication (a detailed breakdown of a project, published only exactly)."""

    def __init__(self, published: Publication) -> None:
        self.published = published

    def has(self, cell: Cell) -> bool:
        return cell in self.published.values

    def count(self, cell: Cell) -> Figure:
        shown = self.published.shown(cell)
        return _secret() if shown.secret else Figure(display=shown.text, suppressed=False, value=shown.value)

    def share(self, part: Cell, whole: Cell) -> Figure:
        return _ratio(self.published.percent(part, whole, digits=1))

    @property
    def secret(self) -> bool:
        return bool(self.published.secret_cells)


def _ratio(shown: ShownPercent) -> Figure:
    if shown.secret:
        return _secret()
    if shown.value is None:
        return Figure(display="—", suppressed=False, value=None)
    ratio = (Decimal(str(shown.value)) / 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Figure(display=shown.text, suppressed=False, value=ratio)


def _hours(minutes: int) -> int:
    return int((Decimal(minutes) / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Labels -------------------------------------------------------------------------------------


def stage_label(k: int) -> str:
    return str(Stage(k).label)


def source_label(code: str) -> str:
    if code in SOURCE_LABELS:
        return str(SOURCE_LABELS[code])
    return str(OrganisationKind(code).label) if code in OrganisationKind.values else code


def _labelled(code: str, labels: Mapping[str, object]) -> str:
    return str(labels.get(code, code))


# --- The tables ---------------------------------------------------------------------------------

Row = list[ReportCell]


def _count_header() -> str:
    return _("Jeunes")


def _scope_name(project: Project | None) -> str:
    return project.name if project is not None else _("la campagne")


def funnel_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section:
    scope = where(project)
    first = at(stage(FIRST), **scope)
    rows: list[Row] = [
        [stage_label(k), reader.count(at(stage(k), **scope)), reader.share(at(stage(k), **scope), first)]
        for k in STAGES
    ]
    funnel = ReportTable(
        title=_("Les jeunes à chaque étape du parcours"),
        columns=[
            Column(_("Étape atteinte")),
            Column(_count_header(), Kind.INTEGER),
            Column(_("Part des repérés"), Kind.PERCENT),
        ],
        rows=rows,
        footnotes=[
            _(
                "Un jeune compte à une étape dès qu'il l'a atteinte, et dans toutes celles d'avant ; "
                "chaque étape est une partie de la précédente."
            )
        ],
    )
    chart = charts.funnel(
        "bilan-entonnoir",
        _("Entonnoir du parcours"),
        [(stage_label(k), row[1]) for k, row in zip(STAGES, rows, strict=True)],
        description=_("Nombre de jeunes ayant atteint chaque étape."),
    )
    section = Section("parcours", _("Les jeunes, étape par étape"), [funnel], [(funnel.title, chart)])
    if project is None and len(counts.projects) > 1:
        section.tables.append(_projects_by_stage(reader, counts))
    return section


def _projects_by_stage(reader: Reader, counts: CampaignCounts) -> ReportTable:
    columns = [Column(_("Projet"))] + [Column(stage_label(k), Kind.INTEGER) for k in STAGES]
    rows: list[Row] = [
        [p.name, *(reader.count(at(stage(k), project=str(p.pk))) for k in STAGES)] for p in counts.projects
    ]
    total: Row = [_("Campagne"), *(reader.count(at(stage(k))) for k in STAGES)]
    return ReportTable(title=_("Par projet"), columns=columns, rows=rows, total=total)


def flow_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section | None:
    scope = where(project)
    situations = cells.categories(counts)["situation"]
    if not reader.has(at(furthest(FIRST), **where(project, situation=situations[0]))):
        return None
    columns = [Column(_("Étape la plus avancée"))] + [
        Column(str(Situation(s).label), Kind.INTEGER) for s in situations
    ]
    columns.append(Column(_("Total"), Kind.INTEGER))
    rows: list[Row] = [
        [
            stage_label(k),
            *(reader.count(at(furthest(k), **where(project, situation=s))) for s in situations),
            reader.count(at(furthest(k), **scope)),
        ]
        for k in STAGES
    ]
    total: Row = [
        _("Tous les jeunes repérés"),
        *(reader.count(at(stage(FIRST), **where(project, situation=s))) for s in situations),
        reader.count(at(stage(FIRST), **scope)),
    ]
    table = ReportTable(
        title=_("D'une étape à l'autre : où en sont les jeunes"),
        columns=columns,
        rows=rows,
        total=total,
        footnotes=[
            _(
                "Chaque ligne compte les jeunes dont l'étape la plus avancée est celle-là, selon ce qu'ils "
                "sont devenus : toujours accompagnés, ou sortis du parcours (et pour quel motif)."
            )
        ],
    )
    return Section("flux", _("Ce que sont devenus les jeunes"), [table])


def _breakdown(
    reader: Reader,
    title: str,
    heading: str,
    population: str,
    dimension: str,
    items: Sequence[tuple[str, str]],
    project: int | None,
) -> ReportTable | None:
    whole = at(population, **where(project))
    items = [
        (code, label) for code, label in items if reader.has(at(population, **where(project, **{dimension: code})))
    ]
    if not items:
        return None
    rows: list[Row] = [
        [
            label,
            reader.count(at(population, **where(project, **{dimension: code}))),
            reader.share(at(population, **where(project, **{dimension: code})), whole),
        ]
        for code, label in items
    ]
    return ReportTable(
        title=title,
        columns=[Column(heading), Column(_count_header(), Kind.INTEGER), Column(_("Part"), Kind.PERCENT)],
        rows=rows,
        total=[_("Total"), reader.count(whole), reader.share(whole, whole)],
    )


def profile_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section:
    section = Section("profil", _("Qui sont les jeunes"))
    sexes = cells.categories(counts)["sex"]
    sex_rows: list[Row] = []
    for k in STAGES:
        scope = where(project)
        if not reader.has(at(stage(k), **where(project, sex=sexes[0]))):
            continue
        women = (
            reader.share(at(stage(k), **where(project, sex=Sex.FEMALE)), at(stage(k), **scope))
            if Sex.FEMALE in sexes
            else Figure("", False, Decimal(0))
        )
        sex_rows.append(
            [
                stage_label(k),
                *(reader.count(at(stage(k), **where(project, sex=x))) for x in sexes),
                reader.count(at(stage(k), **scope)),
                women,
            ]
        )
    if sex_rows:
        table = ReportTable(
            title=_("Jeunes femmes et jeunes hommes, à chaque étape"),
            columns=[
                Column(_("Étape atteinte")),
                *(Column(_labelled(x, SEX_LABELS), Kind.INTEGER) for x in sexes),
                Column(_("Total"), Kind.INTEGER),
                Column(_("Part des jeunes femmes"), Kind.PERCENT),
            ],
            rows=sex_rows,
        )
        section.tables.append(table)
        if len(sex_rows) > 1 and len(sexes) > 1:
            section.charts.append(
                (
                    table.title,
                    charts.grouped_bars(
                        "bilan-sexe",
                        table.title,
                        [str(row[0]) for row in sex_rows],
                        [
                            (_labelled(x, SEX_LABELS), [row[1 + i] for row in sex_rows])
                            for i, x in enumerate(sexes)
                            if x
                        ],
                    ),
                )
            )
    cats = cells.categories(counts)
    breakdowns = [
        (_("Âge au repérage"), _("Âge"), "age", [(a.value, str(a.label)) for a in AgeBand]),
        (
            _("Commune de résidence, rurale ou urbaine"),
            _("Commune"),
            "area",
            [(code, _labelled(code, AREA_LABELS)) for code in cats["area"]],
        ),
        (
            _("Département de résidence"),
            _("Département"),
            "departement",
            [(code, counts.departements.get(code, str(SOURCE_LABELS[UNKNOWN]))) for code in cats["departement"]],
        ),
    ]
    for title, heading, dimension, items in breakdowns:
        found = _breakdown(reader, title, heading, stage(FIRST), dimension, items, project)
        if found is not None:
            section.tables.append(found)
    if project is not None and not reader.has(at(stage(FIRST), **where(project, age=AgeBand.MINOR))):
        section.notes.append(
            _(
                "À l'échelle d'un projet, les effectifs par âge, commune, source ou frein sont trop petits pour "
                "être publiés sans permettre de retrouver des personnes : ils figurent au bilan de la campagne."
            )
        )
    return section


def source_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section | None:
    cats = cells.categories(counts)
    items = [(code, source_label(code)) for code in cats["source"]]
    table = _breakdown(reader, _("Qui a repéré les jeunes"), _("Source"), stage(FIRST), "source", items, project)
    if table is None:
        return None
    section = Section("repérage", _("Qui a repéré les jeunes"), [table])
    section.charts.append(
        (
            table.title,
            charts.horizontal_bars("bilan-sources", table.title, [(str(row[0]), row[1]) for row in table.rows]),
        )
    )
    return section


def barrier_section(reader: Reader, project: int | None) -> Section | None:
    scope = where(project)
    if not reader.has(at(stage(FIRST), **where(project, **{cells.barrier(Barrier.HOUSING): YES}))):
        return None
    rows: list[Row] = [
        [
            str(kind.label),
            reader.count(at(stage(FIRST), **where(project, **{cells.barrier(kind): YES}))),
            reader.share(at(stage(FIRST), **where(project, **{cells.barrier(kind): YES})), at(stage(FIRST), **scope)),
        ]
        for kind in Barrier
    ]
    table = ReportTable(
        title=_("Freins périphériques confirmés"),
        columns=[
            Column(_("Frein")),
            Column(_count_header(), Kind.INTEGER),
            Column(_("Part des repérés"), Kind.PERCENT),
        ],
        rows=rows,
        footnotes=[_("Un jeune peut avoir plusieurs freins : les lignes ne s'additionnent pas.")],
    )
    return Section("freins", _("Freins périphériques"), [table])


# Percentage points between the share of young women identified and their share of the age group,
# from which the gap is flagged: the reference is an estimate (reporting/data/README.md), not a
# measure to the point.
GAP_FLAGGED = Decimal(5)


def _gap(share: Figure, reference: Decimal | None) -> tuple[ReportCell, ReportCell]:
    """The gap in points and its flag; secret with the share (the flag would tell where it lies)."""
    if share.suppressed:
        return _secret(), _secret()
    if reference is None or share.value is None:
        return "—", ""
    points = (Decimal(share.value) - reference) * 100
    text = f"{format_decimal(points, 1)} points".replace("-", "−")
    if points > 0:
        text = "+" + text
    return text, (_("écart marqué") if abs(points) >= GAP_FLAGGED else "")


def gender_section(reader: Reader, counts: CampaignCounts, references: Mapping[str, WomenShare]) -> Section | None:
    """The gender lens: the share of young women among the youths identified, per département and
    per kind of partner who identified them, against their share among the 16–25 year-olds."""
    cats = cells.categories(counts)
    if Sex.FEMALE not in cats["sex"]:
        return None
    default = references.get("")
    present = [references[code].share for code in cats["departement"] if code in references]
    campaign_reference = (sum(present, Decimal(0)) / len(present)) if present else (default.share if default else None)
    columns = [
        Column(""),
        Column(_("Jeunes femmes"), Kind.INTEGER),
        Column(_("Jeunes repérés"), Kind.INTEGER),
        Column(_("Part des jeunes femmes"), Kind.PERCENT),
        Column(_("Part parmi les 16–25 ans"), Kind.PERCENT),
        Column(_("Écart")),
        Column(_("À regarder")),
    ]

    def line(label: str, where_: dict[str, str], reference: Decimal | None) -> Row:
        women, whole = at(stage(FIRST), **where_, sex=Sex.FEMALE), at(stage(FIRST), **where_)
        share = reader.share(women, whole)
        return [label, reader.count(women), reader.count(whole), share, reference, *_gap(share, reference)]

    overall = line(_("Toute la campagne"), {}, campaign_reference)
    by_place: list[Row] = []
    for code in cats["departement"]:
        if code == UNKNOWN:
            by_place.append(line(str(SOURCE_LABELS[UNKNOWN]), {"departement": code}, None))
            continue
        reference = references[code].share if code in references else (default.share if default else None)
        by_place.append(line(counts.departements.get(code, code), {"departement": code}, reference))
    by_source = [line(source_label(code), {"source": code}, campaign_reference) for code in cats["source"]]
    sources = sorted({f"{r.source} ({r.year})" for r in references.values()})
    notes = [
        _(
            "Part parmi les 16–25 ans : %(source)s. Un écart de %(points)s points ou plus est marqué. "
            "Pour les partenaires, la référence est celle des départements de la campagne."
        )
        % {"source": " ; ".join(sources) or _("non renseignée"), "points": GAP_FLAGGED}
    ]
    heading = [Column(_("Département")), *columns[1:]]
    tables = [
        ReportTable(_("Jeunes femmes repérées, par département"), heading, by_place, total=overall, footnotes=notes),
        ReportTable(
            _("Jeunes femmes repérées, par type de partenaire"),
            [Column(_("Repérés par")), *columns[1:]],
            by_source,
            total=overall,
        ),
    ]
    return Section("jeunes-femmes", _("Le repérage des jeunes femmes"), tables)


def _action_line(figures: ActionFigures, enrolled: Figure) -> list[Figure | int | Decimal | str | None]:
    rate: Figure | None = None
    if enrolled.suppressed:
        rate = _secret()
    elif figures.marked:
        rate = Figure("", False, (Decimal(figures.present) / figures.marked).quantize(Decimal("0.0001")))
    return [figures.actions, figures.sessions, _hours(figures.minutes), enrolled, rate]


def actions_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section:
    columns = [
        Column(_("Projet")),
        Column(_("Actions"), Kind.INTEGER),
        Column(_("Séances tenues"), Kind.INTEGER),
        Column(_("Heures de séances"), Kind.INTEGER),
        Column(_("Jeunes inscrits"), Kind.INTEGER),
        Column(_("Taux de présence"), Kind.PERCENT),
    ]
    listed = [p for p in counts.projects if project is None or p.pk == project]
    rows: list[Row] = []
    total = ActionFigures()
    hours = 0
    for p in listed:
        figures = counts.actions.get(p.pk, ActionFigures())
        rows.append([p.name, *_action_line(figures, reader.count(at(ENROLLED, project=str(p.pk))))])
        hours += _hours(figures.minutes)
        for name in ("actions", "sessions", "minutes", "enrolled", "present", "absent", "excused"):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
    table_total: Row | None = None
    if project is None:
        line = _action_line(total, reader.count(at(ENROLLED)))
        line[2] = hours  # the rows' hours, each rounded: the total adds them up
        table_total = [_("Campagne"), *line]
    table = ReportTable(
        title=_("Actions de mobilisation"),
        columns=columns,
        rows=rows,
        total=table_total,
        footnotes=[
            _(
                "Heures : la durée des séances tenues, arrondie à l'heure par projet. Taux de présence : présences "
                "sur l'ensemble des présences, absences et absences excusées notées."
            )
        ],
    )
    ids = {p.pk for p in listed}
    per_kind = {
        kind: sum(n for (pk, k), n in counts.action_kinds.items() if k == kind and pk in ids) for kind in ActionKind
    }
    by_kind = ReportTable(
        title=_("Actions par type"),
        columns=[Column(_("Type d'action")), Column(_("Actions"), Kind.INTEGER)],
        rows=[[str(kind.label), n] for kind, n in per_kind.items() if n],
        total=[_("Total"), sum(per_kind.values())],
    )
    return Section("actions", _("Actions de mobilisation et présence"), [table, by_kind])


def partners_section(reader: Reader, counts: CampaignCounts, project: int | None) -> Section:
    section = Section("partenaires", _("Contributions des partenaires"))
    senders = cells.categories(counts)["sender"]
    scope = where(project)
    if senders and reader.has(at(SIGNALS, **where(project, sender=senders[0]))):
        signals: list[Row] = [
            [source_label(kind), reader.count(at(SIGNALS, **where(project, sender=kind)))] for kind in senders
        ]
        section.tables.append(
            ReportTable(
                title=_("Signalements reçus, par type de structure"),
                columns=[Column(_("Structure")), Column(_("Signalements"), Kind.INTEGER)],
                rows=signals,
                total=[_("Total"), reader.count(at(SIGNALS, **scope))],
                footnotes=[
                    _(
                        "Tous les signalements reçus pendant la campagne, y compris ceux qui n'ont pas ouvert de "
                        "dossier (jeune sans accord, hors public)."
                    )
                ],
            )
        )
    elif senders:
        section.tables.append(
            ReportTable(
                title=_("Signalements reçus"),
                columns=[Column(_("Projet")), Column(_("Signalements"), Kind.INTEGER)],
                rows=[[_scope_name(_project(counts, project)), reader.count(at(SIGNALS, **scope))]],
            )
        )
    per_kind: dict[str, int] = {}
    for (pk, kind), n in counts.partner_actions.items():
        if project is None or pk == project:
            per_kind[kind] = per_kind.get(kind, 0) + n
    section.tables.append(
        ReportTable(
            title=_("Actions animées, par type de partenaire"),
            columns=[Column(_("Partenaire")), Column(_("Actions"), Kind.INTEGER)],
            rows=[
                [source_label(kind), n] for kind, n in sorted(per_kind.items(), key=lambda item: source_label(item[0]))
            ],
            footnotes=[_("Une action animée par plusieurs partenaires compte pour chacun d'eux.")],
        )
    )
    return section


def _project(counts: CampaignCounts, project: int | None) -> Project | None:
    return next((p for p in counts.projects if p.pk == project), None)


def budget_section(counts: CampaignCounts, project: int | None) -> Section:
    listed = [p for p in counts.projects if project is None or p.pk == project]
    rows: list[Row] = []
    planned_total, requested_total = Decimal(0), Decimal(0)
    for kind in BudgetKind:
        planned = sum((counts.budget.get((p.pk, kind), (Decimal(0), Decimal(0)))[0] for p in listed), Decimal(0))
        requested = sum((counts.budget.get((p.pk, kind), (Decimal(0), Decimal(0)))[1] for p in listed), Decimal(0))
        rows.append([str(kind.label), planned, requested])
        planned_total += planned
        requested_total += requested
    budget = ReportTable(
        title=_("Budget prévisionnel"),
        columns=[Column(_("Poste")), Column(_("Prévu"), Kind.MONEY), Column(_("Demandé au financeur"), Kind.MONEY)],
        rows=rows,
        total=[_("Total"), planned_total, requested_total],
    )
    cost = sum((counts.actions.get(p.pk, ActionFigures()).cost for p in listed), Decimal(0))
    cofinancing = sum((counts.actions.get(p.pk, ActionFigures()).cofinancing for p in listed), Decimal(0))
    campaign = counts.campaign
    rates = ReportTable(
        title=_("Règles de la campagne et actions"),
        columns=[Column(_("Élément")), Column(_("Montant"), Kind.MONEY)],
        rows=[
            [_("Taux horaire de l'ingénierie de projet"), campaign.engineering_rate],
            [_("Taux horaire de la coordination"), campaign.coordination_rate],
            [_("Coût des actions de mobilisation"), cost],
            [_("Cofinancement des actions demandé"), cofinancing],
        ],
    )
    hours, claims = _hours_and_claims(counts, listed)
    return Section("budget", _("Heures et budget"), [budget, rates, hours, claims])


def _hours_text(value: Decimal) -> str:
    return f"{format_decimal(value, 2)} h"


def _hours_and_claims(counts: CampaignCounts, listed: Sequence[Project]) -> tuple[ReportTable, ReportTable]:
    """Staff hours approved (programme's timesheets) and funding claims sent, by project."""
    hour_rows: list[Row] = []
    claim_rows: list[Row] = []
    totals = [Decimal(0)] * 2
    claimed = [Decimal(0)] * 3
    for p in listed:
        engineering = counts.hours.get((p.pk, TimeKind.ENGINEERING), Decimal(0))
        coordination = counts.hours.get((p.pk, TimeKind.COORDINATION), Decimal(0))
        totals = [totals[0] + engineering, totals[1] + coordination]
        hour_rows.append([p.name, _hours_text(engineering), _hours_text(coordination)])
        amounts = counts.claimed.get(p.pk, (Decimal(0), Decimal(0), Decimal(0)))
        claimed = [a + b for a, b in zip(claimed, amounts, strict=True)]
        claim_rows.append([p.name, *amounts])
    hours = ReportTable(
        title=_("Heures d'ingénierie et de coordination validées"),
        columns=[Column(_("Projet")), Column(_("Ingénierie de projet")), Column(_("Coordination"))],
        rows=hour_rows,
        total=[_("Total"), _hours_text(totals[0]), _hours_text(totals[1])] if len(listed) > 1 else None,
        footnotes=[_("Heures saisies par l'équipe de la Mission locale et validées par le responsable du projet.")],
    )
    claims = ReportTable(
        title=_("Demandes de financement envoyées au financeur"),
        columns=[
            Column(_("Projet")),
            Column(_("Heures"), Kind.MONEY),
            Column(_("Cofinancement des actions"), Kind.MONEY),
            Column(_("Total demandé"), Kind.MONEY),
        ],
        rows=claim_rows,
        total=[_("Total"), *claimed] if len(listed) > 1 else None,
    )
    return hours, claims


# --- The three bilans ---------------------------------------------------------------------------


def _key_figures(reader: Reader, project: int | None) -> list[tuple[str, Figure, Kind]]:
    scope = where(project)
    figures = [(_("jeunes repérés"), reader.count(at(stage(FIRST), **scope)), Kind.INTEGER)]
    figures += [(stage_label(k), reader.count(at(stage(k), **scope)), Kind.INTEGER) for k in STAGES[1:]]
    if reader.has(at(stage(FIRST), **where(project, situation=Situation.LOST_AGAIN))):
        figures.append(
            (
                _("perdus de vue à nouveau"),
                reader.count(at(stage(FIRST), **where(project, situation=Situation.LOST_AGAIN))),
                Kind.INTEGER,
            )
        )
    return figures


def _period(counts: CampaignCounts) -> str:
    campaign = counts.campaign
    if counts.reference_date is None:
        return _("Premiers chiffres à la fin du premier mois de la campagne.")
    if counts.reference_date >= campaign.ends_on:
        return _("Campagne close : chiffres arrêtés au %(day)s, dernier jour de la campagne.") % {
            "day": counts.reference_date.strftime("%d/%m/%Y")
        }
    return _("Campagne en cours : chiffres arrêtés au %(day)s, mis à jour à la fin de chaque mois.") % {
        "day": counts.reference_date.strftime("%d/%m/%Y")
    }


def _sections(reader: Reader, counts: CampaignCounts, project: int | None) -> list[Section]:
    optional = (
        flow_section(reader, counts, project),
        profile_section(reader, counts, project),
        source_section(reader, counts, project),
        barrier_section(reader, project),
    )
    found = [funnel_section(reader, counts, project)]
    found += [section for section in optional if section is not None and (section.tables or section.notes)]
    if project is None and (lens := gender_section(reader, counts, women_share_references())) is not None:
        found.append(lens)
    found += [
        actions_section(reader, counts, project),
        partners_section(reader, counts, project),
        budget_section(counts, project),
    ]
    return found


def campaign_bilan(campaign: Campaign, *, today: date | None = None) -> "Bilan":
    """The campaign's bilan, protected: what the funder, administrators and coordinators read."""
    counts, published = campaign_figures(campaign, today=today)
    reader = Reader(published)
    return Bilan(
        title=_("Bilan — %(name)s") % {"name": campaign.name},
        subtitle=_period(counts),
        reference_date=counts.reference_date,
        protected=True,
        key_figures=_key_figures(reader, None),
        sections=_sections(reader, counts, None),
        note=secret_note(reader.published.threshold) if reader.secret else "",
        threshold=published.threshold,
        campaign=campaign,
        campaigns=[campaign],
    )


def project_bilan(project: Project, *, exact: bool = False, today: date | None = None) -> "Bilan":
    """One project's bilan, read from its campaign's publication: protected, or `exact` for the
    carrier's coordinator (the policy decides, reporting.views)."""
    counts, published = campaign_figures(project.campaign, today=today)
    reader = Reader(publication(counts, exact=True) if exact else published)
    return Bilan(
        title=_("Bilan — %(name)s") % {"name": project.name},
        subtitle=f"{project.campaign.name} · {project.carrier.name}. {_period(counts)}",
        reference_date=counts.reference_date,
        protected=not exact,
        key_figures=_key_figures(reader, project.pk),
        sections=_sections(reader, counts, project.pk),
        note=secret_note(reader.published.threshold) if reader.secret else "",
        threshold=published.threshold,
        campaign=project.campaign,
        project=project,
        campaigns=[project.campaign],
    )


def funder_bilan(funder: Organisation, campaigns: Sequence[Campaign], *, today: date | None = None) -> "Bilan":
    """Across a funder's campaigns: each campaign's own published cells side by side (one
    publication per campaign, the same as its bilan's), and totals only where every campaign's cell
    is published."""
    rows: list[Row] = []
    stage_totals = {k: _Total() for k in STAGES}
    projects_total = 0
    lost_total, actions_total, hours_total = _Total(), 0, 0
    requested_total = Decimal(0)
    for campaign in campaigns:
        counts, published = campaign_figures(campaign, today=today)
        reader = Reader(published)
        stages = [reader.count(at(stage(k))) if counts.projects else _zero() for k in STAGES]
        lost_cell = at(stage(FIRST), situation=Situation.LOST_AGAIN)
        lost = reader.count(lost_cell) if reader.has(lost_cell) else _zero()
        for k, value in zip(STAGES, stages, strict=True):
            stage_totals[k].add(value)
        lost_total.add(lost)
        actions = sum(f.actions for f in counts.actions.values())
        hours = sum(_hours(f.minutes) for f in counts.actions.values())
        requested = sum((pair[1] for pair in counts.budget.values()), Decimal(0))
        actions_total += actions
        hours_total += hours
        requested_total += requested
        projects_total += len(counts.projects)
        rows.append([campaign.name, len(counts.projects), *stages, lost, actions, hours, requested])
    columns = [
        Column(_("Campagne")),
        Column(_("Projets"), Kind.INTEGER),
        *(Column(stage_label(k), Kind.INTEGER) for k in STAGES),
        Column(_("Perdus de vue à nouveau"), Kind.INTEGER),
        Column(_("Actions"), Kind.INTEGER),
        Column(_("Heures de séances"), Kind.INTEGER),
        Column(_("Budget demandé au financeur"), Kind.MONEY),
    ]
    totals = [stage_totals[k].figure() for k in STAGES]
    total: Row = [_("Toutes les campagnes"), projects_total, *totals, lost_total.figure()]
    total += [actions_total, hours_total, requested_total]
    table = ReportTable(
        title=_("Les campagnes"),
        columns=columns,
        rows=rows,
        total=total,
        footnotes=[_("Chaque campagne est arrêtée à sa propre date (dernier jour, ou fin du mois dernier).")],
    )
    chart = charts.funnel(
        "bilan-entonnoir",
        _("Entonnoir du parcours, toutes campagnes"),
        [(stage_label(k), value) for k, value in zip(STAGES, totals, strict=True)],
    )
    secret = any(cell.suppressed for row in rows for cell in row if isinstance(cell, Figure))
    return Bilan(
        title=_("Bilan de toutes les campagnes — %(name)s") % {"name": funder.name},
        subtitle=_("%(count)s campagnes") % {"count": len(campaigns)},
        reference_date=None,
        protected=True,
        key_figures=[(_("jeunes repérés"), totals[0], Kind.INTEGER)]
        + [(stage_label(k), totals[i], Kind.INTEGER) for i, k in enumerate(STAGES) if i]
        + [(_("perdus de vue à nouveau"), lost_total.figure(), Kind.INTEGER)],
        sections=[Section("campagnes", _("Campagne par campagne"), [table], [(chart_title(), chart)])],
        note=secret_note(_threshold()) if secret else "",
        threshold=_threshold(),
        campaigns=list(campaigns),
    )


def chart_title() -> str:
    return _("Entonnoir du parcours, toutes campagnes")


def _threshold() -> int:
    from reperes.programme.disclosure import small_cell_threshold

    return small_cell_threshold()


def _zero() -> Figure:
    return Figure(display="0", suppressed=False, value=0)


class _Total:
    """A sum of published figures, secret as soon as one of them is."""

    def __init__(self) -> None:
        self.value: int | None = 0

    def add(self, figure: Figure) -> None:
        if figure.suppressed or self.value is None:
            self.value = None
        else:
            self.value += int(figure.value or 0)

    def figure(self) -> Figure:
        return _secret() if self.value is None else Figure(str(self.value), False, self.value)


def today() -> date:
    return timezone.localdate()


def programme_figures(campaigns: Iterable[Campaign], *, exact_for: Organisation | None = None) -> ProgrammeFigures:
    """The youths identified and mobilised per project and per campaign on the programme's pages and
    the funder's home: the cells of each campaign's bilan at its date (`campaign_figures`, the same
    frozen counts), protected so that no page gives back a cell another one masks, except for the
    projects carried by `exact_for`, the Mission locale whose staff hold these files. A few queries
    per campaign, whatever the number of youths (programme.selectors.project_figures counts today's
    youths, but its per-project filters repeat the first-signal subquery: 12 s for the demo's
    campaigns on PostgreSQL)."""
    projects: dict[int, FiguresShown] = {}
    shown: dict[int, FiguresShown] = {}
    secret = False
    for campaign in campaigns:
        counts, published = campaign_figures(campaign)
        exact = publication(counts, exact=True) if exact_for is not None else published
        if not counts.projects or counts.reference_date is None:
            zero = FiguresShown(Shown(0, published.threshold), Shown(0, published.threshold))
            shown[campaign.pk] = zero
            projects.update(dict.fromkeys((p.pk for p in counts.projects), zero))
            continue
        identified, mobilised = stage(FIRST), stage(int(Stage.MOBILISED))
        shown[campaign.pk] = FiguresShown(published.shown(at(identified)), published.shown(at(mobilised)))
        projects.update(dict.fromkeys((p.pk for p in campaign_projects(campaign)), FiguresShown("—", "—")))
        for project in counts.projects:
            read = exact if exact_for is not None and project.carrier_id == exact_for.pk else published
            projects[project.pk] = FiguresShown(
                read.shown(at(identified, project=str(project.pk))),
                read.shown(at(mobilised, project=str(project.pk))),
            )
        secret = secret or bool(published.secret_cells)
    return ProgrammeFigures(projects=projects, campaigns=shown, note=secret_note(_threshold()) if secret else "")
