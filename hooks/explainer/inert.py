"""What a page may hold once Markdown has made it HTML, and the one pass that holds it to that.

Contributors' Markdown may carry raw HTML and attribute lists, and data may carry entities
that a browser decodes; checking the Markdown source cannot see what they become. So the
rule is checked on the HTML each page's Markdown produces, before anything is written:
the HTML is read token by token and written out again with only the elements and
attributes below, every text and value escaped, and every refusal reported. Because the
same walk reports and writes, what is published is what was checked, in ``mkdocs serve``
too.

Two places where Material reads text back as HTML shape the rule. With
``content.tooltips``, a ``title`` attribute, once the browser has decoded it, becomes a
tooltip's ``innerHTML``: so every title is escaped once more for that use. And the
navigation, the table of contents and the search results show headings and page titles
through ``innerHTML`` too (a shortened navigation entry becomes a tooltip of its own
text): so a heading or a title may not contain ``<``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .problems import shorten
from .urls import image_problem, url_problem

# Python-Markdown, its extensions and the site's own fragments make nothing else; a page needs
# no script, style, frame, form or embedded object.
_ELEMENTS = frozenset(
    "a abbr b blockquote br caption cite code dd del details div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary "
    "sup table tbody td tfoot th thead time tr u ul var "
    # Inline SVG, for charts: shapes and text, nothing that loads, animates or links.
    "svg g title desc text tspan rect line polyline polygon path circle ellipse".split()
)
_VOID = frozenset({"br", "hr", "img"})
_GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "role", "lang", "dir"})
_ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "details": {"open"},
    "time": {"datetime"},
    # The placeholders that on_env fills with back-links.
    "div": {"data-kind", "data-key"},
}
_SVG_ATTRIBUTES = frozenset(
    "viewbox xmlns x y x1 y1 x2 y2 cx cy r rx ry width height d points transform fill stroke "
    "stroke-width font-size font-weight text-anchor dominant-baseline preserveaspectratio focusable".split()
)
_SVG = frozenset({"svg", "g", "text", "tspan", "rect", "line", "polyline", "polygon", "path", "circle", "ellipse"})
# Outside <svg>, a browser reads these as HTML: a <title> in a page's body swallows the rest of the page.
_SVG_ONLY = (_SVG - {"svg"}) | {"title", "desc"}
# Inside an <svg>, a browser ends the SVG at these (HTML's rules for foreign content), and at </p> or </br>.
_LEAVE_SVG = frozenset("b blockquote br code dd div dl dt em h1 h2 h3 h4 h5 h6 hr i img li ol p pre s small span strong sub sup table u ul var".split())
# A paint server (fill="url(…)") loads from whatever address it names; a chart's colours need none.
_PAINT_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
# Material's script takes its settings (the search worker's URL among them) from the first element
# with the id "__config", and names its other parts with ids that start so.
_THEME_ID_START = "__"
# Material's script acts on its own classes (an overflowing .md-ellipsis shows its text as a tooltip's
# HTML; .md-dialog is a fixed toast over the page), and for .mermaid it loads a script from another site.
# Only its buttons are meant for pages.
_THEME_CLASS_START = "md-"
_PAGE_CLASSES_OF_THE_THEME = frozenset({"md-button", "md-button--primary"})
_SCRIPTED_CLASSES = frozenset({"mermaid"})
# Elements whose content goes with them: it is code or markup, never text for a reader.
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "textarea"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
"""Where text would start an HTML tag, comment or declaration: data's Markdown may hold none."""
_LESS_THAN = "<"
_LESS_THAN_SHOWN = "‹"  # what a heading shows instead of "<" until it is fixed


@dataclass(frozen=True)
class Refusal:
    """Something a page's HTML may not hold, and a piece of it to look for in the page's source."""

    message: str
    written: tuple[str, ...]
    """What the page's source may hold of it, the likeliest first."""


@dataclass
class Inert:
    """A page's HTML with only what the rule allows, and what was taken out."""

    html: str
    refusals: list[Refusal] = field(default_factory=list)


def make_inert(page_html: str) -> Inert:
    writer = _Writer()
    writer.feed(page_html)
    writer.close()
    return Inert("".join(writer.out), writer.refusals)


def title_problem(title: str) -> str | None:
    """Why a page title or heading (as text, entities decoded) cannot be shown as it is, or None."""
    if _LESS_THAN in title:
        return (
            f"the title '{shorten(title)}' contains '<': titles and headings are shown as HTML in the "
            "navigation, the table of contents and search; write it in words"
        )
    return None


def inert_title(title: str) -> str:
    """A page title or heading, as text, that shows as it reads wherever Material puts it."""
    return title.replace(_LESS_THAN, _LESS_THAN_SHOWN)


def shown_title(text: str) -> str:
    """A page title or heading, as text, escaped for the templates that print it as HTML."""
    return html.escape(inert_title(text), quote=False)


def for_tooltip(text: str) -> str:
    """A ``title`` attribute's value for text that Material will insert as HTML once decoded."""
    return html.escape(text, quote=False)


