"""The Markdown extension: citations become numbered references, claims their status labels,
terms glossary links, and generated blocks their content.

Like mkdocs-autorefs, work happens on the element tree, never on raw Markdown: an
inline pattern (which never sees code) turns ``[@id, "quote"]`` into a reference, another
``[?claim-id]`` into the claim's status label, and a tree processor, run after all inline patterns and attribute lists, refuses unsafe URLs
and event-handler attributes, links the first use of each glossary term, and appends
the page's "Sources" list. Run again over its own output, the tree processor changes nothing.
The one step on raw Markdown replaces a line that holds only ``::: block args``
(:mod:`explainer.blocks`), after fenced code is set aside, so a block in code stays code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import PrettifyTreeprocessor, Treeprocessor
from markdown.util import AtomicString
from markupsafe import Markup

from . import blocks, citations, floods, labels, nesting
from .backlinks import Ledger, PageInfo, PageNotes
from .index import Index
from .model import Claim
from .problems import shorten
from .render import CitedQuote, CitedSource, reading_page, sources_list
from .urls import url_problem

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
_PRIORITY_LABELS = 184  # after citations, so that a '[?' in a quote stays the quote's
# After fenced code is stashed (25), before raw HTML is (20): a block in a fence stays code.
_PRIORITY_BLOCKS = 22
# After inline patterns (20) and attr_list (8), so that attributes written as { ... } are in place
# to be checked and their text is never linked; before abbr (7), toc (5) and relpath (0).
_PRIORITY_ANNOTATE = 7.5


class ExplainerExtension(Extension):
    """Registered once per build; every page's Markdown instance gets fresh processors.

    It reads the build's :class:`~explainer.index.Index` and writes each page's notes into its
    :class:`~explainer.backlinks.Ledger`; ``current_page`` says which page is being converted.
    """

    def __init__(self, index: Index, ledger: Ledger, current_page: Callable[[], PageInfo | None]):
        super().__init__()
        self.index = index
        self.ledger = ledger
        self.current_page = current_page

    def extendMarkdown(self, md: Markdown) -> None:
        page = self.current_page()
        if page is None:
            return
        notes = PageNotes(page)
        md.convert = nesting.guard_conversion(md.convert, lambda: self._too_deep(notes))
        md.preprocessors.register(LimitsPreprocessor(md, notes), "explainer-limits", _PRIORITY_LIMITS)
        md.preprocessors.register(BlocksPreprocessor(md, self.index, notes), "explainer-blocks", _PRIORITY_BLOCKS)
        md.inlinePatterns.register(CitationPattern(self.index, notes, md), "explainer-citation", _PRIORITY_CITATIONS)
        md.inlinePatterns.register(ClaimLabelPattern(self.index, notes), "explainer-claim-label", _PRIORITY_LABELS)
        md.treeprocessors.register(
            AnnotateTreeprocessor(md, self.index, notes, self.ledger), "explainer-annotate", _PRIORITY_ANNOTATE
        )

    def _too_deep(self, notes: PageNotes) -> str:
        notes.report(
            f"the page nests deeper than it can be converted (more than {nesting.MAX_DEPTH} levels of lists, "
            "quotes or emphasis somewhere); nest less deeply",
            "",
        )
        self.ledger.record(notes)
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
        long_blocks = list(floods.block_problems(text))
        for offset, message in open_tags + long_blocks:
            self.notes.report_line(message, text.count("\n", 0, offset))
        kept = [_escape_brackets(line) if index in flooded else nesting.flatten(line) for index, line in enumerate(lines)]
        kept = [floods.defuse_markup(line) for line in kept] if open_tags else kept
        return floods.cut_blocks(kept) if long_blocks else kept


def _paragraph_end(lines: list[str], first: int) -> int:
    return next((index for index in range(first, len(lines)) if not lines[index].strip()), len(lines))


def _escape_brackets(line: str) -> str:
    """The line with its brackets as text: what the page shows of a flooded paragraph until it is fixed."""
    return nesting.flatten(line).replace("[", "\\[").replace("(", "\\(")


_UNCLOSED_FOUND_BY = 60  # characters of an unclosed citation, looked for in the page's source for its line


class CitationPattern(InlineProcessor):
    """``[@id]`` and ``[@id, "quote"]`` become a numbered reference whose title shows the quote."""

    def __init__(self, index: Index, notes: PageNotes, md: Markdown) -> None:
        super().__init__(citations.START.pattern, md)
        self.index = index
        self.notes = notes
        self.brackets = citations.InlineBrackets()
        self.unclosed_reach = "\x00"  # the text from the last '[@' reported as unclosed; no text ends so

    def handleMatch(
        self, m: re.Match, data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        found = self.brackets.at(data, m.start())
        if found is None:  # a link's text
            return None, None, None
        if isinstance(found, citations.Unclosed):
            self._report_unclosed(found, data)
            # Its '[' stays text, stashed so that the link patterns never read on from it to the end of
            # the paragraph: 8,000 of them took minutes.
            return self.md.htmlStash.store("["), m.start(), m.start() + 1
        end = found.end
        written = data[m.start() : end]
        try:
            cited = citations.parse(written[1:-1])
        except citations.CitationSyntaxError as error:
            self.notes.report(str(error), written)
            return _broken(written, str(error)), m.start(), end
        quotes_by_source: dict[str, list[str | None]] = {}
        for item in cited:
            for message in self.index.citation_problems(item.source, item.quote):
                self.notes.report(message, written)
            quotes_by_source.setdefault(item.source, []).append(item.quote)
        sup = etree.Element("sup", {"class": "citation"})
        sup.text = "["
        for source_id, quotes in quotes_by_source.items():
            reference = self._reference(source_id, quotes, written)
            reference.tail = ", "
            sup.append(reference)
        reference.tail = "]"
        return sup, m.start(), end

    def _report_unclosed(self, found: citations.Unclosed, data: str) -> None:
        """Report a '[@' that nothing closes, where the text still reads as written; but not one within
        the reach of the last reported, which runs to the end of the text: '[@a [@a [@a …' is one mistake."""
        rest = data[found.start :]
        if self.unclosed_reach.endswith(rest):
            return
        self.unclosed_reach = rest
        self.notes.report(found.message, rest[:_UNCLOSED_FOUND_BY])

    def _reference(self, source_id: str, quotes: list[str | None], written: str) -> etree.Element:
        """A link to the page's Sources list; numbered later, in document order, by the tree processor."""
        source = self.index.sources.get(source_id)
        if source is None:
            return _broken("?", f"unknown source '{source_id}'")
        quoted = [quote for quote in quotes if quote]
        title = f"{source.title} — {source.publisher}" + (": " if quoted else "")
        link = etree.Element("a", {"href": f"#ref-{source_id}", "title": _as_attribute(title + " / ".join(map(_quoted, quoted)))})
        link.set(_SOURCE_KEY, source_id)
        link.set(_QUOTES_KEY, "\x00".join(quoted))
        link.set(_WRITTEN_KEY, written)
        return link


