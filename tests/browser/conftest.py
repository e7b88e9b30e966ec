"""Fixtures of the browser and validator tests: the built site served on 127.0.0.1, and Debian's Chromium.

The site is the session's strict build (``site`` in ``tests/conftest.py``); nothing here builds it again.
Every tab records what a reader should never meet: console errors, failed or refused requests, and any
request to another host, which is blocked before it leaves the machine.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, ROOT, Build
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# No sandbox (CI and this machine run as root), and no call home: the machine has no network but localhost.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
NODE_MODULES = ROOT / "node_modules"
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

def node_tool(relative: str) -> Path:
    """A file of an npm package from package-lock.json; fails (not skips) when `make test` has not installed it."""
    path = NODE_MODULES / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: `make test` installs it (npm ci), or run `npm ci --ignore-scripts`", pytrace=False)
    return path


def site_pages(build: Build) -> list[str]:
    """Every page a reader can open: each ``index.html`` as a site path (``""`` for home), and the 404 page."""
    return build.pages() + ["404.html"]


# -- the site, served -------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # LinkChecker waits 0.1-0.6 s between two requests to a host unless the host answers with this header
        # (and linkcheckerrc allows more than 10 requests a second).
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@dataclass(frozen=True)
class Served:
    root: Path
    url: str
    """``http://127.0.0.1:PORT/``"""

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def path_of(self, url: str) -> str | None:
        """The site path of a URL on this server (``glossary/#cann``), or None for another host."""
        return url.removeprefix(self.url) if url.startswith(self.url) else None


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[Served]:
    """``folder`` over HTTP on 127.0.0.1, on a free port, until the block ends."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve {folder}", daemon=True)
    thread.start()
    try:
        yield Served(folder, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def served(site: Build) -> Iterator[Served]:
    """The built site on 127.0.0.1, on a free port, stopped when the session ends."""
    with serve(site.site) as server:
        yield server


# -- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser of its own here)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's (apt-get install chromium); "
            "set CHROMIUM to use another Chromium or Chrome",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A page of a fresh browser context, with what went wrong while it was used."""

    page: object  # playwright.sync_api.Page
    served: Served
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    stubs: dict[str, str] = field(default_factory=dict)
    stubbed_requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.served.url + path, wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def stub(self, url: str, body: str) -> None:
        """Answer requests for ``url`` (on another host) with ``body``, as if that host were reachable."""
        self.stubs[url] = body

    def problems(self) -> list[str]:
        """Everything a reader should not have met so far, one line each."""
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"failed request: {text}" for text in self.failed_requests]
            + [f"request to another host: {url}" for url in self.foreign_requests]
        )

    def clear(self) -> None:
        self.console_errors.clear()
        self.failed_requests.clear()
        self.foreign_requests.clear()

    # Event handlers ------------------------------------------------------------------------------

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.served.origin

    def _route(self, route) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        elif url in self.stubs:
            self.stubbed_requests.append(url)
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.stubs[url])
        else:
            if url not in self.foreign_requests:
                self.foreign_requests.append(url)
            route.abort("blockedbyclient")

    def _request(self, request) -> None:
        # Requests a route does not see (a worker's, say) are still requests: record them too.
        url = request.url
        if not self._local(url) and url not in self.stubs and url not in self.foreign_requests:
            self.foreign_requests.append(url)

    def _console(self, message) -> None:
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} ({location})")

    def _response(self, response) -> None:
        if response.status >= 400 and self._local(response.url):
            self.failed_requests.append(f"{response.status} {response.url}")

    def _request_failed(self, request) -> None:
        # ERR_ABORTED: the tab went to another page before the request finished, as readers' tabs do.
        if self._local(request.url) and request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.failure} {request.url}")


@pytest.fixture
def open_tab(browser, served: Served) -> Iterator[Callable[..., Tab]]:
    """Opens tabs, each in its own context (no shared storage), and closes them after the test.

    ``open_tab(viewport=PHONE, color_scheme="dark")``; a tab blocks and records any request to another host.
    """
    contexts = []
    tabs: list[Tab] = []

    def open_(viewport: dict = DESKTOP, color_scheme: str = "light") -> Tab:
        tab = new_tab(browser, served, viewport, color_scheme)
        contexts.append(tab.page.context)
        tabs.append(tab)
        return tab

    yield open_
    for context in contexts:
        context.close()
    leaked = [url for tab in tabs for url in tab.foreign_requests]
    assert not leaked, f"the pages asked another host for: {leaked}"


def new_tab(browser, served: Served, viewport: dict, color_scheme: str) -> Tab:
    """A page in a context of its own (no shared storage) that blocks and records any request elsewhere."""
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme, service_workers="block")
    page = context.new_page()
    tab = Tab(page, served)
    context.route("**/*", tab._route)
    context.on("request", tab._request)
    page.on("console", tab._console)
    page.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))
    page.on("response", tab._response)
    page.on("requestfailed", tab._request_failed)
    return tab


# -- every page, once per way of reading it ---------------------------------------------------------

# axe-core's serious and critical violations on the page (axe injected before), one per element; the
# argument, when not null, names the only rules to run.
AXE_VIOLATIONS = """(rules) => axe.run(document, {resultTypes: ["violations"], ...(rules ? {runOnly: {type: "rule", values: rules}} : {})})
  .then(results => results.violations
  .filter(violation => ["serious", "critical"].includes(violation.impact))
  .flatMap(violation => violation.nodes.map(node => ({
    rule: violation.id, impact: violation.impact, help: violation.help,
    target: node.target.join(" "), summary: node.failureSummary,
  }))))"""
