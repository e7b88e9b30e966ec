"""The package's pieces on small inline inputs: loading, citations, alias matching, escaping."""

from __future__ import annotations

import ast
import dataclasses
import graphlib
import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT
from explainer import citations, front_matter, parts, render, validate
from explainer.annotate import ExplainerExtension
from explainer.backlinks import Ledger, PageInfo
from explainer.load import Written, line_of, load_yaml
from explainer.matcher import AliasMatcher
from explainer.model import ID_PATTERN, ChineseForm
from explainer.problems import Origin, ProblemError
from explainer.site import Site
from explainer.urls import link_between, url_problem
from mkdocs.utils.meta import YAML_RE


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "f.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_load_keeps_lines_and_dates_as_written(tmp_path):
    document, problems = load_yaml(_write(tmp_path, "a: 1\nitems:\n  - date: 2026-04-24\n    b: x\n"), tmp_path)
    assert problems == []
    assert document["items"][0]["date"] == "2026-04-24"
    assert line_of(document, ("items", 0, "b")) == 4
    assert line_of(document, ("items", 0, "missing")) == 3


def test_load_refuses_a_repeated_key_with_both_lines(tmp_path):
    _, problems = load_yaml(_write(tmp_path, "term: x\nid: a\nid: b\n"), tmp_path)
    assert [str(problem) for problem in problems] == ["f.yaml:3: 'id' is given twice (first on line 2); keep one"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "f.yaml:1: the file is empty"),
        (b"a: \xff\n", "f.yaml:1: not UTF-8 text (byte 0xff); save the file as UTF-8"),
        ("a:\n\tb: 1\n", "f.yaml:2: invalid YAML: found character '\\t' that cannot start any token "
         "(YAML indents with spaces, never tabs)"),
        # YAML 1.1's merge and value keys, which PyYAML tags and then cannot construct.
        ("a: 1\nb:\n  <<:\n    c: 2\n", "f.yaml:3: merge keys ('<<:') are not allowed in data files; write the fields out"),
        ("name: =\n", "f.yaml:1: YAML reads a bare '=' as a special key, not as text; put it in quotes"),
        ("a: 1\nterm: <<\n", "f.yaml:2: YAML reads a bare '<<' as a special key, not as text; put it in quotes"),
        ("- [=]\n", "f.yaml:1: YAML reads a bare '=' as a special key, not as text; put it in quotes"),
        # More digits than Python converts (sys.get_int_max_str_digits), as a value, a key, in base 60.
        ("a: " + "9" * 5000 + "\n", "f.yaml:1: a number of 5,000 digits is too long to read (at most 4,300); "
         "put it in quotes if it is text"),
        ("a: 1\n? " + "9" * 4301 + "\n: x\n", "f.yaml:2: a number of 4,301 digits is too long to read (at most 4,300); "
         "put it in quotes if it is text"),
        ("a: 1" + "0" * 4400 + ":30\n", "f.yaml:1: a number of 4,403 digits is too long to read (at most 4,300); "
         "put it in quotes if it is text"),
        # After a byte-order mark, the bad byte and its line are still the right ones.
        (b"\xef\xbb\xbfa: 1\nb: \xff\n", "f.yaml:2: not UTF-8 text (byte 0xff); save the file as UTF-8"),
        (b"\xef\xbb\xbf\x89PNG\n", "f.yaml:1: not UTF-8 text (byte 0x89); save the file as UTF-8"),
    ],
)
def test_load_turns_unreadable_files_into_one_line(tmp_path, text, message):
    with pytest.raises(ProblemError) as raised:
        load_yaml(_write(tmp_path, text), tmp_path)
    assert str(raised.value.problem) == message


def test_load_accepts_a_byte_order_mark_and_windows_line_ends(tmp_path):
    document, problems = load_yaml(_write(tmp_path, "\ufeffa: 超节点\r\nb: 2\r\n"), tmp_path)
    assert (document, problems) == ({"a": "超节点", "b": 2}, [])
    assert line_of(document, ("b",)) == 2


