"""The baseline: every page as the hooks produce it, written once as plain Markdown.

A capturing build (``child.py --capture``) records, for each page, the Markdown that
MkDocs converted (the hand-written text, or the generated page) and what the hooks
added while converting it: each citation's numbered reference (as the inline HTML the
hooks made), each glossary link (where it was made, its target and tooltip), the
"Sources" list, and, once every page is converted, the back-link lists. ``write``
then puts those additions into the Markdown itself, so that plain MkDocs + Material,
without the hooks, builds the same pages with the same links, lists and anchors:

- a citation ``[@id, "quote"]`` becomes ``<sup class="citation">[<a href="#ref-id" title="…">1</a>]</sup>``;
- the first use of a term becomes ``[MoE](../glossary.md#moe){ .glossary-term title="…" }``,
  at the same place in the text (the first occurrence, after the previous link, outside
  code, headings, links and tags);
- the "Sources" list becomes a Markdown heading and ordered list with the same links and quotes;
- a back-link placeholder becomes the HTML list the hooks put in its place.

What the baseline cannot reproduce is counted and printed (``misses``), never hidden.
"""

from __future__ import annotations

import bisect
import functools
import re
import shutil
import sys
import xml.etree.ElementTree as etree
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from synth import replace_nav

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
# Places a glossary link never goes (beyond code): headings, admonition titles, links, tags, attribute lists.
_NO_LINK = re.compile(
    r"^[ \t]*#.*$|^[ \t]*(?:!!!|\?\?\?\+?).*$|!?\[[^\]\n]*\]\([^)\n]*\)(?:\{[^}\n]*\})?|<[^>\n]*>|\{[^}\n]*\}"
    r"|<(a|sup|q|code)\b[^>]*>.*?</\1>",
    re.M,
)


@dataclass
class Capture:
    """What a capturing build recorded, page by page, and what the baseline could not place."""

    site: object = None
    files: object = None
    markdown: dict[str, str] = field(default_factory=dict)
    meta: dict[str, dict] = field(default_factory=dict)
    citations: dict[str, list[tuple[str, etree.Element]]] = field(default_factory=lambda: defaultdict(list))
    terms: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, str] = field(default_factory=dict)
    generated: set[str] = field(default_factory=set)
    misses: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    # -- the final Markdown of each page -----------------------------------------------------

    def page(self, src_uri: str) -> str:
        text = self.markdown[src_uri]
        text = self._citations(src_uri, text)
        text = self._terms(src_uri, text)
        if src_uri in self.sources:
            text = text.rstrip("\n") + "\n\n" + self.sources[src_uri]
        if src_uri in self.generated:
            text = self.site.fill_in(text, src_uri, self._url_to)
        meta = self.meta.get(src_uri)
        if meta:
            text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n" + text
        return text

    def _citations(self, src_uri: str, text: str) -> str:
        """Each citation replaced by its reference; Python-Markdown meets them out of document order."""
        masked = _masked(text, _FENCE, _CODE_SPAN)
        found, next_start = [], {}
        for written, sup in self.citations.get(src_uri, ()):
            match = _find(_flexible(written), text, next_start.get(written, 0), masked)
            if match is None:
                self.misses["citation"] += 1
                continue
            next_start[written] = match.end()
            found.append((match.start(), match.end(), _html_without_tail(sup)))
        out, position = [], 0
        for start, end, html in sorted(found):
            out += [text[position:start], html]
            position = end
        return "".join(out) + text[position:]

    def _terms(self, src_uri: str, text: str) -> str:
        out, position = [], 0
        masked = _masked(text, _FENCE, _CODE_SPAN, _NO_LINK)
        for written, href, title in self.terms.get(src_uri, ()):
            guard = r"(?<![A-Za-z0-9])" if re.match(r"[A-Za-z0-9]", written) else ""
            after = r"(?![A-Za-z0-9])" if re.search(r"[A-Za-z0-9]$", written) else ""
            match = _find(guard + _flexible(written) + after, text, position, masked)
            if match is None:
                self.misses["glossary link"] += 1
                continue
            title = title.replace('"', "&quot;")
            out += [text[position : match.start()], f'[{match[0]}]({href}){{ .glossary-term title="{title}" }}']
            position = match.end()
        return "".join(out) + text[position:]

    def _url_to(self, target: str, origin: str) -> str:
        from mkdocs.utils import get_relative_url

        return get_relative_url(self.files.get_file_from_path(target).url, self.files.get_file_from_path(origin).url)

    def write(self, docs: Path, out: Path, nav: list) -> None:
        """The baseline's docs folder: the project's docs, each page's final Markdown, and the other
        files the hooks add (the article texts, the data published as JSON); beside it, the navigation
        as the hooks left it (with the parts of a split list), which the baseline and the reference share."""
        shutil.copytree(docs, out)
        nav_file(out).write_text(yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False), "utf-8")
        for src_uri in self.markdown:
            path = out / src_uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.page(src_uri), encoding="utf-8")
        for file in self.files:
            if file.generated_by is not None and not file.is_documentation_page():
                path = out / file.src_uri
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(file.content_bytes)
        if self.misses:
            print(f"baseline: not placed: {dict(self.misses)}", file=sys.stderr)


