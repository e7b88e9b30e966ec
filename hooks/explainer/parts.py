"""Which page each glossary term, entity, event, claim and row of the sources index lives on.

The glossary, who's who, the timeline, the sources index and "What we know" are each one page
while they hold at most ``split_above`` entries (``extra.explainer.split_above`` in
``mkdocs.yml``). Above that, each becomes an index page, at the same path, linking to part
pages: the glossary by initial letter, who's who by kind, the timeline by year (and its
forecasts), the sources index by year of publication, the claims by status. A group larger
than ``split_above`` is cut into numbered parts, so no page holds more than ``split_above``
entries, whatever the size of the data.

This module is the one rule: the pages, the links the Markdown extension inserts, the
back-links, the published JSON and the JSON-LD all ask it where an entry is. It keeps no state
beyond the :class:`Parts` of one build.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .model import STATUSES, Claim, Dataset, Entity, Event, Source, Term

DEFAULT_SPLIT_ABOVE = 100
"""Entries a generated list may hold before it is split into parts."""

ENTITY_KINDS = {
    "organisation": "Organisations",
    "person": "People",
    "product": "Products",
    "publication": "Publications",
    "place": "Places",
}
"""Each kind of entity, in the order who's who lists them, with its heading."""

FORECASTS = "forecasts"
"""The timeline's group of what the sources predict, listed after every year."""
OTHER_INITIAL = "other"
"""The glossary's group of terms that do not start with a letter from A to Z (Chinese, digits…)."""


@dataclass(frozen=True)
class Group:
    """Entries that belong together on a page (one initial, one kind, one year), in page order."""

    key: str
    """Its name in a path: ``a``, ``organisation``, ``2025``, ``forecasts``."""
    title: str
    entries: tuple[Any, ...]


@dataclass(frozen=True)
class Part:
    """One page of a split list: a group, or a slice of one too large for a page."""

    src_uri: str
    title: str
    """Its name on the list's index page and in its heading: ``A``, ``Organisations (2 of 3)``."""
    group: Group
    entries: tuple[Any, ...]
    """What this page shows of its group: all of it, or one slice."""


class Listing:
    """One generated list and where each of its entries is: on its index page while it is not
    split, on one of its parts once it is."""

    def __init__(self, index: str, title: str, groups: Sequence[Group], split_above: int, grouped_by: str) -> None:
        self.index = index
        """The list's page (``glossary.md``): the whole list, or the index of its parts."""
        self.title = title
        self.grouped_by = grouped_by
        """What its parts are, as a heading in the navigation: ``By initial``."""
        self.groups = tuple(groups)
        """Every group, in the order of the parts."""
        split = sum(len(group.entries) for group in groups) > split_above
        folder = index.removesuffix(".md")  # sources/index.md: sources/index/<key>.md, a path no source id can take
        self.parts = tuple(part for group in groups for part in _slices(folder, group, split_above)) if split else ()
        """The part pages, empty while the list is one page."""
        self._page = {entry.id: part.src_uri for part in self.parts for entry in part.entries}

    def page_of(self, entry_id: str) -> str:
        """The ``src_uri`` of the page that shows the entry, with the entry's id as its anchor."""
        return self._page.get(entry_id, self.index)

    def pages(self) -> list[str]:
        """The list's index page and each of its parts."""
        return [self.index, *(part.src_uri for part in self.parts)]

    def entries_on(self, src_uri: str) -> list[Any]:
        """The entries a page of this list shows: all of them on an unsplit list, none on the index of
        a split one."""
        if src_uri == self.index:
            return [] if self.parts else [entry for group in self.groups for entry in group.entries]
        return next((list(part.entries) for part in self.parts if part.src_uri == src_uri), [])


