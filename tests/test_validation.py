"""Each validation rule, broken on purpose in a copy of the project: one `path:line: message`, a failed strict build.

Each case makes one small edit to the real data or docs. The expected line is where the
edit landed, so the cases keep working as the content grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import ROOT
from explainer.site import Site


def _lines_between(path: str, first: str, then: str) -> int:
    """How many lines of the real ``path`` lie from where ``first`` stands to where ``then`` stands after it."""
    text = (ROOT / path).read_text("utf-8")
    start = text.index(first)
    return text.count("\n", start, text.index(then, start))


@dataclass(frozen=True)
class Case:
    path: str
    old: str
    new: str
    message: str
    """The exact text after ``path:line: ``; ``{line}`` is the line the edit landed on."""
    line_offset: int = 0
    """The message's line, counted from the line where ``old`` stood."""
    line: int | None = None
    """The message's line, when it is about the whole file rather than the edit."""


CASES = {
    "unknown field": Case(
        "data/glossary.yaml",
        "    definition: A model design",
        "    defintion: A model design",
        "unknown field 'defintion' in terms[0]; did you mean 'definition'? "
        "allowed: aliases, body, definition, id, see_also, sources, term, zh",
    ),
    "duplicate id": Case(
        "data/glossary.yaml", "  - id: cann", "  - id: moe", "id 'moe' is already used on line 5"
    ),
    "see_also names nothing": Case(
        "data/glossary.yaml",
        "    see_also: [activated-parameters,",
        "    see_also: [activated-parameter,",
        "see_also: no term has the id 'activated-parameter'; did you mean 'activated-parameters'?",
        line_offset=-_lines_between("data/glossary.yaml", "  - id: moe\n", "    see_also: [activated-parameters,"),
    ),
    "a Chinese form its source does not use": Case(
        "data/glossary.yaml",
        "        standard: true\n",
        "        source: v4-brief\n",
        "the Chinese form '混合专家' is not in the text of 'v4-brief': give the source whose text uses it, "
        "copied exactly, or mark it 'standard: true'",
        line_offset=-2,
    ),
    "a Chinese form neither from a source nor standard": Case(
        "data/glossary.yaml",
        "        script: Simplified\n        standard: true\n",
        "        script: Simplified\n",
        "the Chinese form '混合专家' needs either 'source:' (the source whose text uses it) or 'standard: true' "
        "(the usual term, which no source uses), not both or neither",
        line_offset=-1,
    ),
    "citation to an unknown source in YAML": Case(
        "data/timeline.yaml",
        "      - source: tmtpost-card",
        "      - source: tmtpost",
        "no source has the id 'tmtpost'; did you mean 'tmtpost-card'? (sources are data/sources/<id>.yaml)",
    ),
    "quote not in the article": Case(
        "data/sources/mittr-three-reasons.yaml",
        'quote: "On Friday, Chinese AI firm DeepSeek released a preview of V4',
        'quote: "On Monday, Chinese AI firm DeepSeek released a preview of V4',
        "the quote \"On Monday, Chinese AI firm DeepSeek released a preview of V4, its long-awaited …\" "
        "is not in the text of 'mittr-three-reasons'; the closest passage is "
        "\"On Friday, Chinese AI firm DeepSeek released a preview of V4, its long-awaited new flagship model.\"",
        line_offset=-1,
    ),
    "impossible date": Case(
        "data/timeline.yaml",
        '    date: "2024-12"',
        '    date: "2024-02-30"',
        "date: '2024-02-30' is not a date on the calendar",
    ),
    "malformed date": Case(
        "data/timeline.yaml",
        '    date: "2024-12"',
        '    date: "Dec 2024"',
        "events[2].date: 'Dec 2024' is not an ISO 8601 date at year, half-year, quarter, month or day precision: "
        "2026, 2026-H2, 2026-Q4, 2026-04 or 2026-04-24",
    ),
    "javascript: URL": Case(
        "data/sources/mittr-three-reasons.yaml",
        "url: https://www.technologyreview.com/2026/04/24/1136422/why-deepseeks-v4-matters/",
        "url: javascript:alert(1)",
        "url: link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site",
    ),
    "missing required term": Case(
        "data/glossary.yaml",
        "  - id: attention-compression",
        "  - id: attention-squeeze",
        "the glossary must define the term 'attention-compression' "
        "(required: moe, cann, attention-compression, supernode)",
        line=1,
    ),
    "invalid YAML": Case(
        "data/timeline.yaml",
        '    date: "2024-12"',
        '    date: "2024-12',
        "invalid YAML: a quoted string is not closed on this line",
    ),
    "tab in YAML": Case(
        "data/timeline.yaml",
        '    date: "2024-12"',
        '\tdate: "2024-12"',
        "invalid YAML: found character '\\t' that cannot start any token (YAML indents with spaces, never tabs)",
    ),
    "citation to an unknown source in Markdown": Case(
        "docs/topics/off-cuda.md",
        "## What CUDA and CANN are",
        "Wrongly cited [@mitr-three-reasons].\n\n## What CUDA and CANN are",
        "no source has the id 'mitr-three-reasons'; did you mean 'mittr-three-reasons'? (sources are data/sources/<id>.yaml)",
    ),
    "quote in Markdown not in the article": Case(
        "docs/topics/off-cuda.md",
        "## What CUDA and CANN are",
        'Misquoted [@v4-brief, "complete reliance on an imported chipset platform"].\n\n## What CUDA and CANN are',
        "the quote \"complete reliance on an imported chipset platform\" is not in the text of 'v4-brief'; "
        "the closest passage is \"complete reliance on a domestically developed chipset\"",
    ),
    "javascript: link in Markdown": Case(
        "docs/topics/off-cuda.md",
        "## What CUDA and CANN are",
        "[Click me](javascript:alert(1)) [@v4-brief].\n\n## What CUDA and CANN are",
        "link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site",
    ),
}


