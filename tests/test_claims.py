"""Claims (issue 12): the ``[?claim-id]`` label, the checks of each status, the generated blocks,
the "What we know" page and ``claims.json``.

The label and the blocks are converted in the process over a small dataset held in memory (as in
test_extension.py); the checks read an edited copy of the project as the build's first event
does; two strict builds prove the whole path, from the data to the published page.
"""

from __future__ import annotations

import html
import json
import textwrap

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, Build, Project
from explainer import inert, model
from explainer.annotate import ExplainerExtension
from explainer.backlinks import Backlink, Ledger, PageInfo, PageNotes
from explainer.dataset import Loaded
from explainer.index import Index
from explainer.model import STATUS, Citation, Claim, Dataset, Figure, PartialDate, Source
from explainer.problems import Origin
from explainer.quotes import Article
from explainer.site import Site

# -- in memory: the label and the blocks ---------------------------------------------------------------

REPORT = "V4-Pro costs 1.74 per million input tokens. Outlet A says it runs on Ascend. Outlet B says it does not."
CARD = "The card's machine summary says so."
HOSTILE = 'Says <img src=x onerror=alert(1)> and "quotes" & <b>more</b>'


def _source(source_id: str, kind: str) -> Source:
    origin = Origin(f"data/sources/{source_id}.yaml")
    return Source(
        id=source_id, title=f"About {source_id}", original_title=None, publisher="A publisher", url=None,
        url_note="none", original_starts_after=None, accessed=PartialDate(2026, 11, 23), published=PartialDate(2026, 4),
        published_note=None, languages=("en",), kind=kind, reliability="", summary="", key_points=(), quiz=(),
        origin=origin, text_path=f"data/sources/{source_id}.txt",
    )


def _claim(claim_id: str, statement: str, status: str, for_: str, against: str | None = None, **more) -> Claim:
    return Claim(
        id=claim_id, statement=statement, status=STATUS[status], glance=more.get("glance"), for_=for_, against=against,
        figures=more.get("figures", ()), origin=Origin("data/claims.yaml", 1),
    )


CLAIMS = (
    _claim(
        "pro-price", "V4-Pro costs 1.74 per million input tokens.", "company-claim",
        '[@report, "V4-Pro costs 1.74 per million input tokens"]', glance="Price",
        figures=(Figure("Input", 1.74, "US$ per million tokens", Origin("data/claims.yaml", 1)),),
    ),
    _claim(
        "runs-on-ascend", "It runs on Ascend.", "disputed", 'A says so [@report, "Outlet A says it runs on Ascend"].',
        'B says no [@report, "Outlet B says it does not"].', glance="Hardware",
    ),
    _claim("hostile", HOSTILE, "ai-generated", '[@card, "machine summary"]'),
)
DATASET = Dataset(
    sources={"report": _source("report", "news report"), "card": _source("card", "AI-generated summary")},
    terms=(), events=(), entities=(), claims=CLAIMS,
)
INDEX = Index(
    Loaded(DATASET, [], {"report": Article(REPORT), "card": Article(CARD)}, frozenset(DATASET.sources),
           claim_ids=frozenset({*(claim.id for claim in CLAIMS), "left-out"}))
)
EXTENSIONS = ["attr_list", "tables", "admonition", "fenced_code"]


def _convert(text: str, src_uri: str = "topics/page.md") -> tuple[BeautifulSoup, PageNotes, Ledger]:
    ledger = Ledger()
    page = PageInfo(src_uri, f"docs/{src_uri}", text)
    converted = markdown.Markdown(extensions=[ExplainerExtension(INDEX, ledger, lambda: page), *EXTENSIONS]).convert(text)
    return BeautifulSoup(inert.make_inert(converted).html, "html.parser"), ledger.notes[src_uri], ledger


def test_a_label_shows_the_status_links_to_the_claim_and_tells_the_statement():
    soup, notes, ledger = _convert("V4-Pro is cheap [@report] [?pro-price].\n")
    [label] = soup.select("a.claim-label")
    assert label.get_text() == "company claim"
    assert label["class"] == ["claim-label", "claim-label--company-claim"]
    assert label["href"] == "../what-we-know.md#pro-price"
    assert html.unescape(label["title"]) == "Company claim: V4-Pro costs 1.74 per million input tokens."
    assert notes.problems == [] and ledger.pages(Backlink.CLAIM_USED_ON, "pro-price") == ["topics/page.md"]


