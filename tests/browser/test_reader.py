"""What a reader does with the built site in Chromium: hover, click, search, read on a phone.

Expected values come from ``data/`` and ``docs/`` through the ``explainer`` package, never from the pages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, Build
from explainer import citations
from explainer.dataset import load_dataset
from explainer.quotes import Article, normalise
from playwright.sync_api import expect
from test_reading import quote_links

from .conftest import DESKTOP, PHONE, READINGS, SCREENSHOTS, Served, Tab, search

pytestmark = pytest.mark.browser

DATA = load_dataset(ROOT).dataset
TERMS = {term.id: term for term in DATA.terms}
TOPICS = sorted((ROOT / "docs" / "topics").glob("*.md"))
TOOLTIP = ".md-tooltip2--active .md-tooltip2__inner"


def _site_path(markdown: Path) -> str:
    return markdown.relative_to(ROOT / "docs").with_suffix("").as_posix() + "/"


def _prose(markdown: str) -> str:
    """Markdown without code, where citations and glossary links are not made."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.S))


def _term_with_alias(alias: str):
    matches = [term for term in DATA.terms if alias in term.aliases]
    assert len(matches) == 1, f"{alias!r} is an alias of {len(matches)} terms"
    return matches[0]


# -- tooltips and citations ---------------------------------------------------------------------------


def _first_citation(markdown: Path) -> citations.Cited:
    written = [cited for _, body in citations.find_all(_prose(markdown.read_text("utf-8"))) for cited in citations.parse(body)]
    assert written, f"{markdown.name} cites nothing"
    return written[0]


@pytest.mark.parametrize("markdown", TOPICS, ids=lambda path: path.stem)
def test_hovering_a_term_or_a_citation_shows_its_definition_or_source_and_quote(open_tab, markdown: Path):
    tab: Tab = open_tab()
    tab.goto(_site_path(markdown))
    tooltip = tab.page.locator(TOOLTIP)
    expect(tooltip).to_have_count(0)  # nothing is shown before the pointer arrives

    link = tab.page.locator("article a.glossary-term").first
    term = _term_with_alias(link.inner_text())
    link.hover()
    definition = tab.page.locator(TOOLTIP, has_text=term.definition)
    expect(definition).to_have_text(term.definition)
    expect(definition).to_be_in_viewport()

    first = _first_citation(markdown)
    source = DATA.sources[first.source]
    tab.page.locator("article sup.citation a").first.hover()
    cited = tab.page.locator(TOOLTIP, has_text=source.title)  # the term's tooltip may still be fading out
    expect(cited).to_be_in_viewport()
    if first.quote:
        assert normalise(first.quote) in normalise(cited.inner_text())
    assert tab.problems() == []


def test_a_citation_leads_to_the_sources_list_the_source_page_and_the_original(open_tab):
    markdown = ROOT / "docs" / "topics" / "what-v4-is.md"  # the first topic page
    page = _site_path(markdown)
    source = DATA.sources[_first_citation(markdown).source]
    assert source.url, "the first source cited on the first topic page has a URL"
    tab: Tab = open_tab()
    tab.goto(page)

    tab.page.locator("article sup.citation a").first.click()
    expect(tab.page).to_have_url(f"{tab.served.url}{page}#ref-{source.id}")
    entry = tab.page.locator(f"ol.explainer-sources > li#ref-{source.id}")
    expect(entry).to_be_in_viewport()

    entry.locator(f'a[href$="sources/{source.id}/"]').click()
    expect(tab.page).to_have_url(f"{tab.served.url}sources/{source.id}/")
    expect(tab.page.locator("article h1")).to_contain_text(source.title)

    tab.page.go_back()
    tab.stub(source.url, "<!doctype html><title>original</title><p>the original article</p>")
    entry.locator("a.explainer-original").click()
    expect(tab.page).to_have_url(source.url)
    assert tab.stubbed_requests == [source.url]
    assert tab.problems() == []


# A quote of each kind, as the Sources lists of the built site link them.
PASSAGES = {
    "English": lambda quote, stored: quote.isascii(),
    "Chinese": lambda quote, stored: re.search(r"[\u4e00-\u9fff]", quote) is not None,
    "across a line break": lambda quote, stored: "\n" in stored,
}


def _passage_link(site: Build, kind: str) -> tuple[str, str, str]:
    """The first quote of a Sources list that is of ``kind``: (page, the link's href, the quote)."""
    for page, link, source_id in quote_links(site):
        quote = link.q.get_text()
        text = (ROOT / "data" / "sources" / f"{source_id}.txt").read_text("utf-8")
        start, end = Article(text).span(quote)
        if PASSAGES[kind](quote, Article(text).received[start:end]):
            return page, link["href"], quote
    raise AssertionError(f"no page quotes a passage {kind}")


