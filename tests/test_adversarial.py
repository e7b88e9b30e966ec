"""Adversarial input: everything that reads contributed text must finish, and say the right thing.

Each regular expression (or scanner) that runs on data values, article texts, Markdown pages,
aliases or quotes is fed tens of kilobytes built to make it backtrack or search again and
again: runs of spaces after ``](``, ``[@a `` ten thousand times, unclosed quotes, long and
wide alias lists, a 50 KB quote that almost matches. Each test asserts what the answer is,
not only that there is one. The module's timeout is a guard against a hang, never a
measure of speed (timings are in no assertion: a loaded machine must not fail a test).

Where a regular expression gave way to a scanner, a property test holds the scanner to the
old expression on short inputs, where the old one is still quick: same brackets, same link
targets; and the alias matcher to a slow, obvious statement of its rule.
"""

from __future__ import annotations

import re

import markdown
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Project
from explainer import citations, load, nesting, render, urls, validate
from explainer.annotate import ExplainerExtension
from explainer.backlinks import Ledger, PageInfo, PageNotes
from explainer.matcher import MAX_ALIAS_LENGTH, AliasMatcher
from explainer.model import ID
from explainer.problems import Origin, Problem
from explainer.quotes import Article, normalise
from explainer.site import Site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.timeout(60)

PROPERTY = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# The expressions the scanners replaced, kept as the reference they must agree with. On pages,
# Python-Markdown compiled the citation pattern with re.DOTALL (a backslash escapes a line break
# in a quote); data fields now follow the same rule.
_OLD_QUOTED = r'"(?:[^"\\]|\\.)*"'
OLD_BRACKET = re.compile(r"(?<!\\)\[(@(?:[^\]\"]|" + _OLD_QUOTED + r")*)\](?!\()", re.DOTALL)
OLD_INLINE_TARGET = re.compile(r"\]\(\s*(<[^>\n]*>|(?:[^()\n]|\([^()\n]*\))*?)\s*(?:\"[^\"\n]*\"|'[^'\n]*')?\s*\)")


# -- citations ----------------------------------------------------------------------------------


def test_a_paragraph_of_unclosed_citations_is_one_problem():
    text = "[@a " * 20_000
    assert citations.find_all(text) == []
    [unclosed] = citations.scan(text)
    assert unclosed == citations.Unclosed(
        0, "the citation '[@a [@a [@a [@a [@a [@a [@a [@a [@a [@a…' is not closed: end it with ']' "
        "(for a literal '[@', write '\\[@')"
    )


def test_thousands_of_citations_are_each_found():
    assert citations.find_all("[@a] " * 12_500) == [(5 * index, "@a") for index in range(12_500)]


def test_citations_in_the_quotes_of_a_link_text_are_found_where_the_link_text_is_not_one():
    text = '[@a "[@b]" ' * 5_000 + "](https://example.org)"
    expected = [(index, "@b") for index in range(len(text)) if text.startswith("[@b]", index)]
    assert len(expected) == 5_000
    assert citations.find_all(text) == expected


def test_a_quote_that_never_closes_is_one_problem():
    text = '[@a, "' + '[@a \\"' * 10_000
    assert citations.find_all(text) == []
    [unclosed] = citations.scan(text)
    assert unclosed.start == 0
    assert unclosed.message.startswith("the quote in the citation '[@a, \"[@a \\\"[@a")
    assert unclosed.message.endswith("is not closed: end it with '\"'")


def test_a_backslash_escapes_a_line_break_in_a_quote_in_data_as_on_pages():
    assert citations.find_all('[@a, "x\\\ny"] [@b]') == [(0, '@a, "x\\\ny"'), (13, "@b")]


