"""The data published for reuse: ``data/<name>.json`` against its published schema and against the
data, and the schema.org JSON-LD in the pages' ``<head>``, hostile data included."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, Build, Project
from explainer import linked_data, model, publish
from explainer.site import Site
from referencing import Registry, Resource
from test_hostile import poison

DATA = Site(ROOT).dataset
TOPICS = sorted(path.relative_to(ROOT / "docs").with_suffix("").as_posix() + "/" for path in (ROOT / "docs" / "topics").glob("*.md"))
HOSTILE = "</script><script>alert(1)</script><!-- "
PLAIN_HOSTILE = 'Fish & "chips" \u2028 */ -- ]]'
"""What a plain-text field can hold (no '<' or '>'): what else JSON-LD must escape or keep."""
LINKED_DATA = "application/ld+json"


def _published(build: Build, name: str) -> Any:
    return json.loads((build.site / publish.FOLDER / name).read_text("utf-8"))


def _validator(build: Build, name: str) -> jsonschema.Draft202012Validator:
    """The published schema of ``data/<name>.json``, its references read from the published folder too."""
    schemas = {path.name: json.loads(path.read_text("utf-8")) for path in (build.site / publish.FOLDER).glob("*.schema.json")}
    registry = Registry().with_resources((file, Resource.from_contents(schema)) for file, schema in schemas.items())
    schema = schemas[f"{name}.schema.json"]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def _linked_data(build: Build, page: str) -> list[Any]:
    head = build.html(page).head
    return [json.loads(script.string) for script in head.find_all("script", type=LINKED_DATA)]


@pytest.mark.parametrize("name", publish.NAMES)
def test_each_document_follows_its_published_schema(site: Build, name: str):
    document = _published(site, f"{name}.json")
    assert document["$schema"] == f"{name}.schema.json"
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in _validator(site, name).iter_errors(document)]
    assert errors == []


def _properties(schema: dict, *path: str) -> set[str]:
    """The properties of the object at ``path`` in a published schema (items of arrays are stepped into)."""
    common = json.loads((publish.SCHEMAS / "common.schema.json").read_text("utf-8"))["$defs"]
    node = schema
    for step in path:
        node = node["properties"][step] if step in node.get("properties", {}) else common[step]
        while "$ref" in node or "items" in node:
            node = common[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node["items"]
    return set(node["properties"])


SHAPES = [
    # (model class, schema, path to its object, fields not published, what the JSON adds)
    (model.Source, "sources", ("sources",), {"text_path"}, {"page", "text"}),
    (model.KeyPoint, "sources", ("sources", "key_points"), set(), set()),
    (model.QuizItem, "sources", ("sources", "quiz"), set(), set()),
    (model.Citation, "sources", ("sources", "key_points", "citation"), set(), set()),
    (model.Term, "glossary", ("terms",), set(), {"page"}),
    (model.ChineseForm, "glossary", ("terms", "zh"), set(), set()),
    (model.Event, "timeline", ("events",), set(), {"page"}),
    (model.DatedCitations, "timeline", ("events", "other_dates"), set(), set()),
    (model.Entity, "entities", ("entities",), set(), {"page"}),
    (model.Claim, "claims", ("claims",), {"for_"}, {"page", "for"}),
    (model.Status, "claims", ("claims", "status"), set(), set()),
    (model.Figure, "claims", ("claims", "figures"), set(), set()),
]


@pytest.mark.parametrize(("cls", "name", "path", "kept_back", "added"), SHAPES, ids=lambda value: getattr(value, "__name__", None))
def test_every_field_of_the_model_is_published(cls, name, path, kept_back, added):
    """A field added to the model fails here until the published schema (and so publish.py) has it."""
    schema = json.loads((publish.SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    fields = {field.name for field in dataclasses.fields(cls)} - {"origin"} - kept_back
    assert _properties(schema, *path) == fields | added


def _yaml(relative: str) -> Any:
    return yaml.safe_load((ROOT / "data" / relative).read_text("utf-8"))


def test_the_documents_hold_every_item_of_the_data(site: Build):
    """Counts and ids against the YAML itself, not the model the documents were made from."""
    glossary, timeline, entities = _yaml("glossary.yaml"), _yaml("timeline.yaml"), _yaml("entities.yaml")
    assert [term["id"] for term in _published(site, "glossary.json")["terms"]] == sorted(term["id"] for term in glossary["terms"])
    assert sorted(event["id"] for event in _published(site, "timeline.json")["events"]) == sorted(event["id"] for event in timeline["events"])
    assert [entity["id"] for entity in _published(site, "entities.json")["entities"]] == sorted(entity["id"] for entity in entities["entities"])
    sources = _published(site, "sources.json")["sources"]
    assert [source["id"] for source in sources] == sorted(path.stem for path in (ROOT / "data" / "sources").glob("*.yaml"))
    for source in sources:
        written = _yaml(f"sources/{source['id']}.yaml")
        assert source["title"] == written["title"]
        assert (source["published"] or {}).get("date") == (str(written["published"]) if "published" in written else None)
        assert [point["citation"] for point in source["key_points"]] == [
            {"source": source["id"], "quote": point["quote"]} for point in written["key_points"]
        ]
        assert (site.site / publish.FOLDER / source["text"]).resolve() == (site.site / "sources" / f"{source['id']}.txt").resolve()


def test_chinese_stays_as_written_and_dates_keep_their_precision(site: Build):
    text = (site.site / publish.FOLDER / "glossary.json").read_text("utf-8")
    assert "超节点" in text and "\\u" not in text
    supernode = next(term for term in json.loads(text)["terms"] if term["id"] == "supernode")
    assert supernode["zh"] == [{"form": "超节点", "script": "Simplified", "source": "mittr-three-reasons", "standard": False}]
    assert supernode["page"] == "../glossary/#supernode"
    assert {"source": "mittr-three-reasons", "quote": "昇腾950超节点"} in supernode["body"]["citations"]
    dates = {event["date"]["date"]: event["date"] for event in _published(site, "timeline.json")["events"]}
    half = next(date for written, date in dates.items() if "-H" in written)
    assert half["precision"] == "half year" and half["earliest"].endswith(("-01-01", "-07-01"))


def test_each_data_page_links_to_its_data(site: Build):
    for page, name in (("glossary/", "glossary"), ("timeline/", "timeline"), ("who/", "entities"), ("sources/", "sources")):
        hrefs = {link["href"] for link in site.html(page).select("article a")}
        assert {f"../data/{name}.json", f"../data/{name}.schema.json"} <= hrefs, page


def test_the_glossary_is_a_defined_term_set(site: Build):
    (glossary,) = _linked_data(site, "glossary/")
    assert glossary["@type"] == "DefinedTermSet"
    terms = {term["termCode"]: term for term in glossary["hasDefinedTerm"]}
    assert sorted(terms) == sorted(term.id for term in DATA.terms)
    supernode = terms["supernode"]
    assert supernode["@type"] == "DefinedTerm" and supernode["url"].endswith("/glossary/#supernode")
    assert {"@value": "超节点", "@language": "zh-Hans"} in supernode["alternateName"]


@pytest.mark.parametrize("source_id", sorted(DATA.sources))
def test_each_source_page_describes_its_article(site: Build, source_id: str):
    source = DATA.sources[source_id]
    (work,) = _linked_data(site, f"sources/{source_id}/")
    assert work["@type"] in ("NewsArticle", "CreativeWork")
    assert work["headline"] == source.title and work["publisher"]["name"] == source.publisher
    assert work["inLanguage"] == list(source.languages) and work.get("url") == source.url
    if source.published and source.published.precision in ("year", "month", "day"):
        assert work["datePublished"] == str(source.published)
    else:
        assert "datePublished" not in work


@pytest.mark.parametrize("page", TOPICS)
def test_each_topic_page_is_an_article_citing_its_sources(site: Build, page: str):
    (article,) = _linked_data(site, page)
    assert article["@type"] == "Article"
    listed = [item["id"].removeprefix("ref-") for item in site.html(page).select("ol.explainer-sources > li")]
    assert [work["headline"] for work in article["citation"]] == [DATA.sources[source_id].title for source_id in listed]


def test_other_pages_carry_no_linked_data(site: Build):
    assert _linked_data(site, "") == [] and _linked_data(site, "contributing/") == []


# -- hostile data -------------------------------------------------------------------------------------


def _hostile(item: Any, payload: str) -> Any:
    """``item`` with every text field set to ``payload``, past the schema (ids and choices kept)."""
    changes = {
        field.name: payload
        for field in dataclasses.fields(item)
        if isinstance(getattr(item, field.name), str) and field.name not in ("id", "source", "kind", "script", "text_path")
    }
    return dataclasses.replace(item, **changes)


def _strings(value: Any) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def _scripts_check(page_html: str, expected_payload: str | None) -> list[Any]:
    """The page's JSON-LD, having checked that it cannot be read as markup: one element, and no '<'."""
    soup = BeautifulSoup(page_html, "html.parser")
    linked = soup.find_all("script", type=LINKED_DATA)
    assert len(linked) <= 1
    for script in linked:
        assert not {"<", ">", "&"} & set(script.string)
        if expected_payload is not None:
            assert expected_payload in _strings(json.loads(script.string))
    return [json.loads(script.string) for script in linked]


