"""The real site, built strictly, read the way a reader's browser gets it: as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, Build
from explainer import citations
from explainer.dataset import load_dataset
from explainer.quotes import normalise
from explainer.validate import REQUIRED_TERMS

DATA = load_dataset(ROOT).dataset
TOPIC_PAGES = sorted((ROOT / "docs").rglob("*.md"))


def _site_path(markdown: Path) -> str:
    relative = markdown.relative_to(ROOT / "docs").with_suffix("").as_posix()
    return "" if relative == "index" else relative.removesuffix("/index") + "/"


def _article(build: Build, page: str):
    return build.html(page).select_one("article")


def test_the_data_has_no_problems():
    assert load_dataset(ROOT).problems == []


@pytest.mark.parametrize("term_id", REQUIRED_TERMS)
def test_required_terms_have_their_anchor_and_definition(site: Build, term_id: str):
    term = next(term for term in DATA.terms if term.id == term_id)
    heading = site.html("glossary/").find(id=term_id)
    assert heading is not None and heading.name == "h2"
    section_text = []
    for element in heading.find_next_siblings():
        if element.name == "h2":
            break
        section_text.append(element.get_text())
    assert normalise(term.definition) in normalise(" ".join(section_text))


@pytest.mark.parametrize("source_id", sorted(DATA.sources))
def test_each_source_page_links_to_its_original_or_says_why_not(site: Build, source_id: str):
    source = DATA.sources[source_id]
    article = _article(site, f"sources/{source_id}/")
    assert article.h1.get_text(strip=True).removesuffix("¶") == source.title
    if source.url:
        assert article.find("a", href=source.url, class_="explainer-original")
    else:
        assert normalise(source.url_note) in normalise(article.get_text())
    for key_point in source.key_points:
        assert normalise(key_point.citation.quote) in normalise(article.get_text())


def test_sources_index_lists_every_source(site: Build):
    links = {a["href"] for a in _article(site, "sources/").find_all("a")}
    assert {f"{source_id}/" for source_id in DATA.sources} <= links


@pytest.mark.parametrize("markdown", TOPIC_PAGES, ids=lambda path: path.stem)
def test_citations_are_numbered_in_reading_order_and_resolved(site: Build, markdown: Path):
    written = [
        cited for _, body in citations.find_all(_prose(markdown.read_text("utf-8")))
        for cited in citations.parse(body)
    ]
    article = _article(site, _site_path(markdown))
    references = article.select("sup.citation a")
    if not written:
        assert not references
        return
    numbers = [int(link.get_text()) for link in references]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(first_seen) + 1))
    listed = article.select("ol.explainer-sources > li")
    assert len(listed) == len(first_seen) == len({cited.source for cited in written})
    for link in references:
        target = article.find(id=link["href"].removeprefix("#"))
        assert target is not None and target in listed
    first = written[0]
    first_title = normalise(references[0]["title"])
    assert normalise(DATA.sources[first.source].title) in first_title
    if first.quote:
        assert normalise(first.quote) in first_title


def test_sources_list_links_to_source_pages_and_originals(site: Build):
    article = _article(site, "topics/what-v4-is/")
    for item in article.select("ol.explainer-sources > li"):
        source = DATA.sources[item["id"].removeprefix("ref-")]
        hrefs = [a["href"] for a in item.find_all("a")]
        assert f"../../sources/{source.id}/" in hrefs
        assert (source.url in hrefs) if source.url else item.select_one(".explainer-no-url")


@pytest.mark.parametrize("markdown", TOPIC_PAGES, ids=lambda path: path.stem)
def test_terms_are_linked_once_with_their_definition_and_never_in_code_or_headings(site: Build, markdown: Path):
    article = _article(site, _site_path(markdown))
    links = article.select("a.glossary-term")
    targets = [link["href"].rsplit("#", 1)[1] for link in links]
    assert len(targets) == len(set(targets)), "a term is linked more than once on a page"
    for link, term_id in zip(links, targets, strict=True):
        term = next(term for term in DATA.terms if term.id == term_id)
        assert link["title"] == term.definition
        assert link.get_text() in term.aliases
        assert not link.find_parent(["code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "a"])


def test_terms_link_inside_chinese_text_but_not_in_code(project):
    project.write(
        "docs/topics/chinese.md",
        "# 中文\n\n华为CANN框架与MoE架构 [@mittr-three-reasons]。\n\n"
        "```text\nCANN and MoE in code\n```\n\n## CANN in a heading\n\n`超节点` in code, then 超节点 in prose.\n",
    )
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - topics/chinese.md\n  - Contributing: contributing.md")
    build = project.build()
    assert build.returncode == 0, build.output
    article = _article(build, "topics/chinese/")
    linked = {link.get_text(): link["href"] for link in article.select("a.glossary-term")}
    assert linked == {"CANN": "../../glossary/#cann", "MoE": "../../glossary/#moe", "超节点": "../../glossary/#supernode"}
    assert article.pre.find("a") is None and article.h2.find("a", class_="glossary-term") is None


def test_cited_on_and_used_on_list_the_pages_that_do(site: Build):
    citing = {_site_path(page) for page in TOPIC_PAGES if "[@wmw-analysis" in _prose(page.read_text("utf-8"))}
    section = _section(site, "sources/wmw-analysis/", "cited-on")
    cited_on = {_resolve("sources/wmw-analysis/", a["href"]) for a in section.find_all("a")}
    assert citing <= cited_on

    glossary = site.html("glossary/")
    used_on = _backlinks_after(glossary.find(id="cann"))
    pages_using_cann = {
        page for page in site.pages()
        if site.html(page).select_one("article a.glossary-term[href$='#cann']")
    } - {"glossary/"}
    assert pages_using_cann and {_resolve("glossary/", href) for href in used_on} == pages_using_cann


def test_every_page_links_to_a_source(site: Build):
    for page in site.pages():
        if page in ("search/",):
            continue
        article = _article(site, page)
        hrefs = [_resolve(page, a["href"]) for a in article.find_all("a", href=True)]
        assert any(re.fullmatch(r"sources/[a-z0-9-]+/", href) for href in hrefs), page


def test_generated_pages_edit_their_data_file(site: Build):
    edit = site.html("glossary/").select_one("a[rel=edit]")["href"]
    assert edit.endswith("/edit/main/data/glossary.yaml")
    edit = site.html("sources/v4-brief/").select_one("a[rel=edit]")["href"]
    assert edit.endswith("/edit/main/data/sources/v4-brief.yaml")


def test_no_page_loads_anything_from_another_site(site: Build):
    for path in site.site.rglob("*.html"):
        soup = site.html(str(path.relative_to(site.site)))
        for element in soup.find_all(["script", "link", "img", "iframe"]):
            if element.name == "link" and element.get("rel") in (["canonical"], ["alternate"]):
                continue  # names the page's address; the browser fetches nothing
            url = element.get("src") or element.get("href") or ""
            assert not re.match(r"(https?:)?//", url), f"{path}: {url}"


def _prose(markdown: str) -> str:
    """Markdown without fenced or inline code, where citations are not processed."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.S))


