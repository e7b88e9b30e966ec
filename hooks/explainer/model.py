"""The explainer's data once it has been checked: frozen, and each item knows its origin."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .load import Written
from .problems import Origin, kind_of, shown

_MONTHS = tuple(calendar.month_name)

ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$(?!\\n)"
"""What an id is, as data/schema/common.schema.json says too: it becomes a URL and an anchor.

The whole value: ``(?!\\n)`` stops Python's ``$`` from matching before a final line break
(``"huanfang-quant\\n"``), and changes nothing in JavaScript, where editors read the schema
(there ``$`` is already the very end). ``ID.match`` and ``ID.search`` both take ids whole.
"""
ID = re.compile(ID_PATTERN)


_PARTS = {"H1": (1, 6), "H2": (7, 12), "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12)}
_PART_NAMES = {
    "H1": "First half of",
    "H2": "Second half of",
    "Q1": "First quarter of",
    "Q2": "Second quarter of",
    "Q3": "Third quarter of",
    "Q4": "Fourth quarter of",
}


@dataclass(frozen=True)
class PartialDate:
    """An ISO date known to the year, a half or a quarter of it, the month or the day: as precise as
    a source is, and no more ("from the second half of 2025" is ``2025-H2``, not ``2025-07``)."""

    year: int
    month: int | None = None
    day: int | None = None
    part: str | None = None
    """``H1``, ``H2`` or ``Q1`` to ``Q4``, when the date is known to a half or a quarter of the year."""

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """``2026``, ``2026-H2``, ``2026-Q4``, ``2026-04`` or ``2026-04-24``; raises ValueError for an
        impossible date. A month or day written as ``00`` is impossible too, not "unknown": leave it out instead.
        """
        year, _, rest = text.partition("-")
        if rest in _PARTS:
            return cls(int(year), part=rest)
        date = cls(*(int(part) for part in text.split("-")))
        year, month, day = date.year, date.month, date.day
        datetime.date(year, 1 if month is None else month, 1 if day is None else day)  # raises for 2026-02-30, 2024-00
        return date

    @property
    def precision(self) -> str:
        if self.part:
            return "half year" if self.part.startswith("H") else "quarter"
        return "day" if self.day else "month" if self.month else "year"

    @property
    def _months(self) -> tuple[int, int]:
        if self.part:
            return _PARTS[self.part]
        return (self.month, self.month) if self.month else (1, 12)

    @property
    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self._months[0], self.day or 1)

    @property
    def latest(self) -> datetime.date:
        month = self._months[1]
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        if self.part:
            return f"{self.year}-{self.part}"
        return "-".join(f"{part:02d}" for part in (self.year, self.month, self.day) if part)

    def readable(self) -> str:
        """``24 April 2026``, ``April 2026``, ``Second half of 2025`` or ``2026``."""
        if self.part:
            return f"{_PART_NAMES[self.part]} {self.year}"
        month = _MONTHS[self.month] if self.month else ""
        return " ".join(str(part) for part in (self.day, month, self.year) if part)


@dataclass(frozen=True)
class MarkdownField:
    """A Markdown field of the data, with where and how it was written."""

    origin: Origin
    """The line of the field's key."""
    text: str
    written: Written | None = None

    def origin_at(self, offset: int) -> Origin:
        """Where ``text[offset]`` stands in the file: a long field's problem points at its own line."""
        if self.written is None:
            return self.origin
        return Origin(self.origin.path, self.written.line_at(self.text, offset))


@dataclass(frozen=True)
class Citation:
    """A source, and optionally a passage its text contains word for word."""

    source: str
    quote: str | None
    origin: Origin


@dataclass(frozen=True)
class KeyPoint:
    point: str
    citation: Citation


@dataclass(frozen=True)
class QuizItem:
    question: str
    answer: str


@dataclass(frozen=True)
class Source:
    """One source article and what the explainer says about it."""

    id: str
    title: str
    original_title: str | None
    publisher: str
    url: str | None
    url_note: str | None
    original_starts_after: Citation | None
    """In a compilation or translation, the words of its own text after which the original's text
    begins (only passages after them are in the original at ``url``); None when all of it is."""
    accessed: PartialDate
    published: PartialDate | None
    published_note: str | None
    languages: tuple[str, ...]
    kind: str
    reliability: str
    summary: str
    key_points: tuple[KeyPoint, ...]
    quiz: tuple[QuizItem, ...]
    origin: Origin
    text_path: str