def _click_its_first_line(tab: Tab, link) -> None:
    """Click a link where a reader would, on its text: the middle of a link that wraps onto two lines
    (where Playwright clicks) is the gap beside it."""
    link.scroll_into_view_if_needed()
    first = link.evaluate("link => { const line = link.getClientRects()[0]; return {x: line.x + 10, y: line.y + line.height / 2}; }")
    tab.page.mouse.click(first["x"], first["y"])


@pytest.mark.parametrize("kind", PASSAGES)
def test_a_quote_in_the_sources_list_opens_its_passage_highlighted_in_the_article(open_tab, site: Build, kind: str):
    page, href, quote = _passage_link(site, kind)
    tab: Tab = open_tab()
    tab.goto(page)
    _click_its_first_line(tab, tab.page.locator(f'ol.explainer-sources a[href="{href}"]').first)
    expect(tab.page).to_have_url(re.compile(r"/sources/[a-z0-9-]+/text/#q-[0-9a-f]+$"))
    passage = tab.page.locator("mark:target, mark:has(span:target)")
    expect(passage).to_be_in_viewport()
    assert normalise(quote) in normalise(passage.inner_text())
    highlight = passage.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert highlight not in ("rgba(0, 0, 0, 0)", "transparent")
    assert tab.problems() == []


# -- search ---------------------------------------------------------------------------------------

SEARCHES = {
    "CANN": "cann",
    "supernode": "supernode",
    "超节点": "supernode",
    "昇腾": "ascend",
}


def test_the_search_index_splits_chinese_where_jieba_did(site: Build):
    """Material segments Chinese with jieba at build time, marking word ends with zero-width spaces; its default
    separator does not split on them, so every Chinese query would find nothing. mkdocs.yml sets one that does."""
    index = json.loads((site.site / "search" / "search_index.json").read_text("utf-8"))
    assert "zh" in index["config"]["lang"]
    assert any("\u200b" in doc["text"] for doc in index["docs"]), "jieba did not segment the Chinese text"
    assert re.split(index["config"]["separator"], "超\u200b节点 CANN-based") == ["超", "节点", "CANN", "based"]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_finds_the_term_in_english_and_chinese(open_tab, site: Build, query: str):
    term = TERMS[SEARCHES[query]]
    assert query in (term.term, *term.aliases, *(form.form for form in term.zh)), "the data no longer names it so"
    using = {_site_path(path) for path in TOPICS if query in _prose(path.read_text("utf-8"))}
    assert using, f"no topic page uses {query!r}: choose another query"
    tab: Tab = open_tab()
    tab.goto("")

    found = search(tab, query)
    assert f"glossary/#{term.id}" in found, found
    assert using & {path.split("#")[0] for path in found}, f"no topic page among {found}; expected one of {using}"
    assert tab.problems() == []


def test_search_finds_nothing_for_chinese_the_site_does_not_contain(open_tab, site: Build):
    query = "熊猫"  # panda: neither character is anywhere on the site
    index = json.loads((site.site / "search" / "search_index.json").read_text("utf-8"))
    assert not any(character in doc["title"] + doc["text"] for doc in index["docs"] for character in query)
    tab: Tab = open_tab()
    tab.goto("")
    assert search(tab, query) == []


# -- every page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reading", READINGS)
def test_every_page_loads_without_errors_or_requests_elsewhere(visits, reading: str):
    problems = [f"{visit.page or 'home'}: {problem}" for visit in visits(reading) for problem in visit.problems]
    assert problems == []


@pytest.mark.parametrize("reading", ["phone", "desktop-light"])
def test_no_page_scrolls_sideways(visits, reading: str):
    wide = [
        f"{visit.page or 'home'} scrolls {visit.scrolled_sideways}px sideways; widest: {visit.widest}"
        for visit in visits(reading) if visit.scrolled_sideways
    ]
    assert wide == []


SCREENSHOT_PAGES = {
    "home": "",
    "story": "story/",
    "what-we-know": "what-we-know/",
    "topic": "topics/supernodes-and-chips/",
    "glossary": "glossary/",
    "source": "sources/v4-brief/",
    "reading": "sources/v4-brief/text/",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots_of_the_main_kinds_of_page(open_tab, served: Served, cjk_font: str, viewport: dict):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = "phone" if viewport is PHONE else "desktop"
    tab: Tab = open_tab(viewport=viewport)
    for kind, page in SCREENSHOT_PAGES.items():
        tab.goto(page)
        path = SCREENSHOTS / f"{kind}-{name}.png"
        path.unlink(missing_ok=True)
        tab.page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"
    assert tab.problems() == []
