"""Statistical disclosure control for what the funder reads (ADR 009).

The funder never sees a person. Every count of a bilan it is shown — page, chart or export — goes
through `protect`, which returns a `Publication`: each cell either published or secret.

- **Primary secret**: a count from 1 to `small_cell_threshold() - 1` (10 by default) is secret.
  Zero is published (it reveals « nobody »), except beside a total that is itself secret: a 0 in a
  line of 4 youths says that all 4 share the other category — unless a published 0 total
  already says it (a category nobody is in at all).
- **Secondary secret**: more cells are made secret until no secret cell can be recovered from what
  is published — neither exactly (by subtraction from a total, across tables sharing a total or a
  margin, or between the stages of a funnel) nor as a range lying wholly under the threshold
  (« between 1 and 3 »). Counts never published but implied, such as the youths who left a funnel
  between two stages, are people too: they must not be known to be under the threshold either.
- `recoverable_cells` is the check, written as the reader would attack: from the published values
  and the additive structure only, it computes each unpublished cell's exact integer bounds
  (presolve, then an exact rational simplex, with branch and bound should a vertex be fractional).

All tables of one bilan go through one `protect` call: cells are identified by population and
coordinates, so tables over the same youths share their total, and a table's margin published
alone is the same cell. Pure: no model, no query; reads settings only when called.
"""

import hashlib
import hmac
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

DEFAULT_THRESHOLD = 11
# Interval propagation is only a fast first look; the exact check decides.
_PROPAGATION_ROUNDS = 200
_BRANCH_AND_BOUND_NODES = 10_000


def small_cell_threshold() -> int:
    """The smallest count published (`REPERES_SMALL_CELL_THRESHOLD`, 11 by default), read per call."""
    value = getattr(settings, "REPERES_SMALL_CELL_THRESHOLD", DEFAULT_THRESHOLD)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured("REPERES_SMALL_CELL_THRESHOLD must be a whole number of at least 1.")
    return value


# --- Cells and tables -------------------------------------------------------------------------

Coordinates = tuple[tuple[str, str], ...]
Shape = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, order=True)
class Cell:
    """One count: the youths of `population` at `coordinates` (dimension, category), sorted by
    dimension. `Cell("identified")` is the population's total."""

    population: str
    coordinates: Coordinates = ()

    def __str__(self) -> str:
        if not self.coordinates:
            return self.population
        return f"{self.population}[{', '.join(f'{d}={c}' for d, c in self.coordinates)}]"


def _cell(population: str, coordinates: Iterable[tuple[str, str]]) -> Cell:
    return Cell(population, tuple(sorted(coordinates)))