class BlocksPreprocessor(Preprocessor):
    """Each line ``::: name args`` becomes the block's content: Markdown as lines of the page, HTML
    stashed (Markdown leaves it as it is; the final HTML still goes through explainer.inert)."""

    def __init__(self, md: Markdown, index: Index, notes: PageNotes) -> None:
        super().__init__(md)
        self.index = index
        self.notes = notes

    def run(self, lines: list[str]) -> list[str]:
        kept: list[str] = []
        for line in lines:
            if not blocks.OPENING.match(line):
                kept.append(line)
                continue
            try:
                parts = blocks.expand(line, self.index, self._label)
            except blocks.BlockError as error:
                self.notes.report(str(error), line)
                continue
            for part in parts:
                text = self.md.htmlStash.store(part.text) if isinstance(part, blocks.Html) else part
                kept += ["", *text.split("\n"), ""]
        return kept

    def _label(self, claim: Claim) -> Markup:
        """A claim's label in raw HTML, which MkDocs does not read: its link is to the published page."""
        label = _label_element(claim, self.index, self.notes)
        label.set("href", self.notes.url(self.index.parts.claim_page(claim.id), claim.id))
        return Markup(etree.tostring(label, encoding="unicode"))


class ClaimLabelPattern(InlineProcessor):
    """``[?claim-id]`` becomes the claim's status label, linking to its entry on the What we know page."""

    def __init__(self, index: Index, notes: PageNotes) -> None:
        super().__init__(labels.START.pattern)
        self.index = index
        self.notes = notes

    def handleMatch(self, m: re.Match, data: str) -> tuple[etree.Element | str, int, int]:
        found = labels.at(data, m.start())
        if isinstance(found, labels.Malformed):
            self.notes.report(found.message, data[m.start() : m.start() + 40].split("\n", 1)[0])
            return labels.OPENING, m.start(), m.end()
        written = data[found.start : found.end]
        claim = self.index.claims.get(found.claim)
        if claim is None:
            problem = self.index.claim_problem(found.claim)
            if problem:
                self.notes.report(problem, written)
            return _broken(written, problem or f"claim '{found.claim}' has a problem of its own"), found.start, found.end
        label = _label_element(claim, self.index, self.notes)
        label.set("title", _as_attribute(label.get("title")))
        label.text = AtomicString(label.text)
        return label, found.start, found.end


