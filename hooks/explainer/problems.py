"""Problems found in the data or the pages, each tied to a file and a line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# What a terminal, a CI log or a reader would not show as itself: control characters (a line
# break or an escape code could forge a log line such as "INFO - Documentation built"), line
# and paragraph separators, and the marks that reorder text on screen.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(text: str) -> str:
    """``text`` with each unprintable character written as Python writes it: ``\\n``, ``\\x1b``, ``\\u2028``."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Origin:
    """Where something was written: a path relative to the project root, and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a contributor must fix, printed as ``path:line: message``.

    The text is always one line, whatever the file name or the value the message echoes.
    """

    origin: Origin
    message: str

    def __str__(self) -> str:
        return _escaped(f"{self.origin}: {self.message}")


def shorten(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis, to quote it in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProblemError(Exception):
    """Work that cannot go on, and the one problem that says why: a file that may not be read or is
    not YAML, a schema that is itself broken, a value the model cannot hold."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def suggestion(wrong: str, known: Iterable[str]) -> str | None:
    """The known name closest to a misspelt one, if any is close."""
    guess = difflib.get_close_matches(wrong, sorted(known), n=1)
    return guess[0] if guess else None


def shown(value: Any, limit: int = 60) -> str:
    """A value from the data as Python writes it (quotes show where text begins and ends), cut to ``limit``."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind_of(value: Any) -> str:
    """What a value from YAML is, in a contributor's words."""
    kinds = ((bool, "true/false"), ((int, float), "a number"), (str, "text"), ((list, tuple), "a list"), (dict, "a mapping"))
    return "empty" if value is None else next((kind for types, kind in kinds if isinstance(value, types)), "a value")
