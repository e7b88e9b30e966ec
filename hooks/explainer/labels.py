"""The claim-label syntax: ``[?claim-id]`` puts the status label of a claim of ``data/claims.yaml``
where it stands, as ``[@id, "quote"]`` puts a citation.

A ``[?`` that is not followed by an id and ``]`` is a mistake to report, not text to keep: write
``\\[?`` for a literal one. The id is what an id always is (:data:`explainer.model.ID_PATTERN`), so
a label never runs past its line, and finding every label costs time in proportion to the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .problems import shorten

OPENING = "[?"
"""How every label starts."""
EXAMPLE = "[?claim-id]"
START = re.compile(r"(?<!\\)\[\?")
"""Where a label may start: a ``[?`` that no backslash escapes."""
_LABEL = re.compile(r"\[\?([a-z0-9]+(?:-[a-z0-9]+)*)\]")


@dataclass(frozen=True)
class Label:
    """A label as written: ``text[start:end]`` is ``[?claim]``."""

    start: int
    end: int
    claim: str


@dataclass(frozen=True)
class Malformed:
    """A ``[?`` that starts no label."""

    start: int
    message: str


def at(text: str, start: int) -> Label | Malformed:
    """The label that starts at ``text[start]`` (a ``[?``), or why none does."""
    found = _LABEL.match(text, start)
    if found:
        return Label(start, found.end(), found[1])
    written = text[start : start + 40].split("\n", 1)[0]
    return Malformed(
        start,
        f"'{shorten(written, 30)}' is not a claim label: write {EXAMPLE}, the id of a claim in "
        "data/claims.yaml (for a literal '[?', write '\\[?')",
    )


def scan(text: str) -> Iterator[Label | Malformed]:
    """Every label in ``text``, and every ``[?`` that starts none, in order."""
    for opening in START.finditer(text):
        yield at(text, opening.start())