def test_citations_parse_several_with_escaped_quotes():
    [(_, body)] = citations.find_all('text [@a-b, "say \\"hi\\"; then ]"; @c] more')
    assert citations.parse(body) == [citations.Cited("a-b", 'say "hi"; then ]'), citations.Cited("c", None)]


def test_citations_leave_links_and_escaped_brackets_alone():
    assert citations.find_all("[@user](https://example.org) and \\[@not-a-citation]") == []


def test_a_malformed_citation_says_what_is_expected():
    with pytest.raises(citations.CitationSyntaxError, match=r"cannot read the citation '\[@a, p\. 3\]': write"):
        citations.parse("@a, p. 3")


def test_format_citations_round_trips_any_quote():
    quote = 'a "quoted" \\ back-slashed; ] string'
    [(_, body)] = citations.find_all(citations.format_citations([("src", quote), ("other", None)]))
    assert citations.parse(body) == [citations.Cited("src", quote), citations.Cited("other", None)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("华为CANN框架", [("CANN", "cann")]),
        ("MoE架构", [("MoE", "moe")]),
        ("CANNY and xMoE", []),
        ("Ascend 950PR", [("Ascend", "ascend")]),
        ("Ascend 950 超节点", [("Ascend 950", "ascend-950"), ("超节点", "supernode")]),
    ],
)
def test_aliases_match_in_chinese_text_longest_first(text, found):
    matcher = AliasMatcher(
        {"CANN": "cann", "MoE": "moe", "Ascend": "ascend", "Ascend 950": "ascend-950", "超节点": "supernode"}
    )
    assert [(text[start:end], key) for start, end, key in matcher.finditer(text)] == found


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True),
        ("../glossary/#moe", True),
        ("mailto:someone@example.org", True),
        ("javascript:alert(1)", False),
        ("JaVa\tScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("vbscript:x", False),
        ("//example.org/pixel.png", False),  # another host, by the page's own scheme
        ("/\\example.org", False),  # read by browsers as //example.org
        (" \t//example.org", False),
        ("/glossary/#moe", True),
    ],
)
def test_only_http_https_mailto_and_relative_urls_are_safe(url, safe):
    assert (url_problem(url, relative_ok=True) is None) is safe


def test_escape_markdown_renders_exactly_the_text():
    hostile = 'A <script>alert(1)</script> *title* [x](javascript:y) & "q" # `c` | ~'
    html = markdown.markdown(render.escape_markdown(hostile), extensions=["tables"])
    assert BeautifulSoup(html, "html.parser").get_text() == hostile
    assert "<script>" not in html


def test_a_source_title_with_script_renders_inert():
    site = Site(ROOT)
    source = next(iter(site.dataset.sources.values()))
    hostile = dataclasses.replace(source, title='<script>alert("x")</script>', publisher='"><img src=x onerror=alert(1)>')
    dataset = dataclasses.replace(site.dataset, sources={**site.dataset.sources, source.id: hostile})
    page = next(page for page in render.pages(dataset, site.templates) if page.src_uri == f"sources/{source.id}.md")
    html = _convert(site, page.markdown, page.src_uri)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert soup.h1.get_text() == hostile.title


def test_a_data_file_is_read_once_a_build_however_many_pages_are_made_from_it(monkeypatch):
    site = Site(ROOT)
    read = []
    monkeypatch.setattr("explainer.site.read_text", lambda path, root: read.append(path) or path.read_text("utf-8"))
    texts = [site.data_text("data/glossary.yaml") for _ in range(3)]
    assert read == [ROOT / "data/glossary.yaml"] and texts[0] is texts[1] is texts[2]


