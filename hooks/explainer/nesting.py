"""How deeply contributed Markdown may nest.

Python-Markdown recurses once for each level of a list, a block quote, an admonition or an
emphasis, and so does the serializer of its element tree: 250 nested list items, or 2,000
asterisks around a word, exhaust Python's stack, and the build would stop with a
traceback. No page or data field of an explainer nests more than a few levels, so the
text is refused, with its line, before it is converted. Nesting that this cannot see
(emphasis markers that alternate with words) is caught when conversion fails: see
:func:`guard_conversion`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

MAX_DEPTH = 16
_INDENT_COLUMNS = 4  # one level of a list, an admonition or a code block
_QUOTE_MARKERS = re.compile(r"[ \t]*(?:>[ \t]?)+")
_EMPHASIS_RUN = re.compile(r"[*_]{%d,}" % (MAX_DEPTH + 1))
_THEMATIC_BREAK = re.compile(r"[*_ \t]+")


def nesting_problems(text: str) -> Iterator[tuple[int, str]]:
    """The offset and message of each run of lines of ``text`` that nest more than :data:`MAX_DEPTH`
    levels, at its first line: a list nested 300 levels deep is one mistake, not 280."""
    offset, previous = 0, None
    for line in text.split("\n"):
        problem = _line_problem(line)
        if problem and previous is None:
            yield offset, problem
        previous = problem
        offset += len(line) + 1


def flatten(line: str) -> str:
    """The line with no more nesting than is allowed: what the page shows until it is fixed."""
    if not _line_problem(line):
        return line
    return _EMPHASIS_RUN.sub(lambda run: "\\" + "\\".join(run[0]), line.lstrip(" \t>"))


def _line_problem(line: str) -> str | None:
    indent = len(line.expandtabs(_INDENT_COLUMNS)) - len(line.lstrip(" \t").expandtabs(_INDENT_COLUMNS))
    if indent > MAX_DEPTH * _INDENT_COLUMNS:
        return f"this line is indented {indent} columns, more than {MAX_DEPTH} levels; nest lists less deeply"
    quotes = _QUOTE_MARKERS.match(line)
    if quotes and quotes[0].count(">") > MAX_DEPTH:
        return f"this line nests block quotes more than {MAX_DEPTH} levels deep; use fewer '>'"
    run = _EMPHASIS_RUN.search(line)
    if run and not _THEMATIC_BREAK.fullmatch(line):
        return (
            f"a run of {len(run[0])} '*' or '_' nests emphasis more than {MAX_DEPTH} levels deep; "
            "escape them (\\*) or put them in `code`"
        )
    return None


def guard_conversion(convert: Callable[[str], str], on_too_deep: Callable[[], str]) -> Callable[[str], str]:
    """``convert``, with what ``on_too_deep`` returns in place of the page when the text nests deeper
    than Python's stack allows in a way the line checks above cannot see."""

    def guarded(text: str) -> str:
        try:
            return convert(text)
        except RecursionError:
            return on_too_deep()

    return guarded
