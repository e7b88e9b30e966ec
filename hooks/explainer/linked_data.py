"""schema.org JSON-LD for the pages schema.org has a type for, to put in their ``<head>``.

The glossary is a ``DefinedTermSet`` of ``DefinedTerm``s, a source's page describes the article
(a ``NewsArticle`` or, for what is not news, a ``CreativeWork``), and a topic page is an
``Article`` whose ``citation``s are the sources it cites. Only what the data knows is said: a
field the data leaves empty is left out, not guessed.

The JSON goes into a ``<script>`` element, where the HTML parser looks for ``</script`` and
``<!--`` before any JSON is read; so every ``<``, ``>`` and ``&`` is written as a JSON escape,
and no string in the data can end the element or start anything else. (U+2028 and U+2029 are
escaped too, for readers that take JSON-LD for JavaScript.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .model import Dataset, Source, Term
from .parts import Parts

PageUrl = Callable[[str], str]
"""The absolute URL of a page, given by its ``src_uri``."""

_NEWS_KINDS = frozenset({"news report", "news brief", "analysis"})
# Dates schema.org can read: ISO 8601 at the year, month or day (not "2025-H2").
_ISO_PRECISIONS = frozenset({"year", "month", "day"})
_LANGUAGE_OF_SCRIPT = {"Simplified": "zh-Hans", "Traditional": "zh-Hant"}
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def for_page(
    src_uri: str, *, title: str, dataset: Dataset, cited: Iterable[str], url_of: PageUrl, parts: Parts | None = None
) -> dict[str, Any] | None:
    """The JSON-LD of a page, or None when schema.org has nothing to say about it.

    ``cited`` holds the ids of the sources the page cites, in the order of its Sources list;
    ``parts`` says which page of a split glossary shows each term (see :mod:`explainer.parts`).
    """
    glossary = (parts or Parts(dataset)).glossary
    if src_uri in glossary.pages():
        # One set, whose @id is the glossary's page; each of its pages describes the terms it shows.
        set_id, url = url_of(glossary.index), url_of(src_uri)
        terms = sorted(glossary.entries_on(src_uri), key=lambda term: term.id)
        return _glossary(title, [_term(term, url, set_id) for term in terms], url, set_id)
    source = dataset.sources.get(src_uri.removeprefix("sources/").removesuffix(".md"))
    if source and src_uri == f"sources/{source.id}.md":
        return {"@context": "https://schema.org", **_work(source, url_of)}
    if src_uri.startswith("topics/"):
        return {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": title,
            "url": url_of(src_uri),
            "citation": [_work(dataset.sources[source_id], url_of) for source_id in cited if source_id in dataset.sources],
        }
    return None


def into_head(page_html: str, linked: dict[str, Any]) -> str:
    """The page with its JSON-LD as the last element of its ``<head>``."""
    script = f'<script type="application/ld+json">{json.dumps(linked, ensure_ascii=False).translate(_HTML_SAFE)}</script>'
    return page_html.replace("</head>", f"{script}\n</head>", 1)


def _glossary(title: str, terms: list[dict[str, Any]], url: str, set_id: str) -> dict[str, Any]:
    """The glossary (``set_id``) as described on its page at ``url``: with every term while it is one
    page, with one part's terms on a part page, with none on the index of a split glossary."""
    described = {"@context": "https://schema.org", "@type": "DefinedTermSet", "@id": set_id, "name": title, "url": url}
    return {**described, "hasDefinedTerm": terms} if terms else described


def _term(term: Term, url: str, set_id: str) -> dict[str, Any]:
    """A term, shown on the page at ``url``, of the glossary ``set_id``."""
    defined = {
        "@type": "DefinedTerm",
        "@id": f"{url}#{term.id}",
        "name": term.term,
        "description": term.definition,
        "termCode": term.id,
        "url": f"{url}#{term.id}",
        "inDefinedTermSet": {"@id": set_id},
    }
    if term.zh:
        defined["alternateName"] = [{"@value": form.form, "@language": _LANGUAGE_OF_SCRIPT[form.script]} for form in term.zh]
    return defined


def _work(source: Source, url_of: PageUrl) -> dict[str, Any]:
    """The article a source is, as far as it is known; ``url`` is the original's, where it can be read."""
    work = {
        "@type": "NewsArticle" if source.kind in _NEWS_KINDS else "CreativeWork",
        "headline": source.title,
        "alternativeHeadline": source.original_title,
        "publisher": {"@type": "Organization", "name": source.publisher},
        "datePublished": str(source.published) if source.published and source.published.precision in _ISO_PRECISIONS else None,
        "inLanguage": list(source.languages),
        "genre": source.kind,
        "url": source.url,
        "mainEntityOfPage": url_of(f"sources/{source.id}.md"),
    }
    return {key: value for key, value in work.items() if value is not None}