@dataclass(frozen=True)
class Sum:
    """`total` is the sum of `parts`: what any reader of a table knows without being told."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass(frozen=True)
class Breakdown:
    """One population counted by one dimension. The categories are exhaustive and exclusive (keep
    a « non renseigné » category), so they add up to the population's total. A yes/no count
    (« avec un frein logement ») is a breakdown of two categories, even if one is shown: the other
    is the total minus it."""

    population: str
    dimension: str
    counts: Mapping[str, int]

    @property
    def shape(self) -> Shape:
        return ((self.dimension, tuple(self.counts)),)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_cell(self) -> Cell:
        return Cell(self.population)

    def cell(self, category: str) -> Cell:
        return Cell(self.population, ((self.dimension, category),))

    def cells(self) -> list[tuple[str, Cell]]:
        return [(category, self.cell(category)) for category in self.counts]

    def counted(self) -> dict[Cell, int]:
        return {self.total_cell: self.total} | {self.cell(c): n for c, n in self.counts.items()}


@dataclass(frozen=True)
class CrossTable:
    """One population counted by two dimensions, with row totals, column totals and grand total."""

    population: str
    rows: str
    columns: str
    counts: Mapping[str, Mapping[str, int]]

    @property
    def row_categories(self) -> tuple[str, ...]:
        return tuple(self.counts)

    @property
    def column_categories(self) -> tuple[str, ...]:
        return tuple(next(iter(self.counts.values()), {}))

    @property
    def shape(self) -> Shape:
        return tuple(sorted(((self.rows, self.row_categories), (self.columns, self.column_categories))))

    @property
    def total_cell(self) -> Cell:
        return Cell(self.population)

    def cell(self, row: str, column: str) -> Cell:
        return _cell(self.population, ((self.rows, row), (self.columns, column)))

    def row_cell(self, row: str) -> Cell:
        return Cell(self.population, ((self.rows, row),))

    def column_cell(self, column: str) -> Cell:
        return Cell(self.population, ((self.columns, column),))

    def counted(self) -> dict[Cell, int]:
        if self.rows == self.columns:
            raise ValueError("A cross table needs two different dimensions.")
        columns = self.column_categories
        values: dict[Cell, int] = {self.total_cell: 0}
        for column in columns:
            values[self.column_cell(column)] = 0
        for row, line in self.counts.items():
            if tuple(line) != columns:
                raise ValueError(f"Row {row!r} of {self.population} does not have the columns {columns}.")
            values[self.row_cell(row)] = sum(line.values())
            values[self.total_cell] += sum(line.values())
            for column, count in line.items():
                values[self.cell(row, column)] = count
                values[self.column_cell(column)] += count
        return values


@dataclass(frozen=True)
class Funnel:
    """The stages of a pathway, outermost first; each stage's youths are among the previous
    stage's (identifiés ⊇ contactés ⊇ rencontrés ⊇ accompagnés ⊇ sortis en solution). Each stage
    is a population: a breakdown over « accompanied » shares its total with that stage. Between two
    stages, the youths who left are a count too, never published but implied: it is protected as
    any cell."""

    stages: Mapping[str, int]

    def cell(self, stage: str) -> Cell:
        return Cell(stage)

    def cells(self) -> list[tuple[str, Cell]]:
        return [(stage, Cell(stage)) for stage in self.stages]

    def counted(self) -> dict[Cell, int]:
        counts = list(self.stages.values())
        if len(counts) < 2:
            raise ValueError("A funnel has at least two stages.")
        if any(later > earlier for earlier, later in itertools.pairwise(counts)):
            raise ValueError("Each stage of a funnel is a subset of the previous one.")
        return {Cell(stage): count for stage, count in self.stages.items()}


Table = Breakdown | CrossTable | Funnel


def left_between(upper: str, lower: str) -> str:
    """The population of the youths of stage `upper` who are not in the next stage `lower`."""
    return f"{upper} - {lower}"


def _shape_cells(population: str, shape: Shape) -> list[Cell]:
    cells: list[Cell] = []
    for size in range(len(shape) + 1):
        for dimensions in itertools.combinations(shape, size):
            names = [name for name, _categories in dimensions]
            product = itertools.product(*(categories for _name, categories in dimensions))
            cells.extend(Cell(population, tuple(zip(names, categories, strict=True))) for categories in product)
    return cells


def _shape_sums(population: str, shape: Shape) -> list[Sum]:
    sums = []
    for cell in _shape_cells(population, shape):
        present = {dimension for dimension, _category in cell.coordinates}
        for dimension, categories in shape:
            if dimension not in present:
                parts = tuple(_cell(population, (*cell.coordinates, (dimension, c))) for c in categories)
                sums.append(Sum(cell, parts))
    return sums


# --- The bilan as one linear system -----------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """The tables of one bilan as one linear system: the true count of every cell the tables
    publish, and every « adds up to ». Cells of the sums absent from `values` are implied, never
    published (the youths who left between two stages)."""

    values: Mapping[Cell, int]
    sums: tuple[Sum, ...]

    def primary_secret(self, threshold: int) -> set[Cell]:
        secret = {cell for cell, value in self.values.items() if 0 < value < threshold}
        zeros: set[Cell] = set()
        for line in self.sums:
            if line.total in secret:  # a 0 beside a small total
                zeros.update(part for part in line.parts if self.values.get(part) == 0)
        return secret | (zeros - self._told_by_an_empty_line(zeros))

    def _told_by_an_empty_line(self, zeros: set[Cell]) -> set[Cell]:
        """The zeros a published 0 total already tells: the parts of a line whose total is 0 and
        published. A category nobody is in at all is no secret of a small group, and masking its
        zero would mean masking that empty total too, which protects nothing."""
        told: set[Cell] = set()
        changed = True
        while changed:  # a 0 told is published, and may itself be the empty total of a line
            changed = False
            for line in self.sums:
                if self.values.get(line.total) != 0 or (line.total in zeros and line.total not in told):
                    continue
                fresh = {part for part in line.parts if part in zeros} - told
                if fresh:
                    told |= fresh
                    changed = True
        return told

    def publish(self, secret: Iterable[Cell], threshold: int) -> "Publication":
        hidden = set(secret)
        return Publication(
            values={cell: None if cell in hidden else value for cell, value in self.values.items()},
            sums=self.sums,
            threshold=threshold,
        )


def build(tables: Iterable[Table]) -> Structure:
    """One system for tables over the same youths: a cell counted by two tables must agree."""
    values: dict[Cell, int] = {}
    sums: dict[Sum, None] = {}  # an ordered set
    shapes: dict[str, list[Shape]] = {}
    funnels = []
    for table in tables:
        for cell, value in table.counted().items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{cell}: a count is a whole number, not {value!r}.")
            if values.setdefault(cell, value) != value:
                raise ValueError(f"{cell} is counted as {values[cell]} and as {value}.")
        if isinstance(table, Funnel):
            funnels.append(table)
        else:
            shapes.setdefault(table.population, []).append(table.shape)
            sums.update(dict.fromkeys(_shape_sums(table.population, table.shape)))
    for funnel in funnels:
        sums.update(dict.fromkeys(_funnel_sums(funnel, shapes)))
    return Structure(values=values, sums=tuple(sums))


def _funnel_sums(funnel: Funnel, shapes: Mapping[str, list[Shape]]) -> list[Sum]:
    """Each stage is the next one plus those who left. A table published over two stages is
    repeated over every stage between them and over those who left, so that the differences of
    its cells (women identified minus women accompanied) are cells the check sees."""
    stages = list(funnel.stages)
    left = [left_between(upper, lower) for upper, lower in itertools.pairwise(stages)]
    sums = [
        Sum(Cell(upper), (Cell(lower), Cell(gone)))
        for (upper, lower), gone in zip(itertools.pairwise(stages), left, strict=True)
    ]
    by_dimensions: dict[tuple[str, ...], tuple[Shape, list[int]]] = {}
    for index, stage in enumerate(stages):
        for shape in shapes.get(stage, []):
            key = tuple(name for name, _categories in shape)
            known, indexes = by_dimensions.setdefault(key, (shape, []))
            if known != shape:
                raise ValueError(f"The categories of {key} change between the stages of a funnel.")
            indexes.append(index)
    for shape, indexes in by_dimensions.values():
        first, last = min(indexes), max(indexes)
        if first == last:
            continue
        for index in range(first, last + 1):
            sums += _shape_sums(stages[index], shape)
        for index in range(first, last):
            sums += _shape_sums(left[index], shape)
            for cell in _shape_cells(stages[index], shape):
                lower = Cell(stages[index + 1], cell.coordinates)
                sums.append(Sum(cell, (lower, Cell(left[index], cell.coordinates))))
    return sums


# --- What is published, and how it shows ------------------------------------------------------


def secret_label() -> str:
    return _("secret")


def secret_note(threshold: int) -> str:
    """The footnote of every page, chart and export holding a secret cell."""
    return _(
        "secret : moins de %(threshold)s jeunes, ou masqué pour qu'on ne puisse pas le retrouver par différence."
    ) % {"threshold": threshold}


@dataclass(frozen=True)
class Shown:
    """A count as the funder sees it. Every secret cell reads the same « secret », whether it is
    small or masked to protect another: « < 11 » on a masked cell of 40 would be false, and
    telling the two apart would tell which cells are small."""

    value: int | None  # None when secret
    threshold: int

    @property
    def secret(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return secret_label() if self.value is None else str(self.value)

    def export(self) -> int | str:
        """The CSV/XLSX cell: the number, or the same word as the page."""
        return self.text if self.value is None else self.value

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ShownPercent:
    """A share of two published counts; secret when either is."""

    value: float | None  # None when secret, or when the whole is 0
    secret: bool
    digits: int = 0

    @property
    def text(self) -> str:
        if self.secret:
            return secret_label()
        if self.value is None:
            return "—"
        return f"{self.value:.{self.digits}f}\u00a0%".replace(".", ",")

    def export(self) -> float | str:
        return self.text if self.value is None else round(self.value, self.digits)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ChartPoint:
    """A bar of a chart: a secret cell has no value, so no bar, and is labelled « secret »."""

    label: str
    value: int | None
    secret: bool


@dataclass(frozen=True)
class Publication:
    """What the funder is shown: each published cell's count, or None where it is secret, and the
    additive structure any reader knows. Nothing else: the check reads only this."""

    values: Mapping[Cell, int | None]
    sums: tuple[Sum, ...]
    threshold: int

    def shown(self, cell: Cell) -> Shown:
        return Shown(self.values[cell], self.threshold)  # KeyError: an implied cell is never shown

    def percent(self, part: Cell, whole: Cell, *, digits: int = 0) -> ShownPercent:
        numerator, denominator = self.values[part], self.values[whole]
        if numerator is None or denominator is None:
            return ShownPercent(None, secret=True, digits=digits)
        if denominator == 0:
            return ShownPercent(None, secret=False, digits=digits)
        return ShownPercent(100 * numerator / denominator, secret=False, digits=digits)

    def chart(self, labelled: Iterable[tuple[str, Cell]]) -> list[ChartPoint]:
        return [ChartPoint(label, self.values[cell], self.values[cell] is None) for label, cell in labelled]

    @property
    def secret_cells(self) -> set[Cell]:
        return {cell for cell, value in self.values.items() if value is None}


def protect(tables: Iterable[Table], *, threshold: int | None = None) -> Publication:
    """The tables of one bilan as the funder may see them: primary secret, then complementary
    cells made secret one at a time until `recoverable_cells` finds nothing. Each complement is
    the smallest count in a line of a leaking cell — a line where it is the only unpublished cell
    first, inner cells before margins, margins before population totals."""
    limit = small_cell_threshold() if threshold is None else threshold
    structure = build(tables)
    secret = structure.primary_secret(limit)
    tiers = _tiers(structure.sums)
    lines: dict[Cell, list[Sum]] = {}
    for line in structure.sums:
        for cell in (line.total, *line.parts):
            lines.setdefault(cell, []).append(line)
    while True:
        publication = structure.publish(secret, limit)
        leaks = _certain_leaks(publication) or sorted(recoverable_cells(publication))
        if not leaks:
            return publication
        secret.add(_complement(structure, secret, leaks, tiers, lines))


def _tiers(sums: Iterable[Sum]) -> dict[Cell, int]:
    """0 for inner cells, 1 for margins (a total that is part of another), 2 for population totals."""
    totals: set[Cell] = set()
    parts: set[Cell] = set()
    for line in sums:
        totals.add(line.total)
        parts.update(line.parts)
    return {cell: (2 if cell not in parts else 1) if cell in totals else 0 for cell in totals | parts}


def _complement(
    structure: Structure,
    secret: set[Cell],
    leaks: Sequence[Cell],
    tiers: Mapping[Cell, int],
    lines: Mapping[Cell, list[Sum]],
) -> Cell:
    """The published cell to mask next: in a line holding a leaking cell, or else in a line reached
    through unpublished cells; a 0 only when no count is left to mask."""

    def unpublished(cell: Cell) -> bool:
        return cell not in structure.values or cell in secret

    seen, frontier = set(leaks), set(leaks)
    zero: Cell | None = None
    while frontier:
        touched = {line for cell in frontier for line in lines.get(cell, [])}
        options = []
        for line in touched:
            cells = (line.total, *line.parts)
            hidden = sum(unpublished(cell) for cell in cells)
            options += [
                (structure.values[c] == 0, hidden, tiers.get(c, 0), structure.values[c], c)
                for c in cells
                if not unpublished(c)
            ]
        if options:
            best = min(options)
            if not best[0]:
                return best[-1]
            zero = zero or best[-1]
        frontier = {c for line in touched for c in (line.total, *line.parts) if unpublished(c)} - seen
        seen |= frontier
    if zero is None:
        raise RuntimeError("Nothing is left to mask: the tables cannot be protected.")
    return zero


# --- The check: what a reader can compute from a publication ----------------------------------


@dataclass(frozen=True)
class Bounds:
    """What a reader can know of an unpublished cell: low ≤ count ≤ high (None: no upper bound)."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.low == self.high


