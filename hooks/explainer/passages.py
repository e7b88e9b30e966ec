"""The passages the site quotes, where a reader can check them: highlighted on the article's
reading page, and found by the browser in the original (a text fragment).

A passage's anchor is made from its words alone, so a link to it keeps working whatever else
is quoted from the article later.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote as percent_encoded

from .quotes import Article, normalise

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_FRAGMENT_WORDS = 5  # a longer quote is found in the original by its first and last words


def passage_id(quote: str) -> str:
    return "q-" + hashlib.sha256(normalise(quote).encode()).hexdigest()[:10]


def text_fragment(quote: str) -> str:
    """``#:~:text=…``: a browser that supports text fragments scrolls to ``quote`` and highlights it."""
    words = normalise(quote).split(" ")
    if len(words) > 2 * _FRAGMENT_WORDS:
        parts = [" ".join(words[:_FRAGMENT_WORDS]), " ".join(words[-_FRAGMENT_WORDS:])]
    else:
        parts = [" ".join(words)]
    # In a text directive ',' separates its parts, '-' marks a context and '&' another directive:
    # all three are percent-encoded, and quote() leaves '-' alone.
    return "#:~:text=" + ",".join(percent_encoded(part, safe="").replace("-", "%2D") for part in parts)


def in_original(article: Article, span: tuple[int, int], starts_after: str | None) -> bool:
    """Whether the passage at ``span`` of the article is the original's own words: all of the text is,
    unless a compilation's original begins after ``starts_after``."""
    if starts_after is None:
        return True
    beginning = article.span(starts_after)
    return beginning is not None and span[0] >= beginning[1]


@dataclass(frozen=True)
class Passage:
    """Where a reader can check a quote."""

    anchor: str
    """Its id on the source's reading page."""
    original_url: str | None
    """The original's URL with a text fragment that highlights it, when the original holds these words."""


@dataclass(frozen=True)
class Mark:
    """One highlighted stretch of an article: a quoted passage, or passages that overlap, as one."""

    ids: tuple[str, ...]
    """The passages' anchors, the first quoted first: the first is the mark's id, the others stand in it."""
    start: int
    end: int
    pages: tuple[str, ...]
    """The pages that quote it (``src_uri``), sorted."""


@dataclass(frozen=True)
class Piece:
    """A stretch of one paragraph: plain text, or (part of) a mark."""

    text: str
    mark: Mark | None = None
    opens: bool = False
    """The mark's first piece, which carries its anchors."""
    closes: bool = False
    """The mark's last piece, which the list of pages quoting it follows."""


def marks(article: Article, quoted: Mapping[str, Iterable[str]]) -> list[Mark]:
    """The marks for ``quoted`` (each quote, with the pages that quote it), in the article's order.

    HTML cannot overlap two ``<mark>``s, so passages that overlap share one.
    """
    found = sorted(
        (span, passage_id(quote), frozenset(pages)) for quote, pages in quoted.items() if (span := article.span(quote))
    )
    merged: list[Mark] = []
    for (start, end), anchor, pages in found:
        last = merged[-1] if merged else None
        if last and start < last.end:
            merged[-1] = Mark((*last.ids, anchor), last.start, max(end, last.end), tuple(sorted({*last.pages, *pages})))
        else:
            merged.append(Mark((anchor,), start, end, tuple(sorted(pages))))
    return merged


def paragraphs(text: str, marks: list[Mark]) -> list[list[Piece]]:
    """The text's paragraphs (split at blank lines), each as pieces; a mark across a paragraph break
    is split in two."""
    result = []
    index = 0
    for start, end in _paragraph_spans(text):
        pieces, at = [], start
        while index < len(marks) and marks[index].start < end:
            mark = marks[index]
            if mark.start > at:
                pieces.append(Piece(text[at : mark.start]))
            low, high = max(mark.start, at), min(mark.end, end)
            pieces.append(Piece(text[low:high], mark, opens=low == mark.start, closes=high == mark.end))
            at = high
            if mark.end > end:  # it goes on in the next paragraph
                break
            index += 1
        if at < end:
            pieces.append(Piece(text[at:end]))
        result.append(pieces)
    return result


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text.rstrip())))
    return [(low, high) for low, high in spans if text[low:high].strip()]