@pytest.mark.parametrize("backslashes", [50_000, 50_001])
def test_a_quote_of_backslashes(backslashes: int):
    text = '[@a, "' + "\\" * backslashes + '"]'
    found = citations.find_all(text)
    if backslashes % 2:  # the last one escapes the closing quote
        assert found == [] and [item.start for item in citations.scan(text)] == [0]
    else:
        assert found == [(0, text[1:-1])]
        assert citations.parse(found[0][1]) == [citations.Cited("a", "\\" * (backslashes // 2))]


@pytest.mark.parametrize(
    "body",
    ["@" + "a" * 25_000 + " " * 25_000 + "x", '@a, "' + "x" * 50_000, "@a, " + " " * 50_000 + "q", "@a;" * 20_000 + "!"],
)
def test_an_unreadable_citation_of_50_kb_is_refused(body: str):
    with pytest.raises(citations.CitationSyntaxError, match="^cannot read the citation"):
        citations.parse(body)


def test_a_citation_of_20000_items_is_read():
    body = "; ".join(f'@s{index}, "q {index}"' for index in range(20_000))
    cited = citations.parse("@" + body[1:])
    assert len(cited) == 20_000 and cited[-1] == citations.Cited("s19999", "q 19999")


_CITATION_PIECES = st.sampled_from(["[@", "[", "@", "a", '"', "\\", "]", "(", " ", "\n", ";", ","])


@PROPERTY
@given(st.lists(_CITATION_PIECES, max_size=30).map("".join))
def test_the_bracket_scanner_finds_what_the_regular_expression_found(text: str):
    assert citations.find_all(text) == [(match.start(), match[1]) for match in OLD_BRACKET.finditer(text)]


@PROPERTY
@given(st.lists(st.lists(_CITATION_PIECES, max_size=20).map("".join), min_size=1, max_size=4))
def test_the_inline_pattern_finds_what_the_regular_expression_found(texts: list[str]):
    """As Python-Markdown drives it: after each match, a placeholder, and a search from just after it.
    One finder serves several texts in turn, as one page's pattern serves its paragraphs."""
    finder = citations.InlineBrackets()
    for text in texts:
        assert _markdown_matches(text, _old_bracket) == _markdown_matches(text, finder.at)


def _old_bracket(data: str, start: int) -> citations.Bracket | None:
    match = OLD_BRACKET.match(data, start)
    return citations.Bracket(start, match.end()) if match else None


def _markdown_matches(text: str, found_at) -> list[str]:
    """The brackets found; a '[@' that nothing closes is taken too (its '[' alone), but is no bracket."""
    found, start, taken = [], 0, 0
    while True:
        matches = (found_at(text, match.start()) for match in citations.START.finditer(text, start))
        match = next((match for match in matches if match is not None), None)
        if match is None:
            return found
        end = match.end if isinstance(match, citations.Bracket) else match.start + 1
        if isinstance(match, citations.Bracket):
            found.append(text[match.start : end])
        taken += 1
        placeholder = f"\x02klzzwxh:{taken:04d}\x03"
        text = text[: match.start] + placeholder + text[end:]
        start = match.start + len(placeholder)


# -- citations and unclosed brackets on a page ----------------------------------------------------


@pytest.fixture(scope="module")
def real_site() -> Site:
    """The real data, loaded (not built)."""
    return Site(ROOT)


def _convert(site: Site, text: str) -> tuple[BeautifulSoup, list[Problem]]:
    page = PageInfo(src_uri="topics/x.md", display_path="docs/topics/x.md", source_text=text)
    ledger = Ledger()
    extension = ExplainerExtension(site.index, ledger, current_page=lambda: page)
    html = markdown.Markdown(extensions=[extension, "admonition", "attr_list", "md_in_html", "tables"]).convert(text)
    return BeautifulSoup(html, "html.parser"), ledger.notes[page.src_uri].problems


def test_a_page_paragraph_of_8000_unclosed_citations_stays_text(real_site: Site):
    soup, problems = _convert(real_site, "[@a " * 8_000)
    assert soup.p.get_text().strip() == ("[@a " * 8_000).strip()
    assert soup.select("sup.citation") == []
    [problem] = problems
    assert problem.origin.line == 1 and "not closed" in problem.message


def test_a_page_with_2000_citations_numbers_each(real_site: Site):
    soup, problems = _convert(real_site, "[@v4-brief] " * 2_000)
    assert problems == []
    assert [link.get_text() for link in soup.select("sup.citation a")] == ["1"] * 2_000


# -- link targets in data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("](" + " " * 50_000, []),
        ("[x](" + " " * 50_000 + ")", [(50_004, "")]),
        ("[x](" + " " * 50_000 + "javascript:alert(1))", [(50_004, "javascript:alert(1)")]),
        ("[x](" + " \n" * 25_000 + "a)", [(50_004, "a")]),
        ("](" * 25_000, []),
        ("](<" * 15_000, []),
        ("](<" * 15_000 + ">)", [(2, "](<" * 14_999)]),
        ('[a](b "' + "x" * 50_000, []),
        ('[a](b "' + "x" * 50_000 + '")', [(4, "b")]),
        ("[a](" + "(b)" * 20_000 + ")", [(4, "(b)" * 20_000)]),
        ("[a](" + "(b" * 20_000 + ")", []),
        ("](" + "\"'" * 25_000, []),
        ("[a](b" + " c" * 25_000, []),
        ("[a]: " + "<" * 50_000, [(5, "<" * 49_999)]),
        ("[a]: <x\n" * 10_000, [(8 * index + 5, "x") for index in range(10_000)]),
        ("[a](x) " * 10_000, [(7 * index + 4, "x") for index in range(10_000)]),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_link_targets_in_large_adversarial_text(text: str, expected: list[tuple[int, str]]):
    assert list(validate._link_targets(text)) == expected


_LINK_PIECES = st.sampled_from(["](", "]", "(", ")", " ", "  ", "\n", "\t", '"', "'", "<", ">", "a", "[", ":", "\u3000"])


@PROPERTY
@given(st.lists(_LINK_PIECES, max_size=25).map("".join))
def test_the_link_scanner_finds_what_the_regular_expression_found(text: str):
    matches = [*OLD_INLINE_TARGET.finditer(text), *validate._REFERENCE_TARGET.finditer(text)]
    expected = [(match.start(1), match[1].removeprefix("<").removesuffix(">")) for match in sorted(matches, key=re.Match.start)]
    assert list(validate._link_targets(text)) == expected


# -- data fields, checked as `make check` does ------------------------------------------------------

BODY_END = "\n    see_also: [activated-parameters, parameters, inference]"
"""The end of the first glossary body (moe's): a payload put here ends its last line."""


def _body_problems(project: Project, payload: str) -> tuple[int, list[str]]:
    """The line of ``payload`` at the end of the first glossary body, and every problem of the data."""
    line = project.replace("data/glossary.yaml", BODY_END, " " + payload + BODY_END)
    return line, [str(problem) for problem in Site(project.root).problems]


def test_a_link_target_of_50000_spaces_in_a_glossary_body(project: Project):
    line, problems = _body_problems(project, "See [this](" + " " * 50_000 + "and [d](javascript:alert(1)).")
    assert problems == [
        f"data/glossary.yaml:{line}: link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site"
    ]


def test_8000_unclosed_citations_in_a_glossary_body(project: Project):
    line, problems = _body_problems(project, "[@a " * 8_000)
    assert problems == [
        f"data/glossary.yaml:{line}: the citation '[@a [@a [@a [@a [@a [@a [@a [@a [@a [@a…' is not closed: "
        "end it with ']' (for a literal '[@', write '\\[@')"
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[a " * 8_000, "8000 '[' in this paragraph are never closed by ']'; close them, or write \\[ for a bracket of the text"),
        ("![a " * 8_000, "8000 '[' in this paragraph are never closed by ']'; close them, or write \\[ for a bracket of the text"),
        ("[" * 4_000 + "a" + "]" * 4_000, "brackets '[' are nested more than 16 deep here; nest them less deeply"),
        ("[a](" * 8_000, "8000 links in this paragraph have no ')' to end their target; close them"),
    ],
    ids=["'[a ' x 8000", "'![a ' x 8000", "'[' nested 4000 deep", "'[a](' x 8000"],
)
def test_brackets_python_markdown_would_read_again_and_again(project: Project, payload: str, message: str):
    """Python-Markdown reads from each '[' to its ']' and from each '](' to its ')': the build would take minutes."""
    line, problems = _body_problems(project, payload)
    assert problems == [f"data/glossary.yaml:{line}: {message}"]


def test_3000_citations_of_unknown_sources_are_3000_lines(project: Project):
    line, problems = _body_problems(project, "".join(f"[@nope{index}] " for index in range(3_000)))
    assert sorted(problems) == sorted(
        f"data/glossary.yaml:{line}: no source has the id 'nope{index}' (sources are data/sources/<id>.yaml)"
        for index in range(3_000)
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("<" * 50_000, None),
        ("{" + " " * 50_000 + "#x}", "attribute lists ('{: ... }') are not allowed in data: they can set any HTML attribute"),
        ("{" * 50_000, None),
        ("x" * 50_000 + "<b>", "raw HTML is not allowed in data; write Markdown (use &lt; for a literal '<')"),
    ],
    ids=["'<' x 50000", "'{' and spaces", "'{' x 50000", "a tag after 50000 characters"],
)
def test_html_and_attribute_lists_in_50_kb_of_a_glossary_body(project: Project, payload: str, message: str | None):
    line, problems = _body_problems(project, payload)
    assert problems == ([f"data/glossary.yaml:{line}: {message}"] if message else [])


# -- aliases --------------------------------------------------------------------------------------


def test_10000_aliases_that_each_start_differently():
    chinese = [chr(0x4E00 + index) for index in range(10_000)]
    matcher = AliasMatcher({char + "x": char for char in chinese})
    assert list(matcher.finditer(chinese[-1] * 30_000)) == []
    assert list(matcher.finditer((chinese[-1] + "x") * 15_000)) == [(2 * i, 2 * i + 2, chinese[-1]) for i in range(15_000)]


def test_10000_aliases_that_share_their_first_character():
    chinese = [chr(0x4E00 + index) for index in range(10_000) if chr(0x4E00 + index) != "中"]
    matcher = AliasMatcher({"中" + char + "x": char for char in chinese})
    assert list(matcher.finditer(("中" + chinese[-1]) * 15_000)) == []


def test_an_alias_too_long_to_link_is_left_out_and_a_long_one_is_linked():
    longest = "中" * (MAX_ALIAS_LENGTH - 1) + "国"
    matcher = AliasMatcher({"中" * 50_000 + "国": "too long", longest: "longest", "中": "short"})
    assert list(matcher.finditer("中" * 50_000)) == [(index, index + 1, "short") for index in range(50_000)]
    assert list(matcher.finditer(longest * 500)) == [
        (index * MAX_ALIAS_LENGTH, (index + 1) * MAX_ALIAS_LENGTH, "longest") for index in range(500)
    ]


def test_aliases_nested_a_hundred_deep():
    matcher = AliasMatcher({"中" * length: str(length) for length in range(1, MAX_ALIAS_LENGTH + 1)})
    text = ("中" * 99 + "国") * 500
    assert list(matcher.finditer(text)) == [(index * 100, index * 100 + 99, "99") for index in range(500)]


def test_an_alias_too_long_to_link_is_reported(project: Project):
    project.replace("data/glossary.yaml", "    aliases: [MoE,", "    aliases: [" + "MoE" * 40 + ", MoE,")
    line = project.replace("data/glossary.yaml", "  - id: moe\n", "  - id: moe\n")  # the term's own line
    problems = [str(problem) for problem in Site(project.root).problems]
    assert problems == [
        f"data/glossary.yaml:{line}: the name or alias '{'MoE' * 13}…' is 120 characters long; "
        f"names and aliases are linked on pages, and may be {MAX_ALIAS_LENGTH} characters at most"
    ]


_ALIAS_TEXT = st.text(alphabet="aAb1 中国.-", max_size=30)


@PROPERTY
@given(st.lists(st.text(alphabet="aAb1 中国.-", min_size=1, max_size=5), max_size=40), _ALIAS_TEXT)
def test_the_matcher_finds_the_leftmost_longest_alias_with_its_boundaries(aliases: list[str], text: str):
    keys = {alias: f"k{index}" for index, alias in enumerate(aliases)}
    assert list(AliasMatcher(keys).finditer(text)) == list(_leftmost_longest(keys, text))


def _leftmost_longest(keys: dict[str, str], text: str):
    """The matcher's rule, written the slow and obvious way."""
    word = re.compile(r"[A-Za-z0-9]").fullmatch
    position = 0
    while position < len(text):
        fits = [
            alias
            for alias in keys
            if text.startswith(alias, position)
            and not (word(alias[0]) and position and word(text[position - 1]))
            and not (word(alias[-1]) and word(text[position + len(alias) : position + len(alias) + 1] or "."))
        ]
        if fits:
            longest = max(fits, key=len)
            yield position, position + len(longest), keys[longest]
            position += len(longest)
        else:
            position += 1


# -- quotes -------------------------------------------------------------------------------------------


def test_50_kb_of_white_space_is_one_space():
    assert normalise("x" + " \n\t\u3000" * 12_500 + "y") == "x y"


def test_a_50_kb_quote_that_almost_matches():
    article = Article("alpha beta " * 5_000)
    quote = ("alpha beta " * 5_000).strip()
    assert article.contains(quote)
    assert not article.contains(quote[:-1] + "X")
    assert article.closest(quote[:-1] + "X").startswith("alpha beta alpha beta")


def test_thousands_of_missing_quotes_cost_a_hundred_passes_over_the_article():
    article = Article(" ".join(f"word{index}" for index in range(5_000)))
    closest = [article.closest(f"word{index} missing") for index in range(2_000)]
    assert closest[0].startswith("word0") and all(closest[:100])
    assert closest[100:] == [None] * 1_900
    assert article.closest("word0 missing") == closest[0]  # one already worked out is still given


# -- where a problem stands ------------------------------------------------------------------------------


def test_the_line_of_a_text_reported_on_a_page_of_near_misses():
    source = "intro\n\n" + "[@a " * 8_000 + "\n\n" + "[@a " * 8_000 + "]\n"
    notes = PageNotes(PageInfo("x.md", "docs/x.md", source))
    assert notes._line_of(("[@a " * 8_000 + "]",)) == 3


def test_the_lines_of_8000_problems_in_one_field():
    value = "[@x] " * 8_000
    written = load.Written(10, "|\n" + "\n".join("  " + value[start : start + 80] for start in range(0, len(value), 80)))
    assert [written.line_at(value, 5 * index) for index in range(0, 8_000, 16)] == [11 + index // 16 for index in range(0, 8_000, 16)]


# -- the other expressions that read contributed text ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "matches"),
    [("a-" * 25_000, False), ("a-" * 25_000 + "a", True), ("a--" * 20_000, False), ("a" * 50_000 + "\n", False)],
    ids=["trailing hyphen", "id", "double hyphens", "final line break"],
)
def test_ids_of_50_kb(value: str, matches: bool):
    assert (ID.search(value) is not None) is matches


def test_escaping_50_kb_for_markdown_and_html():
    assert render.escape_markdown("[" * 50_000) == "\\[" * 50_000
    assert render.data_markdown("<a" * 25_000) == "&lt;a" * 25_000
    assert render.data_markdown("<" * 50_000) == "<" * 50_000


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("a" * 50_000 + ":", "a" * 50_000), ("a" * 50_000, ""), ("java\tscript" + "\t" * 50_000 + ":x", "javascript")],
)
def test_url_schemes_of_50_kb(url: str, scheme: str):
    assert urls.url_scheme(url) == scheme


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (" " * 60 + "*" * 17 + " " * 50_000 + "x", 1),
        (" " * 60 + "*_ " * 20_000, 0),
        ("> " * 25_000, 1),
        ("*x" * 25_000, 0),
    ],
    ids=["indented emphasis run", "thematic break", "block quotes", "alternating emphasis"],
)
def test_nesting_checks_on_50_kb_lines(text: str, problems: int):
    assert len(list(nesting.nesting_problems(text))) == problems