def _is_leak(secret: bool, bounds: Bounds, threshold: int) -> bool:
    if bounds.high is None:
        return False
    if secret:  # shown « secret »: it must be neither known nor known to be small
        return bounds.exact or bounds.high < threshold
    return 0 < bounds.high < threshold  # an implied count of 0 or of ≥ threshold may be known


def recoverable_cells(published: Publication) -> dict[Cell, Bounds]:
    """The unpublished cells a reader can recover from `published`: a secret cell whose bounds
    collapse to one value or lie under the threshold, an implied cell (never published) known to
    hold between 1 and threshold - 1 youths. Empty for a safe publication."""
    return {
        cell: bounds
        for cell, bounds in cell_bounds(published).items()
        if _is_leak(cell in published.values, bounds, published.threshold)
    }


def cell_bounds(published: Publication) -> dict[Cell, Bounds]:
    """Tight integer bounds of every unpublished cell, implied by the published counts, the sums
    and non-negativity only."""
    unknown, equations = _equations(published)
    return dict(zip(unknown, _exact_bounds(len(unknown), equations), strict=True))


_Equation = tuple[dict[int, int], int]  # Σ coefficient·x = right-hand side


def _equations(published: Publication) -> tuple[list[Cell], list[_Equation]]:
    cells = {cell: None for cell in published.values} | {c: None for s in published.sums for c in (s.total, *s.parts)}
    unknown = sorted(cell for cell in cells if published.values.get(cell) is None)
    index = {cell: i for i, cell in enumerate(unknown)}
    equations = []
    for line in published.sums:
        coefficients: dict[int, int] = {}
        rhs = 0
        for cell, sign in ((line.total, 1), *((part, -1) for part in line.parts)):
            value = published.values.get(cell)
            if value is None:
                coefficients[index[cell]] = coefficients.get(index[cell], 0) + sign
            else:
                rhs -= sign * value
        coefficients = {j: a for j, a in coefficients.items() if a}
        if not coefficients and rhs:
            raise ValueError(f"The published counts contradict the sum of {line.total}.")
        if coefficients:
            equations.append((coefficients, rhs))
    return unknown, equations


