"""What the pages of one build said, and the lists of pages that generated pages show from it.

While a page is converted, its :class:`PageNotes` gather what it cites, links and mentions,
and its problems, each at its line; the :class:`Ledger` keeps every page's notes, so that
once every page is converted each generated page can list the pages that cite its source,
use its term or mention its name (its back-links), and each reading page can mark the
passages quoted from its article.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from .problems import Origin, Problem
from .quotes import normalise
from .urls import link_between

_WORDS_TO_FIND = 20  # of a text reported, looked for in the page's source to find its line


class Backlink(enum.Enum):
    """A list of pages that a generated page shows about one of its items."""

    CITED_ON = "cited-on"
    """The pages that cite a source."""
    USED_ON = "used-on"
    """The pages that link a glossary term."""
    MENTIONED_ON = "mentioned-on"
    """The pages that mention a name of who's who."""
    CLAIM_USED_ON = "claim-used-on"
    """The pages that rest a sentence on a claim (show its label)."""

    @property
    def none_yet(self) -> str:
        """What the list says while it is empty."""
        return {"cited-on": "cites it", "used-on": "uses it", "mentioned-on": "mentions it", "claim-used-on": "uses it"}[self.value]

    def placeholder(self, key: str) -> str:
        """Where the list goes in a page's HTML until it can be filled in; ``key`` is an id."""
        return f'<div class="explainer-backlinks" data-kind="{self.value}" data-key="{key}"></div>'


PLACEHOLDER = re.compile(r'<div class="explainer-backlinks" data-kind="([a-z-]+)" data-key="([a-z0-9-]+)"></div>')
"""A :meth:`Backlink.placeholder` in a page's HTML: the kind, and the key."""


@dataclass
class PageInfo:
    """The page being converted: where it lives and how to report its problems."""

    src_uri: str
    display_path: str
    source_text: str
    report_problems: bool = True
    """False for generated pages while the data has problems: those are reported already."""
    first_line: int = 1
    """The line of the file where the Markdown that is converted starts (after any front matter)."""
    url_to: Callable[[str], str] | None = None
    """The URL of another page (by its ``src_uri``) relative to this one's, as the site publishes it;
    None where no site is built (the links then stay to Markdown files)."""


@dataclass
class PageNotes:
    """What one page cites, links and mentions, gathered while it is converted."""

    page: PageInfo
    numbers: dict[str, int] = field(default_factory=dict)
    """Each source cited, with its number in the page's Sources list: in the order a reader meets them."""
    quotes: dict[str, list[str]] = field(default_factory=dict)
    terms: dict[str, None] = field(default_factory=dict)
    """The glossary terms linked, in order: a dict, so that looking one up does not read them all
    (the glossary's own page links thousands)."""
    entities: set[str] = field(default_factory=set)
    claims: dict[str, None] = field(default_factory=dict)
    """The claims whose label the page shows, in order."""
    problems: list[Problem] = field(default_factory=list)

    searched: dict[str, int] = field(default_factory=dict)
    """How far the page's source has been searched for each text reported, so a repeat is found further on."""
    cursor: int = 0
    """Where the last problem reported in document order stood (see :meth:`report_in_order`)."""

    @property
    def cited(self) -> list[str]:
        """The sources the page cites, in the order of its Sources list (numbers are given in that order)."""
        return list(self.numbers)

    def report(self, message: str, *written: str) -> None:
        """Report ``message`` at the next place the page's source holds the first of ``written`` it holds."""
        if self.page.report_problems:
            self.problems.append(Problem(Origin(self.page.display_path, self._line_of(written)), message))

    def report_line(self, message: str, index: int) -> None:
        """Report ``message`` at line ``index`` (from 0) of the Markdown that is converted."""
        if self.page.report_problems:
            self.problems.append(Problem(Origin(self.page.display_path, self.page.first_line + index), message))

    def report_in_order(self, message: str, *written: str) -> None:
        """:meth:`report` for problems found in document order, as the checks of the final HTML find
        them: each is looked for after the one before (a ``<script>`` in a heading's code comes before
        the one the heading's problem is not about)."""
        if self.page.report_problems:
            line = self._line_of(written, start=self.cursor)
            self.problems.append(Problem(Origin(self.page.display_path, line), message))

    def _line_of(self, candidates: tuple[str, ...], start: int | None = None) -> int:
        """The line of the next place one of ``candidates`` stands in the page. If none does (HTML that
        Markdown made from what was written), the line of the problem before it in document order, or
        else the first line of the page's Markdown: never a line the text cannot be on.

        Inside a list or an admonition, Markdown removes the indentation of a text that runs
        over several lines, so any run of white space matches any other; and HTML's names
        are compared without case.
        """
        source = self.page.source_text
        for written in candidates:
            # Its first words find it: all of them would cost the rest of the page at each place where
            # the first few match ("[@a [@a …" against a page of them took seconds).
            words = written.split()[:_WORDS_TO_FIND]
            pattern = re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE)
            begin = self.searched.get(pattern.pattern, 0) if start is None else start
            found = pattern.search(source, begin) or pattern.search(source)
            if found and written.strip():
                self.searched[pattern.pattern] = found.end()
                if start is not None:
                    self.cursor = found.end()
                return source.count("\n", 0, found.start()) + 1
        return source.count("\n", 0, self.cursor) + 1 if self.cursor else self.page.first_line

    def href(self, target_src_uri: str, anchor: str = "") -> str:
        """A link from this page to another Markdown file, for MkDocs to resolve and validate."""
        return link_between(self.page.src_uri, target_src_uri) + (f"#{anchor}" if anchor else "")

    def url(self, target_src_uri: str, anchor: str = "") -> str:
        """:meth:`href` as the published site's URL, for raw HTML, whose links MkDocs does not resolve."""
        if self.page.url_to is None:
            return self.href(target_src_uri, anchor)
        return self.page.url_to(target_src_uri) + (f"#{anchor}" if anchor else "")


class Ledger:
    """Every page's notes in one build, and their titles: what the back-links and reading pages are made from."""

    def __init__(self) -> None:
        self.notes: dict[str, PageNotes] = {}
        """Each page's notes, by its ``src_uri``."""
        self.titles: dict[str, str] = {}
        self._pages: dict[Backlink, dict[str, set[str]]] = {kind: defaultdict(set) for kind in Backlink}
        self._quoted: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def record(self, notes: PageNotes) -> None:
        """Remember what a page cites, uses and mentions."""
        self.notes[notes.page.src_uri] = notes
        for kind, keys in (
            (Backlink.CITED_ON, notes.cited),
            (Backlink.USED_ON, notes.terms),
            (Backlink.MENTIONED_ON, notes.entities),
            (Backlink.CLAIM_USED_ON, notes.claims),
        ):
            for key in keys:
                self._pages[kind][key].add(notes.page.src_uri)
        for source_id, quotes in notes.quotes.items():
            for quote in quotes:
                self.quoted_on(source_id, quote, notes.page.src_uri)

    def quoted_on(self, source_id: str, quote: str, src_uri: str) -> None:
        """Note that a page shows a quote of a source (a citation does, and so does a source's key point)."""
        self._quoted[source_id][normalise(quote)].add(src_uri)

    def pages(self, kind: Backlink, key: str) -> list[str]:
        """The pages of a back-link list, sorted."""
        return sorted(self._pages[kind].get(key, ()))

    def quoted(self, source_id: str) -> dict[str, set[str]]:
        """Each passage quoted from a source (normalised), with the pages that show it."""
        return self._quoted[source_id]
