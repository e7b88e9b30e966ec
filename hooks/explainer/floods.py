"""Brackets that would make Python-Markdown read a paragraph over and over.

From each ``[`` Python-Markdown reads on, one character at a time, to the ``]`` that closes
it, and from each ``](`` to the ``)`` that ends the link. So a paragraph of thousands of
``[`` that nothing closes (8,000 ``[a `` kept a build busy for minutes), of links that no
``)`` ends, or of brackets nested thousands deep, costs the square of its length. No text
needs more than a few: more than :data:`MAX_OPEN` in one paragraph are refused. A ``[@``
is left to the citation check, which reports one that nothing closes.

Blocks too: for each line that Python-Markdown's block parser takes off the front of a block
(a heading, an abbreviation's definition, a rule), it puts the rest back and tests it again,
so a block of 14,000 such lines kept a build busy for two minutes. A block of more than
:data:`MAX_BLOCK_LINES` lines without a blank line is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_OPEN = 16
"""The most ``[`` left open, links left open, or brackets nested inside each other in one paragraph."""
MAX_BLOCK_LINES = 300
"""The most lines in one block, lines without a blank line between them: a table of 100 rows is 102."""
MAX_HEADINGS = 400
"""The most headings a page's table of contents holds: Material's search finds each heading's entry by a walk
of the whole table (a page of 25,000 headings took a minute); a part of a split list has a few more than its
entries (``split_above``)."""
# A blank line, an escaped character, and each bracket or parenthesis.
_TOKEN = re.compile(r"\n[ \t]*(?=\n)|\\.|\[@|\[|\]\(|[\]()]", re.DOTALL)


def bracket_problems(text: str) -> Iterator[tuple[int, str]]:
    """The offset and message of each paragraph of ``text`` that leaves too much open."""
    brackets: list[tuple[int, bool]] = []  # each '[' not yet closed, and whether it opens a citation
    parentheses: list[tuple[int, bool]] = []  # each '(' not yet closed, and whether it opens a link's target
    depth, deepest = 0, None  # '[' open, citations left out; where they first went too deep
    for token in _TOKEN.finditer(text + "\n\n"):
        kind = token[0]
        if kind.startswith("\n"):
            yield from _paragraph_problems(_opened(brackets, False), _opened(parentheses, True), deepest)
            brackets, parentheses, depth, deepest = [], [], 0, None
        elif kind in ("[", "[@"):
            brackets.append((token.start(), kind == "[@"))
            depth += kind == "["
            deepest = token.start() if deepest is None and depth > MAX_OPEN else deepest
        elif kind in ("]", "](") and brackets:
            depth -= not brackets.pop()[1]
        if kind in ("(", "]("):
            parentheses.append((token.end() - 1, kind == "]("))
        elif kind == ")" and parentheses:
            parentheses.pop()


def _opened(stack: list[tuple[int, bool]], kind: bool) -> list[int]:
    return [at for at, of_kind in stack if of_kind is kind]


def _paragraph_problems(brackets: list[int], links: list[int], deepest: int | None) -> Iterator[tuple[int, str]]:
    if len(brackets) > MAX_OPEN:
        yield brackets[0], (
            f"{len(brackets)} '[' in this paragraph are never closed by ']'; close them, "
            "or write \\[ for a bracket of the text"
        )
    elif deepest is not None:
        yield deepest, f"brackets '[' are nested more than {MAX_OPEN} deep here; nest them less deeply"
    if len(links) > MAX_OPEN:
        yield links[0], f"{len(links)} links in this paragraph have no ')' to end their target; close them"


_MARKUP = re.compile(r"<(?=[A-Za-z!?/])|>")


def markup_problems(text: str) -> Iterator[tuple[int, str]]:
    """The offset and message of a page whose raw HTML leaves more than :data:`MAX_OPEN` tags open
    (``<a <a <a``, ``<![CDATA[``): Python 3.11's HTMLParser, which Python-Markdown uses for a page's
    raw HTML, looks for the end of each one from its start to the end of the text, so thousands
    cost the square of the page (8,000 ``<a `` took seven seconds, 40,000 minutes)."""
    unclosed, opened = [], None
    for mark in _MARKUP.finditer(text):
        if mark[0] == ">":
            opened = None
            continue
        if opened is not None:
            unclosed.append(opened)
        opened = mark.start()
    unclosed += [] if opened is None else [opened]
    if len(unclosed) > MAX_OPEN:
        yield unclosed[0], (
            f"{len(unclosed)} HTML tags ('<…') in this page are never closed by '>'; close them, "
            "or write &lt; for a '<' of the text"
        )


def defuse_markup(line: str) -> str:
    """The line with every tag start as text: what a page whose tags are left open shows until it is fixed."""
    return _MARKUP.sub(lambda mark: "&lt;" if mark[0] == "<" else ">", line)


def block_problems(text: str) -> Iterator[tuple[int, str]]:
    """The offset and message of each block of ``text`` longer than :data:`MAX_BLOCK_LINES` lines."""
    offset, start, length = 0, 0, 0
    for line in text.split("\n"):
        if line.strip():
            start, length = (offset, 1) if length == 0 else (start, length + 1)
            if length == MAX_BLOCK_LINES + 1:
                yield start, (
                    f"a block of more than {MAX_BLOCK_LINES} lines without a blank line: Python-Markdown reads it "
                    "again for each line it takes off; put blank lines between headings, paragraphs and definitions"
                )
        else:
            length = 0
        offset += len(line) + 1


def cut_blocks(lines: list[str]) -> list[str]:
    """The lines with a blank one after every :data:`MAX_BLOCK_LINES` of a block: what a page shows
    of a block too long until it is fixed."""
    cut: list[str] = []
    length = 0
    for line in lines:
        length = length + 1 if line.strip() else 0
        if length > MAX_BLOCK_LINES:
            cut.append("")
            length = 1
        cut.append(line)
    return cut
