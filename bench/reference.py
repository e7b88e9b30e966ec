"""The reference: what bare Material costs for a site of the same size (issue 15).

The full build's pages are measured (``measure``: the words and headings of each page's
article, the largest HTML page, the search index), and ``write`` makes a docs folder with
a page at each of the same paths, so that the same navigation holds them. The pages are
plain generated text (made-up words, seeded), with the full build's words and headings
shared out evenly: no citations, no glossary links, no page that grows with the data.
``config_text`` keeps the project's theme (its features and template overrides), the
search plugin (its languages and separator) and the navigation; it drops the hooks, the
project's stylesheet and every Markdown extension but ``toc``.
"""

from __future__ import annotations

import random
from html.parser import HTMLParser
from pathlib import Path

import baseline
from synth import _SYLLABLES

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
HEADING_WORDS = 3
"""Words of each reference heading; in the HTML it also has its permalink (¶), counted as a word."""
SENTENCE, PARAGRAPH = 12, 6  # words to a sentence, sentences to a paragraph


class _Article(HTMLParser):
    """Counts the words of a page's text and its headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words = 0
        self.headings = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        self.headings += tag in HEADINGS

    def handle_data(self, data: str) -> None:
        self.words += len(data.split())


def measure(site: Path) -> dict:
    """A built site's pages (every HTML file but 404.html): their words and headings (in Material's
    ``<article>``, without the navigation), the largest page, and the search index's size."""
    pages = [path for path in site.rglob("*.html") if path != site / "404.html"]
    article = _Article()
    for path in pages:
        html = path.read_text("utf-8")
        article.feed(html[html.find("<article") : html.rfind("</article>")])
        article.close()
        article.reset()
    largest = max(pages, key=lambda path: path.stat().st_size)
    return {
        "pages": len(pages),
        "words": article.words,
        "headings": article.headings,
        "largest_page": largest.parent.relative_to(site).as_posix() + "/",
        "largest_page_kib": largest.stat().st_size / 1024,
        "search_index_kib": (site / "search" / "search_index.json").stat().st_size / 1024,
    }


def write(pages: list[str], full: dict, out: Path, seed: str) -> None:
    """A page at each of ``pages`` (paths of Markdown files), sharing out ``full``'s words and headings."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choices(_SYLLABLES, k=rng.randint(1, 3))) for _ in range(2000)]
    count = len(pages)
    for number, page in enumerate(pages):
        headings = max(1, _share(full["headings"], count, number))
        words = _share(full["words"], count, number)
        path = out / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_page(rng, vocabulary, words, headings), encoding="utf-8")


def _share(total: int, count: int, number: int) -> int:
    """Page ``number``'s part of ``total`` shared out over ``count`` pages, as evenly as whole numbers go."""
    return total // count + (number < total % count)


def _page(rng: random.Random, vocabulary: list[str], words: int, headings: int) -> str:
    """A title and ``headings - 1`` sections, with ``words`` words in all (headings and permalinks included)."""
    prose = max(0, words - headings * (HEADING_WORDS + 1))
    parts = []
    for section in range(headings):
        title = " ".join(rng.choices(vocabulary, k=HEADING_WORDS)).capitalize()
        parts.append(f"{'#' if section == 0 else '##'} {title}")
        parts += _paragraphs(rng, vocabulary, _share(prose, headings, section))
    return "\n\n".join(parts) + "\n"


def _paragraphs(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    words = rng.choices(vocabulary, k=count)
    sentences = [" ".join(words[start : start + SENTENCE]).capitalize() + "." for start in range(0, count, SENTENCE)]
    return [" ".join(sentences[start : start + PARAGRAPH]) for start in range(0, len(sentences), PARAGRAPH)]


def config_text(config: str, docs_dir: str, nav: list) -> str:
    """The project's configuration as bare Material: the baseline's, without the stylesheet and extensions."""
    config = baseline.config_text(config, docs_dir, nav)
    for key in ("extra_css", "markdown_extensions"):
        config = baseline.drop_block(config, key)
    return config.rstrip("\n") + "\nmarkdown_extensions:\n  - toc:\n      permalink: true\n"