@dataclass(frozen=True)
class ChineseForm:
    """A Chinese form of a name, and why the site may show it: a source uses it, or it is the standard term."""

    form: str
    script: str
    """``Simplified`` or ``Traditional``."""
    source: str | None
    """The source whose text uses this form (the build checks that it does)."""
    standard: bool
    """True for the usual term, which no source uses."""
    origin: Origin


@dataclass(frozen=True)
class Term:
    """A glossary term; its aliases are the strings linked to it on pages."""

    id: str
    term: str
    zh: tuple[ChineseForm, ...]
    aliases: tuple[str, ...]
    definition: str
    body: str
    see_also: tuple[str, ...]
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class DatedCitations:
    date: PartialDate
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Event:
    """A dated event; ``other_dates`` holds the dates other sources give for it."""

    id: str
    date: PartialDate
    title: str
    text: str | None
    forecast: bool
    citations: tuple[Citation, ...]
    other_dates: tuple[DatedCitations, ...]
    origin: Origin


@dataclass(frozen=True)
class Entity:
    """An organisation, person, product, publication or place the sources mention."""

    id: str
    name: str
    zh: tuple[ChineseForm, ...]
    kind: str
    aliases: tuple[str, ...]
    context: str
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Status:
    """How sure a claim is: one of :data:`STATUSES`, defined once for readers on the "What we know" page."""

    id: str
    label: str
    """What the claim's label shows, e.g. ``company claim``."""
    meaning: str
    """One sentence: when a claim has this status."""

    @property
    def title(self) -> str:
        """The label as a heading or at the start of a tooltip: ``Company claim``, ``AI-generated``."""
        return self.label[:1].upper() + self.label[1:]


STATUSES: tuple[Status, ...] = (
    Status("confirmed", "confirmed", "Two independent sources, with named reporting, say so."),
    Status("reported", "reported", "One named outlet reports it."),
    Status("company-claim", "company claim", "DeepSeek's or Huawei's own statement or figures, as a source reports them."),
    Status(
        "unnamed-reports",
        "unnamed reports",
        'Leaks, "industry reports", "foreign media reports", "sources close to" a company, or "community data".',
    ),
    Status("speculation", "speculation", "An author's own inference or prediction."),
    Status("ai-generated", "AI-generated", "The aggregator card's AI-generated analysis, and nothing else, says so."),
    Status("disputed", "disputed", "The sources disagree; both sides are cited."),
)
"""Every status, from the surest to the contested, in the order the "What we know" page groups claims."""
STATUS = {status.id: status for status in STATUSES}


@dataclass(frozen=True)
class Figure:
    """A number a claim's chart draws; its value is written in the claim's statement (the build checks)."""

    label: str
    value: int | float
    unit: str
    origin: Origin


@dataclass(frozen=True)
class Claim:
    """A key statement, how sure it is, and who says it (and who says otherwise)."""

    id: str
    statement: str
    """One plain-text sentence: shown in tooltips and tables."""
    status: Status
    glance: str | None
    """The row label of the home page's "V4 at a glance" box, or None when the claim is not a row."""
    for_: str
    """Markdown with citations: who says it (``for`` in the data; the underscore because ``for`` is Python's)."""
    against: str | None
    """Markdown with citations: the other side, or None; required when disputed."""
    figures: tuple[Figure, ...]
    origin: Origin


@dataclass(frozen=True)
class Dataset:
    """Everything in ``data/`` that passed the checks."""

    sources: Mapping[str, Source]
    terms: tuple[Term, ...]
    events: tuple[Event, ...]
    entities: tuple[Entity, ...]
    claims: tuple[Claim, ...] = ()


def mistyped(item: Any) -> str | None:
    """The first field of a model object (or of one inside it) whose value is not of its declared
    type, as ``'term' is a list``; None when every field is what the rest of the build expects.

    The schemas vouch for the data; this holds the model to its own annotations even if a
    schema is edited to let more through.
    """
    for field in dataclasses.fields(item):
        value = getattr(item, field.name)
        if not _is_a(value, _hints(type(item))[field.name]):
            return f"'{field.name}' is {kind_of(value)} ({shown(value, 40)})"
        inner = value if isinstance(value, tuple) else (value,)
        wrong = next((wrong for part in inner if dataclasses.is_dataclass(part) and (wrong := mistyped(part))), None)
        if wrong:
            return wrong
    return None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_a(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_is_a(value, option) for option in typing.get_args(hint))
    if origin is tuple:
        return isinstance(value, tuple) and all(_is_a(part, typing.get_args(hint)[0]) for part in value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, origin or hint)