def _certain_leaks(published: Publication) -> list[Cell]:
    """Leaks that interval propagation already proves (its bounds contain the exact ones), cheap
    enough to run before each exact check."""
    unknown, equations = _equations(published)
    low, high = _propagate(len(unknown), equations)
    leaks = []
    for j, cell in enumerate(unknown):
        if high[j] == float("inf"):
            continue
        bounds = Bounds(int(low[j]), int(high[j]))
        if cell in published.values:
            proven = _is_leak(True, bounds, published.threshold)
        else:  # implied: its true upper bound could still be 0
            proven = bounds.low >= 1 and high[j] < published.threshold
        if proven:
            leaks.append(cell)
    return leaks


def _propagate(n: int, equations: Sequence[_Equation]) -> tuple[list[float], list[float]]:
    low, high = [0.0] * n, [float("inf")] * n
    for _round in range(_PROPAGATION_ROUNDS):
        changed = False
        for coefficients, rhs in equations:
            if any(abs(a) != 1 for a in coefficients.values()):
                continue
            for j, a in coefficients.items():
                others = [(k, b) for k, b in coefficients.items() if k != j]
                smallest = sum(b * low[k] if b > 0 else b * high[k] for k, b in others)
                largest = sum(b * high[k] if b > 0 else b * low[k] for k, b in others)
                # a·x_j = rhs - Σ others
                new_low, new_high = (rhs - largest, rhs - smallest) if a > 0 else (smallest - rhs, largest - rhs)
                if new_low > low[j]:
                    low[j], changed = new_low, True
                if new_high < high[j]:
                    high[j], changed = new_high, True
                if low[j] > high[j]:
                    raise ValueError("The published counts contradict each other.")
        if not changed:
            break
    return low, high


