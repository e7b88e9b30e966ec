"""The Markdown extension: citations become numbered references, terms become glossary links.

Like mkdocs-autorefs, work happens on the element tree, never on raw Markdown: an
inline pattern (which never sees code) turns ``[@id, "quote"]`` into a reference, and a
tree processor, run after all inline patterns and attribute lists, refuses unsafe URLs
and event-handler attributes, links the first use of each glossary term, and appends
the page's "Sources" list. Run again over its own output, the tree processor changes nothing.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import PrettifyTreeprocessor, Treeprocessor
from markdown.util import AtomicString

from . import citations, floods, nesting
from .model import Citation
from .problems import Origin, Problem, shorten
from .render import reading_page
from .urls import url_problem

if TYPE_CHECKING:
    from .site import Site

# Text inside these is never a place for a glossary link: code, links, headings, titles, a name's Chinese forms.
_NO_LINKS = frozenset({"a", "code", "pre", "kbd", "samp", "script", "style", "abbr", "summary"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASSES = frozenset({"admonition-title", "citation", "citation-error", "explainer-sources", "explainer-zh"})
# Attributes whose value a browser follows or loads as a URL.
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "background", "data")
# Attributes that carry a citation from the inline pattern to the tree processor, then go.
_SOURCE_KEY = "data-explainer-source"
_QUOTES_KEY = "data-explainer-quotes"
_WRITTEN_KEY = "data-explainer-written"
_PRIORITY_LIMITS = 40  # before the block parser sees the text (normalize_whitespace is 30)
_PRIORITY_CITATIONS = 185  # before backslash escapes (180), after code spans (190)
# After inline patterns (20) and attr_list (8), so that attributes written as { ... } are in place
# to be checked and their text is never linked; before abbr (7), toc (5) and relpath (0).
_PRIORITY_ANNOTATE = 7.5
_WORDS_TO_FIND = 20  # of a text reported, looked for in the page's source to find its line


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


@dataclass
class PageNotes:
    """What one page cites, links and mentions, gathered while it is converted."""

    page: PageInfo
    numbers: dict[str, int] = field(default_factory=dict)
    quotes: dict[str, list[str]] = field(default_factory=dict)
    terms: dict[str, None] = field(default_factory=dict)
    """The glossary terms linked, in order: a dict, so that looking one up does not read them all
    (the glossary's own page links thousands)."""
    entities: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    searched: dict[str, int] = field(default_factory=dict)
    """How far the page's source has been searched for each text reported, so a repeat is found further on."""
    cursor: int = 0
    """Where the last problem reported in document order stood (see :meth:`report_in_order`)."""

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
        """The line of the next place one of ``candidates`` stands in the page (line 1 if none can be found).

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
        return 1

    def href(self, target_src_uri: str, anchor: str = "") -> str:
        """A link from this page to another Markdown file, for MkDocs to resolve and validate."""
        start = posixpath.dirname(self.page.src_uri) or "."
        return posixpath.relpath(target_src_uri, start) + (f"#{anchor}" if anchor else "")


class ExplainerExtension(Extension):
    """Registered once per build; every page's Markdown instance gets fresh processors."""

    def __init__(self, site: Site, current_page: Callable[[], PageInfo | None], done: Callable[[PageNotes], None]):
        super().__init__()
        self.site = site
        self.current_page = current_page
        self.done = done

    def extendMarkdown(self, md: Markdown) -> None:
        page = self.current_page()
        if page is None:
            return
        notes = PageNotes(page)
        md.convert = nesting.guard_conversion(md.convert, lambda: self._too_deep(notes))
        md.preprocessors.register(LimitsPreprocessor(md, notes), "explainer-limits", _PRIORITY_LIMITS)
        md.inlinePatterns.register(
            CitationPattern(self.site, notes), "explainer-citation", _PRIORITY_CITATIONS
        )
        md.treeprocessors.register(
            AnnotateTreeprocessor(md, self.site, notes, self.done), "explainer-annotate", _PRIORITY_ANNOTATE
        )

    def _too_deep(self, notes: PageNotes) -> str:
        notes.report(
            f"the page nests deeper than it can be converted (more than {nesting.MAX_DEPTH} levels of lists, "
            "quotes or emphasis somewhere); nest less deeply",
            "",
        )
        self.done(notes)
        return "<p>This page could not be converted: it nests too deeply.</p>"


class LimitsPreprocessor(Preprocessor):
    """Refuses, by line, text that would make Python-Markdown run out of stack (:mod:`explainer.nesting`)
    or of time (:mod:`explainer.floods`), and hands on a text that stays within both."""

    def __init__(self, md: Markdown, notes: PageNotes) -> None:
        super().__init__(md)
        self.notes = notes

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        for offset, message in nesting.nesting_problems(text):
            self.notes.report_line(message, text.count("\n", 0, offset))
        flooded = set()
        for offset, message in floods.bracket_problems(text):
            first = text.count("\n", 0, offset)
            self.notes.report_line(message, first)
            flooded.update(range(first, _paragraph_end(lines, first)))
        open_tags = list(floods.markup_problems(text))
        for offset, message in open_tags:
            self.notes.report_line(message, text.count("\n", 0, offset))
        kept = [_escape_brackets(line) if index in flooded else nesting.flatten(line) for index, line in enumerate(lines)]
        return [floods.defuse_markup(line) for line in kept] if open_tags else kept


def _paragraph_end(lines: list[str], first: int) -> int:
    return next((index for index in range(first, len(lines)) if not lines[index].strip()), len(lines))


def _escape_brackets(line: str) -> str:
    """The line with its brackets as text: what the page shows of a flooded paragraph until it is fixed."""
    return nesting.flatten(line).replace("[", "\\[").replace("(", "\\(")


class CitationPattern(InlineProcessor):
    """``[@id]`` and ``[@id, "quote"]`` become a numbered reference whose title shows the quote."""

    def __init__(self, site: Site, notes: PageNotes) -> None:
        super().__init__(citations.START.pattern)
        self.site = site
        self.notes = notes
        self.brackets = citations.InlineBrackets()

    def handleMatch(
        self, m: re.Match, data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        found = self.brackets.at(data, m.start())
        if found is None:  # a link's text
            return None, None, None
        if isinstance(found, citations.Unclosed):
            # Its '[' stays text (reported once the page is converted), taken here so that the link
            # patterns never read on from it to the end of the paragraph: 8,000 of them took minutes.
            return "[", m.start(), m.start() + 1
        end = found.end
        written = data[m.start() : end]
        try:
            cited = citations.parse(written[1:-1])
        except citations.CitationSyntaxError as error:
            self.notes.report(str(error), written)
            return _broken(written, str(error)), m.start(), end
        quotes_by_source: dict[str, list[str | None]] = {}
        for item in cited:
            for problem in self.site.check_citation(Citation(item.source, item.quote, Origin("", 0))):
                self.notes.report(problem.message, written)
            quotes_by_source.setdefault(item.source, []).append(item.quote)
        sup = etree.Element("sup", {"class": "citation"})
        sup.text = "["
        for source_id, quotes in quotes_by_source.items():
            reference = self._reference(source_id, quotes, written)
            reference.tail = ", "
            sup.append(reference)
        reference.tail = "]"
        return sup, m.start(), end

    def _reference(self, source_id: str, quotes: list[str | None], written: str) -> etree.Element:
        """A link to the page's Sources list; numbered later, in document order, by the tree processor."""
        source = self.site.dataset.sources.get(source_id)
        if source is None:
            return _broken("?", f"unknown source '{source_id}'")
        quoted = [quote for quote in quotes if quote]
        title = f"{source.title} — {source.publisher}" + (": " if quoted else "")
        link = etree.Element("a", {"href": f"#ref-{source_id}", "title": _as_attribute(title + " / ".join(map(_quoted, quoted)))})
        link.set(_SOURCE_KEY, source_id)
        link.set(_QUOTES_KEY, "\x00".join(quoted))
        link.set(_WRITTEN_KEY, written)
        return link


class AnnotateTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, site: Site, notes: PageNotes, done: Callable[[PageNotes], None]) -> None:
        super().__init__(md)
        self.site = site
        self.notes = notes
        self.done = done

    def run(self, root: etree.Element) -> None:
        self._neutralise_unsafe_links(root)
        nested = _nested_links(root)
        self._number_citations(root, nested)
        _unnest_links(nested)
        self._link_terms(root)
        self._report_unclosed_citations(root)
        if self.notes.numbers:
            section = self._sources_section()
            prettify = PrettifyTreeprocessor(self.md)  # line breaks as in the rest of the page: prettify (10) has run
            for element in section:
                prettify._prettifyETree(element)
            root.extend(section)
        self.done(self.notes)

    def _number_citations(self, root: etree.Element, nested: dict[etree.Element, etree.Element]) -> None:
        """Number sources in the order a reader meets them, and gather the quotes per source."""
        for link in root.iter("a"):
            source_id = link.attrib.pop(_SOURCE_KEY, None)
            if source_id is None:
                continue
            written = link.attrib.pop(_WRITTEN_KEY)
            if link in nested:
                # The citation's own text may stand earlier on the page too; the outer link's target is rarer.
                self.notes.report(
                    f"the citation of '{source_id}' is inside a link's text, where it cannot link to the "
                    "Sources list; put it after the link",
                    nested[link].get("href") or written,
                )
            number = self.notes.numbers.setdefault(source_id, len(self.notes.numbers) + 1)
            link.text = AtomicString(str(number))
            quotes = self.notes.quotes.setdefault(source_id, [])
            for quote in filter(None, link.attrib.pop(_QUOTES_KEY).split("\x00")):
                if quote not in quotes:
                    quotes.append(quote)

    def _report_unclosed_citations(self, root: etree.Element) -> None:
        """A ``[@`` left in the text is a citation the pattern could not read (its bracket or quote is
        not closed); an escaped ``\\[@`` is still a placeholder at this stage, and code is atomic."""
        for element in root.iter():
            inside = element.text if element.tag not in ("code", "pre") else None
            for text in (inside, element.tail):
                if text and not isinstance(text, AtomicString) and citations.OPENING in text:
                    start = text.index(citations.OPENING)
                    self.notes.report(
                        f"the citation '{shorten(text[start:], 40)}' is not closed: write {citations.EXAMPLE}",
                        text[start : start + 40],
                    )

    # -- glossary links --------------------------------------------------------------------

    def _link_terms(self, root: etree.Element) -> None:
        # A term linked already (by an earlier run over this tree) counts as linked on the page.
        for link in root.iter("a"):
            term_id = link.get("href", "").rpartition("#")[2]
            is_term = "glossary-term" in (link.get("class") or "").split() and term_id in self.site.terms
            if is_term and term_id not in self.notes.terms:
                self.notes.terms[term_id] = None
        for parent, child in list(_text_slots(root)):
            self._link_slot(parent, child)

    def _link_slot(self, parent: etree.Element, child: etree.Element | None) -> None:
        """Link the text of ``parent`` (child None) or the tail of ``child`` within ``parent``."""
        text = parent.text if child is None else child.tail
        if not text or isinstance(text, AtomicString):
            return
        self.notes.entities.update(key for _, _, key in self.site.entity_matcher.finditer(text))
        head, links = self._split(text)
        if not links:
            return
        if child is None:
            parent.text, index = head, 0
        else:
            child.tail, index = head, list(parent).index(child) + 1
        for offset, link in enumerate(links):
            parent.insert(index + offset, link)

    def _split(self, text: str) -> tuple[str, list[etree.Element]]:
        """The text before the first new glossary link, and the links, each with the text after it."""
        head, links, last = text, [], 0
        for start, end, term_id in self.site.term_matcher.finditer(text):
            if term_id in self.notes.terms:
                continue
            self.notes.terms[term_id] = None
            if links:
                links[-1].tail = text[last:start]
            else:
                head = text[:start]
            links.append(self._term_link(term_id, text[start:end]))
            last = end
        if links:
            links[-1].tail = text[last:]
        return head, links

    def _term_link(self, term_id: str, written: str) -> etree.Element:
        link = etree.Element(
            "a",
            {
                "href": self.notes.href("glossary.md", term_id),
                "class": "glossary-term",
                "title": _as_attribute(self.site.terms[term_id].definition),
            },
        )
        link.text = AtomicString(written)
        return link

    # -- safety -----------------------------------------------------------------------------

    def _neutralise_unsafe_links(self, root: etree.Element) -> None:
        """Turn a link or image with a refused URL into plain text before MkDocs reads its URL
        (it would stop with a traceback on some, such as ``http://[x``). Everything else a page
        may not hold is refused on the final HTML (:mod:`explainer.inert`), under the same URL rule."""
        for element in root.iter():
            for url in [element.get(name) for name in _URL_ATTRIBUTES if element.get(name) is not None]:
                problem = url_problem(url, relative_ok=True)
                if problem:
                    self.notes.report(problem, url)
                    if element.tag == "img":
                        element.text = element.get("alt", "")
                    element.tag = "span"
                    element.attrib.clear()
                    break

    # -- the Sources list -------------------------------------------------------------------

    def _sources_section(self) -> list[etree.Element]:
        heading = etree.Element("h2", {"id": "sources"})
        heading.text = "Sources"
        listing = etree.Element("ol", {"class": "explainer-sources"})
        for source_id in sorted(self.notes.numbers, key=self.notes.numbers.__getitem__):
            listing.append(self._source_item(source_id))
        return [heading, listing]

    def _source_item(self, source_id: str) -> etree.Element:
        source = self.site.dataset.sources[source_id]
        item = etree.Element("li", {"id": f"ref-{source_id}"})
        link = etree.SubElement(item, "a", {"href": self.notes.href(f"sources/{source_id}.md")})
        link.text = AtomicString(source.title)
        date = source.published.readable() if source.published else "undated"
        link.tail = AtomicString(f" — {source.publisher}, {date}. ")
        if source.url and not url_problem(source.url, relative_ok=False):  # made after the URLs were checked
            original = etree.SubElement(item, "a", {"href": source.url, "class": "explainer-original"})
            original.text = "Read the original"
        else:
            note = etree.SubElement(item, "span", {"class": "explainer-no-url"})
            note.text = AtomicString(source.url_note or "")
        quotes = self.notes.quotes.get(source_id)
        if quotes:
            listing = etree.SubElement(item, "ul", {"class": "explainer-quotes"})
            for quote in quotes:
                self._quote_item(etree.SubElement(listing, "li"), source_id, quote)
        return item

    def _quote_item(self, item: etree.Element, source_id: str, quote: str) -> None:
        """The quote, linked to its place in the article's text (reading page), and, where the
        original holds its words, a link that highlights it there."""
        passage = self.site.passage(source_id, quote)
        if passage is None:  # not in the article: reported, and shown unlinked until fixed
            etree.SubElement(item, "q").text = AtomicString(quote)
            return
        reading = self.notes.href(reading_page(source_id), passage.anchor)
        link = etree.SubElement(item, "a", {"href": reading, "title": "Read it in the article"})
        etree.SubElement(link, "q").text = AtomicString(quote)
        if passage.original_url:
            link.tail = " "
            original = etree.SubElement(item, "a", {"href": passage.original_url, "class": "explainer-fragment"})
            original.text = "in the original"


def _nested_links(root: etree.Element) -> dict[etree.Element, etree.Element]:
    """Each link that stands inside another one, with the link around it."""
    return {inner: outer for outer in root.iter("a") for inner in outer.iter("a") if inner is not outer}


def _unnest_links(nested: dict[etree.Element, etree.Element]) -> None:
    """A link inside another link (a citation in a link's text) becomes plain text: HTML forbids nesting."""
    for link in nested:
        link.tag = "span"
        link.attrib.pop("href")


def _text_slots(root: etree.Element) -> Iterator[tuple[etree.Element, etree.Element | None]]:
    """In document order: (element, None) for its text, (element, child) for each child's tail.

    A walk with a stack of its own: a page may nest elements deeper than Python's recursion limit.
    """
    if not _may_link_inside(root):
        return
    yield root, None
    stack = [(root, iter(root))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                yield stack[-1][0], element
        elif _may_link_inside(child):
            yield child, None
            stack.append((child, iter(child)))
        else:
            yield element, child


def _may_link_inside(element: etree.Element) -> bool:
    return (
        element.tag not in _NO_LINKS
        and element.tag not in _HEADINGS
        and not _TITLE_CLASSES & set((element.get("class") or "").split())
    )


def _broken(text: str, why: str) -> etree.Element:
    span = etree.Element("span", {"class": "citation-error", "title": _as_attribute(why)})
    span.text = AtomicString(text)
    return span


def _as_attribute(text: str) -> str:
    """``text`` as an attribute value that reads as exactly that text: Python-Markdown's serializer
    leaves anything that looks like an entity (``&lt;``) as it is, so ``&`` is escaped first."""
    return text.replace("&", "&amp;")


def _quoted(quote: str) -> str:
    return f"“{' '.join(quote.split())}”"
