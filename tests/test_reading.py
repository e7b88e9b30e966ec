"""Each source's reading page: its text as received, every passage the site quotes highlighted,
and every quote of a Sources list one click from its passage (and from the original's words)."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import ROOT, Build, Project
from explainer.dataset import load_dataset
from explainer.passages import marks, paragraphs, text_fragment
from explainer.quotes import Article, normalise

DATA = load_dataset(ROOT).dataset
FRAGMENT = ":~:text="


def _text(source_id: str, root: Path = ROOT) -> str:
    return (root / "data" / "sources" / f"{source_id}.txt").read_text("utf-8")


def _article_div(build: Build, source_id: str) -> Tag:
    return build.html(f"sources/{source_id}/text/").select_one("article div.explainer-article")


def _shown_text(build: Build, source_id: str) -> str:
    """What the reader reads of the article: its paragraphs' text, without the lists of pages that cite
    a passage. Read from the HTML as written: BeautifulSoup shortens runs of white space between tags."""
    written = (build.site / "sources" / source_id / "text" / "index.html").read_text("utf-8")
    article = written[written.index('<div class="explainer-article">') :]
    article = re.sub(r'<span class="explainer-cited-on">.*?</span>', "", article, flags=re.DOTALL)
    paragraphs = re.findall(r"<p>(.*?)</p>", article[: article.index("</div>")], flags=re.DOTALL)
    return "\n\n".join(html.unescape(re.sub(r"<[^>]*>", "", paragraph)) for paragraph in paragraphs)


def quote_links(build: Build) -> list[tuple[str, Tag, str]]:
    """Every quote of every page's Sources list: (page, its link, the source id)."""
    found = []
    for page in build.pages():
        for item in build.html(page).select("ol.explainer-sources > li"):
            for link in item.select("ul.explainer-quotes > li > a:has(q)"):
                found.append((page, link, item["id"].removeprefix("ref-")))
    return found


def _target(build: Build, page: str, href: str, parsed: dict[str, BeautifulSoup] | None = None) -> Tag | None:
    """The element a link on ``page`` leads to, in the built site (each page parsed once into ``parsed``)."""
    url = urljoin(f"https://site.test/{page}", href).removeprefix("https://site.test/")
    path, _, anchor = url.partition("#")
    parsed = {} if parsed is None else parsed
    if path not in parsed:
        parsed[path] = build.html(path)
    return parsed[path].find(id=anchor)


@pytest.mark.parametrize("source_id", sorted(DATA.sources))
def test_each_reading_page_shows_the_text_exactly_as_received(site: Build, source_id: str):
    received = unicodedata.normalize("NFC", _text(source_id))
    expected = "\n\n".join(part for part in re.split(r"\n\s*\n", received.strip()) if part.strip())
    assert _shown_text(site, source_id) == expected
    page = site.html(f"sources/{source_id}/text/")
    assert page.find("a", href="../") and page.find("a", href=f"../../{source_id}.txt")


def test_every_quote_in_a_sources_list_opens_its_highlighted_passage(site: Build):
    links = quote_links(site)
    assert len(links) > 100
    parsed: dict[str, BeautifulSoup] = {}
    for page, link, source_id in links:
        assert urljoin(f"/{page}", link["href"]).split("#")[0] == f"/sources/{source_id}/text/", (page, link)
        target = _target(site, page, link["href"], parsed)
        assert target is not None, f"{page}: {link['href']} leads nowhere"
        mark = target if target.name == "mark" else target.find_parent("mark")
        assert mark is not None, f"{page}: {link['href']} is not a highlighted passage"
        assert normalise(link.q.get_text()) in normalise(mark.get_text()), (page, link["href"])


def test_every_quoted_passage_is_marked_with_the_pages_that_cite_it(site: Build):
    for source_id in DATA.sources:
        div = _article_div(site, source_id)
        cited_on = div.select("span.explainer-cited-on")
        assert cited_on and all(small.find("a") for small in cited_on), source_id
    quoted = [(page, link) for page, link, source_id in quote_links(site) if source_id == "v4-brief"]
    page, link = quoted[0]
    mark = _target(site, page, link["href"])
    mark = mark if mark.name == "mark" else mark.find_parent("mark")
    listed = mark.find_next_sibling("span", class_="explainer-cited-on")
    assert page.removesuffix("/").rpartition("/")[2] in " ".join(a["href"] for a in listed.find_all("a"))


