"""Checks across the data files, each a generator of problems (the shape of python/peps' checker).

The schema has already vouched for the form of every item that reaches these checks;
what is left is what no single file can tell: that ids are unique, that every reference
names something, that every quote is in its article, that dates make sense.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import citations
from .model import Citation, Dataset, Term
from .problems import Origin, Problem
from .quotes import Article

REQUIRED_TERMS = ("moe", "cann", "attention-compression", "supernode")

# The start of an HTML tag or comment: data fields are Markdown, never HTML.
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")
# The URL of an inline Markdown link or image: [text](url) / ![alt](url).
_MARKDOWN_URL = re.compile(r"\]\(\s*<?([^)\s>]*)")
_SAFE_URL = re.compile(r"^(https?://|#|\.{0,2}/|[\w./-]*\.md(#|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    dataset: Dataset
    articles: dict[str, Article]
    source_ids: frozenset[str]
    term_ids: frozenset[str]
    markdown: list[tuple[Origin, str]]
    glossary: str


def check(context: Context) -> Iterator[Problem]:
    for check_one in CHECKS:
        yield from check_one(context)


def check_required_terms(context: Context) -> Iterator[Problem]:
    for term_id in REQUIRED_TERMS:
        if term_id not in context.term_ids:
            yield Problem(
                Origin(context.glossary, 1),
                f"the glossary must define the term '{term_id}' (required: {', '.join(REQUIRED_TERMS)})",
            )


def check_unique_ids(context: Context) -> Iterator[Problem]:
    for items in (context.dataset.terms, context.dataset.events, context.dataset.entities):
        first: dict[str, Origin] = {}
        for item in items:
            if item.id in first:
                yield Problem(item.origin, f"id '{item.id}' is already used on line {first[item.id].line}")
            first.setdefault(item.id, item.origin)


def check_term_references(context: Context) -> Iterator[Problem]:
    term_ids = context.term_ids
    for term in context.dataset.terms:
        if term.id in term.see_also:
            yield Problem(term.origin, f"term '{term.id}' lists itself in see_also; remove it")
        for other in term.see_also:
            if other not in term_ids:
                yield Problem(term.origin, f"see_also: no term has the id '{other}'" + _suggest(other, term_ids))
        yield from _unknown_sources(context, term.sources, term.origin)
        yield from _term_in_sources(context, term)


def _term_in_sources(context: Context, term: Term) -> Iterator[Problem]:
    names = {name.casefold() for name in (term.term, term.zh, *term.aliases)}
    for source_id in term.sources:
        article = context.articles.get(source_id)
        if article and not any(name in article.text.casefold() for name in names):
            yield Problem(
                term.origin,
                f"term '{term.id}' is listed as used in '{source_id}', but none of its names or aliases "
                f"occurs in that article's text; add the form the article uses to aliases, or drop the source",
            )


def check_aliases(context: Context) -> Iterator[Problem]:
    owner: dict[str, str] = {}
    for term in context.dataset.terms:
        for alias in term.aliases:
            if alias in owner and owner[alias] != term.id:
                yield Problem(
                    term.origin,
                    f"alias '{alias}' already links to term '{owner[alias]}'; an alias must name one term",
                )
            owner.setdefault(alias, term.id)


def check_entity_sources(context: Context) -> Iterator[Problem]:
    for entity in context.dataset.entities:
        yield from _unknown_sources(context, entity.sources, entity.origin)


def check_source_notes(context: Context) -> Iterator[Problem]:
    for source in context.dataset.sources.values():
        if not source.url and not source.url_note:
            yield Problem(source.origin, "without a url, give url_note: a short sentence saying why there is none")
        if not source.published and not source.published_note:
            yield Problem(
                source.origin,
                "without a published date, give published_note: what the text reveals of its date",
            )


def check_quotes(context: Context) -> Iterator[Problem]:
    for citation in _structured_citations(context.dataset):
        yield from check_citation(context, citation)


def check_markdown_fields(context: Context) -> Iterator[Problem]:
    for origin, text in context.markdown:
        if _RAW_HTML.search(text):
            yield Problem(origin, "raw HTML is not allowed in data; write Markdown (use &lt; for a literal '<')")
        for url in _MARKDOWN_URL.findall(text):
            if not _SAFE_URL.match(url):
                yield Problem(origin, unsafe_url_message(url))
        for _, body in citations.find_all(text):
            try:
                cited = citations.parse(body)
            except citations.CitationSyntaxError as error:
                yield Problem(origin, str(error))
                continue
            for item in cited:
                yield from check_citation(context, Citation(item.source, item.quote, origin))


def check_event_dates(context: Context) -> Iterator[Problem]:
    for event in context.dataset.events:
        sources = [context.dataset.sources.get(citation.source) for citation in event.citations]
        published = [source.published for source in sources if source and source.published]
        if event.forecast or not published or len(published) < len(sources):
            continue
        if all(date.latest < event.date.earliest for date in published):
            yield Problem(
                event.origin,
                f"event '{event.id}' ({event.date}) is cited only to sources published before it "
                "happened; cite a later source, or mark it 'forecast: true'",
            )


def check_citation(context: Context, citation: Citation) -> Iterator[Problem]:
    """The one check of a citation, wherever it was written: its source exists, its quote is in it."""
    if citation.source not in context.source_ids:
        yield Problem(citation.origin, unknown_source_message(citation.source, context.source_ids))
        return
    article = context.articles.get(citation.source)
    if article and citation.quote is not None and not article.contains(citation.quote):
        yield Problem(citation.origin, missing_quote_message(citation, article))


def unknown_source_message(source_id: str, known: Iterable[str]) -> str:
    return f"no source has the id '{source_id}'" + _suggest(source_id, known) + " (sources are data/sources/<id>.yaml)"


def missing_quote_message(citation: Citation, article: Article) -> str:
    return (
        f"the quote \"{_shorten(citation.quote)}\" is not in the text of '{citation.source}'; "
        f"the closest passage is \"{article.closest(citation.quote)}\""
    )


def unsafe_url_message(url: str) -> str:
    return f"link to '{_shorten(url)}' refused: only http:// and https:// links may leave the site"


def _unknown_sources(context: Context, source_ids: Iterable[str], origin: Origin) -> Iterator[Problem]:
    for source_id in source_ids:
        if source_id not in context.source_ids:
            yield Problem(origin, unknown_source_message(source_id, context.source_ids))


def _structured_citations(dataset: Dataset) -> Iterator[Citation]:
    for source in dataset.sources.values():
        yield from (point.citation for point in source.key_points)
    for event in dataset.events:
        yield from event.citations
        for other in event.other_dates:
            yield from other.citations


def _suggest(wrong: str, known: Iterable[str]) -> str:
    guess = difflib.get_close_matches(wrong, sorted(known), n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


CHECKS: tuple[Callable[[Context], Iterator[Problem]], ...] = (
    check_required_terms,
    check_unique_ids,
    check_term_references,
    check_aliases,
    check_entity_sources,
    check_source_notes,
    check_quotes,
    check_markdown_fields,
    check_event_dates,
)
