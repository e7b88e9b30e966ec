"""The rule for what a page may hold (explainer.inert, explainer.nesting), on HTML and on real builds.

The first tests give :func:`make_inert` one member of each class of hostile HTML and check both
halves of its job: the refusal is reported, and what it writes holds nothing that could run,
even after a browser decodes an attribute and Material inserts it as HTML. Then strict builds
of a project with a hostile page and hostile data show each problem as one ``path:line``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from conftest import Project
from explainer import nesting
from explainer.inert import make_inert, plain_text

HOSTILE_HTML = {
    "a script": ('<script>alert(1)</script>', "element <script> is refused"),
    "a frame": ('<iframe src="https://example.org"></iframe>', "element <iframe> is refused"),
    "a style sheet": ("<style>body{display:none}</style>", "element <style> is refused"),
    "an event handler": ("<img src=x onerror=alert(1)>", "attribute 'onerror' is refused"),
    "an event handler in upper case": ('<p ONCLICK="alert(1)">x</p>', "attribute 'onclick' is refused"),
    "an SVG event handler": ('<svg onload=alert(1)><rect width="1" /></svg>', "attribute 'onload' is refused"),
    "a javascript: link": ('<a href="javascript:alert(1)">x</a>', "link to 'javascript:alert(1)' refused"),
    "a link in upper case": ('<a HREF="JavaScript:alert(1)">x</a>', "link to 'JavaScript:alert(1)' refused"),
    "an entity-encoded scheme": ('<a href="&#106;avascript:alert(1)">x</a>', "link to 'javascript:alert(1)' refused"),
    "a tab inside the scheme": ('<a href="java&Tab;script:alert(1)">x</a>', "refused: only http:// and https://"),
    "a data: image": ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "link to 'data:image"),
    "a style attribute": ('<p style="position:fixed">x</p>', "attribute 'style' is refused on <p>"),
    "a form": ('<form action="https://example.org"><input name=a></form>', "element <form> is refused"),
    "a base URL": ('<base href="https://example.org/">', "element <base> is refused"),
    # Material's script takes its settings, the search worker's URL among them, from the first #__config.
    "the theme's settings": ('<div id="__config">{"search": "data:text/javascript,x"}</div>', "the id '__config' is refused"),
    "a chart the theme fetches a script for": ('<pre class="x Mermaid"><code>graph LR</code></pre>', "the class 'Mermaid' is refused"),
    # An overflowing .md-ellipsis gets its text, decoded, as a tooltip Material inserts as HTML.
    "a class of the theme's": ('<pre class="md-ellipsis">&lt;img src=x onerror=alert(1)&gt;</pre>', "the class 'md-ellipsis' is refused"),
    "a <title> outside an SVG": ("<p><title>the rest of the page", "the element <title> belongs inside an inline <svg>"),
    "a <title> after a paragraph ended the SVG": (
        '<svg viewBox="0 0 10 10"><p>A caption.</p><title>Chart</title></svg>', "the element <title> belongs inside an inline <svg>"
    ),
    "a paint server on another host": ('<svg><rect fill="url(https://example.org/p.svg#p)" /></svg>', "the value 'url(https://example.org/p.svg#p)' is refused"),
    "an image from another host": ('<img src="https://example.org/pixel.png">', "the image 'https://example.org/pixel.png' is refused"),
}


class _Markup(HTMLParser):
    """Everything an HTML parser makes of a text: elements with their attributes, and comments."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)


def _nothing_runs(written: str) -> None:
    """What ``written`` becomes in a browser holds no script, and neither do its titles once
    Material inserts them as HTML (the browser decodes the attribute, then innerHTML parses it);
    nothing in it is taken by the theme's script for its own."""
    for tag, attributes in _Markup(written).elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "form", "base"}, written
        assert tag != "title" or "<svg" in written, written
        assert not (attributes.get("id") or "").startswith("__"), written
        assert not any(word.startswith("md-") or word == "mermaid" for word in (attributes.get("class") or "").lower().split()), written
        assert "url(" not in (attributes.get("fill") or "") and not (attributes.get("src") or "").startswith("http"), written
        for name, value in attributes.items():
            assert not name.startswith("on"), written
            assert not (value or "").replace("\t", "").lower().startswith(("javascript:", "data:")), written
            if name == "title":
                assert _Markup(value or "").elements == [], f"the tooltip of {written!r} makes elements"