@pytest.mark.parametrize("payload", [HOSTILE, PLAIN_HOSTILE], ids=["script", "plain"])
def test_no_text_in_the_data_can_end_the_json_ld_script(site: Build, payload: str):
    """Every text field set to the payload, past the schema: each page's JSON-LD adds one element,
    which parses, holds the payload as text, and has no '<', '>' or '&' an HTML parser could read."""
    hostile = dataclasses.replace(
        DATA,
        sources={source_id: _hostile(source, payload) for source_id, source in DATA.sources.items()},
        terms=tuple(dataclasses.replace(_hostile(term, payload), zh=tuple(_hostile(form, payload) for form in term.zh)) for term in DATA.terms),
    )
    for page, src_uri in [("glossary/", "glossary.md"), ("sources/v4-brief/", "sources/v4-brief.md"), (TOPICS[0], TOPICS[0].rstrip("/") + ".md")]:
        original = (site.site / page / "index.html").read_text("utf-8")
        without = original.replace(original[original.index(f'<script type="{LINKED_DATA}">') : original.index("</head>")], "")
        linked = linked_data.for_page(src_uri, title=payload, dataset=hostile, cited=sorted(DATA.sources), url_of=lambda uri: f"https://example.org/{uri}")
        written = linked_data.into_head(without, linked)
        before = Counter(element.name for element in BeautifulSoup(without, "html.parser").find_all(True))
        after = Counter(element.name for element in BeautifulSoup(written, "html.parser").find_all(True))
        assert after - before == Counter(["script"]) and before - after == Counter()
        (parsed,) = _scripts_check(written, payload)
        assert payload in (parsed.get("name"), parsed.get("headline"))


