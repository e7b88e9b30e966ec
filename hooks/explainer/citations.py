"""The citation syntax: ``[@source-id]`` and ``[@source-id, "verbatim quote"]``.

Several citations share one bracket, separated by semicolons:
``[@wmw-analysis, "first quote"; @mittr-three-reasons]``. Inside a quote, write
``\\"`` for a straight double quote and ``\\\\`` for a backslash. A bracket that
starts with ``[@`` but does not follow this form is reported, not left as text; so is
a ``[@`` that no ``]`` closes.

A bracket runs from ``[@`` to the first ``]`` outside a quote (a quote may hold ``]``),
and is the text of a link, not a citation, when ``(`` follows it. A scanner finds
brackets, not a regular expression: searched from each ``[@`` of ``[@a [@a [@a …``, a
regular expression reads on to the end of the text every time, and 20,000 of them took
47 seconds. The scanner works out once, from the end of the text, where a bracket would
stop from each quote and ``]``, so finding every bracket costs time in proportion to the
text. It finds what the expression found, with one rule for data and pages alike: in a
quote, a backslash escapes the next character, a line break included.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .problems import shorten

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ITEM = re.compile(
    r"\s*@(?P<id>[^\s,;\"\]]+)\s*(?:,\s*(?P<quote>" + _QUOTED + r")\s*)?(?:;|$)"
)
_UNESCAPE = re.compile(r"\\(.)")

OPENING = "[@"
"""How every citation starts."""
EXAMPLE = '[@source-id] or [@source-id, "words copied from the article"]'

START = re.compile(r"(?<!\\)\[@")
"""Where a citation may start: a ``[@`` that no backslash escapes."""
# The only characters that change where a bracket stops: outside a quote '"' and ']', inside one '"' and '\'.
_MARKS = re.compile(r'["\\\]]')


@dataclass(frozen=True)
class Cited:
    """One citation as written: a source id and an optional quote."""

    source: str
    quote: str | None


class CitationSyntaxError(ValueError):
    """The bracket does not follow the citation syntax."""


@dataclass(frozen=True)
class Bracket:
    """A citation bracket: ``text[start:end]`` runs from its ``[`` to its ``]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Unclosed:
    """A ``[@`` that starts no bracket, because no ``]`` closes it or no ``"`` closes its quote."""

    start: int
    message: str


def parse(body: str) -> list[Cited]:
    """The citations in the text between ``[`` and ``]`` (starting with ``@``)."""
    cited, position = [], 0
    while position < len(body):
        match = _ITEM.match(body, position)
        if not match:
            raise CitationSyntaxError(
                f"cannot read the citation '[{body}]': write {EXAMPLE}, "
                "separated by ';' when there are several"
            )
        quote = match["quote"]
        cited.append(Cited(match["id"], _UNESCAPE.sub(r"\1", quote[1:-1]) if quote else None))
        position = match.end()
    return cited


def cited_in(text: str) -> list[Cited]:
    """Every citation written in ``text``, in order; a bracket that cannot be read is left out (the
    data checks report it), so that a preview still shows the rest."""
    cited = []
    for _, body in find_all(text):
        try:
            cited += parse(body)
        except CitationSyntaxError:
            continue
    return cited


def format_citations(cited: Iterable[tuple[str, str | None]]) -> str:
    """The Markdown that cites each ``(source, quote)`` in one bracket, escaped as the syntax requires."""
    return "[" + "; ".join(_format_one(source, quote) for source, quote in cited) + "]"


def _format_one(source: str, quote: str | None) -> str:
    if quote is None:
        return f"@{source}"
    escaped = quote.replace("\\", "\\\\").replace('"', '\\"')
    return f'@{source}, "{escaped}"'


def find_all(text: str) -> list[tuple[int, str]]:
    """Every citation bracket in ``text``: its offset and the body after ``[``."""
    return [(found.start, text[found.start + 1 : found.end - 1]) for found in scan(text) if isinstance(found, Bracket)]


def scan(text: str, start: int = 0) -> Iterator[Bracket | Unclosed]:
    """From ``start`` on, in order: each citation bracket, and the first ``[@`` that nothing closes
    (those after it are often the same mistake: ``[@a [@a [@a …`` is one)."""
    reported = False
    for found in _Stops(text).openings(start):
        if isinstance(found, Bracket) or (found and not reported):
            reported = reported or isinstance(found, Unclosed)
            yield found


class _Stop(enum.Enum):
    """Why a bracket stops where it does."""

    CLOSED = enum.auto()  # at a ']' that no '(' follows: the end of a citation
    LINK = enum.auto()  # at '](': the bracket was the text of a link
    QUOTE = enum.auto()  # at a '"' that nothing closes
    END = enum.auto()  # the text ended first


class _Stops:
    """Where a bracket stops, from any place of ``text``; worked out once, from the end of the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        marks = [found.start() for found in _MARKS.finditer(text)]
        self._outside_marks = [at for at in marks if text[at] != "\\"]
        self._inside_marks = [at for at in marks if text[at] != "]"]
        self._stop_from: dict[int, tuple[int, _Stop]] = {}
        """For each '"' or ']' reached outside a quote: where the bracket stops, and why."""
        self._closing_from: dict[int, int | None] = {}
        """For each '"' or '\\' reached inside a quote: the '"' that closes the quote (None: none does)."""
        for at in reversed(marks):
            self._work_out(at)

    def _work_out(self, at: int) -> None:
        text = self.text
        if text[at] == "]":
            self._stop_from[at] = (at, _Stop.LINK if text.startswith("(", at + 1) else _Stop.CLOSED)
        elif text[at] == "\\":  # in a quote, it escapes the next character, a line break included
            self._closing_from[at] = self._closing_quote(at + 2) if at + 1 < len(text) else None
        else:  # '"' closes a quote, or opens one
            self._closing_from[at] = at
            closing = self._closing_quote(at + 1)
            self._stop_from[at] = (at, _Stop.QUOTE) if closing is None else self._stop(closing + 1)

    def _stop(self, position: int) -> tuple[int, _Stop]:
        """Where a bracket stops that has reached ``position`` outside a quote."""
        index = bisect_left(self._outside_marks, position)
        if index == len(self._outside_marks):
            return len(self.text), _Stop.END
        return self._stop_from[self._outside_marks[index]]

    def _closing_quote(self, position: int) -> int | None:
        """The '"' that closes a quote that has reached ``position``."""
        index = bisect_left(self._inside_marks, position)
        return None if index == len(self._inside_marks) else self._closing_from[self._inside_marks[index]]

    def openings(self, start: int) -> Iterator[Bracket | Unclosed | None]:
        """For each '[@' from ``start`` on: the bracket it starts, or why it starts none (None: it is
        a link's text). A '[@' inside a bracket is passed over; one that starts none, by one character
        only, as a regular expression's search would, since a bracket inside its quote may be one."""
        position = start
        while opening := START.search(self.text, position):
            at, why = self._stop(opening.end())
            if why is _Stop.CLOSED:
                yield Bracket(opening.start(), at + 1)
                position = at + 1
                continue
            yield None if why is _Stop.LINK else Unclosed(opening.start(), _unclosed_message(self.text, opening.start(), why))
            position = opening.start() + 1


def _unclosed_message(text: str, start: int, why: _Stop) -> str:
    written = text[start : start + 60]
    if why is _Stop.QUOTE:
        return f"the quote in the citation '{shorten(written, 40)}' is not closed: end it with '\"'"
    return f"the citation '{shorten(written, 40)}' is not closed: end it with ']' (for a literal '[@', write '\\[@')"


class InlineBrackets:
    """The brackets of the text Python-Markdown's inline processor works through, found once.

    After each match the processor puts a placeholder in its place and searches again from
    just after it: finding the brackets afresh each time would cost the whole text for each
    citation. So brackets are kept by their distance from the end of the text, which the
    placeholder leaves as it was, and found again only for a text that does not end as the
    last one did.
    """

    def __init__(self) -> None:
        self._text = ""
        self._known = 0
        """How many characters at the end of the text the openings below are known for."""
        self._openings: dict[int, tuple[int, str | None]] = {}
        """For each '[@' that is no link's text, by distance from the end of the text: that of the end of
        its bracket and None, or that of the place after its '[' and why nothing closes it."""

    def at(self, text: str, start: int) -> Bracket | Unclosed | None:
        """The citation bracket that starts at ``text[start]``, or the '[@' there that nothing closes;
        None for the text of a link. Python-Markdown replaces what is returned (an :class:`Unclosed`,
        by its '[' alone) before it searches on."""
        if not self._knows(text, start):
            found = [it for it in _Stops(text).openings(start) if it]
            self._openings = {len(text) - it.start: _rests(text, it) for it in found}
            self._text, self._known = text, len(text) - start
        rest, message = self._openings.get(len(text) - start, (None, None))
        if rest is None:
            return None
        self._known = rest  # what stands before it changes
        return Bracket(start, len(text) - rest) if message is None else Unclosed(start, message)

    def _knows(self, text: str, start: int) -> bool:
        if len(text) - start > self._known:
            return False
        if text is not self._text:
            boundary = len(text) - self._known
            # A backslash before the known end would escape a '[@' there that the scan took for a citation.
            if text[boundary - 1 : boundary] == "\\" or not text.endswith(self._text[len(self._text) - self._known :]):
                return False
            self._text = text
        return True


def _rests(text: str, found: Bracket | Unclosed) -> tuple[int, str | None]:
    """Where ``found`` ends, and why it is no citation, if it is not: as :attr:`InlineBrackets._openings` keeps them."""
    if isinstance(found, Bracket):
        return len(text) - found.end, None
    return len(text) - found.start - 1, found.message