def _theme_hook_problem(name: str, value: str) -> str | None:
    """Why an id or a class would have the theme's script act on contributed markup, or None."""
    if name == "id" and value.strip().startswith(_THEME_ID_START):
        return f"the id '{shorten(value, 40)}' is refused: ids that start with '{_THEME_ID_START}' are the theme's own, and its script reads its settings from one; choose another"
    taken = [word for word in value.split() if _theme_class(word)] if name == "class" else []
    if taken:
        return (
            f"the class '{taken[0]}' is refused: the theme's script acts on its own classes ('{_THEME_CLASS_START}…', "
            f"but for {' and '.join(sorted(_PAGE_CLASSES_OF_THE_THEME))}) and loads a script for 'mermaid'; "
            "draw a chart as an inline SVG"
        )
    return None


def _theme_class(word: str) -> bool:
    word = word.lower()
    return word in _SCRIPTED_CLASSES or (word.startswith(_THEME_CLASS_START) and word not in _PAGE_CLASSES_OF_THE_THEME)


class _Writer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.refusals: list[Refusal] = []
        self.dropping: str | None = None
        self.heading_depth = 0
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if self.dropping:
            return
        if tag not in _ELEMENTS:
            self._refuse_element(tag, closed)
            return
        if tag in _LEAVE_SVG:
            self.svg_depth = 0
        if tag in _SVG_ONLY and not self.svg_depth:
            self.refusals.append(Refusal(f"the element <{tag}> belongs inside an inline <svg>; outside one, a browser reads it as HTML", (f"<{tag}",)))
            return
        kept = list(self._attributes(tag, attrs))
        written = "".join(f" {name}" if value is None else f' {name}="{value}"' for name, value in kept)
        if closed and tag not in _VOID:
            # '/>' closes an element in SVG only: in HTML, <a /> opens one that runs on to the next end tag.
            self.out.append(f"<{tag}{written} />" if self.svg_depth else f"<{tag}{written}></{tag}>")
            return
        self.out.append(f"<{tag}{written}>")
        if tag in _HEADINGS:
            self.heading_depth += 1
        if tag == "svg":
            self.svg_depth += 1

    def _refuse_element(self, tag: str, closed: bool) -> None:
        self.refusals.append(
            Refusal(
                f"the HTML element <{tag}> is refused: pages hold no script, style, frame, form or "
                "embedded object; write Markdown",
                (f"<{tag}",),
            )
        )
        if tag in _DROPPED_WITH_CONTENT and not closed:
            self.dropping = tag

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> Iterator[tuple[str, str | None]]:
        for name, value in attrs:
            if not self._allowed(tag, name):
                self.refusals.append(Refusal(_attribute_message(name, tag), (name,)))
                continue
            if value is None:
                yield name, None
                continue
            if name in _URL_ATTRIBUTES:
                problem = image_problem(value) if name == "src" else url_problem(value, relative_ok=True)
                if problem:
                    # An entity-encoded scheme (&#106;avascript:) is not in the source as decoded: its end is.
                    self.refusals.append(Refusal(problem, (value, value[-12:], name)))
                    continue
            problem = _theme_hook_problem(name, value) or _paint_problem(tag, value)
            if problem:
                self.refusals.append(Refusal(problem, (value, name)))
                continue
            shown = for_tooltip(value) if name == "title" else value
            yield name, _attribute(shown)

    def _allowed(self, tag: str, name: str) -> bool:
        return (
            name in _GLOBAL_ATTRIBUTES
            or name.startswith("aria-")
            or name in _ATTRIBUTES.get(tag, ())
            or (tag in _SVG and name in _SVG_ATTRIBUTES)
        )

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping:
                self.dropping = None
            return
        if tag in ("p", "br"):
            self.svg_depth = 0
        if tag not in _ELEMENTS or tag in _VOID or (tag in _SVG_ONLY and not self.svg_depth):
            return
        self.out.append(f"</{tag}>")
        if tag in _HEADINGS:
            self.heading_depth = max(self.heading_depth - 1, 0)
        if tag == "svg":
            self.svg_depth = max(self.svg_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.heading_depth and _LESS_THAN in data:
            self.refusals.append(Refusal(title_problem(data), (data.strip(),)))
            data = inert_title(data)
        self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        """Comments are dropped: a reader never sees them, and old browsers ran some."""

    def handle_decl(self, decl: str) -> None:
        self.refusals.append(Refusal("a declaration (<!...>) is refused in a page", (f"<!{decl}",)))

    def unknown_decl(self, data: str) -> None:
        self.refusals.append(Refusal("a CDATA section or declaration is refused in a page", (f"<![{data}",)))

    def handle_pi(self, data: str) -> None:
        self.refusals.append(Refusal("a processing instruction (<?...>) is refused in a page", (f"<?{data}",)))


def _paint_problem(tag: str, value: str) -> str | None:
    if tag in _SVG and _PAINT_URL.search(value):
        return f"the value '{shorten(value, 40)}' is refused: 'url(…)' would load from another address; give a colour"
    return None


def _attribute(value: str) -> str:
    """An attribute's value, escaped to go between double quotes."""
    return html.escape(value, quote=False).replace('"', "&quot;")


def _attribute_message(name: str, tag: str) -> str:
    if name.startswith("on"):
        return f"the attribute '{name}' is refused: a page runs no script written in it"
    return f"the attribute '{name}' is refused on <{tag}>: pages set ids, classes, titles and links only"




def plain_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment (a title as MkDocs or a page gives it)."""
    reader = _TextReader()
    reader.feed(fragment)
    reader.close()
    return "".join(reader.text)


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)
