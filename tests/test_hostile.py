"""Hostile strings never become markup: every text field of the data set to HTML and script payloads.

The payloads go into every string field of every data file, a few builds at a time: one
build can carry a payload in many fields, since the whole output is checked. Which fields
get which payload follows their kind in the JSON Schemas, so that most items survive the
schema and their payloads are rendered: Markdown fields and quotes take raw HTML, every
free-text field takes Markdown that tries to link to ``javascript:``, break out of an
attribute or set one through an attribute list, and the plain-text and structural fields
(ids, dates, URLs, choices) take raw HTML, which leaves their items out. The builds are not
strict (as in ``mkdocs serve``), so that the site is written, problems banner included.

Then, property-based tests (Hypothesis) of the Markdown extension on generated pages that
mix code, links, citations and glossary terms: code is never changed, links never nest,
and running the tree processor again over its own output changes nothing.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, Build, Project
from explainer import citations, render
from explainer.annotate import AnnotateTreeprocessor, ExplainerExtension
from explainer.backlinks import Ledger, PageInfo, PageNotes
from explainer.index import Index
from explainer.validate import load_checked
from explainer.site import Site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCRIPT = '<script>alert("xss")</script>"><img src=x onerror=alert(1)><a href="javascript:alert(2)">a</a>'
"""Raw HTML: a script, an attribute breaking out of its quotes, a javascript: link."""
MARKDOWN = (
    '[click](javascript:alert(3)) ![img](data:text/html,alert) " onmouseover="alert(4)" '
    '*CANN*{: onclick="alert(5)" } [safe](https://example.org){ href="javascript:alert(6)" } `code`'
)
"""The same without angle brackets, as Markdown: what a plain-text field lets through. Attribute
lists ({: ... }) right after an element set its attributes, and so are tried too."""

SCHEMAS = ROOT / "data" / "schema"
COMMON = json.loads((SCHEMAS / "common.schema.json").read_text("utf-8"))["$defs"]
FREE_TEXT = {"plain_text", "markdown", "quote"}
# Where a browser loads or follows a URL.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "background", "data", "srcset")
NOISE = re.compile(r"[\x00-\x20\x7f]")
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.IGNORECASE)


def _data_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every data file with its schema's file name."""
    for name in ("glossary", "timeline", "entities", "claims"):
        yield root / "data" / f"{name}.yaml", f"{name}.schema.json"
    for path in sorted((root / "data" / "sources").glob("*.yaml")):
        yield path, "source.schema.json"


def _resolve(node: dict) -> tuple[dict, str | None]:
    """A schema node with its ``$ref`` followed, and the name of the definition it refers to."""
    kind = None
    while "$ref" in node:
        kind = node["$ref"].rsplit("/", 1)[1]
        node = {**COMMON[kind], **{key: value for key, value in node.items() if key != "$ref"}}
    return node, kind


