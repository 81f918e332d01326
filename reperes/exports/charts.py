"""Charts drawn on the server with matplotlib, as SVG that a page shows without JavaScript, a
printer prints and the PDF bilan embeds unchanged.

Each chart function returns an `Svg`: the drawing with a `<title>` and a `<desc>` (the text
alternative: the title, then every value in words), `role="img"` and `aria-labelledby`. Text
stays text (`svg.fonttype = "none"`: no embedded glyphs, no font or URL fetched), and inline
styles become presentation attributes, so that the strict CSP of the pages (no inline style)
leaves the colours alone. Every value is written beside its bar; series are told apart by their
hatching as well as their colour, so a greyscale print reads the same; the colours are dark
enough for white text (4.5:1) and for bars against the white page (3:1). A masked value
(« < 11 ») is never drawn as a bar: its place says « < 11 ». The same data give the same bytes
(`svg.hashsalt`, no date), so tests compare renders and a page may be cached.

matplotlib is used without pyplot, through `Figure`, one figure per call, under a lock: its
settings (`rcParams`) are global, so two threads of the web server never draw at once.
"""

import io
import re
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own matplotlib output only
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.typing import RcKeyType

from reperes.exports.tables import Cell, Kind, display, is_suppressed, plain

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# Dark enough for white text on them (≥ 4.5:1) and against the white page (≥ 3:1).
PALETTE = ("#1f4e79", "#b0440f", "#2e6b30", "#6b3d8f", "#4d4d4d")
HATCHES = ("", "///", "...", "xxx", "\\\\\\")
TEXT_COLOUR = "#1a1a1a"
FONT_SIZE = 10
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "reperes",
    "svg.id": None,
    "text.parse_math": False,  # « 5 $ » is text, not TeX
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": TEXT_COLOUR,
    "hatch.color": "#ffffff",
    "hatch.linewidth": 1.0,
    "figure.dpi": 72,
}
METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_LOCK = threading.Lock()

ChartValue = Cell


class Svg(str):
    """SVG markup made by this module, which a template inlines as it is (`__html__`). Any other
    string is escaped: concatenating to an Svg gives a plain `str` again."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def _number(value: ChartValue) -> float | None:
    """The bar's length, or None for an empty or masked value (no bar)."""
    raw = plain(value)
    if raw is None or is_suppressed(value) or isinstance(raw, str):
        return None
    return float(raw)


def _figure(rows: int, *, extra_height: float = 0.0) -> Figure:
    height = 0.9 + 0.42 * rows + extra_height
    return Figure(figsize=(6.4, height), layout="constrained")


def _bare(axes: Any) -> None:
    """Labels carry the values: no x axis, no frame but the baseline."""
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)


def _label(axes: Any, x: float, y: float, text: str, *, fontsize: float = FONT_SIZE) -> None:
    """A value written just after the end of its bar, dark on the white page."""
    axes.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center", ha="left", fontsize=fontsize)


def _describe(description: str, facts: Sequence[str]) -> str:
    """The text alternative: the caller's sentence, then every value in words."""
    sentence = f"{description.strip()} " if description.strip() else ""
    return f"{sentence}{' ; '.join(facts)}."


def funnel(
    chart_id: str,
    title: str,
    stages: Sequence[tuple[str, ChartValue]],
    *,
    description: str = "",
) -> Svg:
    """The pathway funnel: one centred bar per stage, from the first (widest) down; each labelled
    with its count and its share of the first stage. A masked stage has no bar, only « < 11 »."""
    labels = [label for label, _ in stages]
    numbers = [_number(value) for _, value in stages]
    first = numbers[0] if numbers else None
    widest = max((n for n in numbers if n is not None), default=1.0) or 1.0
    facts = []
    with _LOCK, matplotlib.rc_context(RC):
        figure = _figure(len(stages))
        axes = figure.add_subplot()
        for row, ((label, value), number) in enumerate(zip(stages, numbers, strict=True)):
            shown = display(value, Kind.INTEGER)
            share = ""
            if number is not None and first:
                share = f" ({display(Decimal(str(number)) / Decimal(str(first)), Kind.PERCENT)})"
            facts.append(f"{label} : {shown or '—'}{share}")
            if number is None:
                axes.annotate(shown or "—", (0, row), ha="center", va="center", color=TEXT_COLOUR)
                continue
            axes.barh(row, number, left=-number / 2, height=0.7, color=PALETTE[0], edgecolor="#ffffff")
            _label(axes, number / 2, row, f"{shown}{share}")
        axes.set_yticks(range(len(stages)), labels)
        axes.set_xlim(-widest / 2, widest / 2 * 1.45)  # room for the labels right of the widest bar
        axes.set_ylim(len(stages) - 0.5, -0.5)
        _bare(axes)
        axes.spines["left"].set_visible(False)
        return _finish(figure, chart_id, title, _describe(description, facts))


def horizontal_bars(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, ChartValue]],
    *,
    kind: Kind = Kind.INTEGER,
    description: str = "",
) -> Svg:
    """One bar per label, from zero, each labelled with its value; a masked one says « < 11 »."""
    numbers = [_number(value) for _, value in bars]
    widest = max((n for n in numbers if n is not None), default=1.0) or 1.0
    facts = []
    with _LOCK, matplotlib.rc_context(RC):
        figure = _figure(len(bars))
        axes = figure.add_subplot()
        for row, ((label, value), number) in enumerate(zip(bars, numbers, strict=True)):
            shown = display(value, kind)
            facts.append(f"{label} : {shown or '—'}")
            if number is not None:
                axes.barh(row, number, height=0.7, color=PALETTE[0], edgecolor="#ffffff")
            _label(axes, number or 0.0, row, shown or "—")
        axes.set_yticks(range(len(bars)), [label for label, _ in bars])
        axes.set_xlim(0, widest * 1.25)
        axes.set_ylim(len(bars) - 0.5, -0.5)
        _bare(axes)
        return _finish(figure, chart_id, title, _describe(description, facts))