def _exact_bounds(n: int, equations: list[_Equation]) -> list[Bounds]:
    fixed, rest = _presolve(equations)
    bounds = [Bounds(0, None)] * n
    for j, value in fixed.items():
        bounds[j] = Bounds(value, value)
    for variables, component in _components(rest):
        local = {j: i for i, j in enumerate(variables)}
        system = [({local[j]: a for j, a in coefficients.items()}, rhs) for coefficients, rhs in component]
        for j, found in zip(variables, _component_bounds(len(variables), system), strict=True):
            bounds[j] = found
    return bounds


def _presolve(equations: list[_Equation]) -> tuple[dict[int, int], list[_Equation]]:
    """Cells alone in an equation are known: substitute them until none is."""
    fixed: dict[int, int] = {}
    rest = [(dict(coefficients), rhs) for coefficients, rhs in equations]
    while single := next((e for e in rest if len(e[0]) == 1), None):
        ((j, a),) = single[0].items()
        if single[1] % a or single[1] // a < 0:
            raise ValueError("The published counts contradict each other.")
        fixed[j] = single[1] // a
        substituted = []
        for coefficients, rhs in rest:
            if j in coefficients:
                rhs -= coefficients.pop(j) * fixed[j]
                if not coefficients:
                    if rhs:
                        raise ValueError("The published counts contradict each other.")
                    continue
            substituted.append((coefficients, rhs))
        rest = substituted
    return fixed, rest


