"""The citation syntax: ``[@source-id]`` and ``[@source-id, "verbatim quote"]``.

Several citations share one bracket, separated by semicolons:
``[@wmw-analysis, "first quote"; @mittr-three-reasons]``. Inside a quote, write
``\\"`` for a straight double quote and ``\\\\`` for a backslash. A bracket that
starts with ``[@`` but does not follow this form is reported, not left as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_QUOTED = r'"(?:[^"\\]|\\.)*"'
# Anything from "[@" to the closing bracket (quotes may contain "]"), but not a link.
BRACKET = re.compile(r"(?<!\\)\[(@(?:[^\]\"]|" + _QUOTED + r")*)\](?!\()")
_ITEM = re.compile(
    r"\s*@(?P<id>[^\s,;\"\]]+)\s*(?:,\s*(?P<quote>" + _QUOTED + r")\s*)?(?:;|$)"
)
_UNESCAPE = re.compile(r"\\(.)")

EXAMPLE = '[@source-id] or [@source-id, "words copied from the article"]'


@dataclass(frozen=True)
class Cited:
    """One citation as written: a source id and an optional quote."""

    source: str
    quote: str | None


class CitationSyntaxError(ValueError):
    """The bracket does not follow the citation syntax."""


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
    return [(match.start(), match[1]) for match in BRACKET.finditer(text)]