@pytest.mark.slow
def test_a_poisoned_build_publishes_the_payload_as_data_only(project: Project, site: Build):
    """The payload in every free-text field of the data (plain text gets what it may hold), in a
    preview-like build that keeps what it can: no script but Material's and one JSON-LD per page."""
    assert poison(project, {"markdown": HOSTILE, "quote": HOSTILE, "plain_text": PLAIN_HOSTILE, "aliases": None}) > 0
    build = project.build(strict=False)
    assert build.returncode == 0 and "Traceback" not in build.output, build.output
    material = {
        (script.get("src"), script.string)
        for path in site.site.rglob("*.html")
        for script in BeautifulSoup(path.read_text("utf-8"), "html.parser").find_all("script")
        if script.get("type") != LINKED_DATA
    }
    for path in sorted(build.site.rglob("*.html")):
        page_html = path.read_text("utf-8")
        soup = BeautifulSoup(page_html, "html.parser")
        assert {(s.get("src"), s.string) for s in soup.find_all("script") if s.get("type") != LINKED_DATA} <= material, path
        _scripts_check(page_html, None)
    (glossary,) = _linked_data(build, "glossary/")
    assert any(term["description"] == PLAIN_HOSTILE for term in glossary["hasDefinedTerm"])
    sources = _published(build, "sources.json")["sources"]
    assert any(source["summary"]["markdown"] == HOSTILE for source in sources)
    assert any(point["citation"]["quote"] == HOSTILE for source in sources for point in source["key_points"])