def _section(build: Build, page: str, kind: str):
    return build.html(page).select_one(f"#{kind}").find_next("ul")


def _backlinks_after(heading) -> list[str]:
    listing = heading.find_next(class_="explainer-backlinks")
    return [a["href"] for a in listing.find_all("a")]


def _resolve(page: str, href: str) -> str:
    """A relative href on ``page`` as a site path (no anchor, no scheme)."""
    if re.match(r"[a-z]+:", href) or href.startswith("#"):
        return href
    parts = [part for part in page.split("/") if part]
    for step in href.split("#")[0].split("/"):
        if step == "..":
            parts.pop()
        elif step and step != ".":
            parts.append(step)
    return "/".join(parts) + ("/" if parts and not parts[-1].endswith(".html") else "")


@pytest.mark.parametrize("source_id", sorted(DATA.sources))
def test_each_source_page_links_to_the_text_as_received(site: Build, source_id: str):
    article = _article(site, f"sources/{source_id}/")
    assert article.find("a", href=f"../{source_id}.txt")
    published = site.site / "sources" / f"{source_id}.txt"
    assert published.read_bytes() == (ROOT / "data" / "sources" / f"{source_id}.txt").read_bytes()


def test_the_timeline_reads_in_date_order_with_forecasts_apart(site: Build):
    """Dated as precisely as the sources are, events read in the order their dates begin (of two that
    begin together, the shorter first; equal dates in the file's order), and forecasts come after, apart."""
    events = load_dataset(ROOT).dataset.events
    in_file = [event.id for event in events]
    by_id = {event.id: event for event in events}
    page = site.html("timeline/")
    shown = [heading["id"] for heading in page.select("article h2[id], article h3[id]") if heading["id"] in by_id]
    assert sorted(shown) == sorted(in_file)
    forecasts_at = [heading["id"] for heading in page.select("article h2[id], article h3[id]")].index("forecasts")
    headings = [heading["id"] for heading in page.select("article h2[id], article h3[id]")]
    happened = [event_id for event_id in headings[:forecasts_at] if event_id in by_id]
    predicted = [event_id for event_id in headings[forecasts_at:] if event_id in by_id]
    assert all(not by_id[event_id].forecast for event_id in happened)
    assert predicted and all(by_id[event_id].forecast for event_id in predicted)
    for part in (happened, predicted):
        keys = [(by_id[event_id].date.earliest, by_id[event_id].date.latest, in_file.index(event_id)) for event_id in part]
        assert keys == sorted(keys), part


@pytest.mark.parametrize(
    ("written", "readable", "earliest", "latest"),
    [
        ("2025-H2", "Second half of 2025", "2025-07-01", "2025-12-31"),
        ("2026-Q4", "Fourth quarter of 2026", "2026-10-01", "2026-12-31"),
        ("2026-02", "February 2026", "2026-02-01", "2026-02-28"),
        ("2026", "2026", "2026-01-01", "2026-12-31"),
    ],
)
def test_a_date_is_as_precise_as_written(written: str, readable: str, earliest: str, latest: str):
    from explainer.model import PartialDate

    date = PartialDate.parse(written)
    assert (str(date), date.readable(), str(date.earliest), str(date.latest)) == (written, readable, earliest, latest)
