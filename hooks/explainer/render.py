"""Render the data-driven pages as Markdown, from the templates in ``templates/``.

Every ``{{ value }}`` is escaped for Markdown *and* HTML unless it is marked as
Markdown already (the data's Markdown fields, with raw HTML neutralised) or as markup
this module made itself. Only our own templates go through Jinja: authors' Markdown
is inserted as a value, never rendered as a template.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from .backlinks import PLACEHOLDER, Backlink
from .citations import cited_in, format_citations
from .inert import TAG_START
from .model import ID, STATUSES, Citation, Claim, Dataset, Entity, Event, Source, Term
from .parts import FORECASTS, Listing, Part, Parts, chronological, sorted_terms
from .passages import Mark, Piece, passage_id
from .problems import Problem
from .urls import link_between

_TEMPLATES = Path(__file__).parent / "templates"
# Characters Python-Markdown (with tables) lets a backslash escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"  # what quote() leaves as it is: all a URL needs, no < > " or space
_ALL_OTHERS = 10  # a source's page lists every other source up to this many, then its neighbours
# A '|' that ends a table cell: one no backslash escapes.
_CELL_END = re.compile(r"(?<!\\)\|")
ARTICLE = re.compile(r'<div class="explainer-article" data-key="([a-z0-9-]+)"></div>')

LANGUAGES = {"en": "English", "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)"}


class Markup(str):
    """Text that is already Markdown or markup and must not be escaped again."""


@dataclass(frozen=True)
class GeneratedPage:
    """A page that exists only in memory, and the data file it comes from."""

    src_uri: str
    markdown: str
    edit_path: str
    in_nav: bool = True
    """False for the page of each source: the sources' index lists them, the navigation does not."""


def escape_markdown(text: Any) -> str:
    """Plain text as Markdown that renders as exactly that text, on one line."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    # "???" starts a collapsible block (pymdownx.details), and Markdown cannot escape "?".
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("?", "&#63;")


def data_markdown(text: str) -> Markup:
    """A Markdown field from data, with any HTML tag shown as text rather than run."""
    return Markup(TAG_START.sub("&lt;", text))


def _finalize(value: Any) -> str:
    return value if isinstance(value, Markup) else escape_markdown(value)


def _admonition_title(text: str) -> Markup:
    """Plain text for the quoted title of an admonition."""
    return Markup(escape_markdown(text).replace('"', "&quot;"))


def _backlinks(kind: str, key: str) -> Markup:
    """Where a generated page lists the pages that cite, use or mention its item (``kind``: ``CITED_ON``, …)."""
    return Markup(Backlink[kind].placeholder(_id(key)))


def _id(value: str) -> Markup:
    """An id as it goes into an anchor or a path; the schema allows only [a-z0-9-] in ids."""
    if not ID.match(value):
        raise ValueError(f"not an id: {value!r}")
    return Markup(value)


def _link(url: str) -> Markup:
    """An external URL as a Markdown link target. The schema has refused spaces and angle brackets;
    percent-encoding them anyway keeps a URL that slipped past it inside the target."""
    return Markup(f"<{quote(url, safe=_URL_SAFE)}>")


def _cite(citations: Iterable[Citation]) -> Markup:
    """Several citations as one bracket, so they share one reference mark."""
    return Markup(format_citations((citation.source, citation.quote) for citation in citations))


def _label(claim: Claim) -> Markup:
    """A claim's status label, as the page syntax writes it (the Markdown extension renders it)."""
    return Markup(f"[?{_id(claim.id)}]")


def _cell(markdown: Markup | str) -> Markup:
    """Markdown on one line of a table: its line breaks as spaces, its '|' escaped (in a citation's
    quote too, where the citation syntax reads ``\\|`` as '|')."""
    return Markup(_CELL_END.sub(r"\\|", " ".join(markdown.split())))


def _claim_citations(claim: Claim) -> Markup:
    """What a claim cites, in one bracket: its ``for``, and its ``against`` when it is disputed."""
    shown = claim.for_ + (f" {claim.against}" if claim.status.id == "disputed" and claim.against else "")
    cited = list(dict.fromkeys((item.source, item.quote) for item in cited_in(shown)))
    return _cell(format_citations(cited)) if cited else Markup("")