def _slices(folder: str, group: Group, size: int) -> list[Part]:
    """The group as one part, or as numbered parts of at most ``size`` entries; the first keeps the
    group's own path, so a link to a group that grew past ``size`` still leads to its start."""
    count = -(-len(group.entries) // size)
    if count == 1:
        return [Part(f"{folder}/{group.key}.md", group.title, group, group.entries)]
    return [
        Part(
            f"{folder}/{group.key}{'' if number == 1 else f'-{number}'}.md",
            f"{group.title} ({number} of {count})",
            group,
            group.entries[(number - 1) * size : number * size],
        )
        for number in range(1, count + 1)
    ]


class Parts:
    """Where every entry of one build's generated lists lives."""

    def __init__(self, dataset: Dataset, split_above: int = DEFAULT_SPLIT_ABOVE) -> None:
        self.split_above = split_above
        self.glossary = Listing("glossary.md", "Glossary", _by_initial(dataset.terms), split_above, "By initial")
        self.who = Listing("who.md", "Who's who", _by_kind(dataset.entities), split_above, "By kind")
        self.timeline = Listing("timeline.md", "Timeline", _by_year(dataset.events), split_above, "By year")
        sources = _by_year_published(dataset.sources.values())
        self.sources = Listing("sources/index.md", "Sources", sources, split_above, "By year of publication")
        self.claims = Listing("what-we-know.md", "What we know", _by_status(dataset.claims), split_above, "By status")

    def listings(self) -> tuple[Listing, ...]:
        return (self.glossary, self.who, self.timeline, self.sources, self.claims)

    def term_page(self, term_id: str) -> str:
        return self.glossary.page_of(term_id)

    def entity_page(self, entity_id: str) -> str:
        return self.who.page_of(entity_id)

    def event_page(self, event_id: str) -> str:
        return self.timeline.page_of(event_id)

    def source_row_page(self, source_id: str) -> str:
        """The page of the sources index that lists the source (its own page is ``sources/<id>.md``)."""
        return self.sources.page_of(source_id)

    def claim_page(self, claim_id: str) -> str:
        """The page of "What we know" that shows the claim: where its label links."""
        return self.claims.page_of(claim_id)


def chronological(events: Iterable[Event]) -> list[Event]:
    """Events by date, a coarser date after a finer one that starts with it (a month after its
    first day, the year after its January); events with the same dates keep the file's order."""
    return sorted(events, key=lambda event: (event.date.earliest, event.date.latest))


def sorted_terms(terms: Iterable[Term]) -> list[Term]:
    return sorted(terms, key=lambda term: term.term.casefold())


def initial(term: Term) -> str:
    """The glossary group of a term: its first letter from a to z, or ``other``."""
    first = term.term[:1].casefold()
    return first if first and first in string.ascii_lowercase else OTHER_INITIAL


def _by_initial(terms: Iterable[Term]) -> list[Group]:
    ordered = sorted_terms(terms)
    keys = [*string.ascii_lowercase, OTHER_INITIAL]
    return _groups(ordered, initial, keys, lambda key: "Other" if key == OTHER_INITIAL else key.upper())


def _by_kind(entities: Iterable[Entity]) -> list[Group]:
    ordered = sorted(entities, key=lambda entity: entity.name.casefold())
    return _groups(ordered, lambda entity: entity.kind, list(ENTITY_KINDS), ENTITY_KINDS.__getitem__)


def _by_year(events: Iterable[Event]) -> list[Group]:
    ordered = chronological(events)
    years = [event.date.year for event in ordered if not event.forecast]

    def key(event: Event) -> str:
        return FORECASTS if event.forecast else str(event.date.year)

    keys = [*map(str, sorted(set(years))), FORECASTS]
    return _groups(ordered, key, keys, lambda key: "What the sources predict" if key == FORECASTS else key)


def _by_year_published(sources: Iterable[Source]) -> list[Group]:
    ordered = sorted(sources, key=lambda source: source.id)

    def key(source: Source) -> str:
        return str(source.published.year) if source.published else "undated"

    keys = [*sorted({key(source) for source in ordered} - {"undated"}), "undated"]
    return _groups(ordered, key, keys, lambda key: "Undated" if key == "undated" else f"Published in {key}")


def _by_status(claims: Iterable[Claim]) -> list[Group]:
    """The claims by status, from the surest to the disputed, each in the file's order."""
    titles = {status.id: status.title for status in STATUSES}
    return _groups(list(claims), lambda claim: claim.status.id, list(titles), titles.__getitem__)


def _groups(ordered: list[Any], key_of: Callable[[Any], str], keys: list[str], title_of: Callable[[str], str]) -> list[Group]:
    """The entries by group, each group in ``keys``' order and its entries in ``ordered``'s; no empty group."""
    members: dict[str, list[Any]] = {key: [] for key in keys}
    for entry in ordered:
        # An entity of a kind who's who has no heading for is left out, as the schema refuses it anyway.
        members.get(key_of(entry), []).append(entry)
    return [Group(key, title_of(key), tuple(entries)) for key, entries in members.items() if entries]


def nav_with_parts(nav: list, listings: Iterable[Listing]) -> list:
    """A ``nav`` configuration in which each split list's page is a section: its index page, then its
    parts. The rest stays as written.

    With ``navigation.sections``, every page shows the children of each top-level section, and
    ``navigation.prune`` leaves out only deeper ones: so a split list at the top level gets its
    parts one level down (``What we know`` > ``By status``), for its parts not to be on every page.
    """
    split = {listing.index: listing for listing in listings if listing.parts}

    def item(entry: Any, top: bool) -> Any:
        if isinstance(entry, str) and entry in split:
            return {split[entry].title: section(split[entry], top)}
        if isinstance(entry, dict) and len(entry) == 1:
            [(title, value)] = entry.items()
            # A section that holds only the list's page (as Sources does, so that navigation.indexes
            # does not take it for its parent's index) becomes the list's section, not one inside it.
            page = value[0] if isinstance(value, list) and len(value) == 1 else value
            if isinstance(page, str) and page in split:
                return {title: section(split[page], top)}
            if isinstance(value, list):
                return {title: [item(child, False) for child in value]}
        return entry

    def section(listing: Listing, top: bool) -> list:
        # Bare paths: each part's title is its heading ("Glossary: A"), in the browser's tab too.
        parts = [part.src_uri for part in listing.parts]
        return [listing.index, {listing.grouped_by: parts}] if top else [listing.index, *parts]

    return [item(entry, True) for entry in nav]