DATA = {name: case for name, case in CASES.items() if case.path.startswith("data/")}
PAGES = {name: case for name, case in CASES.items() if not case.path.startswith("data/")}


def _break(project, case: Case) -> str:
    """Make the case's edit; the line its message must carry."""
    line = project.replace(case.path, case.old, case.new) + case.line_offset
    return f"{case.path}:{case.line or line}: {case.message}"


@pytest.mark.parametrize("case", DATA.values(), ids=DATA.keys())
def test_a_broken_rule_of_the_data_is_one_precise_line(project, case: Case):
    """Read in the process, as the build's first event reads it (a problem there stops a strict build:
    the tests below prove it end to end)."""
    expected = _break(project, case)
    assert expected in map(str, Site(project.root).problems)


@pytest.mark.parametrize("case", PAGES.values(), ids=PAGES.keys())
def test_a_broken_rule_on_a_page_is_one_precise_line_and_a_failed_strict_build(project, case: Case):
    expected = _break(project, case)
    build = project.build()
    assert build.returncode != 0
    assert "Traceback" not in build.output
    assert f"{expected}\n" in build.output, build.output


def test_every_problem_is_reported_not_just_the_first(project):
    for case in (CASES["unknown field"], CASES["citation to an unknown source in YAML"], CASES["javascript: URL"]):
        project.replace(case.path, case.old, case.new)
    build = project.build()
    assert build.returncode != 0
    for path in ("data/glossary.yaml", "data/timeline.yaml", "data/sources/mittr-three-reasons.yaml"):
        assert f"ERROR   -  {path}:" in build.output
    assert "3 problem(s) in the data, listed above; nothing was built" in build.output


def test_a_failed_strict_build_writes_nothing(project):
    case = CASES["duplicate id"]
    project.replace(case.path, case.old, case.new)
    build = project.build()
    assert build.returncode != 0
    assert not (project.root / "site").exists()


def test_a_broken_schema_is_reported_as_one_line(project):
    project.replace("data/schema/common.schema.json", '"type": "string"', '"type": "strung"')
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "data/schema/common.schema.json:1: not a usable JSON Schema: 'strung' is not valid under any of the given schemas" in build.output
