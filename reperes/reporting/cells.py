"""The bilan of one campaign as the tables of reperes.programme.disclosure, and the name of every
cell the pages read.

All the youths' tables of one campaign go into ONE `protect` call (ADR 009), the projects' tables
with the campaign's: a project's bilan and its campaign's are then read from the same
Publication, so that nobody can subtract one page from another (the campaign's women minus the
other projects' women). The populations are the five stages of the funnel (each stage holds the
next one), those who left between two stages (named by disclosure.left_between: the youths whose
furthest stage is the upper one), and populations of their own for the youths enrolled in actions
and for the signals received, which are not stages.

- every stage, by project × sex: the funnel per project and the share of young women at each step;
- the flow: the youths whose furthest stage is each stage, by project × situation, and all the
  identified by project × situation (« perdus de vue à nouveau » is one of its columns);
- the identified (stage 1) by project × age band, × rural/urban, × département, × source;
- the gender lens: the identified by département × sex and by source × sex;
- the identified with each barrier (a yes/no breakdown per kind, campaign-wide only: per project
  they would be secret almost everywhere);
- the youths enrolled in actions, by project; the signals received, by project × sender's kind.

Pure: no query; it reads a reporting.selectors.CampaignCounts."""

from collections import defaultdict
from collections.abc import Iterable

from reperes.pathways.enums import Stage
from reperes.programme.disclosure import Breakdown, Cell, CrossTable, Funnel, Table, left_between
from reperes.registry.enums import Barrier, Sex
from reperes.reporting.enums import AgeBand, Situation
from reperes.reporting.selectors import UNKNOWN, CampaignCounts
from reperes.territory.enums import AreaClass

STAGES = tuple(int(stage) for stage in Stage)
FIRST, LAST = STAGES[0], STAGES[-1]
SEXES = tuple(str(sex) for sex in (Sex.FEMALE, Sex.MALE, Sex.UNKNOWN))
SITUATIONS = tuple(Situation.values)
AGES = tuple(AgeBand.values)
AREAS = (AreaClass.RURAL.value, AreaClass.URBAN.value, UNKNOWN)
ENROLLED = "enrolled"
SIGNALS = "signals"
YES, NO = "yes", "no"


def stage(k: int) -> str:
    """The population of the youths who reached stage k (all of them for stage 1)."""
    return f"stage{k}"


def furthest(k: int) -> str:
    """The population of the youths whose furthest stage is k: those who left between k and k+1,
    or for the last stage, the last stage itself."""
    return stage(k) if k == LAST else left_between(stage(k), stage(k + 1))


def barrier(kind: str) -> str:
    return f"barrier:{kind}"


def at(population: str, **coordinates: str) -> Cell:
    """The cell of `population` at these coordinates (dimension=category), in disclosure's order."""
    return Cell(population, tuple(sorted(coordinates.items())))


def where(project: int | None, **coordinates: str) -> dict[str, str]:
    """Coordinates within one project, or campaign-wide when `project` is None."""
    return coordinates if project is None else coordinates | {"project": str(project)}


def _grid(
    rows: Iterable[str], columns: Iterable[str], counts: dict[tuple[str, str], int]
) -> dict[str, dict[str, int]]:
    listed = list(columns)
    return {row: {column: counts.get((row, column), 0) for column in listed} for row in rows}


def categories(counts: CampaignCounts) -> dict[str, tuple[str, ...]]:
    """The categories of each dimension that hold someone in the campaign, in their fixed order
    (every project, though). A category nobody is in adds nothing to a table, and a column of
    zeros would do harm: a project's zero in it, made secret beside the project's small total,
    could only be protected by masking the column's own zero total, which disclosure.protect
    masks last — after everything else."""
    met: dict[str, set[str]] = defaultdict(set)
    for row in counts.pathways:
        met["sex"].add(row.sex)
        met["situation"].add(row.situation)
    for p in counts.profiles:
        met["age"].add(p.age)
        met["area"].add(p.area)
        met["departement"].add(p.departement)
        met["source"].add(p.source)
    departements = sorted(met["departement"] - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in met["departement"] else [])
    sources = sorted(met["source"] - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in met["source"] else [])
    return {
        "project": tuple(str(p.pk) for p in counts.projects),
        "sex": tuple(x for x in SEXES if x in met["sex"]) or SEXES[:1],
        "situation": tuple(x for x in SITUATIONS if x in met["situation"]) or SITUATIONS[:1],
        "age": tuple(x for x in AGES if x in met["age"]) or AGES[:1],
        "area": tuple(x for x in AREAS if x in met["area"]) or AREAS[:1],
        "departement": tuple(departements) or (UNKNOWN,),
        "source": tuple(sources) or (UNKNOWN,),
        "sender": tuple(sorted({kind for (_project, kind), n in counts.signals.items() if n})),
    }


