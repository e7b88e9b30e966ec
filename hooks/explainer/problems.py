"""Problems found in the data or the pages, each tied to a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Origin:
    """Where something was written: a path relative to the project root, and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a contributor must fix, printed as ``path:line: message``."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"
