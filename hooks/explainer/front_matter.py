"""What the front matter of a page written in docs/ may hold: its title, as text, and nothing else.

Material prints other front-matter fields into its templates without escaping them
(``description`` and ``author`` in ``<head>``, ``subtitle`` in the navigation of every
page), takes a template or an icon by the name given there, writes ``tags`` into the
search index as HTML, and stops with a traceback on a ``hide`` or ``search`` of the wrong
shape; MkDocs reads it with YAML aliases, a few lines of which can stand for gigabytes.
An explainer page needs none of it, so every other field is refused and taken out before
anything reads it. (The pages made from the data set their own front matter, and are not
held to this.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from .inert import title_problem
from .load import surrogate_problem
from .problems import kind_of, shorten

ALLOWED = ("title",)


def problems(meta: Mapping[str, Any], source: str, block: str | None) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """What of ``meta`` a page keeps (its title, as text), and each refusal with the line of
    ``source`` (the page's Markdown, front matter included) that it concerns. ``block`` is the
    YAML between the page's opening '---' lines, if it has them."""
    unread = _unread(block) if block and not meta else None
    if unread:
        return {}, [unread]
    kept: dict[str, str] = {}
    refused: list[tuple[int, str]] = []
    for key, value in meta.items():
        line = field_line(source, key)
        if key not in ALLOWED:
            refused.append((line, f"the front matter field '{shorten(str(key), 40)}' is refused: a page's front matter holds only title:; remove it"))
            continue
        problem = _not_text(value) or surrogate_problem(str(value))
        if problem:
            refused.append((line, problem))
            continue
        kept[key] = str(value)
        problem = title_problem(kept[key])  # kept meanwhile, shown with '‹' as a heading is (explainer.inert)
        if problem:
            refused.append((line, problem))
    return kept, refused


def _unread(block: str) -> tuple[int, str] | None:
    """Why MkDocs read nothing of a front matter (it then shows it as the page's first text), if it
    holds anything."""
    try:
        fields = yaml.safe_load(block)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 2 if error.problem_mark else 1  # counted from the '---' above it
        return line, f"the front matter is not valid YAML ({error.problem}); put a title that holds ': ', '[' or '#' in quotes"
    except (yaml.YAMLError, RecursionError, ValueError):  # ValueError: a number of 5,000 digits, 2024-02-30
        return 1, "the front matter cannot be read as YAML; write it as 'title: \"The title\"' between two '---' lines"
    if fields is None or isinstance(fields, dict):
        return None
    return 1, f"the front matter is {kind_of(fields)}, not fields; write it as 'title: The title' between two '---' lines"


def _not_text(title: Any) -> str | None:
    # Checked before it is made text: a title that is a list can hold YAML aliases to millions of items.
    if isinstance(title, bool) or not isinstance(title, (str, int, float)):
        return f"the title is {kind_of(title)}; write it as text, in quotes if it holds ': ' or starts with '[', '{{', '*' or '&'"
    return None


def field_line(source: str, key: str) -> int:
    """The line of front matter where ``key`` is set (MkDocs reads 'Title:' as 'title'), or 1."""
    lines = source.split("\n", 200)[:200]  # front matter is at the top: the rest of the page is not split
    wanted = f"{key}:".lower()
    return next((number for number, line in enumerate(lines, 1) if line.lower().startswith(wanted)), 1)