def _html_without_tail(element: etree.Element) -> str:
    """The element's HTML alone: by the end of the build its tail holds the text after it in the page."""
    alone = etree.Element(element.tag, element.attrib)
    alone.text = element.text
    alone.extend(element)
    return etree.tostring(alone, encoding="unicode", method="html")


def _flexible(written: str) -> str:
    """A pattern for ``written`` in Markdown source, where a line break may stand for a space."""
    return r"\s+".join(map(re.escape, written.split()))


def _masked(text: str, *patterns: re.Pattern) -> tuple[list[int], list[int]]:
    """The parts of ``text`` the patterns match, merged into sorted, disjoint (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(match.span() for pattern in patterns for match in pattern.finditer(text)):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _find(pattern: str, text: str, start: int, masked: tuple[list[int], list[int]]) -> re.Match | None:
    """The first match of ``pattern`` in ``text`` from ``start`` that overlaps no masked part."""
    starts, ends = masked
    for match in re.compile(pattern).finditer(text, start):
        index = bisect.bisect_right(starts, match.end() - 1) - 1  # the last part starting inside or before
        if index < 0 or ends[index] <= match.start():
            return match
    return None


def install(config, hook) -> Capture:
    """Wrap the hook's events and the extension so that a build records what the baseline needs."""
    capture = Capture()
    annotate = sys.modules["explainer.annotate"]
    module_name = hook.__name__

    def on_page_markdown(original):
        @functools.wraps(original)
        def wrapper(markdown, *, page, config, files):
            result = original(markdown, page=page, config=config, files=files)
            capture.markdown[page.file.src_uri] = result if result is not None else markdown
            capture.meta[page.file.src_uri] = dict(page.meta)
            return result

        return wrapper

    def on_env(original):
        @functools.wraps(original)
        def wrapper(env, *, config, files):
            capture.site, capture.files = hook._build.site, files
            capture.generated = set(hook._build.generated)
            return original(env, config=config, files=files)

        return wrapper

    events = config.plugins.events
    for event, wrap in (("page_markdown", on_page_markdown), ("env", on_env)):
        events[event] = [
            wrap(method) if getattr(method, "__module__", None) == module_name else method for method in events[event]
        ]

    handle_match = annotate.CitationPattern.handleMatch

    def handle(self, m, data):
        element, start, end = handle_match(self, m, data)
        capture.citations[self.notes.page.src_uri].append((m.group(0), element))
        return element, start, end

    term_link = annotate.AnnotateTreeprocessor._term_link

    def link(self, term_id, written):
        element = term_link(self, term_id, written)
        capture.terms[self.notes.page.src_uri].append((written, element.get("href"), element.get("title")))
        return element

    run = annotate.AnnotateTreeprocessor.run

    def annotated(self, root):
        run(self, root)
        if self.notes.numbers:
            capture.sources[self.notes.page.src_uri] = _sources_markdown(self)

    annotate.CitationPattern.handleMatch = handle
    annotate.AnnotateTreeprocessor._term_link = link
    annotate.AnnotateTreeprocessor.run = annotated
    return capture


def _sources_markdown(processor) -> str:
    """The page's "Sources" list, as the hooks append it, in Markdown."""
    from explainer.render import escape_markdown, reading_page, source_date

    notes, index = processor.notes, processor.index
    lines = ["## Sources { #sources }", ""]
    for number, source_id in enumerate(sorted(notes.numbers, key=notes.numbers.__getitem__), 1):
        source = index.sources[source_id]
        href = notes.href(f"sources/{source_id}.md")
        line = f"{number}. [{escape_markdown(source.title)}]({href}) — {escape_markdown(source.publisher)}, {source_date(source)}. "
        if source.url:
            line += f"[Read the original](<{source.url}>){{ .explainer-original }}"
        else:
            line += f'<span class="explainer-no-url">{escape_markdown(source.url_note or "")}</span>'
        lines += [line, f"    {{ #ref-{source_id} }}"]
        for quote in notes.quotes.get(source_id, ()):
            passage = index.passage(source_id, quote)
            shown = f"<q>{escape_markdown(quote)}</q>"
            lines.append(f"    - [{shown}]({notes.href(reading_page(source_id), passage.anchor)})" if passage else f"    - {shown}")
    return "\n".join(lines) + "\n"


def nav_file(docs: Path) -> Path:
    """Where a capturing build writes its navigation: beside the docs folder, not in it."""
    return docs.with_name(f"{docs.name}-nav.yml")


def captured_nav(docs: Path) -> list:
    """The navigation that the capturing build of ``docs`` wrote beside it."""
    return yaml.safe_load(nav_file(docs).read_text("utf-8"))["nav"]


def config_text(config: str, docs_dir: str, nav: list) -> str:
    """The project's configuration without the hooks (and what only they need), for ``docs_dir``, with
    ``nav``, the navigation the hooks made."""
    config = replace_nav(config, nav)
    for key in ("hooks", "watch", "docs_dir", "not_in_nav"):
        config = drop_block(config, key)
    return config.rstrip("\n") + f"\ndocs_dir: {docs_dir}\nnot_in_nav: |\n  /sources/**/*.md\n"


def drop_block(config: str, key: str) -> str:
    """The configuration without its top-level ``key`` block (the key, its value and the lines indented under it)."""
    match = re.search(rf"^{key}:.*\n(?:(?:[ \t-].*|)\n)*", config, flags=re.M)
    return config[: match.start()] + config[match.end() :] if match else config