@pytest.mark.parametrize(("hostile", "message"), HOSTILE_HTML.values(), ids=HOSTILE_HTML.keys())
def test_hostile_html_is_reported_and_never_written(hostile: str, message: str):
    inert = make_inert(f"<p>Before</p>{hostile}<p>After</p>")
    assert any(message in refusal.message for refusal in inert.refusals), inert.refusals
    _nothing_runs(inert.html)
    assert "<p>Before</p>" in inert.html and "<p>After</p>" in inert.html


@pytest.mark.parametrize(
    "title",
    ["&lt;img src=x onerror=alert(1)&gt;", "&#60;img src=x onerror=alert(1)&#62;", "&lt;img src=x onerror=alert(1)", "<b>bold</b>"],
)
def test_a_title_stays_text_after_the_browser_and_the_tooltip_decode_it(title: str):
    written = make_inert(f'<a href="#x" title="{title}">x</a>').html
    _nothing_runs(written)
    # The tooltip shows the text the title read as in the page: decoded once by the browser, shown as text.
    (_, attributes), = _Markup(written).elements
    assert html.unescape(attributes["title"]) == html.unescape(title)


def test_a_heading_with_a_tag_start_is_reported_and_shown_without_it():
    inert = make_inert("<h2>The <code>&lt;/title&gt;&lt;script&gt;</code> trick</h2>")
    assert [refusal.message.split(":")[0] for refusal in inert.refusals] == ["the title '</title><script>' contains '<'"]
    assert "<" not in plain_text(inert.html.replace("<h2>", "").replace("</h2>", "").replace("<code>", "").replace("</code>", ""))
    assert "‹/title&gt;‹script&gt;" in inert.html


def test_what_the_site_writes_passes_through_unchanged_in_meaning():
    page = (
        '<div class="admonition note"><p class="admonition-title">Note</p><p>A <a href="../x/#y" title="R&amp;D">'
        'link</a>, <code>&lt;code&gt;</code> and “quotes”.</p></div>\n<svg role="img" viewBox="0 0 10 10" '
        'aria-labelledby="t"><title id="t">Chart</title><rect x="1" y="1" width="2" height="3"/></svg>'
        '<details open><summary>Q</summary><p>A</p></details><!-- a comment -->'
    )
    inert = make_inert(page)
    assert inert.refusals == []
    kept = [(tag, {k: v for k, v in attributes.items() if k != "title"}) for tag, attributes in _Markup(inert.html).elements]
    original = [(tag, {k: v for k, v in attributes.items() if k != "title"}) for tag, attributes in _Markup(page).elements]
    assert kept == original
    assert plain_text(inert.html) == plain_text(page)
    assert _Markup(inert.html).comments == []


def test_nesting_is_refused_at_the_first_line_of_each_run():
    text = "fine\n" + "".join("    " * depth + "- item\n" for depth in range(40)) + "fine\n" + "*" * 40 + "x" + "*" * 40
    found = [(text.count("\n", 0, offset) + 1, message.split(",")[0]) for offset, message in nesting.nesting_problems(text)]
    assert found == [(19, "this line is indented 68 columns"), (43, "a run of 40 '*' or '_' nests emphasis more than 16 levels deep; escape them (\\*) or put them in `code`")]
    assert list(nesting.nesting_problems("----\n" + "*" * 80 + "\n" + "_ " * 60)) == []  # thematic breaks


HOSTILE_PAGE = """\
---
title: "</title><script>alert('front matter')</script> & co"
---
# The `</title><script>alert(1)</script>` trick

Cited [@v4-brief].

<script>alert(3)</script>
<img src=x onerror=alert(4)>
<a href="javascript:alert(5)">five</a>

[six](https://example.org){ HREF="javascript:alert(6)" } and [seven](&#106;avascript:alert(7)) [@v4-brief].

<svg onload=alert(8)><rect width="1" height="1"/></svg>

An unclosed citation [@v4-brief, "complete reliance

A one-character quote [@v4-brief, "a"].
"""
DEEP_LIST = "# Deep\n\nCited [@v4-brief].\n\n" + "".join("    " * depth + "- deep\n" for depth in range(300))
"""Line 22 is the first indented more than 16 levels (68 columns)."""
DEEP_EMPHASIS = "# Deep\n\nCited [@v4-brief].\n\nAlternating: " + "*a _b " * 1200 + "x" + " b_ a*" * 1200 + "\n"
"""Too deep for Python-Markdown, in a way no line shows: caught when the conversion fails."""


