"""The Markdown extension on its own, over a three-term dataset held in memory: no project, no build.

What the extension reads of a build is its :class:`~explainer.index.Index`, and what it writes
is each page's notes, in a :class:`~explainer.backlinks.Ledger`; so a test makes both.
"""

from __future__ import annotations

from urllib.parse import unquote

import markdown
import pytest
from bs4 import BeautifulSoup
from explainer import citations
from explainer.annotate import ExplainerExtension
from explainer.backlinks import Backlink, Ledger, PageInfo, PageNotes
from explainer.dataset import Loaded
from explainer.index import Index
from explainer.model import Citation, Dataset, Entity, PartialDate, Source, Term
from explainer.passages import passage_id
from explainer.problems import Origin
from explainer.quotes import Article

TEXT = """Huawei said its Ascend chips run the model.
CANN stands in for CUDA on them.

英文来源:
The original says MoE models wake a few experts per word."""


def _source(source_id: str, url: str | None, starts_after: str | None) -> Source:
    origin = Origin(f"data/sources/{source_id}.yaml")
    return Source(
        id=source_id, title=f"About {source_id}", original_title=None, publisher="A publisher", url=url,
        url_note=None if url else "none", original_starts_after=Citation(source_id, starts_after, origin) if starts_after else None,
        accessed=PartialDate(2026, 11, 23), published=PartialDate(2026, 4), published_note=None, languages=("en",),
        kind="news report", reliability="", summary="", key_points=(), quiz=(), origin=origin,
        text_path=f"data/sources/{source_id}.txt",
    )


def _term(term_id: str, *aliases: str) -> Term:
    return Term(term_id, aliases[0], (), aliases, f"What {aliases[0]} is.", "", (), ("report",), Origin("data/glossary.yaml"))


DATASET = Dataset(
    sources={
        "report": _source("report", "https://example.org/report", "英文来源:"),
        "note": _source("note", None, None),
    },
    terms=(_term("moe", "MoE", "mixture of experts"), _term("cann", "CANN"), _term("ascend", "Ascend", "昇腾")),
    events=(),
    entities=(Entity("huawei", "Huawei", (), "organisation", ("华为",), "", ("report",), Origin("data/entities.yaml")),),
)
INDEX = Index(Loaded(DATASET, [], {"report": Article(TEXT), "note": Article("华为昇腾芯片用于推理。")}, frozenset(DATASET.sources)))


def _convert(text: str, src_uri: str = "topics/page.md") -> tuple[BeautifulSoup, PageNotes, Ledger]:
    ledger = Ledger()
    page = PageInfo(src_uri, f"docs/{src_uri}", text)
    html = markdown.Markdown(extensions=[ExplainerExtension(INDEX, ledger, lambda: page), "attr_list"]).convert(text)
    return BeautifulSoup(html, "html.parser"), ledger.notes[src_uri], ledger


def test_a_citation_is_numbered_shows_its_quote_and_leads_to_its_passage():
    soup, notes, _ = _convert('Huawei chips run it [@report, "its Ascend chips run the model"]. Another [@note].\n')
    first, second = soup.select("sup.citation a")
    assert (first.get_text(), first["href"], second.get_text()) == ("1", "#ref-report", "2")
    assert "“its Ascend chips run the model”" in first["title"] and first["title"].startswith("About report")
    item = soup.select_one("ol.explainer-sources > li#ref-report")
    quote = item.select_one("ul.explainer-quotes a:has(q)")
    assert quote["href"] == f"../sources/report/text.md#{passage_id('its Ascend chips run the model')}"
    # The quote stands before the line where the original's own text begins: no link into the original.
    assert item.select_one("a.explainer-fragment") is None
    assert notes.numbers == {"report": 1, "note": 2} and notes.problems == []


def test_a_quote_from_the_originals_own_text_also_links_to_it_there():
    soup, _, _ = _convert('Experts [@report, "MoE models wake a few experts per word"].\n')
    fragment = soup.select_one("a.explainer-fragment")["href"]
    assert fragment.startswith("https://example.org/report#:~:text=")
    assert unquote(fragment.partition("=")[2]) == "MoE models wake a few experts per word"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[@nope]", "no source has the id 'nope'; did you mean 'note'? (sources are data/sources/<id>.yaml)"),
        ('[@report, "Ascend chips fly"]', "the quote \"Ascend chips fly\" is not in the text of 'report'; the closest passage is"),
        ('[@report, "x"]', 'the quote "x" is too short to show what the source says'),
        ('[@report, "unclosed', "the quote in the citation '[@report, \"unclosed.' is not closed: end it with '\"'"),
        ("[@report", "the citation '[@report.' is not closed: end it with ']' (for a literal '[@', write '\\[@')"),
    ],
    ids=["unknown source", "quote not in the article", "quote too short", "quote not closed", "bracket not closed"],
)
def test_a_bad_citation_is_reported_at_its_line(written: str, message: str):
    _, notes, _ = _convert(f"# A page\n\nSome text.\nA claim {written}.\n")
    [problem] = notes.problems
    assert str(problem).startswith(f"docs/topics/page.md:4: {message}"), str(problem)


def test_each_term_is_linked_once_where_text_allows_in_english_and_chinese():
    soup, notes, _ = _convert("# MoE in a heading\n\n`MoE` in code, then MoE and MoE again.\n\n华为的昇腾芯片 and [CANN](https://example.org).\n")
    links = {link.get_text(): link["href"] for link in soup.select("a.glossary-term")}
    assert links == {"MoE": "../glossary.md#moe", "昇腾": "../glossary.md#ascend"}
    assert soup.h1.find("a", class_="glossary-term") is None and soup.code.find("a") is None
    assert list(notes.terms) == ["moe", "ascend"] and notes.entities == {"huawei"}


def test_the_ledger_gathers_what_each_page_cites_uses_and_mentions():
    _, _, ledger = _convert('Huawei\'s CANN [@report, "CANN stands in for CUDA"].\n', "topics/a.md")
    assert ledger.pages(Backlink.CITED_ON, "report") == ["topics/a.md"]
    assert ledger.pages(Backlink.USED_ON, "cann") == ["topics/a.md"]
    assert ledger.pages(Backlink.MENTIONED_ON, "huawei") == ["topics/a.md"]
    assert ledger.quoted("report") == {"CANN stands in for CUDA": {"topics/a.md"}}


def test_a_problem_whose_text_is_not_in_the_page_is_reported_near_it_never_on_line_one():
    source = "---\ntitle: A page\n---\n# A page\n\nText with onclick in it.\n\nMore text.\n"
    notes = PageNotes(PageInfo("topics/page.md", "docs/topics/page.md", source, first_line=4))
    notes.report("made by Markdown, never written", "<em>never written</em>")
    notes.report_in_order("an event attribute", "onclick")
    notes.report_in_order("made from it", "<span onclick>")
    assert [problem.origin.line for problem in notes.problems] == [4, 6, 6]