class Templates:
    """The templates of one build: the package's own (``templates/``), each replaced by a file of the
    same name in ``override`` when there is one, as the theme's ``custom_dir`` replaces Material's
    partials. Made afresh for every build, so an edited template shows at the next rebuild."""

    def __init__(self, override: Path | None = None) -> None:
        folders = [override, _TEMPLATES] if override is not None and override.is_dir() else [_TEMPLATES]
        loader = jinja2.FileSystemLoader(folders)
        self.markdown = jinja2.Environment(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,  # escaping is _finalize's, for Markdown; HTML fragments use autoescape
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.markdown.filters.update(
            md=data_markdown,
            admonition_title=_admonition_title,
            cite=_cite,
            link=_link,
            id=_id,
            language=LANGUAGES.get,
            passage=passage_id,
            label=_label,
            cell=_cell,
            claim_citations=_claim_citations,
        )
        self.markdown.globals.update(source_date=source_date, backlinks=_backlinks, statuses=STATUSES)
        self.html = jinja2.Environment(
            loader=loader, undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True
        )


def pages(dataset: Dataset, templates: Templates, parts: Parts | None = None) -> list[GeneratedPage]:
    """Every generated page: the sources, their index and texts, the glossary, the timeline, who's who,
    What we know. Each of the five lists is one page, or an index page and its parts (see :mod:`explainer.parts`)."""
    parts = parts or Parts(dataset)
    environment = templates.markdown
    sources = sorted(dataset.sources.values(), key=lambda source: source.id)
    terms = sorted_terms(dataset.terms)
    common = {
        "sources": sources,
        "sources_named": {source.id: source.title for source in sources},
        "terms_named": {term.id: term.term for term in terms},
        "terms_by_source": _terms_by_source(terms),
        "where": parts,  # where each entry lives, for links to it
        "split_above": parts.split_above,
    }

    def render(template: str, src_uri: str, **values: Any) -> str:
        return environment.get_template(template).render(**common, here=src_uri, href=_href_from(src_uri), **values)

    def list_pages(
        template: str, listing: Listing, edit_path: str, whole: Mapping[str, Any], of_part: _PartValues
    ) -> list[GeneratedPage]:
        """The list's page (the whole list, or the index of its parts) and its part pages."""
        # Every page of a list gets the same names, empty where the page shows none of those entries.
        empty = {name: [] for name in whole}
        shown = empty if listing.parts else whole
        index = render(template, listing.index, **shown, listing=listing, part=None, parts=listing.parts)
        made = [GeneratedPage(listing.index, index, edit_path)]
        for part in listing.parts:
            shown = {**empty, **of_part(part)}
            markdown = render(template, part.src_uri, **shown, listing=listing, part=part, parts=())
            made.append(GeneratedPage(part.src_uri, markdown, edit_path))
        return made

    generated = [
        *list_pages("sources.md.j2", parts.sources, "data/sources/", {"rows": sources}, lambda part: {"rows": list(part.entries)}),
        *list_pages("glossary.md.j2", parts.glossary, "data/glossary.yaml", {"terms": terms}, lambda part: {"terms": list(part.entries)}),
        *list_pages("timeline.md.j2", parts.timeline, "data/timeline.yaml", _timeline(dataset.events), _timeline_part),
        *list_pages("who.md.j2", parts.who, "data/entities.yaml", {"groups": _entity_groups(parts.who)}, _who_part),
        *list_pages("what-we-know.md.j2", parts.claims, "data/claims.yaml", {"claims": list(dataset.claims)}, lambda part: {"claims": list(part.entries)}),
    ]
    generated += [
        GeneratedPage(
            f"sources/{source.id}.md",
            render("source.md.j2", f"sources/{source.id}.md", source=source, others=_others(sources, index)),
            source.origin.path,
            False,
        )
        for index, source in enumerate(sources)
    ]
    generated += [
        GeneratedPage(reading_page(source.id), render("reading.md.j2", reading_page(source.id), source=source), source.origin.path, False)
        for source in sources
    ]
    return generated


_PartValues = Callable[[Part], Mapping[str, Any]]
"""What a list's template shows on one of its part pages, in the template's names."""


def _href_from(here: str) -> Callable[..., Markup]:
    """Links from the page ``here`` to another generated or written page (a ``src_uri``), for MkDocs
    to resolve; to an anchor of the same page, the anchor alone."""

    def href(target: str, anchor: str = "") -> Markup:
        fragment = f"#{_id(anchor)}" if anchor else ""
        return Markup(fragment if target == here and fragment else link_between(here, target) + fragment)

    return href


def _timeline(events: Iterable[Event]) -> dict[str, list[Event]]:
    events = list(events)
    return {
        "events": chronological(event for event in events if not event.forecast),
        "forecasts": chronological(event for event in events if event.forecast),
    }


def _timeline_part(part: Part) -> dict[str, list[Event]]:
    """A year's events, or the forecasts (under their own heading, as on the whole timeline)."""
    forecast = part.group.key == FORECASTS
    return {"events": [] if forecast else list(part.entries), "forecasts": list(part.entries) if forecast else []}


def _who_part(part: Part) -> dict[str, list[tuple[str, list[Entity]]]]:
    return {"groups": [(part.group.title, list(part.entries))]}


def at_a_glance(claims: Iterable[Claim], templates: Templates) -> str:
    """The "V4 at a glance" box: a row for each claim with a ``glance`` label, in the file's order."""
    rows = [claim for claim in claims if claim.glance]
    return templates.markdown.get_template("at-a-glance.md.j2").render(claims=rows)


def disagreements(claims: Iterable[Claim], templates: Templates, most: int) -> str:
    """The table of the disputed claims, one account beside the other: all of them, or the first
    ``most`` in the file's order (``split_above``: every page that shows it stays bounded)."""
    disputed = [claim for claim in claims if claim.status.id == "disputed"]
    return templates.markdown.get_template("disagreements.md.j2").render(claims=disputed[:most], disputed=len(disputed))


def reading_page(source_id: str) -> str:
    """The page of a source's text as received, with the passages the site quotes marked."""
    return f"sources/{source_id}/text.md"


def _others(sources: list[Source], index: int) -> list[Source]:
    """The sources a source's page lists under "Other sources": all of them while they are few,
    then only its neighbours (by id), so that the pages grow with the sources, not with their square."""
    if len(sources) <= _ALL_OTHERS + 1:
        return sources[:index] + sources[index + 1 :]
    start = min(max(index - _ALL_OTHERS // 2, 0), len(sources) - _ALL_OTHERS - 1)
    return [source for source in sources[start : start + _ALL_OTHERS + 1] if source is not sources[index]]


def _terms_by_source(terms: Iterable[Term]) -> Mapping[str, list[Term]]:
    by_source: dict[str, list[Term]] = {}
    for term in terms:
        for source_id in term.sources:
            by_source.setdefault(source_id, []).append(term)
    return by_source


def _entity_groups(who: Listing) -> list[tuple[str, list[Entity]]]:
    """Who's who on one page: each kind's heading, with its entities by name."""
    return [(group.title, list(group.entries)) for group in who.groups]


@dataclass(frozen=True)
class BacklinkTarget:
    title: str
    url: str


@dataclass(frozen=True)
class Backlinks:
    """A list of pages as a page shows it: the first ones, at most ``split_above`` (so that no page
    grows with the site), and how many more there are."""

    shown: list[BacklinkTarget]
    more: int = 0


def fill_backlinks(content: str, targets: Callable[[Backlink, str], Backlinks], templates: Templates) -> str:
    """Replace each back-link placeholder in a page's HTML with the list of pages it stands for."""
    template = templates.html.get_template("backlinks.html.j2")

    def filled(match: re.Match) -> str:
        kind = Backlink(match[1])
        return template.render(kind=kind, pages=targets(kind, match[2]))

    return PLACEHOLDER.sub(filled, content)


@dataclass(frozen=True)
class CitedQuote:
    """A quote in a page's Sources list, and where a reader can check it."""

    text: str
    href: str | None
    """Its passage on the source's reading page; None while the quote is not in the article."""
    original_url: str | None = None


@dataclass(frozen=True)
class CitedSource:
    source: Source
    href: str
    """The source's page."""
    quotes: list[CitedQuote]

    @property
    def date(self) -> str:
        return source_date(self.source)


# Characters that XML, which the Sources list is parsed as, cannot hold even as references;
# YAML lets a double-quoted value write some of them as escapes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def sources_list(cited: list[CitedSource], templates: Templates) -> str:
    """A page's Sources list, as HTML that XML can read too (the Markdown extension adds it to the page's tree)."""
    return _NOT_XML.sub("\ufffd", templates.html.get_template("sources-list.html.j2").render(sources=cited))


def fill_articles(
    content: str,
    paragraphs: Callable[[str], list[list[Piece]]],
    cited_on: Callable[[Mark], Backlinks],
    templates: Templates,
) -> str:
    """Replace a reading page's placeholder with its article, the quoted passages marked."""
    template = templates.html.get_template("reading-text.html.j2")
    return ARTICLE.sub(lambda match: template.render(paragraphs=paragraphs(match[1]), cited_on=cited_on), content)


def source_date(source: Source) -> str:
    return source.published.readable() if source.published else "undated"


def problems_banner(problems: Iterable[Problem], templates: Templates) -> str:
    """A warning at the top of every page of a preview built from data with problems."""
    return templates.html.get_template("problems.html.j2").render(problems=list(problems))