@pytest.mark.parametrize("here", ["index.md", "story.md", "topics/off-cuda.md", "sources/index/2025.md", "topics/set-001/x/y.md"])
def test_a_link_between_pages_is_what_relpath_gives(here):
    targets = ["index.md", "glossary.md", "glossary/a.md", "topics/off-cuda.md", "topics/set-001/x/z.md", "sources/index/2025.md", "sources/index.md"]
    for target in targets:
        assert link_between(here, target) == posixpath.relpath(target, posixpath.dirname(here) or ".")


def test_term_links_carry_the_definition_and_skip_code_headings_and_links():
    site = Site(ROOT)
    text = "# CANN heading\n\n`CANN` in code, [CANN](https://example.org) in a link, then CANN and CANN again.\n"
    soup = BeautifulSoup(_convert(site, text, "topics/x.md"), "html.parser")
    [link] = soup.select("a.glossary-term")
    assert link["href"] == "../glossary.md#cann" and link["title"] == site.index.terms["cann"].definition
    assert link.previous_sibling.endswith(" in a link, then ")


def test_citation_numbers_follow_reading_order_and_the_sources_list_follows():
    site = Site(ROOT)
    text = (
        "!!! note\n\n    First [@v4-brief].\n\nSecond [@wmw-analysis; @v4-brief].\n\n"
        "```text\n[@not-processed]\n```\n"
    )
    soup = BeautifulSoup(_convert(site, text, "topics/x.md"), "html.parser")
    assert [a.get_text() for a in soup.select("sup.citation a")] == ["1", "2", "1"]
    assert [li["id"] for li in soup.select("ol.explainer-sources > li")] == ["ref-v4-brief", "ref-wmw-analysis"]
    assert "[@not-processed]" in soup.pre.get_text()


def _convert(site: Site, text: str, src_uri: str) -> str:
    page = PageInfo(src_uri=src_uri, display_path=f"docs/{src_uri}", source_text=text)
    extension = ExplainerExtension(site.index, Ledger(), current_page=lambda: page)
    return markdown.Markdown(extensions=[extension, "admonition", "attr_list", "fenced_code", "tables"]).convert(text)


def test_the_schemas_and_the_code_agree_on_what_an_id_is():
    common = json.loads((ROOT / "data/schema/common.schema.json").read_text("utf-8"))
    assert common["$defs"]["id"]["pattern"] == ID_PATTERN


@pytest.mark.parametrize(
    "written",
    [
        '"one \\"two\\"\n  three \\x41\\u00e9\n  \\\n  four\\tfive"',  # escapes of every length, an escaped line break
        "'one ''two''\n  three Aé\n\n  four five'",  # '' is one quote; a blank line is a line break
        ">-\n  one \"two\"\n  three Aé\n  four five",
    ],
    ids=["double-quoted", "single-quoted", "folded"],
)
def test_a_place_in_a_text_value_is_found_on_its_line_whatever_its_escapes(written: str):
    value = yaml.safe_load(written)
    for word in ("two", "three", "four", "five"):
        line = next(number for number, line in enumerate(written.split("\n")) if word in line)
        assert Written(10, written).line_at(value, value.index(word)) == 10 + line, word


PACKAGE = ROOT / "hooks" / "explainer"


def _imports(module: Path) -> set[str]:
    """The package's modules that ``module`` imports, ``if TYPE_CHECKING:`` included."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
    return found


def _readme_layers() -> list[str]:
    """The modules of the README's "Which module owns which rule", from the bottom up."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("### Which module owns which rule") :]
    rows = re.findall(r"^\| (`[^|]+`(?:,? (?:\+ )?`[^|]+`)*) \|", section[: section.index("\n\n", section.index("| Module"))], re.M)
    return [name for row in rows for name in re.findall(r"`(\w+)`", row) if (PACKAGE / f"{name}.py").exists()]


def test_the_package_imports_run_one_way_as_the_readme_says():
    graph = {module.stem: _imports(module) for module in PACKAGE.glob("*.py")}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError for a circle
    layers = _readme_layers()
    assert set(layers) == set(graph) - {"__init__", "__main__"}, "each module has its row in the README"
    upward = [(module, imported) for module in layers for imported in graph[module] if layers.index(imported) >= layers.index(module) and imported != module]
    assert upward == []