@pytest.mark.slow
def test_a_hostile_page_fails_the_strict_build_one_line_per_problem(project: Project):
    project.write("docs/topics/hostile.md", HOSTILE_PAGE)
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    reported = [line.removeprefix("ERROR   -  ") for line in build.output.splitlines() if line.startswith("ERROR")]
    expected = [
        ":2: the title '</title><script>alert('front matter')</script> & co' contains '<'",
        ":4: the title '</title><script>alert(1)</script>' contains '<'",
        ":8: the HTML element <script> is refused",
        ":9: the attribute 'onerror' is refused",
        ":10: link to 'javascript:alert(5)' refused",
        ":12: link to 'javascript:alert(6)' refused",
        ":12: link to 'javascript:alert(7)' refused",
        ":14: the attribute 'onload' is refused",
        ":16: the quote in the citation '[@v4-brief, \"complete reliance' is not closed",
        ":18: the quote \"a\" is too short",
    ]
    for piece in expected:
        assert any(line.startswith("docs/topics/hostile.md" + piece) for line in reported), (piece, reported)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_pages_that_nest_too_deeply_or_leave_brackets_open_fail_the_strict_build_without_a_traceback(project: Project):
    project.write("docs/topics/deep-list.md", DEEP_LIST)
    project.write("docs/topics/deep-emphasis.md", DEEP_EMPHASIS)
    # Python-Markdown reads from every "[" to the paragraph's end: 8,000 unclosed ones took it minutes.
    project.write("docs/topics/brackets.md", "# Brackets\n\nCited [@v4-brief].\n\n" + "[a " * 8000 + "\n")
    # Python 3.11's HTMLParser looks for the end of each unclosed declaration to the end of the page.
    project.write("docs/topics/cdata.md", "# CDATA\n\nCited [@v4-brief].\n\n" + "<![CDATA[" * 2000 + "\n")
    project.write("docs/topics/tags.md", "# Tags\n\nCited [@v4-brief].\n\n" + "<a " * 40_000 + "\n")
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    assert "docs/topics/deep-list.md:22: this line is indented 68 columns, more than 16 levels" in build.output
    assert "docs/topics/deep-emphasis.md:1: the page nests deeper than it can be converted" in build.output
    assert "docs/topics/brackets.md:5: 8000 '[' in this paragraph are never closed" in build.output
    assert "docs/topics/cdata.md:5: 2000 HTML tags ('<…') in this page are never closed by '>'" in build.output
    assert "docs/topics/tags.md:5: 40000 HTML tags ('<…') in this page are never closed by '>'" in build.output


@pytest.mark.slow
def test_data_that_would_mislead_is_refused_at_its_line(project: Project):
    project.replace("data/glossary.yaml", "aliases: [MoE,", "aliases: ['.', MoE,")
    alias = project.replace("data/glossary.yaml", "  - id: moe\n", "  - id: moe\n")  # reported on the term's line
    reserved = project.replace("data/glossary.yaml", "  - id: cann\n", "  - id: sources\n") + 1
    body = project.replace("data/glossary.yaml", "    body: >-\n      ", "    body: >-\n      " + "*" * 100 + "x\n      ") + 1
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    for line, piece in [
        (alias, "alias '.' has no letter, digit or Chinese character"),
        (reserved, "id 'sources' is taken by the Sources list"),
        (body, "a run of 100 '*' or '_' nests emphasis"),
    ]:
        assert f"data/glossary.yaml:{line}: {piece}" in build.output, (line, piece, build.output)


FRONT_MATTER = """\
---
title: A fine title
description: '"><img src=x onerror=alert(1)>'
Subtitle: <img src=x onerror=alert(2)>
template: redirect.html
location: '"+alert(3)+"'
hide: 5
tags: ['<img src=x onerror=alert(4)>']
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
---
Cited [@v4-brief].
"""