def _components(equations: list[_Equation]) -> list[tuple[list[int], list[_Equation]]]:
    parent: dict[int, int] = {}

    def root(j: int) -> int:
        while parent.setdefault(j, j) != j:
            j = parent[j]
        return j

    for coefficients, _rhs in equations:
        first, *others = coefficients
        for j in others:
            parent[root(j)] = root(first)
    groups: dict[int, tuple[list[int], list[_Equation]]] = {}
    for equation in equations:
        groups.setdefault(root(next(iter(equation[0]))), ([], []))[1].append(equation)
    for j in sorted(parent):
        groups[root(j)][0].append(j)
    return list(groups.values())


def _component_bounds(n: int, equations: list[_Equation]) -> list[Bounds]:
    try:
        base = _feasible(n, equations)
    except _Infeasible:
        raise ValueError("The published counts contradict each other.") from None
    start = base.solution()[:n]
    integral = all(v.denominator == 1 for v in start)
    found = []
    for j in range(n):
        high = _extreme(base, n, equations, j, maximise=True)
        low = 0 if integral and start[j] == 0 else _extreme(base, n, equations, j, maximise=False)
        assert low is not None  # counts are never negative: a minimum always exists
        found.append(Bounds(low, high))
    return found


class _Infeasible(Exception):
    pass


# Exact rationals; they stay Python ints while every pivot is ±1, as in these tables' systems.
_Number = int | Fraction


@dataclass
class _Tableau:
    """A simplex tableau in canonical form: column `basis[i]` is the unit vector of row i. Bland's
    rule throughout, since these systems are highly degenerate."""

    rows: list[list[_Number]]
    rhs: list[_Number]
    basis: list[int]
    width: int

    def copy(self) -> "_Tableau":
        return _Tableau([row[:] for row in self.rows], self.rhs[:], self.basis[:], self.width)

    def pivot(self, r: int, k: int, costs: list[_Number] | None = None) -> None:
        row, factor = self.rows[r], self.rows[r][k]
        if factor != 1:
            if factor == -1:
                row, self.rhs[r] = [-a for a in row], -self.rhs[r]
            else:
                row, self.rhs[r] = [Fraction(a) / factor for a in row], Fraction(self.rhs[r]) / factor
            self.rows[r] = row
        for i, other in enumerate(self.rows):
            if i != r and (g := other[k]):
                self.rows[i] = [a - g * b for a, b in zip(other, row, strict=True)]
                self.rhs[i] -= g * self.rhs[r]
        if costs is not None and (g := costs[k]):
            costs[:] = [a - g * b for a, b in zip(costs, row, strict=True)]
        self.basis[r] = k

    def maximise(self, objective: Mapping[int, int]) -> _Number | None:
        """The maximum of objective·x, moving the tableau to an optimal vertex; None if unbounded."""
        costs: list[_Number] = [objective.get(k, 0) for k in range(self.width)]
        for b, row in zip(self.basis, self.rows, strict=True):
            if c := objective.get(b, 0):
                costs = [a - c * x for a, x in zip(costs, row, strict=True)]
        while True:
            entering = next((k for k, d in enumerate(costs) if d > 0), None)
            if entering is None:
                return sum(objective.get(b, 0) * v for b, v in zip(self.basis, self.rhs, strict=True))
            leaving: tuple[_Number, int, int] | None = None
            for i, row in enumerate(self.rows):
                if (a := row[entering]) > 0:
                    ratio = self.rhs[i] if a == 1 else Fraction(self.rhs[i]) / a
                    candidate = (ratio, self.basis[i], i)
                    leaving = candidate if leaving is None or candidate < leaving else leaving
            if leaving is None:
                return None
            self.pivot(leaving[2], entering, costs)

    def solution(self) -> list[_Number]:
        values: list[_Number] = [0] * self.width
        for b, v in zip(self.basis, self.rhs, strict=True):
            values[b] = v
        return values


