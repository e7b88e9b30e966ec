"""The real site with every list split into parts (``split_above: 4``), in Chromium: search finds a term
on its part page, and a glossary link on a topic page shows the term's definition and leads to that part.

The other tests follow the split site's links and read its search index as files (``tests/test_parts.py``);
these show that a reader's search and hover work on it too. Expected places come from ``explainer.parts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import ROOT, Project
from explainer.dataset import load_dataset
from explainer.parts import Parts
from playwright.sync_api import expect

from .conftest import DESKTOP, Served, Tab, new_tab, search, serve

pytestmark = pytest.mark.browser

SPLIT_ABOVE = 4
DATA = load_dataset(ROOT).dataset
PARTS = Parts(DATA, SPLIT_ABOVE)
TERMS = {term.id: term for term in DATA.terms}
TOOLTIP = ".md-tooltip2--active .md-tooltip2__inner"


def _site_path(src_uri: str) -> str:
    return src_uri.removesuffix(".md") + "/"


@pytest.fixture(scope="module")
def split_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    project = Project(tmp_path_factory.mktemp("split") / "project")
    project.replace("mkdocs.yml", "split_above: 100", f"split_above: {SPLIT_ABOVE}")
    build = project.build()
    assert build.returncode == 0, build.output
    with serve(build.site) as served:
        yield served


@pytest.fixture
def split_tab(browser, split_served: Served) -> Iterator[Tab]:
    tab = new_tab(browser, split_served, DESKTOP, "light")
    yield tab
    tab.page.context.close()
    assert not tab.foreign_requests, f"the pages asked another host for: {tab.foreign_requests}"


@pytest.mark.parametrize(("query", "term_id"), [("CANN", "cann"), ("超节点", "supernode")])
def test_search_finds_a_term_on_its_part_page_and_leads_there(split_tab: Tab, query: str, term_id: str):
    part = _site_path(PARTS.term_page(term_id))
    assert part != "glossary/", "the glossary did not split"
    split_tab.goto("")

    found = search(split_tab, query)
    assert f"{part}#{term_id}" in found, found
    split_tab.page.locator(f'.md-search-result__link[href*="{part}"][href$="#{term_id}"]').first.click()
    # Material adds the query (?h=…) for its highlighting.
    expect(split_tab.page).to_have_url(re.compile(re.escape(f"{split_tab.served.url}{part}") + r"(\?h=[^#]*)?#" + term_id + "$"))
    expect(split_tab.page.locator(f"article h2#{term_id}")).to_be_in_viewport()
    assert split_tab.problems() == []


def test_a_glossary_link_shows_the_definition_and_leads_to_the_terms_part(split_tab: Tab):
    split_tab.goto("topics/supernodes-and-chips/")
    link = split_tab.page.locator("article a.glossary-term").first
    term_id = link.get_attribute("href").rpartition("#")[2]
    term = TERMS[term_id]

    link.hover()
    expect(split_tab.page.locator(TOOLTIP, has_text=term.definition)).to_be_in_viewport()
    link.click()
    expect(split_tab.page).to_have_url(f"{split_tab.served.url}{_site_path(PARTS.term_page(term_id))}#{term_id}")
    expect(split_tab.page.locator(f"article #{term_id}")).to_be_in_viewport()
    assert split_tab.problems() == []