# Tries to scroll the page sideways; how far it went, and the element reaching furthest right.
_SIDEWAYS = """() => {
  window.scrollTo(100000, window.scrollY);
  const scrolled = window.scrollX;
  window.scrollTo(0, window.scrollY);
  const width = document.documentElement.clientWidth;
  let widest = null;
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 1 && (!widest || box.right > widest.right))
      widest = {right: Math.round(box.right), what: element.tagName.toLowerCase() + "." + (element.getAttribute("class") || "")};
  }
  return {scrolled, widest};
}"""


@dataclass
class PageVisit:
    """One page as one kind of reader met it."""

    page: str
    scheme: str | None
    """Material's colour scheme on the page: ``default`` (light) or ``slate`` (dark)."""
    problems: list[str]
    """Console errors, failed requests and requests to other hosts, from opening the page until it was idle."""
    scrolled_sideways: int
    widest: dict | None
    axe: list[dict] | None
    """axe-core's serious and critical violations, one per element; None where axe was not run."""


# Every rule of axe-core; or only those whose results depend on colours, for a second colour scheme.
ALL_RULES = None
COLOUR_RULES = ["color-contrast", "link-in-text-block"]  # the AA rules: axe runs no AAA rule by default
# The ways of reading every page: viewport, colour scheme, the axe-core rules run there (False: none), and
# whether each page is left only once the network has been quiet for half a second (what the search index
# and its worker load after the page has) rather than when it has loaded.
READINGS = {
    "desktop-light": (DESKTOP, "light", ALL_RULES, True),
    "desktop-dark": (DESKTOP, "dark", COLOUR_RULES, False),
    "phone": (PHONE, "light", False, False),
}


@pytest.fixture(scope="session")
def visits(browser, served: Served, site: Build) -> Callable[[str], list[PageVisit]]:
    """``visits("phone")``: every page of the site, read one of the ``READINGS`` ways; each way once a session.

    One visit per page and reading serves every check of every page (errors, sideways scrolling,
    accessibility), and two tabs work side by side, so that the suite stays quick on two cores.
    """
    done: dict[str, list[PageVisit]] = {}

    def get(reading: str) -> list[PageVisit]:
        if reading not in done:
            viewport, scheme, rules, idle = READINGS[reading]
            tabs = [new_tab(browser, served, viewport, scheme) for _ in range(2)]
            try:
                done[reading] = _visit_every_page(tabs, site_pages(site), rules, idle)
            finally:
                for tab in tabs:
                    tab.page.context.close()
        return done[reading]

    return get


def _visit_every_page(tabs: list[Tab], pages: list[str], rules: list[str] | None | bool, idle: bool) -> list[PageVisit]:
    axe = node_tool("axe-core/axe.min.js") if rules is not False else None
    visits = []
    for first in range(0, len(pages), len(tabs)):
        batch = list(zip(tabs, pages[first : first + len(tabs)], strict=False))
        sideways = {}
        for tab, page in batch:
            response = tab.page.goto(tab.served.url + page, wait_until="commit")
            assert response is not None and response.ok, f"{page}: {response and response.status}"
        for tab, page in batch:
            tab.page.wait_for_load_state("load")
            sideways[page] = tab.page.evaluate(_SIDEWAYS)
            if axe:
                tab.page.add_script_tag(path=str(axe))
                # Started, not awaited: every tab's run goes on at once while the next tab is read.
                tab.page.evaluate(f"(rules) => {{ window.__axe = ({AXE_VIOLATIONS})(rules); }}", rules)
        for tab, page in batch:
            found = tab.page.evaluate("() => window.__axe") if axe else None
            if idle:
                tab.page.wait_for_load_state("networkidle")
            scheme = tab.page.locator("body").get_attribute("data-md-color-scheme")
            visits.append(PageVisit(page, scheme, tab.problems(), sideways[page]["scrolled"], sideways[page]["widest"], found))
            tab.clear()
    return visits


def search(tab: Tab, query: str) -> list[str]:
    """Type ``query`` into the search box; the site paths of the results shown."""
    box = tab.page.locator("input.md-search__input")
    meta = tab.page.locator(".md-search-result__meta")
    box.click()
    expect(meta).to_have_text(re.compile("Type to start searching"))  # the index is loaded
    box.fill(query)
    box.press("End")  # Material reads the query on keyup, as it comes from a keyboard or an input method
    expect(meta).to_have_text(re.compile(r"(\d+|No) matching document"))
    links = tab.page.locator(".md-search-result__link").evaluate_all("links => links.map(link => link.href)")
    found = []
    for link in links:  # http://127.0.0.1:PORT/glossary/?h=cann#cann: glossary/#cann
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == tab.served.origin, link
        found.append(parts.path.removeprefix("/") + (f"#{parts.fragment}" if parts.fragment else ""))
    return found


@pytest.fixture(scope="session")
def cjk_font() -> str:
    """The font Chromium draws Chinese with; the screenshots are no use with boxes in place of 超节点."""
    try:
        families = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"fc-list failed ({error}): `make test` installs fontconfig with Chromium", pytrace=False)
    if not families:
        pytest.fail("no font with Chinese glyphs: `make test` installs fonts-wqy-microhei", pytrace=False)
    return families.splitlines()[0]