@pytest.mark.slow
@pytest.mark.timeout(300)  # before the rule, the aliases' ten million items took minutes and gigabytes
def test_front_matter_holds_only_a_title_and_nothing_else_reaches_the_page(project: Project):
    project.write("docs/topics/front.md", FRONT_MATTER)
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - topics/front.md\n  - Contributing: contributing.md")
    strict = project.build()
    assert strict.returncode != 0 and "Traceback" not in strict.output, strict.output
    reported = {int(line): field for line, field in re.findall(r"^ERROR +- +docs/topics/front\.md:(\d+): the front matter field '(\w+)'", strict.output, re.M)}
    fields = FRONT_MATTER.split("---")[1].splitlines()
    assert reported == {number: line.split(":")[0] for number, line in enumerate(fields, 1) if line and not line.startswith("title")}

    project.replace("docs/topics/front.md", "title: A fine title\n", "")
    line = project.replace("docs/topics/front.md", "\n---\nCited", "\ntitle: *g\n---\nCited") + 1
    preview = project.build(strict=False)
    assert preview.returncode == 0 and "Traceback" not in preview.output, preview.output
    assert f"docs/topics/front.md:{line}: the title is a list; write it as text" in preview.output
    page = (preview.site / "topics/front/index.html").read_text("utf-8")
    for written in ("alert(", "redirect", "onerror"):
        assert written not in page, written
    assert "onerror" not in (preview.site / "search/search_index.json").read_text("utf-8")
    assert "<title>Front - " in page  # the title MkDocs makes of the file's name


@pytest.mark.slow
def test_plain_text_and_titles_render_as_written(project: Project):
    """A plain-text field that starts like a collapsible block stays text; a title with '&' reads as written
    in every back-link list; a page where a generated page is published is refused."""
    project.replace("data/entities.yaml", "    context: ", '    context: ??? danger "A warning box?" ')
    project.replace("docs/topics/off-cuda.md", "# ", "# Chips & software — ")
    build = project.build()
    assert build.returncode == 0, build.output
    who = build.html("who/")
    assert who.select("details") == [] and '??? danger "A warning box?" ' in who.get_text()
    backlinks = [link.get_text() for link in build.html("glossary/").select(".explainer-backlinks a")]
    assert any(text.startswith("Chips & software — ") for text in backlinks), backlinks
    project.write("docs/sources.md", "# Where the sources index is published\n")
    clash = project.build()
    assert clash.returncode != 0
    assert "docs/sources.md:1: this page is made from data/sources/; rename the file" in clash.output


def test_a_reference_link_whose_target_is_on_the_next_line_is_checked(project: Project):
    """Python-Markdown reads ``[d]:`` and a target on the line after it as one reference definition."""
    from explainer.site import Site

    line = project.replace(
        "data/glossary.yaml", "    body: >-\n", "    body: |-\n      See [d].\n\n      [d]:\n      javascript:alert(1)\n\n"
    )
    assert [str(problem) for problem in Site(project.root).problems] == [
        f"data/glossary.yaml:{line + 4}: link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site"
    ]


def test_an_element_closed_as_in_xml_is_written_as_a_browser_reads_it():
    """'/>' closes an element in SVG only; in HTML, Python's parser and a browser would disagree on where it ends."""
    written = make_inert('<p><a href="#x" /> after</p><svg><rect width="1" /></svg><svg><br><a href="#y" /></svg>').html
    assert written == '<p><a href="#x"></a> after</p><svg><rect width="1" /></svg><svg><br><a href="#y"></a></svg>'


@pytest.mark.slow
@pytest.mark.timeout(300)  # before the limits, each page took about two minutes; a timeout, never a timing assertion
def test_a_page_python_markdown_would_reread_for_each_line_is_refused_at_its_lines(project: Project):
    """For each line it takes off a block, Python-Markdown's block parser tests the rest again; Material's search
    walks a page's whole table of contents for each heading. A block too long, or too many headings, is refused."""
    first = project.replace("docs/topics/off-cuda.md", "## What CUDA and CANN are", "*[x]: y\n" * 14000 + "\n## What CUDA and CANN are")
    project.write("docs/topics/attention-compression.md", project.read("docs/topics/attention-compression.md") + "\n" + "#a\n" * 25000)
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    assert f"docs/topics/off-cuda.md:{first}: a block of more than 300 lines without a blank line" in build.output
    assert re.search(r"docs/topics/attention-compression\.md:\d+: a block of more than 300 lines", build.output)
    assert "docs/topics/attention-compression.md:" in build.output and "more than 400 headings" in build.output