def _feasible(n: int, equations: Sequence[_Equation]) -> _Tableau:
    """A feasible vertex of {x ≥ 0, equations} (phase 1, artificial variables driven out)."""
    m = len(equations)
    rows, rhs = [], []
    for i, (coefficients, b) in enumerate(equations):
        sign = -1 if b < 0 else 1
        row: list[_Number] = [0] * (n + m)
        for j, a in coefficients.items():
            row[j] = sign * a
        row[n + i] = 1
        rows.append(row)
        rhs.append(sign * b)
    tableau = _Tableau(rows, list(rhs), [n + i for i in range(m)], n + m)
    if tableau.maximise(dict.fromkeys(range(n, n + m), -1)) != 0:
        raise _Infeasible
    i = 0
    while i < len(tableau.rows):
        if tableau.basis[i] >= n:
            k = next((k for k in range(n) if tableau.rows[i][k]), None)
            if k is None:  # a redundant equation
                del tableau.rows[i], tableau.rhs[i], tableau.basis[i]
                continue
            tableau.pivot(i, k)
        i += 1
    tableau.rows = [row[:n] for row in tableau.rows]
    tableau.width = n
    return tableau


def _extreme(base: _Tableau, n: int, equations: list[_Equation], j: int, *, maximise: bool) -> int | None:
    """The integer maximum (or minimum) of x_j; None when unbounded."""
    sign = 1 if maximise else -1
    tableau = base.copy()
    value = tableau.maximise({j: sign})
    if value is None:
        return None
    if all(v.denominator == 1 for v in tableau.solution()[:n]):
        return sign * int(value)
    return _branch_and_bound(n, equations, j, sign)


def _branch_and_bound(n: int, equations: list[_Equation], j: int, sign: int) -> int:
    """Integer optimum of sign·x_j when the rational one sits at a fractional vertex."""
    best: int | None = None
    stack: list[tuple[tuple[int, int, int], ...]] = [()]  # (variable, +1 upper / -1 lower, bound)
    for _node in range(_BRANCH_AND_BOUND_NODES):
        if not stack:
            if best is None:
                raise ValueError("The published counts admit no whole-number solution.")
            return sign * best
        limits = stack.pop()
        system, width = list(equations), n
        for variable, kind, bound in limits:
            system.append(({variable: 1, width: kind}, bound))
            width += 1
        try:
            tableau = _feasible(width, system)
        except _Infeasible:
            continue
        value = tableau.maximise({j: sign})
        if value is None or (best is not None and floor(value) <= best):
            continue
        solution = tableau.solution()
        fractional = next((k for k in range(n) if solution[k].denominator != 1), None)
        if fractional is None:
            best = int(value)
            continue
        stack.append((*limits, (fractional, 1, floor(solution[fractional]))))
        stack.append((*limits, (fractional, -1, ceil(solution[fractional]))))
    raise RuntimeError("The disclosure check gave up: the tables are too large for it.")


# --- Row-level extracts ------------------------------------------------------------------------


def pseudonym_key() -> bytes:
    """`REPERES_PSEUDONYM_KEY`, or when it is empty a key derived from SECRET_KEY."""
    configured = getattr(settings, "REPERES_PSEUDONYM_KEY", "")
    if configured:
        return str(configured).encode()
    if not settings.SECRET_KEY:
        raise ImproperlyConfigured("Set REPERES_PSEUDONYM_KEY or SECRET_KEY to pseudonymise extracts.")
    return hmac.new(settings.SECRET_KEY.encode(), b"reperes.programme.disclosure.pseudonym", hashlib.sha256).digest()


def pseudonym(value: str, key: bytes | str | None = None) -> str:
    """The keyed hash (HMAC-SHA256, hex) standing for `value` (a youth's id) in any row-level
    extract for the funder: stable across extracts made with the same key, and, unlike a plain
    hash, impossible to recompute from a guessed identifier without the key."""
    secret = pseudonym_key() if key is None else key
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