def _schema_properties(schema: dict) -> Iterator[tuple[str, dict]]:
    for name, definition in schema.get("properties", {}).items():
        yield name, definition
        yield from _schema_properties(definition)
        yield from _schema_properties(definition.get("items", {}))


def test_the_schemas_the_reader_the_templates_and_the_published_data_agree_on_which_fields_are_markdown():
    in_schemas = {
        name
        for path in (ROOT / "data" / "schema").glob("*.schema.json")
        for name, definition in _schema_properties(json.loads(path.read_text("utf-8")))
        if definition.get("$ref", "").endswith("#/$defs/markdown")
    }
    in_reader = set(re.findall(r'self\._markdown\(at, "(\w+)"\)', (PACKAGE / "dataset.py").read_text("utf-8")))
    templates = " ".join(path.read_text("utf-8") for path in (PACKAGE / "templates").glob("*.j2"))
    # A field named as a Python keyword has a trailing underscore in the model (Claim.for_ is ``for``).
    in_templates = {written.rpartition(".")[2].rstrip("_") for written in re.findall(r"([\w.]+)\|md\b", templates)}
    in_published = set(re.findall(r'"(\w+)": _markdown\(', (PACKAGE / "publish.py").read_text("utf-8")))
    assert in_schemas == in_reader == in_templates == in_published and in_schemas


def test_the_names_the_pages_give_kinds_and_languages_are_the_schemas_choices():
    entities = json.loads((ROOT / "data/schema/entities.schema.json").read_text("utf-8"))
    source = json.loads((ROOT / "data/schema/source.schema.json").read_text("utf-8"))
    kinds = dict(_schema_properties(entities))["kind"]["enum"]
    languages = source["properties"]["languages"]["items"]["enum"]
    assert set(parts.ENTITY_KINDS) == set(kinds) and set(render.LANGUAGES) == set(languages)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("---\ntitle: [Chips\n---\n# Chips\n", (3, "the front matter is not valid YAML (expected ',' or ']', but got '<stream end>')")),
        ("---\ntitle: Chips\n\tdate: x\n---\n", (3, "the front matter is not valid YAML (found character '\\t' that cannot start any token)")),
        ("---\n- Chips\n---\n", (1, "the front matter is a list, not fields")),
        ("---\n# a comment alone\n---\n", None),
        ("---\ntitle: " + "1" * 5000 + "\n---\n", (1, "the front matter cannot be read as YAML")),  # Python reads 4,300 digits
        ("---\ntitle: 2024-02-30\n---\n", (1, "the front matter cannot be read as YAML")),
    ],
)
def test_front_matter_mkdocs_could_not_read_is_reported_not_shown_as_text(page: str, expected):
    """MkDocs reads nothing of such a front matter and publishes it as the page's first lines."""
    block = YAML_RE.match(page)[1]
    kept, refused = front_matter.problems({}, page, block)
    assert kept == {}
    assert [(line, message.split(";")[0]) for line, message in refused] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("form", "script", "only_in_the_other"),
    [
        ("超节点", "Simplified", []),
        ("超節點", "Traditional", []),
        ("超節點", "Simplified", ["節", "點"]),
        ("华为", "Traditional", ["华", "为"]),
        ("算力", "Traditional", []),  # both scripts write it so
        ("去CUDA化", "Simplified", []),
        ("軟件棧軟", "Simplified", ["軟", "棧"]),  # each character named once
    ],
)
def test_a_chinese_form_is_written_in_the_script_it_is_labelled_with(form: str, script: str, only_in_the_other: list[str]):
    problem = validate._script_problem(ChineseForm(form, script, None, True, Origin("data/glossary.yaml", 1)))
    named = re.findall(r"'(\w)'", problem.split(" but ")[1]) if problem else []
    assert named == only_in_the_other, problem
