"""The diagrams drawn from the claims at build time: a bar chart of claims' figures, and the software stack.

Each is an inline SVG in a ``<figure>`` with its caption and a text alternative, made by a template
(``figures.html.j2``, ``software-stack.html.j2``) through the build's autoescaping HTML environment: this
module only measures, so a corrected number in ``data/claims.yaml`` redraws the chart. Colours come from
CSS classes (``overrides/stylesheets/explainer.css``, "Diagrams") and the theme's variables, so that both colour
schemes can read them; the ``viewBox`` is narrow enough to be read on a 375 px phone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .model import Claim, Figure
from .render import Templates

WIDTH = 400
"""The width of every diagram in SVG units; the page scales it to its column."""
_FONT = 14
_LINE = 18  # the height of a line of text
_LATIN_WIDTH = 0.6 * _FONT  # how wide a character is, near enough, to wrap text before it leaves the picture
_WIDE_WIDTH = _FONT  # a Chinese character (East Asian wide or full-width)
_BAR = 20
_VALUE_GAP = 6  # between a bar's end and its value
_SHADES = 3  # the colours of bars (explainer.css): a claim's first figure has the first, and so on

# Which column of the stack a claim about hardware sits in: the one side its statement names. The right-hand
# column is the domestic stack, so "Chinese chips" and "domestic chips" are named there too.
_COLUMNS = {
    "nvidia": re.compile(r"nvidia|cuda|英伟达", re.IGNORECASE),
    "ascend": re.compile(r"ascend|huawei|cann|(?:chinese|domestic|domestically developed) chip|昇腾|华为|国产", re.IGNORECASE),
}

Label = Callable[[Claim], Markup]
"""The HTML of a claim's status label where a diagram shows it (the page's ``[?id]`` label)."""


def plain_label(claim: Claim) -> Markup:
    """A claim's status as text, for a diagram made where no label links to the "What we know" page."""
    return Markup('<span class="explainer-diagram-status">{}</span>').format(claim.status.label)


# -- the bar chart of figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    figure: Figure
    label: str
    """The figure's label, with its unit when the chart's figures do not share one."""
    value: str
    """The value as written on the bar."""
    label_y: float
    y: float
    length: float
    value_x: float
    shade: int
    """1 for the first figure of each claim, 2 for the second…: the same measure has the same colour
    in every claim (input and output prices, say)."""


@dataclass(frozen=True)
class Group:
    """One claim's figures in the chart, under its name and status."""

    claim: Claim
    name: str
    heading: list[tuple[float, str]]
    """The heading's lines, each with its ``y``."""
    bars: list[Bar]


def figures_chart(claims: Sequence[Claim], templates: Templates, label: Label = plain_label) -> str:
    """The claims' figures as a horizontal bar chart (an inline SVG), with a table of the same figures.

    Bars that share a unit share a scale; each value is written at its bar's end, and each claim's
    status is shown beside its name.
    """
    figures = [figure for claim in claims for figure in claim.figures]
    units = list(dict.fromkeys(figure.unit for figure in figures))
    largest = {unit: max((_positive(f.value) for f in figures if f.unit == unit), default=0) for unit in units}
    values = {id(figure): format_value(figure.value) for figure in figures}
    room = max((_text_width(value) for value in values.values()), default=0) + _VALUE_GAP
    longest = WIDTH - room

    groups, y = [], _LINE + (_LINE if len(units) == 1 else 0)  # below the unit's line, when there is one
    for claim in claims:
        name = claim_name(claim)
        heading = []
        for line in wrap(f"{name} ({claim.status.label})", WIDTH):
            y += _LINE
            heading.append((y, line))
        bars = []
        for index, figure in enumerate(claim.figures):
            label_y = y + _LINE + 4
            bar_y = label_y + 6
            length = round(longest * _positive(figure.value) / largest[figure.unit], 1) if largest[figure.unit] else 0
            text = figure.label if len(units) == 1 else f"{figure.label} ({figure.unit})"
            shade = (index % _SHADES) + 1
            bars.append(Bar(figure, text, values[id(figure)], label_y, bar_y, length, length + _VALUE_GAP, shade))
            y = bar_y + _BAR
        groups.append(Group(claim, name, heading, bars))
        y += _LINE // 2
    key = "-".join(claim.id for claim in claims)
    return templates.html.get_template("figures.html.j2").render(
        key=f"figures-{key}",
        groups=groups,
        unit=units[0] if len(units) == 1 else None,
        height=round(y, 1),
        width=WIDTH,
        bar_height=_BAR,
        description=_figures_description(groups, units),
        label=label,
    )


def claim_name(claim: Claim) -> str:
    """What a diagram calls a claim: its row of the "V4 at a glance" box, or else its statement."""
    return claim.glance or claim.statement


def format_value(value: int | float) -> str:
    """A figure as its data writes it: ``1.74``, ``3.48``, ``1,000,000``; never ``3.4799999``."""
    return f"{value:,}"


def _positive(value: int | float) -> float:
    return max(float(value), 0.0)