def test_a_hostile_statement_stays_text_in_the_labels_title():
    soup, notes, _ = _convert("What the card says [?hostile].\n")
    [label] = soup.select("a.claim-label")
    assert soup.find("img") is None and soup.find("b") is None
    # The inert pass escapes a title once more, for Material's tooltip, which inserts it as HTML once decoded.
    assert html.unescape(label["title"]) == f"AI-generated: {HOSTILE}"
    assert "<" not in label["title"] and notes.problems == []


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[?pro-prices]", "no claim has the id 'pro-prices'; did you mean 'pro-price'? (claims are in data/claims.yaml)"),
        ("[?Pro Price]", "'[?Pro Price].' is not a claim label: write [?claim-id], the id of a claim in data/claims.yaml"),
        ("[? pro-price]", "'[? pro-price].' is not a claim label"),
        ("[?pro-price", "'[?pro-price.' is not a claim label"),
    ],
    ids=["unknown id", "not an id", "space", "not closed"],
)
def test_a_bad_label_is_reported_at_its_line(written: str, message: str):
    _, notes, _ = _convert(f"# A page\n\nSome text.\nA claim {written}.\n")
    [problem] = notes.problems
    assert str(problem).startswith(f"docs/topics/page.md:4: {message}"), str(problem)


def test_labels_in_code_escaped_or_of_a_claim_left_out_for_its_own_problem_are_not_reported():
    soup, notes, _ = _convert("`[?nope]` and \\[?literal] and [?left-out].\n\n```\n[?nope]\n::: nope\n```\n")
    assert notes.problems == []
    assert soup.code.get_text() == "[?nope]" and "[?literal]" in soup.get_text() and "::: nope" in soup.pre.get_text()
    assert soup.select("a.claim-label") == []


def _sources_list(soup: BeautifulSoup) -> list[str]:
    return [item["id"] for item in soup.select("ol.explainer-sources > li")]


def test_the_at_a_glance_block_has_a_row_per_glance_claim_with_label_and_numbered_citation():
    soup, notes, ledger = _convert("Text [@card].\n\n::: at-a-glance\n")
    box = soup.select_one("div.admonition.explainer-glance")
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in box.select("tbody tr")]
    assert [row[:3] for row in rows] == [
        ["Price", "V4-Pro costs 1.74 per million input tokens.", "company claim"],
        ["Hardware", "It runs on Ascend.", "disputed"],
    ]
    # The disputed row cites both sides, in one mark; numbered after the page's own first citation.
    assert [row[3] for row in rows] == ["[ 2 ]", "[ 2 ]"]
    assert "“Outlet B says it does not”" in box.select("tbody tr")[1].select_one("sup.citation a")["title"]
    assert _sources_list(soup) == ["ref-card", "ref-report"] and notes.problems == []
    assert ledger.pages(Backlink.CLAIM_USED_ON, "runs-on-ascend") == ["topics/page.md"]


def test_the_disagreements_block_puts_each_disputed_claim_beside_its_other_side():
    soup, notes, _ = _convert("::: disagreements\n")
    [row] = soup.select("table tbody tr")
    claim, one, other = row.find_all("td")
    assert claim.select_one("a.claim-label--disputed") and claim.get_text().startswith("It runs on Ascend.")
    assert one.get_text().startswith("A says so") and other.get_text().startswith("B says no")
    assert [link["href"] for link in row.select("sup.citation a")] == ["#ref-report", "#ref-report"]
    assert _sources_list(soup) == ["ref-report"] and notes.problems == []


def test_the_diagram_blocks_draw_svg_whose_labels_are_the_claims_labels():
    soup, notes, ledger = _convert("::: figures pro-price\n\n::: software-stack training=runs-on-ascend inference=pro-price\n")
    figures, stack = soup.find_all("figure")
    assert figures.find("svg")["role"] == "img" and "1.74" in figures.get_text()
    assert figures.select_one("a.claim-label")["href"] == "../what-we-know.md#pro-price"
    assert {label.get_text() for label in stack.select("a.claim-label")} == {"disputed", "company claim"}
    assert notes.problems == [] and ledger.pages(Backlink.CLAIM_USED_ON, "runs-on-ascend") == ["topics/page.md"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("::: at-a-glanse", "no block is called 'at-a-glanse'; did you mean 'at-a-glance'? the blocks are at-a-glance, disagreements, figures, software-stack"),
        ("::: disagreements now", "'::: disagreements' takes no argument, not 'now'; write the line as '::: disagreements'"),
        ("::: figures", "'::: figures' needs the ids of the claims to chart"),
        ("::: figures runs-on-ascend", "'::: figures': claim 'runs-on-ascend' has no figures to chart"),
        ("::: figures pro-prize", "'::: figures': no claim has the id 'pro-prize'; did you mean 'pro-price'?"),
        ("::: software-stack training=pro-price", "'::: software-stack' needs inference=<claim-id>"),
        ("::: software-stack training=pro-price inference=pro-price colour=red", "'::: software-stack': 'colour=red' is not an argument it takes"),
        ("::: Figures", "cannot read the block '::: Figures': write one of ::: at-a-glance"),
    ],
    ids=["unknown block", "argument to a block without", "no claim", "claim without figures", "unknown claim", "missing argument", "unknown argument", "unreadable"],
)
def test_a_bad_block_is_reported_at_its_line(line: str, message: str):
    soup, notes, _ = _convert(f"# A page\n\nText.\n\n{line}\n\nMore text.\n")
    [problem] = notes.problems
    assert str(problem).startswith(f"docs/topics/page.md:5: {message}"), str(problem)
    assert ":::" not in soup.get_text()


