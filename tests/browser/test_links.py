"""A crawl of the served site by LinkChecker: no broken internal link; external links listed, never fetched.

Anchors (``page/#id``) are checked here against the ids of the built pages, each page parsed once: LinkChecker's
own AnchorCheck downloads and parses a page again for every distinct anchor linked to it (about 300 here,
half a minute of CPU), and reports a missing anchor only as a warning.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import Build

from .conftest import ARTIFACTS, Served, serve

pytestmark = pytest.mark.browser

CONFIG = Path(__file__).with_name("linkcheckerrc")
EXTERNAL_LIST = ARTIFACTS / "external-links.txt"


def linkchecker(url: str) -> list[dict[str, str]]:
    """Every URL LinkChecker met crawling from ``url``, one row each (its CSV output).

    Intern URLs (the start URL's host and port) are fetched and crawled; all others only have their syntax
    checked (``linkcheckerrc``).
    """
    command = [sys.executable, "-m", "linkcheck", "--config", str(CONFIG), "--no-status", "--no-robots",
               "--verbose", "--output", "csv/utf-8", url]
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert lines, f"LinkChecker printed no report (exit {result.returncode}):\n{result.stderr}"
    return list(csv.DictReader(lines, delimiter=";"))


def broken_anchors(root: Path) -> list[str]:
    """Links to ``page#id`` (on the same page or another of the site) whose page has no such id."""
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.html")):
        page = path.relative_to(root).as_posix()
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        ids[page] = {element["id"] for element in soup.find_all(id=True)}
        ids[page] |= {element["name"] for element in soup.find_all("a", attrs={"name": True})}
        links += [(page, a["href"]) for a in soup.find_all(["a", "area"], href=True)]
    broken = []
    for page, href in links:
        target = urlsplit(urljoin(f"http://site/{page}", href))
        if target.netloc != "site" or not target.fragment:
            continue  # another site, or no anchor: LinkChecker's part
        path = target.path.removeprefix("/")
        path = f"{path}index.html" if path == "" or path.endswith("/") else path
        fragment = unquote(target.fragment)
        if path not in ids:
            broken.append(f"{page}: {href} (no page {path})")
        elif fragment not in ids[path]:
            broken.append(f"{page}: {href} (no id {fragment!r} on {path})")
    return broken


@pytest.fixture(scope="module")
def crawl(served: Served) -> list[dict[str, str]]:
    return linkchecker(served.url)


def test_linkchecker_reports_a_broken_link(tmp_path: Path):
    """Proof that the crawl runs and its report is read: a two-page site with one missing page."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>t</title><a href="there.html">there</a> <a href="missing.html">missing</a>'
    )
    (tmp_path / "there.html").write_text("<!doctype html><title>there</title><p>here</p>")
    with serve(tmp_path) as server:
        rows = linkchecker(server.url)
    invalid = {row["url"] for row in rows if row["valid"] != "True"}
    assert invalid == {f"{server.url}missing.html"}, rows


def test_the_crawl_finds_no_broken_internal_link(crawl: list[dict[str, str]], served: Served):
    problems = [
        f"{row['url']} (linked from {row['parentname'] or 'the start'}): {row['result']} {row['warningstring']}".strip()
        for row in crawl
        if row["url"].startswith(served.url) and (row["valid"] != "True" or row["warningstring"])
    ]
    assert problems == []


def test_the_crawl_reaches_every_page(crawl: list[dict[str, str]], served: Served, site: Build):
    reached = {row["url"].split("#")[0] for row in crawl if row["valid"] == "True"}
    unreached = [page for page in site.pages() if served.url + page not in reached]
    assert unreached == [], "no link leads to these pages"


def test_external_links_are_listed_not_fetched(crawl: list[dict[str, str]], served: Served):
    external = {}
    for row in crawl:
        if urlsplit(row["url"]).scheme in ("http", "https") and not row["url"].startswith(served.url):
            assert row["result"] == "filtered", f"{row['url']} was fetched: {row['result']}"
            external.setdefault(row["url"], row["parentname"].removeprefix(served.url) or "home")
    assert external, "the site links to its sources' originals: the crawl must have met them"
    EXTERNAL_LIST.parent.mkdir(parents=True, exist_ok=True)
    EXTERNAL_LIST.write_text(
        "".join(f"{url}\t(first seen on {parent})\n" for url, parent in sorted(external.items())), encoding="utf-8"
    )


def test_every_anchor_exists(site: Build):
    assert broken_anchors(site.site) == []


def test_a_missing_anchor_is_found(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<h2 id="here">x</h2><a href="#here">ok</a><a href="a/#gone">broken</a>')
    (tmp_path / "a" / "index.html").write_text('<h2 id="there">y</h2><a href="../#here">ok</a>')
    assert broken_anchors(tmp_path) == ["index.html: a/#gone (no id 'gone' on a/index.html)"]
