"""Generated blocks: a line of a page that holds only ``::: name args`` is replaced, before Markdown
reads the page, by content made from the claims.

| Block | Arguments | What it becomes |
|---|---|---|
| ``at-a-glance`` | none | the "V4 at a glance" box: each claim with a ``glance`` label (Markdown) |
| ``disagreements`` | none | the table of disputed claims, both sides cited; at most ``split_above`` (Markdown) |
| ``figures`` | claim ids | a bar chart of those claims' figures (HTML, :mod:`explainer.diagrams`) |
| ``software-stack`` | ``training=<claim-id> inference=<claim-id>`` | the stack and where V4 runs (HTML) |

Markdown blocks hold citations and claim labels, which the page then renders like its own;
HTML blocks get their labels from the caller (:data:`explainer.diagrams.Label`), since Markdown
leaves raw HTML alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import diagrams, render
from .index import Index
from .model import Claim
from .problems import suggestion

LINE = re.compile(r"^:::[ \t]+([a-z][a-z-]*)((?:[ \t]+\S+)*)[ \t]*$")
"""A block's line: ``:::``, its name, its arguments; nothing else on the line."""
OPENING = re.compile(r"^:::(?:[ \t]|$)")
"""A line meant as a block: one :data:`LINE` does not read is reported."""
EXAMPLE = "::: at-a-glance, ::: disagreements, ::: figures <claim-id> ..., ::: software-stack training=<claim-id> inference=<claim-id>"


@dataclass(frozen=True)
class Html:
    """Raw HTML for the page: the caller stashes it, so that Markdown leaves it as it is."""

    text: str


class BlockError(ValueError):
    """The block's name or an argument is not one there is."""


Part = str | Html
"""Markdown, or raw HTML."""


def expand(written: str, index: Index, label: diagrams.Label) -> list[Part]:
    """What the block line ``written`` stands for; raises :class:`BlockError` for a line that names no
    block, or a block with an argument it does not take."""
    found = LINE.match(written)
    if not found:
        raise BlockError(f"cannot read the block '{written.strip()}': write one of {EXAMPLE}")
    name, arguments = found[1], found[2].split()
    make = BLOCKS.get(name)
    if make is None:
        guess = suggestion(name, BLOCKS)
        hint = f"did you mean '{guess}'? " if guess else ""
        raise BlockError(f"no block is called '{name}'; {hint}the blocks are {', '.join(BLOCKS)}")
    return make(arguments, index, label)


def _at_a_glance(arguments: Sequence[str], index: Index, label: diagrams.Label) -> list[Part]:
    _no_arguments("at-a-glance", arguments)
    if not any(claim.glance for claim in index.claims.values()):
        raise BlockError("'::: at-a-glance' has no row: give claims of data/claims.yaml a 'glance' label")
    return [render.at_a_glance(index.claims.values(), index.templates)]


def _disagreements(arguments: Sequence[str], index: Index, label: diagrams.Label) -> list[Part]:
    _no_arguments("disagreements", arguments)
    return [render.disagreements(index.claims.values(), index.templates, index.parts.split_above)]


def _figures(arguments: Sequence[str], index: Index, label: diagrams.Label) -> list[Part]:
    if not arguments:
        raise BlockError("'::: figures' needs the ids of the claims to chart: ::: figures <claim-id> <claim-id> ...")
    claims = [_claim(index, claim_id, "figures") for claim_id in arguments]
    for claim in claims:
        if not claim.figures:
            raise BlockError(f"'::: figures': claim '{claim.id}' has no figures to chart; give it 'figures' or leave it out")
    return [Html(diagrams.figures_chart(claims, index.templates, label))]


_STACK_KEYS = ("training", "inference")


def _software_stack(arguments: Sequence[str], index: Index, label: diagrams.Label) -> list[Part]:
    usage = "write ::: software-stack training=<claim-id> inference=<claim-id>"
    given: dict[str, str] = {}
    for argument in arguments:
        key, equals, claim_id = argument.partition("=")
        if key not in _STACK_KEYS or not equals or key in given:
            raise BlockError(f"'::: software-stack': '{argument}' is not an argument it takes, or is given twice; {usage}")
        given[key] = claim_id
    missing = [key for key in _STACK_KEYS if key not in given]
    if missing:
        raise BlockError(f"'::: software-stack' needs {missing[0]}=<claim-id>; {usage}")
    training, inference = (_claim(index, given[key], "software-stack") for key in _STACK_KEYS)
    return [Html(diagrams.software_stack(training, inference, index.templates, label))]


def _claim(index: Index, claim_id: str, block: str) -> Claim:
    claim = index.claims.get(claim_id)
    if claim is None:
        raise BlockError(f"'::: {block}': " + (index.claim_problem(claim_id) or f"claim '{claim_id}' has a problem of its own"))
    return claim


def _no_arguments(name: str, arguments: Sequence[str]) -> None:
    if arguments:
        raise BlockError(f"'::: {name}' takes no argument, not '{' '.join(arguments)}'; write the line as '::: {name}'")


BLOCKS: dict[str, Callable[[Sequence[str], Index, diagrams.Label], list[Part]]] = {
    "at-a-glance": _at_a_glance,
    "disagreements": _disagreements,
    "figures": _figures,
    "software-stack": _software_stack,
}
"""Each block by its name."""
