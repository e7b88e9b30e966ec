"""One build of the site: the checked data, the pages made from it, and what pages said of it.

A :class:`Site` is made afresh for every build, so nothing learnt in one build (a
back-link, a problem) can leak into the next one of the same ``mkdocs serve``.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import passages, render, validate
from .annotate import PageNotes
from .dataset import load_dataset
from .load import read_text
from .matcher import AliasMatcher
from .model import Citation
from .passages import Mark, Passage
from .problems import Problem, ProblemError
from .quotes import normalise
from .render import BacklinkTarget, GeneratedPage

_BACKLINK_KINDS = ("cited-on", "used-on", "mentioned-on")


class Site:
    def __init__(self, root: Path, templates: Path | None = None) -> None:
        """The build of the project at ``root``; ``templates`` is a folder whose templates replace the
        package's own of the same name (see :class:`explainer.render.Templates`)."""
        with _collector_paused():
            loaded = load_dataset(root)
            self.terms = {term.id: term for term in loaded.dataset.terms}
            self.term_matcher = AliasMatcher(
                {alias: term.id for term in reversed(loaded.dataset.terms) for alias in term.aliases}
            )
            entities = reversed(loaded.dataset.entities)
            self.entity_matcher = AliasMatcher(
                {name: entity.id for entity in entities for name in (entity.name, *entity.aliases)}
            )
        self.root = root
        self.templates = render.Templates(templates)
        self.dataset = loaded.dataset
        self.articles = loaded.articles
        self.problems: list[Problem] = list(loaded.problems)
        self._checks = validate.Context(
            dataset=self.dataset,
            articles=loaded.articles,
            source_ids=loaded.source_ids,
            term_ids=frozenset(self.terms),
            markdown=[],
            glossary="data/glossary.yaml",
        )
        self._backlinks: dict[str, dict[str, set[str]]] = {kind: defaultdict(set) for kind in _BACKLINK_KINDS}
        self._titles: dict[str, str] = {}
        self._quoted: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        """Each source's quoted passages (normalised), with the pages that quote them."""
        for source in self.dataset.sources.values():
            for point in source.key_points:  # shown on the source's own page
                self._quoted[source.id][normalise(point.citation.quote)].add(f"sources/{source.id}.md")
        self._marks: dict[str, list[Mark]] = {}

    def pages(self) -> list[GeneratedPage]:
        return render.pages(self.dataset, self.templates)

    def texts(self) -> list[tuple[str, Path]]:
        """Each article's text, published beside its source page: ``(site path, file)``."""
        return [
            (f"sources/{source.id}.txt", self.root / source.text_path)
            for source in sorted(self.dataset.sources.values(), key=lambda source: source.id)
        ]

    def data_text(self, relative: str) -> str | None:
        """The text of a data file the pages are made from, to find the line of a problem in it."""
        try:  # through the one rule of what may be read (explainer.load): no link, no pipe, no unreadable file
            return read_text(self.root / relative, self.root)
        except ProblemError:
            return None

    def check_citation(self, citation: Citation) -> list[Problem]:
        return list(validate.check_citation(self._checks, citation))

    def passage(self, source_id: str, quote: str) -> Passage | None:
        """Where a reader finds a quoted passage: its anchor on the source's reading page, and a link
        that highlights it in the original when the original holds these words. None if it is not there."""
        source, article = self.dataset.sources.get(source_id), self.articles.get(source_id)
        if source is None or article is None or article.span(quote) is None:
            return None
        starts_after = source.original_starts_after.quote if source.original_starts_after else None
        in_original = source.url and passages.in_original(article, quote, starts_after)
        return Passage(passages.passage_id(quote), source.url + passages.text_fragment(quote) if in_original else None)

    def page_annotated(self, notes: PageNotes) -> None:
        """Remember what a page cites, uses and mentions, and the problems found in it."""
        self.problems += notes.problems
        for kind, keys in zip(_BACKLINK_KINDS, (notes.numbers, notes.terms, notes.entities), strict=True):
            for key in keys:
                self._backlinks[kind][key].add(notes.page.src_uri)
        for source_id, quotes in notes.quotes.items():
            for quote in quotes:
                self._quoted[source_id][normalise(quote)].add(notes.page.src_uri)

    def page_titled(self, src_uri: str, title: str) -> None:
        self._titles[src_uri] = title

    def fill_in(self, content: str, from_src_uri: str, url_to: Callable[[str, str], str]) -> str:
        """The page's HTML with its placeholders filled (back-links, and a reading page's article with
        its marks); call once every page is converted.

        ``url_to(target_src_uri, from_src_uri)`` gives the relative URL between two pages.
        """

        def linked(src_uris: Iterable[str]) -> list[BacklinkTarget]:
            return [BacklinkTarget(self._titles.get(src_uri, src_uri), url_to(src_uri, from_src_uri)) for src_uri in src_uris]

        def targets(kind: str, key: str) -> list[BacklinkTarget]:
            return linked(src_uri for src_uri in sorted(self._backlinks[kind].get(key, ())) if src_uri != from_src_uri)

        def paragraphs(source_id: str) -> list[list[passages.Piece]]:
            return passages.paragraphs(self.articles[source_id].received, self.marks(source_id))

        content = render.fill_backlinks(content, targets, self.templates)
        return render.fill_articles(content, paragraphs, lambda mark: linked(mark.pages), self.templates)

    def marks(self, source_id: str) -> list[Mark]:
        """The marks of a source's reading page: every passage the site quotes from it."""
        if source_id not in self._marks:
            self._marks[source_id] = passages.marks(self.articles[source_id], self._quoted[source_id])
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