def test_yaml_guards_on_50_kb_lines():
    assert load._PYYAML_ONLY.search("- " * 25_000 + "?")
    assert not load._PYYAML_ONLY.search("- " * 25_000 + "x")
    assert not load._PYYAML_ONLY.search(">" + "-" * 50_000 + "x")
    assert load._ESCAPED_QUOTE.sub("", '\\"' * 25_000) == ""


def test_escaping_50_kb_of_control_characters_for_a_log():
    assert str(Problem(Origin("f", 1), "\x1b" * 50_000)) == "f:1: " + "\\x1b" * 50_000


# -- the whole build ---------------------------------------------------------------------------------------


def test_the_build_refuses_a_link_after_1000_spaces_in_a_glossary_body(project: Project):
    line = project.replace("data/glossary.yaml", BODY_END, " See [this](" + " " * 1_000 + "and [d](javascript:alert(1))." + BODY_END)
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output
    message = "link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site"
    assert f"data/glossary.yaml:{line}: {message}\n" in build.output, build.output


def test_the_build_reports_a_page_paragraph_of_8000_unclosed_citations(project: Project):
    heading = "## What CUDA and CANN are"
    line = project.replace("docs/topics/off-cuda.md", heading, "[@a " * 8_000 + "\n\n" + heading)
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output
    reported = [row for row in build.output.splitlines() if f"docs/topics/off-cuda.md:{line}: the citation '[@a [@a" in row]
    assert len(reported) == 1 and "not closed" in reported[0], build.output
