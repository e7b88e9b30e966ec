"""The editorial standard, as far as a machine can hold it: citations everywhere, quotes for figures, sizes."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, Build
from explainer import citations
from explainer.dataset import load_dataset

DATA = load_dataset(ROOT).dataset
TOPICS = sorted((ROOT / "docs" / "topics").glob("*.md"))
# An uncited paragraph must say why it needs no source.
UNSOURCED = re.compile(r"general background|of our own", re.IGNORECASE)
CITATION = re.compile(r"\[@(?:[^\]\"]|\"(?:[^\"\\]|\\.)*\")*\]")


def _topic(site: Build, markdown) -> object:
    return site.html(f"topics/{markdown.stem}/").select_one("article")


def test_the_data_has_the_size_the_explainer_needs():
    assert len(DATA.terms) >= 30
    assert len(DATA.events) >= 15
    assert len(DATA.entities) >= 20
    assert len(TOPICS) >= 6


@pytest.mark.parametrize("source_id", sorted(DATA.sources))
def test_every_source_has_key_points_and_a_quiz_with_hidden_answers(site: Build, source_id: str):
    source = DATA.sources[source_id]
    assert len(source.key_points) >= 3 and 3 <= len(source.quiz) <= 5
    folded = site.html(f"sources/{source_id}/").select("article details.question")
    assert len(folded) == len(source.quiz)
    for details, item in zip(folded, source.quiz, strict=True):
        assert not details.has_attr("open")
        assert details.summary.get_text(strip=True) == item.question
        assert item.answer in details.get_text()


def test_every_term_has_a_chinese_name_and_a_one_sentence_definition():
    for term in DATA.terms:
        # Some names (CUDA, V4-Pro) are used unchanged in Chinese text.
        assert all(re.search(r"[\u4e00-\u9fff]", form.form) for form in term.zh), term.id
        assert re.fullmatch(r"[^.!?]+(\.[^ .!?][^.!?]*)*[.!?]", term.definition), term.id


@pytest.mark.parametrize("markdown", TOPICS, ids=lambda path: path.stem)
def test_topic_pages_open_with_a_two_sentence_summary_and_are_600_to_1500_words(site: Build, markdown):
    article = _topic(site, markdown)
    summary = article.select_one(".admonition.abstract")
    assert summary is not None and summary.select_one(".admonition-title").get_text() == "In short"
    assert summary is article.find(class_="admonition")
    text = CITATION.sub("", summary.find("p", class_=False).get_text())
    assert len(re.findall(r"[.!?](\s|$)", text)) == 2, text
    prose = CITATION.sub("", markdown.read_text("utf-8"))
    words = len(re.findall(r"[A-Za-z0-9][\w'’-]*", prose)) + len(re.findall(r"[\u4e00-\u9fff]", prose)) // 2
    assert 600 <= words <= 1500, words


@pytest.mark.parametrize("markdown", TOPICS, ids=lambda path: path.stem)
def test_every_paragraph_cites_a_source_or_says_it_is_background(site: Build, markdown):
    article = _topic(site, markdown)
    for block in article.find_all(["p", "li"]):
        if block.find_parent(class_="explainer-sources") or block.find_parent(["li", "td", "th"]):
            continue
        if block.find_parent(class_="explainer-diagram"):  # a diagram's text alternative: its claims carry the citations
            continue
        if "admonition-title" in (block.get("class") or []) or not block.get_text(strip=True):
            continue
        admonition = block.find_parent(class_="admonition")
        context = block.get_text() + (admonition.select_one(".admonition-title").get_text() if admonition else "")
        assert block.find("sup", class_="citation") or UNSOURCED.search(context), block.get_text()[:200]
    for table in article.find_all("table"):
        follower = table.find_next(["p", "ul", "ol"])
        assert table.find("sup", class_="citation") or follower.find("sup", class_="citation"), table.get_text()[:200]


@pytest.mark.parametrize("markdown", TOPICS, ids=lambda path: path.stem)
def test_figures_carry_a_quote_that_contains_them(markdown):
    """A paragraph that states a number, price or percentage cites a quote with that number in it."""
    for paragraph in re.split(r"\n\s*\n", markdown.read_text("utf-8")):
        # Figures, not model names: "27%", "$1.74", "2025", but not the 4 of V4 or the 2 of V3.2.
        figures = set(re.findall(r"(?<![\w.])\$?\d+(?:[.,]\d+)*%?(?![\w])", CITATION.sub("", paragraph)))
        # Tables and charts are checked with the caption that follows them; headings state no facts.
        if not figures or paragraph.lstrip().startswith(("|", "#", "<")) or UNSOURCED.search(paragraph):
            continue
        quoted = " ".join(
            cited.quote or ""
            for _, body in citations.find_all(paragraph)
            for cited in citations.parse(body)
        )
        unquoted = {figure for figure in figures if figure.strip("$%") not in quoted}
        assert not unquoted, f"{unquoted} in: {paragraph[:200]}"