def _figures_description(groups: Iterable[Group], units: list[str]) -> str:
    """The chart in one sentence per claim, for the SVG's ``<desc>``."""
    sentences = []
    for group in groups:
        parts = [f"{bar.figure.label} {bar.value} {bar.figure.unit}" for bar in group.bars]
        sentences.append(f"{group.name} ({group.claim.status.label}): {'; '.join(parts)}.")
    return " ".join(sentences)


# -- the software stack --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    text: str


@dataclass(frozen=True)
class Marker:
    """Where a claim puts one of V4's uses (training, inference) in the stack."""

    use: str
    claim: Claim
    columns: tuple[str, ...]
    """``("nvidia",)`` or ``("ascend",)``; both when the statement names both sides (sources disagree) or neither."""
    x: float
    y: float
    width: float
    lines: list[tuple[float, str]]
    """Its text (the use, then the claim's status), each line with its ``y``."""

    @property
    def height(self) -> float:
        return _LINE * len(self.lines) + _MARKER_PADDING


_COLUMN_WIDTH = (WIDTH - 20) / 2
_COLUMN_X = {"nvidia": 0.0, "ascend": _COLUMN_WIDTH + 20}
_LAYERS = [("CUDA", "CANN"), ("NVIDIA GPU", "Ascend chip")]
_BOX = 34
_STEP = 64  # from the top of one layer to the top of the next; the rest is the arrow between them
_MARKER_PADDING = 10
_MARKER_GAP = 8


def software_stack(training: Claim, inference: Claim, templates: Templates, label: Label = plain_label) -> str:
    """The stack from AI framework to chip, NVIDIA's and Huawei's side by side, with where the two claims
    put V4's training and inference (the side their statement names, or across both), each with its status."""
    boxes = [Box(0, 0, WIDTH, "AI framework")]
    for layer, names in enumerate(_LAYERS, start=1):
        boxes += [Box(_COLUMN_X[column], layer * _STEP, _COLUMN_WIDTH, name) for column, name in zip(_COLUMN_X, names)]
    markers: list[Marker] = []
    below = dict.fromkeys(_COLUMN_X, len(_LAYERS) * _STEP + _BOX + 24)  # where each column's next marker goes
    for use, claim in (("Training", training), ("Inference", inference)):
        column = hardware_column(claim.statement)
        columns = (column,) if column else tuple(_COLUMN_X)
        top = max(below[key] for key in columns)
        x, width = (_COLUMN_X[column], _COLUMN_WIDTH) if column else (0.0, WIDTH)
        lines = [(top + _LINE * (index + 1), line) for index, line in enumerate([f"V4 {use.lower()}", claim.status.label])]
        markers.append(Marker(use, claim, columns, x, top, width, lines))
        below.update(dict.fromkeys(columns, top + markers[-1].height + _MARKER_GAP))
    key = f"stack-{training.id}-{inference.id}"
    return templates.html.get_template("software-stack.html.j2").render(
        key=key,
        boxes=boxes,
        arrows=_arrows(),
        markers=markers,
        centre={column: x + _COLUMN_WIDTH / 2 for column, x in _COLUMN_X.items()},
        chips_bottom=len(_LAYERS) * _STEP + _BOX,
        box_height=_BOX,
        height=max(below.values()),
        width=WIDTH,
        description=" ".join(f"{marker.use} ({marker.claim.status.label}): {marker.claim.statement}" for marker in markers),
        label=label,
    )


def hardware_column(statement: str) -> str | None:
    """``nvidia`` or ``ascend``: the one side of the stack a statement names; None if it names both or neither."""
    named = [column for column, pattern in _COLUMNS.items() if pattern.search(statement)]
    return named[0] if len(named) == 1 else None


def _arrows() -> list[tuple[float, float, float]]:
    """Each arrow as ``(x, top, bottom)``: from the framework to each side's software, and on to its chip."""
    return [
        (_COLUMN_X[column] + _COLUMN_WIDTH / 2, (layer - 1) * _STEP + _BOX, layer * _STEP)
        for layer in range(1, len(_LAYERS) + 1)
        for column in _COLUMN_X
    ]


# -- text -------------------------------------------------------------------------------------------


def wrap(text: str, width: float) -> list[str]:
    """``text`` in lines that fit ``width`` SVG units at the diagrams' font size (SVG text never wraps by
    itself); a word longer than a line is cut, and Chinese may break between any two characters."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|\S+", text):
        joined = f"{line} {word}" if line and not _is_wide(word[0]) and not _is_wide(line[-1]) else line + word
        if _text_width(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = word
        while _text_width(line) > width:
            cut = _fitting(line, width)
            lines.append(line[:cut])
            line = line[cut:]
    return lines + [line] if line else lines


def _fitting(text: str, width: float) -> int:
    """How many characters of ``text`` fit ``width`` (at least one)."""
    used = 0.0
    for index, character in enumerate(text):
        used += _WIDE_WIDTH if _is_wide(character) else _LATIN_WIDTH
        if used > width:
            return max(index, 1)
    return len(text)


def _text_width(text: str) -> float:
    return sum(_WIDE_WIDTH if _is_wide(character) else _LATIN_WIDTH for character in text)


def _is_wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")

