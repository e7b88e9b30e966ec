"""The diagrams drawn from data/claims.yaml (``explainer.diagrams``): a bar chart of claims' figures and the
software stack. They follow the data (a corrected figure redraws its bar), they are accessible (an SVG
with a role, a title and a description, and a text alternative after it), they survive the page's HTML
rule (``explainer.inert``) whole, and hostile text in the data stays text.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Project
from explainer import diagrams
from explainer.dataset import load_dataset
from explainer.inert import make_inert
from explainer.model import STATUS, Claim, Figure
from explainer.problems import Origin
from explainer.render import Templates

TEMPLATES = Templates()
CLAIMS = {claim.id: claim for claim in load_dataset(ROOT).dataset.claims}
PRICED = [claim for claim in CLAIMS.values() if claim.figures]
SCRIPT = '<script>alert("xss")</script>"><img src=x onerror=alert(1)>'
ORIGIN = Origin("data/claims.yaml", 1)


def _claim(claim_id: str, statement: str, status: str = "reported", glance: str | None = None, figures=()) -> Claim:
    return Claim(
        id=claim_id,
        statement=statement,
        status=STATUS[status],
        glance=glance,
        **_markdown_fields(),
        figures=tuple(Figure(label, value, unit, ORIGIN) for label, value, unit in figures),
        origin=ORIGIN,
    )


def _markdown_fields() -> dict[str, str | None]:
    """The claim's ``for`` and ``against`` under the model's names for them (the diagrams read neither)."""
    names = [field.name for field in dataclasses.fields(Claim) if field.type in ("str", "str | None")]
    return {name: ("x" if name.endswith(("for", "for_")) else None) for name in names if name not in ("id", "statement", "glance")}


PRO = _claim("pro-price", "V4-Pro costs 1.74 for input and 3.48 for output.", "company-claim", "V4-Pro price",
             [("Input", 1.74, "US$ per million tokens"), ("Output", 3.48, "US$ per million tokens")])
FLASH = _claim("flash-price", "V4-Flash costs 0.14 for input and 0.28 for output.", "company-claim", "V4-Flash price",
               [("Input", 0.14, "US$ per million tokens"), ("Output", 0.28, "US$ per million tokens")])
TRAINING = _claim("training", "V4 may still have been trained mainly on NVIDIA chips.", "disputed")
INFERENCE = _claim("inference", "V4 runs inference on Huawei's Ascend chips.", "reported")


def _soup(fragment: str) -> BeautifulSoup:
    return BeautifulSoup(fragment, "html.parser")


def _bars(claims: list[Claim]) -> dict[tuple[str, str], float]:
    """The chart of ``claims``: each bar's length by (claim, figure's label)."""
    soup = _soup(diagrams.figures_chart(claims, TEMPLATES))
    lengths = [float(rect["width"]) for rect in soup.select("svg rect.explainer-diagram-bar")]
    keys = [(claim.id, figure.label) for claim in claims for figure in claim.figures]
    return dict(zip(keys, lengths, strict=True))


# -- the chart follows the data ---------------------------------------------------------------------


def test_bars_are_as_long_as_their_values_on_one_scale():
    soup = _soup(diagrams.figures_chart([PRO, FLASH], TEMPLATES))
    lengths = [float(rect["width"]) for rect in soup.select("rect.explainer-diagram-bar")]
    values = [figure.value for claim in (PRO, FLASH) for figure in claim.figures]
    scale = lengths[1] / values[1]  # the largest value has the longest bar
    assert lengths == [pytest.approx(value * scale, abs=0.1) for value in values]
    assert lengths[1] == max(lengths) and lengths[1] + 20 < diagrams.WIDTH  # room for the value after it
    written = [text.get_text() for text in soup.select("text.explainer-diagram-value")]
    assert written == ["1.74", "3.48", "0.14", "0.28"]


def test_a_corrected_figure_redraws_its_bar():
    corrected = dataclasses.replace(PRO, figures=(PRO.figures[0], dataclasses.replace(PRO.figures[1], value=6.96)))
    before, after = _bars([PRO, FLASH]), _bars([corrected, FLASH])
    longest = (PRO.id, "Output")
    assert after[longest] == before[longest]  # still the longest bar
    for key in set(before) - {longest}:  # every other bar is half as long as it was
        assert after[key] == pytest.approx(before[key] / 2, abs=0.1), key


@pytest.mark.skipif(not PRICED, reason="data/claims.yaml has no claim with figures yet")
def test_the_chart_of_the_real_data_changes_when_a_copy_of_the_data_is_corrected(project: Project):
    claim = PRICED[0]
    figure = max(claim.figures, key=lambda figure: figure.value)
    written, doubled = diagrams.format_value(figure.value), diagrams.format_value(round(figure.value * 2, 2))
    assert written in claim.statement, "the build checks that each figure is written in the statement"
    text = project.read("data/claims.yaml")
    start = text.index(f"- id: {claim.id}\n")
    end = text.find("\n  - id: ", start)
    entry = text[start : end if end > 0 else len(text)]
    # The statement comes first, and then the figures: its first occurrence, and the figure's value.
    fixed = entry.replace(written, doubled, 1).replace(f"value: {figure.value}\n", f"value: {doubled}\n")
    assert fixed.count(doubled) == 2, entry
    project.write("data/claims.yaml", text.replace(entry, fixed))
    corrected = {claim.id: claim for claim in load_dataset(project.root).dataset.claims}[claim.id]

    before, after = _bars([claim]), _bars([corrected])
    assert after[(claim.id, figure.label)] == before[(claim.id, figure.label)]  # the longest, whatever its value
    for key in set(before) - {(claim.id, figure.label)}:
        assert after[key] == pytest.approx(before[key] / 2, abs=0.1), key
    shown = [text.get_text() for text in _soup(diagrams.figures_chart([corrected], TEMPLATES)).select("text.explainer-diagram-value")]
    assert doubled in shown and written not in shown


def test_figures_in_different_units_have_their_own_scales_and_say_their_unit():
    mixed = _claim("mixed", "It has 1,000,000 tokens and costs 2.", figures=[("Context", 1_000_000, "tokens"), ("Price", 2, "US$")])
    soup = _soup(diagrams.figures_chart([mixed], TEMPLATES))
    lengths = [float(rect["width"]) for rect in soup.select("rect.explainer-diagram-bar")]
    assert lengths[0] == lengths[1]  # each the largest of its unit
    assert [text.get_text() for text in soup.select("text.explainer-diagram-value")] == ["1,000,000", "2"]
    assert {"Context (tokens)", "Price (US$)"} <= {text.get_text() for text in soup.select("svg text")}


# -- the software stack -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ("V4 may still have been trained mainly on NVIDIA chips.", "nvidia"),
        ("Inference runs on Huawei's Ascend chips.", "ascend"),
        ("DeepSeek is using Chinese chips to run V4 for inference.", "ascend"),
        ("推理使用华为昇腾芯片。", "ascend"),
        ("One source says a domestic chip platform, another says Nvidia chips.", None),
        ("Nobody knows where it runs.", None),
    ],
)
def test_a_hardware_claim_sits_on_the_side_its_statement_names(statement: str, column: str | None):
    assert diagrams.hardware_column(statement) == column


def test_the_stack_marks_training_and_inference_on_their_sides_with_their_status():
    soup = _soup(diagrams.software_stack(TRAINING, INFERENCE, TEMPLATES))
    svg = soup.find("svg")
    texts = [text.get_text() for text in svg.find_all("text")]
    assert texts[:5] == ["AI framework", "CUDA", "CANN", "NVIDIA GPU", "Ascend chip"]
    assert texts[5:] == ["V4 training", "disputed", "V4 inference", "reported"]
    markers = svg.select("rect.explainer-diagram-marker")
    boxes = {text.get_text(): text for text in svg.find_all("text")}
    assert float(markers[0]["x"]) < float(boxes["CANN"]["x"]) <= float(markers[1]["x"]) + float(markers[1]["width"])
    alternative = soup.select("ul.explainer-diagram-alternative li")
    assert [item.get_text(" ", strip=True) for item in alternative[2:]] == [
        f"V4 training: {TRAINING.statement} disputed",
        f"V4 inference: {INFERENCE.statement} reported",
    ]


def test_two_claims_on_one_side_are_stacked_not_overlaid():
    both = _claim("both", "Inference also runs on NVIDIA GPUs.")
    soup = _soup(diagrams.software_stack(TRAINING, both, TEMPLATES))
    first, second = soup.select("rect.explainer-diagram-marker")
    assert first["x"] == second["x"] and float(second["y"]) >= float(first["y"]) + float(first["height"])
    assert float(second["y"]) + float(second["height"]) <= float(soup.find("svg")["viewbox"].split()[3])


# -- accessible, whole after the page's HTML rule, and inert ----------------------------------------

DIAGRAMS = {
    "figures": lambda **claims: diagrams.figures_chart([claims.get("pro", PRO), claims.get("flash", FLASH)], TEMPLATES),
    "software stack": lambda **claims: diagrams.software_stack(claims.get("training", TRAINING), claims.get("inference", INFERENCE), TEMPLATES),
}


@pytest.mark.parametrize("draw", DIAGRAMS.values(), ids=DIAGRAMS.keys())
def test_each_diagram_is_an_image_with_a_title_a_description_and_a_text_alternative(draw):
    soup = _soup(draw())
    figure = soup.find("figure")
    children = [child.name for child in figure.find_all(recursive=False)]
    assert children[:2] == ["figcaption", "svg"] and children[2] in ("details", "ul")
    assert figure.figcaption.get_text(strip=True)
    svg = figure.svg
    assert svg["role"] == "img" and svg["viewbox"].startswith("0 0 ") and svg["width"] == "100%"
    title, desc = svg.find("title", recursive=False), svg.find("desc", recursive=False)
    assert svg["aria-labelledby"].split() == [title["id"], desc["id"]]
    assert title.get_text(strip=True) and desc.get_text(strip=True)
    assert len({element["id"] for element in soup.find_all(id=True)}) == len(soup.find_all(id=True))
    assert float(svg["viewbox"].split()[2]) == diagrams.WIDTH  # scaled to the column: fits a 375 px phone


@pytest.mark.parametrize("draw", DIAGRAMS.values(), ids=DIAGRAMS.keys())
def test_each_diagram_survives_the_pages_html_rule_whole(draw):
    drawn = draw()
    inert = make_inert(drawn)
    assert inert.refusals == []
    kept, before = _soup(inert.html), _soup(drawn)
    assert [element.name for element in kept.find_all(True)] == [element.name for element in before.find_all(True)]
    assert [sorted(element.attrs) for element in kept.find_all(True)] == [sorted(element.attrs) for element in before.find_all(True)]
    assert kept.get_text() == before.get_text()


def test_the_chart_says_every_figure_in_its_description_and_table():
    soup = _soup(diagrams.figures_chart([PRO, FLASH], TEMPLATES))
    desc = soup.find("desc").get_text()
    cells = [cell.get_text(" ", strip=True) for cell in soup.select("table td")]
    for claim in (PRO, FLASH):
        assert f"{claim.glance} ({claim.status.label})" in desc
        for figure in claim.figures:
            assert f"{figure.label} {figure.value} {figure.unit}" in desc
            assert str(figure.value) in cells
    assert soup.select("table thead th")[-1].get_text() == "US$ per million tokens"


def _hostile(claim: Claim) -> Claim:
    return dataclasses.replace(
        claim,
        statement=f"{SCRIPT} {claim.statement}",
        glance=claim.glance and f"{SCRIPT} {claim.glance}",
        figures=tuple(dataclasses.replace(figure, label=SCRIPT, unit=SCRIPT) for figure in claim.figures),
    )


@pytest.mark.parametrize("draw", DIAGRAMS.values(), ids=DIAGRAMS.keys())
def test_hostile_text_in_a_claim_stays_text(draw):
    drawn = draw(pro=_hostile(PRO), flash=_hostile(FLASH), training=_hostile(TRAINING), inference=_hostile(INFERENCE))
    for fragment in (drawn, make_inert(drawn).html):
        soup = _soup(fragment)
        assert soup.find_all(["script", "img"]) == []
        assert not [name for element in soup.find_all(True) for name in element.attrs if name.startswith("on")]
        assert '<script>alert("xss")</script>' in soup.get_text()
    assert make_inert(drawn).refusals == []


def test_long_and_chinese_text_is_wrapped_to_the_diagrams_width():
    lines = diagrams.wrap("DeepSeek V4 的推理由华为昇腾芯片支持，according to a source that says so at some length " * 2, 200)
    assert len(lines) > 3
    assert all(diagrams._text_width(line) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == ("DeepSeek V4 的推理由华为昇腾芯片支持，according to a source that says so at some length " * 2).replace(" ", "")
    assert diagrams.wrap("x" * 100, 60) == ["x" * 7] * 14 + ["x" * 2]


def test_a_claim_that_names_both_sides_spans_both_and_links_to_both_chips():
    disputed = _claim("disputed", "One source says a domestic chip platform, another says Nvidia chips.", "disputed")
    soup = _soup(diagrams.software_stack(disputed, INFERENCE, TEMPLATES))
    across, inference = soup.select("rect.explainer-diagram-marker")
    assert (float(across["x"]), float(across["width"])) == (0, diagrams.WIDTH)
    assert float(inference["y"]) >= float(across["y"]) + float(across["height"])  # below it, on its own side
    assert len(soup.select("path.explainer-diagram-link")) == 3