def _string_fields(value: Any, node: dict, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """The path and kind (a definition of common.schema.json, or "enum") of every string in ``value``."""
    node, kind = _resolve(node)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _string_fields(item, node["properties"][key], (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_fields(item, node["items"], (*path, index))
    elif isinstance(value, str):
        yield path, kind or ("enum" if "enum" in node else "text")


def _set(document: Any, path: tuple, value: str) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def poison(project: Project, payload_for: dict[str, str]) -> int:
    """Set every string field to the payload for its name or else its kind, if any; how many were set."""
    count = 0
    for path, schema in _data_files(project.root):
        document = yaml.safe_load(path.read_text("utf-8"))
        root_schema = json.loads((SCHEMAS / schema).read_text("utf-8"))
        for field, kind in list(_string_fields(document, root_schema)):
            name = next(step for step in reversed(field) if isinstance(step, str))
            payload = payload_for.get(name, payload_for.get(kind))
            if payload is not None:
                _set(document, field, payload)
                count += 1
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return count


ROUNDS = {
    # Definitions too, while the aliases stay: terms are linked, with the payload as their tooltip.
    "raw HTML in Markdown fields and quotes": {"markdown": SCRIPT + " " + MARKDOWN, "quote": SCRIPT, "definition": MARKDOWN},
    "Markdown tricks in every free-text field": dict.fromkeys(FREE_TEXT, MARKDOWN),
    "raw HTML in plain-text fields (their items are left out)": {"plain_text": SCRIPT},
    "raw HTML in ids, dates, URLs and choices (their items are left out)": dict.fromkeys(
        ("id", "date", "day", "url", "enum"), SCRIPT
    ),
}


@pytest.fixture(scope="module")
def clean_scripts(site: Build) -> set[tuple[str | None, str | None]]:
    """Material's own scripts, as the real site has them: the only ones a page may carry."""
    return {
        (script.get("src"), script.string)
        for path in site.site.rglob("*.html")
        for script in BeautifulSoup(path.read_text("utf-8"), "html.parser").find_all("script")
    }


def _markup_problems(soup: BeautifulSoup, scripts: set, where: str) -> Iterator[str]:
    for element in soup.find_all(True):
        # The head's JSON-LD carries the data, payloads included: tests/test_published.py checks it stays data.
        linked_data = element.get("type") == "application/ld+json" and element.parent.name == "head"
        if element.name == "script" and not linked_data and (element.get("src"), element.string) not in scripts:
            yield f"{where}: a script not of Material's: {element}"
        if element.name in ("iframe", "object", "embed", "img", "base", "frame"):
            yield f"{where}: <{element.name}> from data: {element}"
        for attribute, value in element.attrs.items():
            if attribute.lower().startswith("on"):
                yield f"{where}: event handler {attribute}={value!r} on <{element.name}>"
            if attribute.lower() in URL_ATTRIBUTES and UNSAFE_SCHEME.match(NOISE.sub("", str(value))):
                yield f"{where}: {attribute}={value!r} on <{element.name}>"


@pytest.mark.slow
@pytest.mark.parametrize("payload_for", ROUNDS.values(), ids=ROUNDS.keys())
def test_no_payload_in_any_data_field_becomes_markup(project: Project, clean_scripts: set, payload_for):
    assert poison(project, payload_for) > 0
    build = project.build(strict=False)
    assert build.returncode == 0 and "Traceback" not in build.output, build.output
    pages = sorted(build.site.rglob("*.html"))
    assert len(pages) > 5
    problems, titles, texts = [], [], []
    for path in pages:
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        problems += _markup_problems(soup, clean_scripts, str(path.relative_to(build.site)))
        # What a tooltip shows: Material inserts the decoded title as HTML, so it is decoded once more.
        titles += [html.unescape(element["title"]) for element in soup.find_all(title=True)]
        texts.append(soup.get_text())
    index = json.loads((build.site / "search" / "search_index.json").read_text("utf-8"))
    for entry in index["docs"]:
        for field in ("title", "text"):
            soup = BeautifulSoup(entry[field], "html.parser")
            problems += _markup_problems(soup, set(), f"search index, {entry['location']}, {field}")
    assert problems == []
    # The payloads were rendered, as text: in tooltips (title attributes) and in the pages.
    every_text = "\n".join(texts)
    if payload_for.get("definition") == MARKDOWN:
        assert any(title == MARKDOWN for title in titles), "no term's tooltip shows its definition"
    if payload_for.get("plain_text") == MARKDOWN:
        assert any(title.startswith(MARKDOWN + " — ") for title in titles), "no citation's tooltip shows its title"
        assert '" onmouseover="alert(4)" *CANN*{: onclick="alert(5)" }' in every_text
    if "markdown" in payload_for and SCRIPT in payload_for["markdown"]:
        assert '<script>alert("xss")</script>' in every_text
    if "quote" in payload_for and payload_for["quote"] == SCRIPT:
        assert any(SCRIPT in title for title in titles), "no citation tooltip shows its quote"
    if payload_for.get("plain_text") == SCRIPT or "id" in payload_for:
        assert "The site's files have" in every_text  # the banner lists the problems, as text


def test_every_field_of_every_generated_page_is_escaped_even_past_the_schema():
    """The renderer's escaping on its own: every field, plain text included, set to raw HTML."""
    site = Site(ROOT)

    def hostile(item: Any) -> Any:
        changes = {
            field.name: SCRIPT
            for field in dataclasses.fields(item)
            if isinstance(getattr(item, field.name), str) and field.name not in ("id", "source", "text_path", "kind")
        }
        return dataclasses.replace(item, **changes)

    dataset = dataclasses.replace(
        site.dataset,
        sources={key: hostile(source) for key, source in site.dataset.sources.items()},
        terms=tuple(map(hostile, site.dataset.terms)),
        events=tuple(map(hostile, site.dataset.events)),
        entities=tuple(map(hostile, site.dataset.entities)),
        claims=tuple(map(hostile, site.dataset.claims)),
    )
    index = Index(dataclasses.replace(load_checked(ROOT), dataset=dataset))
    for page in render.pages(dataset, site.templates):
        html = _convert(index, page.markdown, page.src_uri, report=False)
        soup = BeautifulSoup(html, "html.parser")
        assert list(_markup_problems(soup, set(), page.src_uri)) == []
        assert '<script>alert("xss")</script>' in soup.get_text(), page.src_uri


# -- property-based tests of the Markdown extension ----------------------------------------------

SITE = Site(ROOT)
ALIASES = sorted({alias for term in SITE.dataset.terms for alias in term.aliases})
QUOTES = sorted({point.citation.quote for source in SITE.dataset.sources.values() for point in source.key_points})
EXTENSIONS = ["admonition", "attr_list", "tables", "toc", "pymdownx.superfences"]

words = st.sampled_from(["the", "chips", "and", "中文", "🚀", "V4", "x", "Ascend 950PR", "CANNY", "xMoE"])
citation = st.one_of(
    st.sampled_from(sorted(SITE.dataset.sources)).map(lambda source: f"[@{source}]"),
    st.sampled_from(QUOTES[:20]).map(lambda quote: citations.format_citations([(_source_of(quote), quote)])),
    st.just("[@no-such-source]"),
)
plain = st.lists(st.one_of(words, st.sampled_from(ALIASES), citation), min_size=1, max_size=6).map(" ".join)
code_span = st.lists(st.one_of(words, st.sampled_from(ALIASES), citation), max_size=4).map(
    lambda parts: "`" + (" ".join(parts) or "x") + "`"
)
link = st.tuples(plain, st.sampled_from(["https://example.org/a", "../glossary.md", "#top"])).map(
    lambda parts: f"[{parts[0]}]({parts[1]})"
)
inline = st.lists(st.one_of(plain, code_span, link), min_size=1, max_size=5).map(" ".join)
block = st.one_of(
    inline,
    inline.map(lambda text: f"## {text}"),
    st.lists(st.one_of(words, st.sampled_from(ALIASES), citation), max_size=5).map(
        lambda parts: "```text\n" + " ".join(parts) + "\n```"
    ),
    st.tuples(plain, inline).map(lambda parts: f'!!! note "{parts[0]}"\n\n    {parts[1]}'),
    st.tuples(inline, inline).map(lambda cells: f"| a | b |\n|---|---|\n| {cells[0]} | {cells[1]} |"),
    st.tuples(plain, inline).map(lambda parts: f"- {parts[0]}\n- {parts[1]}"),
)
document = st.lists(block, min_size=1, max_size=6).map("\n\n".join)


def _source_of(quote: str) -> str:
    return next(
        source.id for source in SITE.dataset.sources.values() if any(p.citation.quote == quote for p in source.key_points)
    )


def _convert(index: Index, text: str, src_uri: str = "topics/x.md", *, report: bool = True, ours: bool = True) -> str:
    page = PageInfo(src_uri=src_uri, display_path=f"docs/{src_uri}", source_text=text, report_problems=report)
    extensions: list[Any] = list(EXTENSIONS)
    if ours:
        extensions.insert(0, ExplainerExtension(index, Ledger(), current_page=lambda: page))
    return markdown.Markdown(extensions=extensions).convert(text)


def _code(html: str) -> list[str]:
    return [code.get_text() for code in BeautifulSoup(html, "html.parser").find_all("code")]


PROPERTY = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(document)
def test_text_inside_code_is_never_changed(text: str):
    assert _code(_convert(SITE.index, text)) == _code(_convert(SITE.index, text, ours=False))


@PROPERTY
@given(document)
def test_links_never_nest_and_terms_are_never_linked_where_they_must_not_be(text: str):
    soup = BeautifulSoup(_convert(SITE.index, text), "html.parser")
    for link in soup.find_all("a"):
        assert link.find_parent("a") is None, link
    for term in soup.select("a.glossary-term"):
        assert term.find_parent(["code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "a"]) is None, term
        assert term.find_parent(class_="admonition-title") is None, term
    linked = [term["href"] for term in soup.select("a.glossary-term")]
    assert len(linked) == len(set(linked))


@PROPERTY
@given(document)
def test_running_the_transforms_again_over_their_output_changes_nothing(text: str):
    html = _convert(SITE.index, text)
    tree = etree.fromstring(f"<div>{html}</div>")
    before = etree.tostring(tree, encoding="unicode")
    md = markdown.Markdown(extensions=EXTENSIONS)
    page = PageInfo(src_uri="topics/x.md", display_path="docs/topics/x.md", source_text=html)
    notes = PageNotes(page)
    AnnotateTreeprocessor(md, SITE.index, notes, Ledger()).run(tree)
    assert etree.tostring(tree, encoding="unicode") == before
    assert notes.problems == []
    # As Markdown, the output is raw HTML: converting it again passes it through untouched.
    assert _convert(SITE.index, html) == html
