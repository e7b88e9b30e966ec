"""What the Markdown extension reads of one build, and nothing more: read-only.

Like mkdocs-autorefs' URL mapper, it is all a page's conversion needs to know of the rest of
the site, so a test can make one from a three-term dataset held in memory.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import passages, validate
from .dataset import Loaded
from .matcher import AliasMatcher
from .model import Citation, Claim, Source, Term
from .parts import Parts
from .passages import Passage
from .problems import Origin
from .render import Templates


class Index:
    """The sources and their texts, the glossary's terms, the claims, and the matchers that find terms and names in text."""

    def __init__(self, loaded: Loaded, templates: Templates | None = None, parts: Parts | None = None) -> None:
        dataset = loaded.dataset
        self.templates = templates or Templates()
        """The fragments a page gets (its Sources list)."""
        self.parts = parts or Parts(dataset)
        """Which page each term is on, for the glossary links."""
        self.sources: Mapping[str, Source] = dataset.sources
        self.terms: Mapping[str, Term] = {term.id: term for term in dataset.terms}
        self.claims: Mapping[str, Claim] = {claim.id: claim for claim in dataset.claims}
        """Each claim by its id; a claim id that is written but broken is in :attr:`claim_ids` only."""
        self.claim_ids = loaded.claim_ids | self.claims.keys()
        # Reversed, so that of two items with one alias the first in the file wins.
        self.term_matcher = AliasMatcher({alias: term.id for term in reversed(dataset.terms) for alias in term.aliases})
        self.entity_matcher = AliasMatcher(
            {name: entity.id for entity in reversed(dataset.entities) for name in (entity.name, *entity.aliases)}
        )
        self._loaded = loaded
        self._passages: dict[tuple[str, str], Passage | None] = {}
        self._citation_problems: dict[tuple[str, str | None], tuple[str, ...]] = {}

    def citation_problems(self, source_id: str, quote: str | None) -> tuple[str, ...]:
        """What is wrong with a citation written on a page: the same check as the data's citations get,
        made once a build for each source and quote (pages cite the same quotes again and again)."""
        if (source_id, quote) not in self._citation_problems:
            citation = Citation(source_id, quote, Origin("", 0))
            problems = validate.check_citation(self._loaded, citation)
            self._citation_problems[source_id, quote] = tuple(problem.message for problem in problems)
        return self._citation_problems[source_id, quote]

    def claim_problem(self, claim_id: str) -> str | None:
        """Why a page may not rest on ``claim_id``: None for a claim (or for one left out for a problem
        of its own, which is reported already)."""
        return None if claim_id in self.claim_ids else validate.unknown_claim_message(claim_id, self.claim_ids)

    def passage(self, source_id: str, quote: str) -> Passage | None:
        """Where a reader finds a quoted passage: its anchor on the source's reading page, and a link
        that highlights it in the original when the original holds these words. None if it is not there.

        Found once a build: a quote cited on several pages is looked up for each page's Sources list."""
        if (source_id, quote) not in self._passages:
            self._passages[source_id, quote] = self._find_passage(source_id, quote)
        return self._passages[source_id, quote]

    def _find_passage(self, source_id: str, quote: str) -> Passage | None:
        source, article = self.sources.get(source_id), self._loaded.articles.get(source_id)
        span = article.span(quote) if source and article else None
        if span is None:
            return None
        starts_after = source.original_starts_after.quote if source.original_starts_after else None
        in_original = source.url and passages.in_original(article, span, starts_after)
        return Passage(passages.passage_id(quote), source.url + passages.text_fragment(quote) if in_original else None)