# -- the checks of the data, read in the process -----------------------------------------------------------

FOR_MIT = '[@mittr-three-reasons, "The new model comes in two versions"]'
FOR_WMW = '[@wmw-analysis, "V4 has been delayed multiple times"]'
FOR_CARD = '[@tmtpost-card, "The delay is reportedly linked to severe supply chain constraints"]'


def _claim_yaml(claim_id: str, **fields: object) -> str:
    """A claim as data/claims.yaml writes it, indented as an item of ``claims``."""
    return textwrap.indent(yaml.safe_dump([{"id": claim_id, **fields}], allow_unicode=True, sort_keys=False, width=1000), "  ")


def _append_claim(project: Project, claim_id: str, **fields: object) -> int:
    """Add a claim at the end of the project's data/claims.yaml; the line of its ``- id:``."""
    text = project.read("data/claims.yaml").rstrip("\n") + "\n"
    project.write("data/claims.yaml", text + _claim_yaml(claim_id, **fields))
    return text.count("\n") + 1


def _problems_of_claims(project: Project) -> list[str]:
    return [str(problem) for problem in Site(project.root).problems if problem.origin.path == "data/claims.yaml"]


STATEMENT = "Test claim: V4 comes in two versions."
# (name, the claim broken, the claim fixed, the message, the message's line counted from the claim's)
STATUS_CASES = [
    (
        "unknown status",
        {"status": "reportd", "for": FOR_MIT},
        {"status": "reported", "for": FOR_MIT},
        "claims[{index}].status: 'reportd' is not one of 'confirmed', 'reported', 'company-claim', 'unnamed-reports', "
        "'speculation', 'ai-generated', 'disputed'; did you mean 'reported'?",
        2,
    ),
    (
        "confirmed by one source",
        {"status": "confirmed", "for": f"MIT says so {FOR_MIT}."},
        {"status": "confirmed", "for": f"MIT says so {FOR_MIT}, and so does the analysis {FOR_WMW}."},
        "claim 'test-claim' is confirmed, but 'for' cites one source only ('mittr-three-reasons'); confirmed needs at "
        "least 2 different sources: cite another, or choose another status (e.g. 'reported')",
        0,
    ),
    (
        "disputed without against",
        {"status": "disputed", "for": FOR_MIT},
        {"status": "disputed", "for": FOR_MIT, "against": f"The analysis says otherwise {FOR_WMW}."},
        "claim 'test-claim' is disputed, but it has no 'against': give the other side in 'against', citing it",
        0,
    ),
    (
        "disputed against citing nothing",
        {"status": "disputed", "for": FOR_MIT, "against": "Someone says otherwise."},
        {"status": "disputed", "for": FOR_MIT, "against": f"Someone says otherwise {FOR_WMW}."},
        "claim 'test-claim' is disputed, but its 'against' cites no source: give the other side",
        0,
    ),
    (
        "only the AI-generated card",
        {"status": "reported", "for": FOR_CARD},
        {"status": "ai-generated", "for": FOR_CARD},
        "claim 'test-claim' cites only AI-generated summaries (tmtpost-card), so its status must be 'ai-generated', "
        "not 'reported': cite a source that reports it, or mark it ai-generated",
        0,
    ),
    (
        "for cites nothing",
        {"status": "reported", "for": "MIT says so."},
        {"status": "reported", "for": f"MIT says so {FOR_MIT}."},
        "claim 'test-claim': 'for' cites no source; cite who says it",
        0,
    ),
    (
        "unknown source in for",
        {"status": "reported", "for": '[@mitr-three-reasons, "The new model comes in two versions"]'},
        {"status": "reported", "for": FOR_MIT},
        "no source has the id 'mitr-three-reasons'; did you mean 'mittr-three-reasons'?",
        3,
    ),
    (
        "quote not in the article",
        {"status": "reported", "for": '[@mittr-three-reasons, "The new model comes in three versions"]'},
        {"status": "reported", "for": FOR_MIT},
        "the quote \"The new model comes in three versions\" is not in the text of 'mittr-three-reasons'",
        3,
    ),
    (
        "unknown claim label in for",
        {"status": "reported", "for": f"MIT says so {FOR_MIT} [?v4-versoins]."},
        {"status": "reported", "for": f"MIT says so {FOR_MIT} [?test-claim]."},
        "no claim has the id 'v4-versoins'; did you mean",
        3,
    ),
    (
        "malformed label in for",
        {"status": "reported", "for": f"MIT says so {FOR_MIT} [?]."},
        {"status": "reported", "for": f"MIT says so {FOR_MIT} \\[?]."},
        "'[?].' is not a claim label: write [?claim-id]",
        3,
    ),
    (
        "figure not in the statement",
        {"status": "reported", "for": FOR_MIT, "figures": [{"label": "Versions", "value": 3, "unit": "versions"}]},
        {"status": "reported", "for": FOR_MIT, "figures": [{"label": "Versions", "value": 2, "unit": "versions"}]},
        "figure 'Versions': its value 3 is not written in the statement of claim 'test-claim'; write it there",
        5,
    ),
]