def test_the_original_highlights_only_its_own_words(site: Build):
    """A text fragment goes with a quote only where the original at the source's URL holds its words:
    for the compilation, only after the line where its English original begins."""
    with_fragment = without = 0
    for page, link, source_id in quote_links(site):
        source = DATA.sources[source_id]
        fragment = link.find_next_sibling("a", class_="explainer-fragment")
        quote = normalise(link.q.get_text())
        text = normalise(_text(source_id))
        if source.url is None:
            assert fragment is None
            continue
        begins = text.index(normalise(source.original_starts_after.quote)) if source.original_starts_after else 0
        if text.find(quote) < begins:
            assert fragment is None, (page, quote)
            without += 1
            continue
        url, _, directive = fragment["href"].partition("#")
        assert url == source.url and directive.startswith(FRAGMENT)
        parts = [unquote(part) for part in directive.removeprefix(FRAGMENT).split(",")]
        assert quote.startswith(parts[0]) and quote.endswith(parts[-1]), (page, quote, parts)
        with_fragment += 1
    assert with_fragment > 5 and without > 0


def test_a_text_fragment_escapes_what_its_syntax_uses():
    fragment = text_fragment("V4-Pro, cheaper & faster than 国产芯片")
    directive = fragment.removeprefix("#" + FRAGMENT)
    assert not set("-,& ") & set(directive)
    assert unquote(directive) == "V4-Pro, cheaper & faster than 国产芯片"
    long = text_fragment("one two three four five six seven eight nine ten eleven twelve")
    assert [unquote(part) for part in long.removeprefix("#" + FRAGMENT).split(",")] == [
        "one two three four five",
        "eight nine ten eleven twelve",
    ]


def test_a_quote_is_found_across_line_breaks_and_in_chinese():
    text = "第一段\n\n  DeepSeek   engineers\nrewrote the\n\n\tpipelines. 昇腾芯片在推理\n中使用。"
    article = Article(text)
    for quote in ("DeepSeek engineers rewrote the pipelines.", "昇腾芯片在推理 中使用。", "第一段"):
        start, end = article.span(quote)
        assert normalise(text[start:end]) == normalise(quote)
        assert not text[start].isspace() and not text[end - 1].isspace()
    assert article.span("not in it") is None


def test_overlapping_quotes_share_a_mark_and_keep_their_own_anchors():
    article = Article("alpha beta gamma delta\n\nepsilon zeta")
    alone = marks(article, {"beta gamma": ["a.md"]})
    together = marks(article, {"beta gamma": ["a.md"], "gamma delta epsilon": ["b.md"], "zeta": ["a.md"]})
    assert alone[0].ids[0] in together[0].ids  # an anchor does not change when another quote is added
    assert [mark.pages for mark in together] == [("a.md", "b.md"), ("a.md",)]
    pieces = paragraphs(article.received, together)
    # The mark across the paragraph break is split; only its first piece carries its anchors.
    assert [[(piece.text, piece.opens, piece.closes) for piece in paragraph if piece.mark] for paragraph in pieces] == [
        [("beta gamma delta", True, False)],
        [("epsilon", False, True), ("zeta", True, True)],
    ]


@pytest.mark.slow
def test_anchors_stay_when_quotes_are_added_and_article_text_stays_text(tmp_path: Path):
    project = Project(tmp_path / "project")
    payload = "<script>alert(1)</script></div><img src=x onerror=alert(2)>"
    before = project.build()
    anchors = {mark["id"] for mark in _article_div(before, "v4-brief").find_all("mark")}
    project.write("data/sources/v4-brief.txt", _text("v4-brief") + f"\n\nA closing line with {payload} in it.\n")
    first_sentence = next(point.citation.quote for point in DATA.sources["v4-brief"].key_points)
    project.write(
        "docs/quoting.md",
        f'# Quoting\n\nA new quote [@v4-brief, "{first_sentence.split()[0]} {first_sentence.split()[1]}"] '
        f'and the payload [@v4-brief, "with {payload} in"].\n',
    )
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - Contributing: contributing.md\n  - quoting.md")
    after = project.build()
    assert after.returncode == 0, after.output[-2000:]
    div = _article_div(after, "v4-brief")
    assert anchors <= {element["id"] for element in div.find_all(["mark", "span"]) if element.get("id")}
    assert not div.find_all(["script", "img"]) and payload in div.get_text()
    quoting = after.html("quoting/")
    assert all(_target(after, "quoting/", link["href"]) for link in quoting.select("ul.explainer-quotes a:has(q)"))