def grouped_bars(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[ChartValue]]],
    *,
    stacked: bool = False,
    kind: Kind = Kind.INTEGER,
    description: str = "",
) -> Svg:
    """Several series per category, side by side or `stacked`, told apart by colour, hatching and
    the legend. Side by side, every bar is labelled at its end; stacked, each part is labelled
    inside when it is wide enough, and a masked part takes no room: « Série : < 11 » follows the
    bar instead."""
    if len(series) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} series")
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series « {name} » has {len(values)} values for {len(categories)} categories")
    numbers = [[_number(value) for value in values] for _, values in series]
    if stacked:
        totals = [sum(n[i] or 0.0 for n in numbers) for i in range(len(categories))]
        widest = max(totals, default=1.0) or 1.0
    else:
        widest = max((n for line in numbers for n in line if n is not None), default=1.0) or 1.0
    facts = [
        f"{category} — " + ", ".join(f"{name} : {display(values[i], kind) or '—'}" for name, values in series)
        for i, category in enumerate(categories)
    ]
    rows = len(categories) if stacked else len(categories) * max(len(series), 1) * 0.6
    with _LOCK, matplotlib.rc_context(RC):
        figure = _figure(round(rows + 0.5), extra_height=0.35)
        axes = figure.add_subplot()
        height = 0.7 if stacked else 0.8 / max(len(series), 1)
        keys: list[Patch] = []
        for s, (name, values) in enumerate(series):
            colour, hatch = PALETTE[s], HATCHES[s]
            keys.append(Patch(facecolor=colour, hatch=hatch, edgecolor="#ffffff", label=name))
            for i, value in enumerate(values):
                number = numbers[s][i]
                if stacked:
                    left = sum(numbers[k][i] or 0.0 for k in range(s))
                    if number is None or number == 0:
                        continue
                    axes.barh(i, number, left=left, height=height, color=colour, hatch=hatch, edgecolor="#ffffff")
                    if number >= widest * 0.08:
                        axes.annotate(
                            display(value, kind),
                            (left + number / 2, i),
                            ha="center",
                            va="center",
                            color="#ffffff",
                            bbox={"boxstyle": "square,pad=0.15", "facecolor": colour, "edgecolor": "none"},
                        )
                    continue
                y = i - 0.4 + height * (s + 0.5)
                if number is not None:
                    axes.barh(y, number, height=height, color=colour, hatch=hatch, edgecolor="#ffffff")
                _label(axes, number or 0.0, y, display(value, kind) or "—", fontsize=FONT_SIZE - 1)
        if stacked:
            for i in range(len(categories)):
                masked = [
                    f"{name} : {display(values[i], kind)}" for name, values in series if is_suppressed(values[i])
                ]
                if masked:
                    _label(axes, totals[i], i, " ; ".join(masked))
        axes.set_yticks(range(len(categories)), list(categories))
        axes.set_xlim(0, widest * (1.45 if stacked else 1.25))
        axes.set_ylim(len(categories) - 0.5, -0.5)
        _bare(axes)
        figure.legend(
            handles=keys, loc="outside upper center", ncols=min(len(series), 3), frameon=False, handlelength=2.2
        )
        return _finish(figure, chart_id, title, _describe(description, facts))


def _finish(figure: Figure, chart_id: str, title: str, description: str) -> Svg:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: a letter, then letters, digits, - or _")
    stream = io.BytesIO()
    figure.savefig(stream, format="svg", metadata=METADATA)
    return Svg(accessible_svg(stream.getvalue(), chart_id=chart_id, title=title, description=description))


_URL_REFERENCE = re.compile(r"url\(#([^)]+)\)")


def accessible_svg(raw: bytes, *, chart_id: str, title: str, description: str) -> str:
    """matplotlib's SVG made fit to inline in a page: a title and a description that name it,
    ids prefixed with `chart_id` (two charts on a page never share one), inline styles turned
    into presentation attributes (allowed by the CSP), `xlink:href` into SVG 2's `href`, no
    metadata."""
    root = ET.fromstring(raw)  # noqa: S314 - our own output, never a file someone sent
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                parent.remove(child)
    for element in root.iter():
        for declaration in element.attrib.pop("style", "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip():
                element.set(name.strip(), value.strip())
        if "id" in element.attrib:
            element.set("id", f"{chart_id}-{element.get('id')}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _URL_REFERENCE.sub(rf"url(#{chart_id}-\1)", value))
            elif name == f"{{{XLINK_NS}}}href":  # SVG 2's plain href: no second namespace to declare
                del element.attrib[name]
                element.set("href", f"#{chart_id}-{value[1:]}" if value.startswith("#") else value)
    # What matplotlib's removed <style> said, for every element.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("class", "reperes-chart mw-100 h-auto")
    title_element = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    # The SVG namespace written as the default one, whatever prefix another library registered
    # with ElementTree (a global table): plain tag names, and xmlns as a plain attribute.
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    root.attrib = {"xmlns": SVG_NS, **root.attrib}
    return ET.tostring(root, encoding="unicode")