@pytest.mark.parametrize(("broken", "fixed", "message", "offset"), [case[1:] for case in STATUS_CASES], ids=[case[0] for case in STATUS_CASES])
def test_each_check_of_a_claim_fails_with_its_line_and_passes_once_fixed(project, broken, fixed, message, offset):
    assert _problems_of_claims(project) == [], "the real claims pass"
    before = project.read("data/claims.yaml")
    statement = STATEMENT.replace("two", "2") if "figures" in broken else STATEMENT
    line = _append_claim(project, "test-claim", statement=statement, **broken)
    index = len(yaml.safe_load(before)["claims"])
    expected = f"data/claims.yaml:{line + offset}: {message.format(index=index)}"
    problems = _problems_of_claims(project)
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    project.write("data/claims.yaml", before)
    _append_claim(project, "test-claim", statement=statement, **fixed)
    assert _problems_of_claims(project) == []


def test_a_duplicate_or_reserved_claim_id_is_reported(project):
    first = yaml.safe_load(project.read("data/claims.yaml"))["claims"][0]["id"]
    first_line = project.read("data/claims.yaml").split("\n").index(f"  - id: {first}") + 1
    line = _append_claim(project, first, statement=STATEMENT, status="reported", **{"for": FOR_MIT})
    reserved = _append_claim(project, "status-reported", statement=STATEMENT, status="reported", **{"for": FOR_MIT})
    problems = _problems_of_claims(project)
    assert f"data/claims.yaml:{line}: id '{first}' is already used on line {first_line}" in problems
    assert any(problem.startswith(f"data/claims.yaml:{reserved}: id 'status-reported' is taken by the What we know page") for problem in problems)


def test_a_missing_claims_file_is_one_line(project):
    project.path("data/claims.yaml").unlink()
    assert [str(problem) for problem in Site(project.root).problems] == ["data/claims.yaml:1: the file is missing"]


def test_the_statuses_are_the_schemas_choices_in_the_model_order():
    written = json.loads((ROOT / "data/schema/claims.schema.json").read_text("utf-8"))
    published = json.loads((ROOT / "hooks/explainer/published/claims.schema.json").read_text("utf-8"))
    ids = [status.id for status in model.STATUSES]
    assert written["properties"]["claims"]["items"]["properties"]["status"]["enum"] == ids
    assert published["properties"]["claims"]["items"]["properties"]["status"]["properties"]["id"]["enum"] == ids
    assert all(status.meaning.endswith(".") and status.meaning.count(". ") == 0 for status in model.STATUSES)


# -- strict builds ----------------------------------------------------------------------------------------

TEST_PAGE = """# Claims under test

A sentence on a test claim [?test-disputed], and on a real one [?{real}].

::: at-a-glance

::: disagreements
"""


