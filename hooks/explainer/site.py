"""One build of the site: the checked data, the pages made from it, and what pages said of it.

A :class:`Site` is made afresh for every build, so nothing learnt in one build (a
back-link, a problem) can leak into the next one of the same ``mkdocs serve``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from . import passages, render, validate
from .backlinks import Backlink, Ledger
from .index import Index
from .load import read_text
from .parts import DEFAULT_SPLIT_ABOVE, Parts
from .passages import Mark
from .problems import Problem, ProblemError
from .render import BacklinkTarget, Backlinks, GeneratedPage


class Site:
    """One build: the checked data and its index (what pages read), the templates, and the ledger
    (what pages said)."""

    def __init__(self, root: Path, templates: Path | None = None, split_above: int = DEFAULT_SPLIT_ABOVE) -> None:
        """The build of the project at ``root``; ``templates`` is a folder whose templates replace the
        package's own of the same name (see :class:`explainer.render.Templates`); a generated list of
        more than ``split_above`` entries is split into pages (see :mod:`explainer.parts`)."""
        self.templates = render.Templates(templates)
        with _collector_paused():
            loaded = validate.load_checked(root)
            self.parts = Parts(loaded.dataset, split_above)
            self.index = Index(loaded, self.templates, self.parts)
        self.root = root
        self.dataset = loaded.dataset
        self.articles = loaded.articles
        self.problems: list[Problem] = list(loaded.problems)
        self.ledger = Ledger()
        for source in self.dataset.sources.values():
            for point in source.key_points:  # shown on the source's own page
                self.ledger.quoted_on(source.id, point.citation.quote, f"sources/{source.id}.md")
        self._marks: dict[str, list[Mark]] = {}
        self._data_texts: dict[str, str | None] = {}

    def pages(self) -> list[GeneratedPage]:
        return self._generated

    @cached_property
    def _generated(self) -> list[GeneratedPage]:
        return render.pages(self.dataset, self.templates, self.parts)

    @cached_property
    def _made_from_data(self) -> frozenset[str]:
        return frozenset(page.src_uri for page in self._generated)

    def _written_first(self, src_uri: str) -> tuple[bool, str]:
        """The order of a list of pages: those written in docs/ (the story, the topics), then those
        made from the data, each by path; a list cut at ``split_above`` keeps the explainers."""
        return src_uri in self._made_from_data, src_uri

    def texts(self) -> list[tuple[str, Path]]:
        """Each article's text, published beside its source page: ``(site path, file)``."""
        return [
            (f"sources/{source.id}.txt", self.root / source.text_path)
            for source in sorted(self.dataset.sources.values(), key=lambda source: source.id)
        ]

    def data_text(self, relative: str) -> str | None:
        """The text of a data file the pages are made from, to find the line of a problem in it.

        Read once a build: every page made from the file holds it while the build lasts, and a copy
        each was 12 MB a page for the glossary at 100 times today's data (``make bench``).
        """
        if relative not in self._data_texts:
            try:  # through the one rule of what may be read (explainer.load): no link, no pipe, no unreadable file
                self._data_texts[relative] = read_text(self.root / relative, self.root)
            except ProblemError:
                self._data_texts[relative] = None
        return self._data_texts[relative]

    def fill_in(self, content: str, from_src_uri: str, url_to: Callable[[str, str], str]) -> str:
        """The page's HTML with its placeholders filled (back-links, and a reading page's article with
        its marks); call once every page is converted.

        ``url_to(target_src_uri, from_src_uri)`` gives the relative URL between two pages.
        """

        def linked(src_uris: Iterable[str]) -> Backlinks:
            titles, listed = self.ledger.titles, sorted(src_uris, key=self._written_first)
            shown = listed[: self.parts.split_above]
            targets = [BacklinkTarget(titles.get(src_uri, src_uri), url_to(src_uri, from_src_uri)) for src_uri in shown]
            return Backlinks(targets, len(listed) - len(shown))

        def targets(kind: Backlink, key: str) -> Backlinks:
            return linked(src_uri for src_uri in self.ledger.pages(kind, key) if src_uri != from_src_uri)

        def paragraphs(source_id: str) -> list[list[passages.Piece]]:
            return passages.paragraphs(self.articles[source_id].received, self.marks(source_id))

        content = render.fill_backlinks(content, targets, self.templates)
        return render.fill_articles(content, paragraphs, lambda mark: linked(mark.pages), self.templates)

    def marks(self, source_id: str) -> list[Mark]:
        """The marks of a source's reading page: every passage the site quotes from it."""
        if source_id not in self._marks:
            self._marks[source_id] = passages.marks(self.articles[source_id], self.ledger.quoted(source_id))
        return self._marks[source_id]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the data is read and the matchers are built.

    That makes hundreds of thousands of small objects (YAML nodes, the model, the matchers'
    tries), none of them garbage yet; the collector, started every 700 new objects, would
    scan the ones kept again and again for cycles that are not there. At 100 times today's
    data that was 40% of the loading time (``make bench``). Afterwards, the collector
    tracks them as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
