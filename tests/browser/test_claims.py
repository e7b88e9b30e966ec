"""Claims in Chromium: a status label's tooltip and link, the "V4 at a glance" box, and the diagrams drawn
from data/claims.yaml, in both colour schemes and on a phone.

Every page, these new ones included, is already checked by axe-core (``test_a11y.py``), vnu
(``test_html_valid.py``), for console errors and for sideways scrolling at 375 px (``test_reader.py``):
``test_the_new_pages_are_among_every_page_the_suite_visits`` proves they are among them. Expected values
come from ``data/claims.yaml`` through the ``explainer`` package, never from the pages.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, Build
from explainer.dataset import load_dataset
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, SCREENSHOTS, Tab, site_pages

pytestmark = pytest.mark.browser

CLAIMS = {claim.id: claim for claim in load_dataset(ROOT).dataset.claims}
TOOLTIP = ".md-tooltip2--active .md-tooltip2__inner"
LABEL = "article a.claim-label"
WHAT_WE_KNOW = "what-we-know/"
# The pages the issue adds or rewrites around claims, and the diagrams they hold.
NEW_PAGES = {"home": "", "story": "story/", "what we know": WHAT_WE_KNOW}
DIAGRAMS = {
    "figures": ("topics/what-v4-is/", "figure.explainer-diagram--figures"),
    "software-stack": ("topics/off-cuda/", "figure.explainer-diagram--stack"),
}
# Pages whose labels are hovered and followed: the home page's box, running text, a diagram's caption.
LABELLED = {
    "at a glance": ("", ".explainer-glance a.claim-label"),
    "in running text": ("topics/what-v4-is/", "article p a.claim-label"),
    "in a diagram": ("topics/what-v4-is/", "figure.explainer-diagram figcaption a.claim-label"),
}


def _claim_of(href: str):
    """The claim a label's link leads to: its fragment is the claim's id."""
    claim_id = href.rsplit("#", 1)[1]
    assert claim_id in CLAIMS, f"{href} leads to no claim of data/claims.yaml"
    return CLAIMS[claim_id]


def _normalised(text: str) -> str:
    return " ".join(text.split())


# -- labels -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", LABELLED)
def test_hovering_a_claim_label_shows_its_status_and_statement_as_text(open_tab, where: str):
    page, selector = LABELLED[where]
    tab: Tab = open_tab()
    tab.goto(page)
    label = tab.page.locator(selector).first
    claim = _claim_of(label.get_attribute("href"))
    assert _normalised(label.inner_text()) == claim.status.label
    expect(tab.page.locator(TOOLTIP)).to_have_count(0)
    label.hover()
    tooltip = tab.page.locator(TOOLTIP, has_text=claim.statement[:40])
    expect(tooltip).to_be_in_viewport()
    shown = _normalised(tooltip.inner_text())
    assert shown.casefold().startswith(claim.status.label.casefold()), shown
    assert _normalised(claim.statement) in shown
    assert tooltip.locator("*").count() == 0, "the tooltip holds markup where it shows text"
    assert tab.problems() == []


@pytest.mark.parametrize("where", LABELLED)
def test_a_claim_label_leads_to_the_claims_entry_on_what_we_know(open_tab, served, where: str):
    page, selector = LABELLED[where]
    tab: Tab = open_tab()
    tab.goto(page)
    label = tab.page.locator(selector).first
    claim = _claim_of(label.get_attribute("href"))
    label.click()
    expect(tab.page).to_have_url(f"{served.url}{WHAT_WE_KNOW}#{claim.id}")
    entry = tab.page.locator(f"#{claim.id}")
    expect(entry).to_be_in_viewport()
    expect(entry).to_contain_text(_normalised(claim.statement)[:60])
    assert tab.problems() == []


def test_every_label_on_the_new_pages_names_its_claims_status(site: Build):
    """Each label's text is its claim's status, and its title the status and the statement, on every page."""
    wrong, seen = [], 0
    for page in site.pages():
        for label in site.html(page).select(LABEL):
            claim = _claim_of(label["href"])
            seen += 1
            if _normalised(label.get_text()) != claim.status.label or _normalised(claim.statement) not in _normalised(label["title"]):
                wrong.append(f"{page or 'home'}: {label}")
    assert seen > len(NEW_PAGES) and wrong == []


def test_the_new_pages_are_among_every_page_the_suite_visits(site: Build):
    pages = site_pages(site)
    assert set(NEW_PAGES.values()) | {page for page, _ in DIAGRAMS.values()} <= set(pages)
    assert site.html("").select(".explainer-glance table"), "the home page has no 'V4 at a glance' box"


# -- the diagrams -------------------------------------------------------------------------------------

_FITS = """(figure) => {
  const svg = figure.querySelector("svg"), box = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll("text"), text => {
    const own = text.getBoundingClientRect();
    return {text: text.textContent, left: own.left - box.left, right: box.right - own.right};
  });
  return {width: box.width, viewport: document.documentElement.clientWidth, outside: texts.filter(t => t.left < -1 || t.right < -1)};
}"""
# The colours a diagram's text and bars are painted in, and the page's background: the theme's, as the browser
# computes it (the elements between the figure and the page are transparent).
_COLOURS = """(figure) => {
  const paint = selector => Array.from(figure.querySelectorAll(selector), e => getComputedStyle(e).fill);
  const probe = figure.appendChild(document.createElement("div"));
  probe.style.backgroundColor = "var(--md-default-bg-color)";
  const background = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return {text: paint("svg text"), bars: paint("svg .explainer-diagram-bar"), background};
}"""


def _rgba(colour: str) -> tuple[float, ...]:
    parts = [float(part) for part in re.findall(r"[\d.]+", colour)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _luminance(red: float, green: float, blue: float) -> float:
    def linear(channel: float) -> float:
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(colour: str, background: str) -> float:
    """WCAG's contrast ratio of ``colour``, painted over the opaque ``background``, against it."""
    *paint, alpha = _rgba(colour)
    ground = _rgba(background)[:3]
    seen = [alpha * one + (1 - alpha) * other for one, other in zip(paint, ground)]
    lighter, darker = sorted((_luminance(*seen), _luminance(*ground)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("diagram", DIAGRAMS)
def test_a_diagram_fits_a_phone_and_reads_in_both_colour_schemes(open_tab, diagram: str, scheme: str):
    page, selector = DIAGRAMS[diagram]
    tab: Tab = open_tab(viewport=PHONE, color_scheme=scheme)
    tab.goto(page)
    figure = tab.page.locator(selector)
    expect(figure).to_have_count(1)
    figure.scroll_into_view_if_needed()
    fits = figure.evaluate(_FITS)
    assert 0 < fits["width"] <= fits["viewport"] and fits["outside"] == [], fits
    colours = figure.evaluate(_COLOURS)
    # Text at 4.5:1 (it is small), bars at 3:1 (graphics), against the page in this scheme.
    faint = [fill for fill in colours["text"] if _contrast(fill, colours["background"]) < 4.5]
    faint += [fill for fill in colours["bars"] if _contrast(fill, colours["background"]) < 3]
    assert colours["text"] and faint == [], colours
    assert tab.problems() == []


@pytest.mark.parametrize("diagram", DIAGRAMS)
def test_a_diagram_is_an_image_with_its_title_description_and_text_alternative(open_tab, diagram: str):
    page, selector = DIAGRAMS[diagram]
    tab: Tab = open_tab()
    tab.goto(page)
    svg = tab.page.locator(f"{selector} > svg")
    expect(svg).to_have_attribute("role", "img")
    # What assistive technology announces: the accessible name and description Chromium computes.
    name = svg.evaluate("svg => svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent)")
    assert len(name) == 2 and all(part.strip() for part in name)
    expect(tab.page.locator(f"{selector} > svg + :is(details, ul)")).to_have_count(1)
    assert tab.problems() == []


# -- screenshots --------------------------------------------------------------------------------------


def test_screenshots_of_the_claims_pages_and_diagrams(open_tab, cjk_font: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab: Tab = open_tab(viewport=viewport)
        tab.goto("")
        shots.append((tab.page.locator(".explainer-glance"), f"at-a-glance-{name}.png"))
        _element_screenshot(*shots[-1])
        tab.goto(WHAT_WE_KNOW)
        shots.append((tab.page, f"what-we-know-{name}.png"))
        tab.page.screenshot(path=str(SCREENSHOTS / shots[-1][1]))
        assert tab.problems() == []
    for scheme in ("light", "dark"):
        tab = open_tab(viewport=PHONE, color_scheme=scheme)
        for diagram, (page, selector) in DIAGRAMS.items():
            tab.goto(page)
            _element_screenshot(tab.page.locator(selector), f"{diagram}-{scheme}.png")
        assert tab.problems() == []
    for _, file in shots:
        assert (SCREENSHOTS / file).stat().st_size > 10_000, f"{file} is nearly empty"


def _element_screenshot(element, file: str) -> None:
    path = SCREENSHOTS / file
    path.unlink(missing_ok=True)
    element.scroll_into_view_if_needed()
    element.screenshot(path=str(path))
    assert path.stat().st_size > 5_000, f"{path} is nearly empty"