def _label_element(claim: Claim, index: Index, notes: PageNotes) -> etree.Element:
    """A claim's status label, its title the status and the statement; noted as used on the page."""
    notes.claims[claim.id] = None
    status = claim.status
    title = f"{status.title}: {claim.statement}"
    attributes = {"href": notes.href(index.parts.claim_page(claim.id), claim.id), "class": f"claim-label claim-label--{status.id}", "title": title}
    label = etree.Element("a", attributes)
    label.text = status.label
    return label


class AnnotateTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, index: Index, notes: PageNotes, ledger: Ledger) -> None:
        super().__init__(md)
        self.index = index
        self.notes = notes
        self.ledger = ledger

    def run(self, root: etree.Element) -> None:
        self._limit_headings(root)
        self._neutralise_unsafe_links(root)
        nested = _nested_links(root)
        self._number_citations(root, nested)
        _unnest_links(nested)
        self._link_terms(root)
        self._report_unclosed_citations(root)
        if self.notes.cited:
            section = self._sources_section()
            prettify = PrettifyTreeprocessor(self.md)  # line breaks as in the rest of the page: prettify (10) has run
            for element in section:
                prettify._prettifyETree(element)
            root.extend(section)
        self.ledger.record(self.notes)

    def _limit_headings(self, root: etree.Element) -> None:
        """Past :data:`floods.MAX_HEADINGS`, headings are reported and shown as paragraphs, out of the table of contents."""
        extra = [element for element in root.iter() if element.tag in _HEADINGS][floods.MAX_HEADINGS :]
        if extra:
            text, level = "".join(extra[0].itertext()), int(extra[0].tag[1])
            self.notes.report(
                f"the page has more than {floods.MAX_HEADINGS} headings: split it into pages, or make some of them text",
                f"{'#' * level} {text}", f"{'#' * level}{text}", text,
            )
        for heading in extra:
            heading.tag = "p"

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
            is_term = "glossary-term" in (link.get("class") or "").split() and term_id in self.index.terms
            if is_term and term_id not in self.notes.terms:
                self.notes.terms[term_id] = None
        for parent, child in list(_text_slots(root)):
            self._link_slot(parent, child)

    def _link_slot(self, parent: etree.Element, child: etree.Element | None) -> None:
        """Link the text of ``parent`` (child None) or the tail of ``child`` within ``parent``."""
        text = parent.text if child is None else child.tail
        if not text or isinstance(text, AtomicString):
            return
        self.notes.entities.update(key for _, _, key in self.index.entity_matcher.finditer(text))
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
        for start, end, term_id in self.index.term_matcher.finditer(text):
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
                "href": self.notes.href(self.index.parts.term_page(term_id), term_id),
                "class": "glossary-term",
                "title": _as_attribute(self.index.terms[term_id].definition),
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
        """The Sources list (a template, see explainer.render.sources_list), as elements whose text no
        later step of Python-Markdown changes."""
        cited = [self._cited(source_id) for source_id in self.notes.cited]
        fragment = etree.fromstring(f"<div>{sources_list(cited, self.index.templates)}</div>")
        for element in fragment.iter():
            element.text = element.text and AtomicString(element.text)
            element.tail = element.tail and AtomicString(element.tail)
        return list(fragment)

    def _cited(self, source_id: str) -> CitedSource:
        quotes = []
        for quote in self.notes.quotes.get(source_id, ()):
            passage = self.index.passage(source_id, quote)  # None while the quote is not in the article
            href = passage and self.notes.href(reading_page(source_id), passage.anchor)
            quotes.append(CitedQuote(quote, href, passage and passage.original_url))
        return CitedSource(self.index.sources[source_id], self.notes.href(f"sources/{source_id}.md"), quotes)


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