@pytest.fixture(scope="module")
def claims_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real site, with two claims of its own and a page that uses them."""
    project = Project(tmp_path_factory.mktemp("claims") / "project")
    real = yaml.safe_load(project.read("data/claims.yaml"))["claims"][0]["id"]
    _append_claim(project, "test-disputed", statement="Test: the two accounts differ.", status="disputed", glance="Test row",
                  **{"for": f"MIT says one thing {FOR_MIT}.", "against": f"The analysis says another {FOR_WMW}."})
    _append_claim(project, "test-unused", statement="Test: nobody uses this.", status="speculation", **{"for": f"An inference {FOR_WMW}."})
    project.write("docs/claims-test.md", TEST_PAGE.format(real=real))
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - Contributing: contributing.md\n  - Claims under test: claims-test.md")
    build = project.build()
    assert build.returncode == 0, build.output
    return build


def test_what_we_know_defines_each_status_once_and_groups_the_claims_by_it(claims_build: Build):
    page = claims_build.html("what-we-know/")
    article = page.select_one("article")
    assert [heading["id"] for heading in article.select("h2")][:-2] == [f"status-{status.id}" for status in model.STATUSES]
    assert [heading["id"] for heading in article.select("h2")][-2:] == ["where-the-sources-disagree", "sources"]
    claim = article.select_one("h3#test-disputed")
    assert claim.find_previous("h2")["id"] == "status-disputed"
    assert article.select_one("h3#test-unused").find_previous("h2")["id"] == "status-speculation"
    entry = claim.find_next_siblings(limit=6)
    text = " ".join(element.get_text(" ", strip=True) for element in entry)
    assert "For: MIT says one thing" in text and "Against: The analysis says another" in text
    used_on = claim.find_next("ul", class_="explainer-backlinks")
    # The home page's at-a-glance box and every disagreements table show it too.
    assert {"Claims under test", "Home"} <= {link.get_text() for link in used_on.find_all("a")}
    assert used_on["class"] and claims_build.html("what-we-know/").select_one("h3#test-unused").find_next(class_="explainer-backlinks").get_text().strip() == "No page of this site uses it yet."
    # The disagreements table closes the page, with the test claim's two sides numbered in its Sources list.
    table = article.select_one("h2#where-the-sources-disagree").find_next("table")
    row = next(row for row in table.select("tbody tr") if "Test: the two accounts differ." in row.get_text())
    assert {link["href"] for link in row.select("sup.citation a")} <= {f"#{item['id']}" for item in article.select("ol.explainer-sources > li")}


def test_a_page_shows_labels_and_blocks_with_its_citations_in_its_sources_list(claims_build: Build):
    article = claims_build.html("claims-test/").select_one("article")
    label = article.select_one("p a.claim-label--disputed")
    assert label["href"] == "../what-we-know/#test-disputed" and html.unescape(label["title"]) == "Disputed: Test: the two accounts differ."
    glance = article.select_one("div.explainer-glance")
    row = next(row for row in glance.select("tbody tr") if "Test row" in row.get_text())
    listed = {f"#{item['id']}" for item in article.select("ol.explainer-sources > li")}
    assert row.select("sup.citation a") and {link["href"] for link in row.select("sup.citation a")} <= listed
    assert "#ref-wmw-analysis" in listed and "#ref-mittr-three-reasons" in listed
    assert article.select("table")[-1].select_one("a.claim-label--disputed")


def test_claims_json_is_published_valid_and_whole(claims_build: Build):
    import jsonschema
    from referencing import Registry, Resource

    folder = claims_build.site / "data"
    schemas = {path.name: json.loads(path.read_text("utf-8")) for path in folder.glob("*.schema.json")}
    registry = Registry().with_resources((name, Resource.from_contents(schema)) for name, schema in schemas.items())
    document = json.loads((folder / "claims.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schemas["claims.schema.json"], registry=registry).validate(document)
    written = yaml.safe_load((ROOT / "data/claims.yaml").read_text("utf-8"))["claims"]
    assert [claim["id"] for claim in document["claims"]] == [claim["id"] for claim in written] + ["test-disputed", "test-unused"]
    test = document["claims"][-2]
    assert test["status"] == {"id": "disputed", "label": "disputed", "meaning": STATUS["disputed"].meaning}
    assert test["page"] == "../what-we-know/#test-disputed" and test["glance"] == "Test row"
    assert test["against"]["citations"] == [{"source": "wmw-analysis", "quote": "V4 has been delayed multiple times"}]


def test_a_bad_label_or_block_on_a_page_fails_the_strict_build_at_its_line(project):
    line = project.replace("docs/contributing.md", "## Preview your change", "Rests on nothing [?no-such-claim].\n\n::: at-a-glimpse\n\n## Preview your change")
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output
    assert f"docs/contributing.md:{line}: no claim has the id 'no-such-claim'" in build.output, build.output
    assert f"docs/contributing.md:{line + 2}: no block is called 'at-a-glimpse'; did you mean 'at-a-glance'?" in build.output
