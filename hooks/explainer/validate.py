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
from urllib.parse import urlsplit

from . import citations
from .load import Written
from .model import Citation, Dataset, Term
from .problems import Origin, Problem
from .quotes import Article

REQUIRED_TERMS = ("moe", "cann", "attention-compression", "supernode")

# The start of an HTML tag or comment: data fields are Markdown, never HTML.
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")
# An attribute list, { #id .class key=value } or {: ... }, which could set any attribute (onclick=...).
_ATTRIBUTE_LIST = re.compile(r"\{:?[ \t]*(?:[#.][\w-]|[\w-]+[ \t]*=)")
# The target of an inline link or image, [text](target "title"), and of a reference, [name]: target.
# As in Python-Markdown, a target may hold balanced parentheses: javascript:alert(1).
_INLINE_TARGET = re.compile(r"\]\(\s*(<[^>\n]*>|(?:[^()\n]|\([^()\n]*\))*?)\s*(?:\"[^\"\n]*\"|'[^'\n]*')?\s*\)")
_REFERENCE_TARGET = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
# What browsers ignore inside a URL's scheme ("java\tscript:" is "javascript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class MarkdownField:
    """A Markdown field of the data, with where and how it was written."""

    origin: Origin
    """The line of the field's key."""
    text: str
    written: Written | None = None

    def origin_at(self, offset: int) -> Origin:
        """Where ``text[offset]`` stands in the file: a long field's problem points at its own line."""
        if self.written is None:
            return self.origin
        return Origin(self.origin.path, self.written.line_at(self.text, offset))


@dataclass(frozen=True)
class Context:
    dataset: Dataset
    articles: dict[str, Article]
    source_ids: frozenset[str]
    term_ids: frozenset[str]
    markdown: list[MarkdownField]
    glossary: str
    glossary_read: bool = True
    """False when the glossary could not be read: its own problem says why, and 'the term
    is missing' four times over would only repeat it."""


def check(context: Context) -> Iterator[Problem]:
    for check_one in CHECKS:
        yield from check_one(context)


def check_required_terms(context: Context) -> Iterator[Problem]:
    if not context.glossary_read:
        return
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
        if article and not any(name in article.folded for name in names):
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
    for field in context.markdown:
        text = field.text
        if html := _RAW_HTML.search(text):
            message = "raw HTML is not allowed in data; write Markdown (use &lt; for a literal '<')"
            yield Problem(field.origin_at(html.start()), message)
        if attributes := _ATTRIBUTE_LIST.search(text):
            message = "attribute lists ('{: ... }') are not allowed in data: they can set any HTML attribute"
            yield Problem(field.origin_at(attributes.start()), message)
        for offset, url in _link_targets(text):
            problem = url_problem(url, relative_ok=False)
            if problem:
                yield Problem(field.origin_at(offset), problem)
        for offset, body in citations.find_all(text):
            try:
                cited = citations.parse(body)
            except citations.CitationSyntaxError as error:
                yield Problem(field.origin_at(offset), str(error))
                continue
            for item in cited:
                # The line of the citation costs a reading of the field: worked out for a problem only.
                for problem in check_citation(context, Citation(item.source, item.quote, field.origin)):
                    yield Problem(field.origin_at(offset), problem.message)


def _link_targets(markdown: str) -> Iterator[tuple[int, str]]:
    """The offset and target of each link, image and reference definition in ``markdown``."""
    matches = [*_INLINE_TARGET.finditer(markdown), *_REFERENCE_TARGET.finditer(markdown)]
    for match in sorted(matches, key=lambda match: match.start()):
        yield match.start(1), match[1].removeprefix("<").removesuffix(">")


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


def url_scheme(url: str) -> str:
    """The scheme a browser would see in ``url``, lower-cased; "" for a relative URL."""
    scheme = _SCHEME.match(_URL_NOISE.sub("", url))
    return scheme[1].lower() if scheme else ""


def url_problem(url: str, *, relative_ok: bool) -> str | None:
    """Why a link target is refused, or None.

    Pages may link to pages of this site (MkDocs checks those links) and to mailto:;
    data may not, because a data field is shown on generated pages at different depths.
    """
    scheme = url_scheme(url)
    if scheme not in ("http", "https") and not (relative_ok and scheme in ("", "mailto")):
        if scheme or relative_ok:
            return unsafe_url_message(url)
        return (
            f"relative link '{_shorten(url)}' refused: a data field may be shown on several pages, "
            "so its links are absolute http:// or https:// addresses"
        )
    if any(char.isspace() for char in url.strip()):
        return f"the link '{_shorten(url)}' contains a space; write it as %20"
    try:
        urlsplit(url)
    except ValueError as error:  # "http://[x": MkDocs would stop on it with a traceback
        return f"the link '{_shorten(url)}' is not a valid URL ({error})"
    return None


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