def tables(counts: CampaignCounts) -> list[Table]:
    """Every table of the campaign's bilan, for one `protect` call (module docstring)."""
    if not counts.projects:
        return []
    cats = categories(counts)
    projects = cats["project"]
    reached: dict[int, dict[str, int]] = {k: defaultdict(int) for k in STAGES}
    reached_by_sex: dict[int, dict[str, int]] = {k: defaultdict(int) for k in STAGES}
    left: dict[int, dict[str, int]] = {k: defaultdict(int) for k in STAGES}
    situation: dict[str, int] = defaultdict(int)
    identified_by_sex: dict[tuple[str, str], int] = defaultdict(int)
    for row in counts.pathways:
        project = str(row.project)
        for k in STAGES:
            if row.stage >= k:
                reached[k][project] += row.count
                reached_by_sex[k][row.sex] += row.count
        left[row.stage][row.situation] += row.count
        situation[row.situation] += row.count
        identified_by_sex[(project, row.sex)] += row.count
    found: list[Table] = [Funnel({stage(k): sum(reached[k].values()) for k in STAGES})]
    for k in STAGES:
        found.append(Breakdown(stage(k), "project", {p: reached[k].get(p, 0) for p in projects}))
        found.append(Breakdown(stage(k), "sex", {x: reached_by_sex[k].get(x, 0) for x in cats["sex"]}))
        found.append(Breakdown(furthest(k), "situation", {x: left[k].get(x, 0) for x in cats["situation"]}))
    found.append(Breakdown(stage(FIRST), "situation", {x: situation.get(x, 0) for x in cats["situation"]}))
    found.append(CrossTable(stage(FIRST), "project", "sex", _grid(projects, cats["sex"], identified_by_sex)))
    by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_sex: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for p in counts.profiles:
        for dimension, category in (("age", p.age), ("area", p.area), ("departement", p.departement)):
            by[dimension][category] += p.count
        by_sex["departement"][(p.departement, p.sex)] += p.count
        by_sex["source"][(p.source, p.sex)] += p.count
    found += [
        Breakdown(stage(FIRST), dimension, {c: by[dimension].get(c, 0) for c in cats[dimension]})
        for dimension in ("age", "area")
    ]
    found += [
        CrossTable(stage(FIRST), dimension, "sex", _grid(cats[dimension], cats["sex"], by_sex[dimension]))
        for dimension in ("departement", "source")
    ]
    identified = counts.identified
    for kind in Barrier.values:
        having = sum(n for (_project, k), n in counts.barriers.items() if k == kind)
        found.append(Breakdown(stage(FIRST), barrier(kind), {YES: having, NO: identified - having}))
    enrolled = {str(p.pk): counts.actions[p.pk].enrolled if p.pk in counts.actions else 0 for p in counts.projects}
    found.append(Breakdown(ENROLLED, "project", enrolled))
    if cats["sender"]:
        by_project: dict[str, int] = defaultdict(int)
        by_sender: dict[str, int] = defaultdict(int)
        for (project_id, kind), n in counts.signals.items():
            by_project[str(project_id)] += n
            by_sender[kind] += n
        found.append(Breakdown(SIGNALS, "project", {p: by_project.get(p, 0) for p in projects}))
        found.append(Breakdown(SIGNALS, "sender", {k: by_sender.get(k, 0) for k in cats["sender"]}))
    return found


def detailed_tables(counts: CampaignCounts) -> list[Table]:
    """The projects' own breakdowns, read only as exact figures by the carrier's coordinator: at a
    project's scale most of their cells are small, and protecting them with the campaign's would
    leave little but « secret » (ADR 009: the fewer linked cells, the fewer complements)."""
    if not counts.projects:
        return []
    cats = categories(counts)
    projects = cats["project"]
    grids: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in counts.pathways:
        project = str(row.project)
        for k in STAGES:
            if row.stage >= k:
                grids[(stage(k), "sex")][(project, row.sex)] += row.count
        grids[(furthest(row.stage), "situation")][(project, row.situation)] += row.count
        grids[(stage(FIRST), "situation")][(project, row.situation)] += row.count
    for p in counts.profiles:
        project = str(p.project)
        for dimension, category in (
            ("age", p.age),
            ("area", p.area),
            ("departement", p.departement),
            ("source", p.source),
        ):
            grids[(stage(FIRST), dimension)][(project, category)] += p.count
    found: list[Table] = []
    for k in STAGES:
        found.append(CrossTable(stage(k), "project", "sex", _grid(projects, cats["sex"], grids[(stage(k), "sex")])))
        found.append(
            CrossTable(
                furthest(k),
                "project",
                "situation",
                _grid(projects, cats["situation"], grids[(furthest(k), "situation")]),
            )
        )
    for dimension in ("situation", "age", "area", "departement", "source"):
        columns = cats[dimension]
        found.append(
            CrossTable(stage(FIRST), "project", dimension, _grid(projects, columns, grids[(stage(FIRST), dimension)]))
        )
    identified: dict[str, int] = defaultdict(int)
    for row in counts.pathways:
        identified[str(row.project)] += row.count
    for kind in Barrier.values:
        having = {(str(project), YES): n for (project, k), n in counts.barriers.items() if k == kind}
        for project in projects:
            having[(project, NO)] = identified[project] - having.get((project, YES), 0)
        found.append(CrossTable(stage(FIRST), "project", barrier(kind), _grid(projects, (YES, NO), having)))
    signals = {(str(project), kind): n for (project, kind), n in counts.signals.items()}
    if cats["sender"]:
        found.append(CrossTable(SIGNALS, "project", "sender", _grid(projects, cats["sender"], signals)))
    return found
