"""Read YAML data files, remembering the line every value came from.

PyYAML loses line numbers once it builds Python objects, silently keeps the last of
two equal keys, and turns ``2026-04-24`` into a ``date``. This loader composes the
node tree itself, so a mapping is a :class:`YamlMap` and a list a :class:`YamlList`
that know the line of each of their entries, a repeated key is a problem, and every
date stays the string the contributor wrote.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .problems import Origin, Problem

_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_ESCAPED_QUOTE = re.compile(r'\\\\|\\"')
_HINTS = {
    "found character '\\t' that cannot start any token": "YAML indents with spaces, never tabs",
    "found unexpected end of stream": "a quoted string is not closed",
    "mapping values are not allowed here": (
        "check the indentation, or quote a value that contains ': '"
    ),
}


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as strings: the schema checks their form."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class YamlMap(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class YamlList(list):
    """A list that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


class YamlError(Exception):
    """The file cannot be read as YAML; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path, display: str) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped, CRLF read as LF)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlError(
            Problem(
                Origin(display, line),
                f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            )
        ) from None
    return text.replace("\r\n", "\n")


def load_yaml(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML file into YamlMap/YamlList/scalars, with the problems found on the way.

    Raises :class:`YamlError` when the file cannot be parsed at all.
    """
    text = read_text(path, display)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise YamlError(_syntax_problem(error, text, display)) from None
    except yaml.YAMLError as error:  # a reader error has no mark of its own
        raise YamlError(Problem(Origin(display, 1), f"invalid YAML: {error}")) from None
    if node is None:
        raise YamlError(Problem(Origin(display, 1), "the file is empty"))
    problems: list[Problem] = []
    return _Builder(display, problems).build(node), problems


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    start = error.context_mark.line + 1 if error.context_mark else line
    unclosed = _unclosed_quote(text, start, line)
    if unclosed:
        return Problem(Origin(display, unclosed), "invalid YAML: a quoted string is not closed on this line")
    what = error.problem or error.context or "invalid YAML"
    hint = _HINTS.get(what)
    return Problem(Origin(display, line), f"invalid YAML: {what}" + (f" ({hint})" if hint else ""))


def _unclosed_quote(text: str, first: int, last: int) -> int | None:
    """The first line from ``first`` to ``last`` whose value opens a double quote it does not close.

    YAML lets a quoted string run over several lines, so the parser notices the
    missing quote only lines later; this points back at where it was forgotten.
    """
    lines = text.split("\n")
    for number in range(first, min(last, len(lines)) + 1):
        value = _ESCAPED_QUOTE.sub("", lines[number - 1].partition(": ")[2].strip())
        if value.startswith('"') and value.count('"') % 2:
            return number
    return None


class _Builder:
    """Turns composed nodes into Python values, recording lines and repeated keys."""

    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        return self.scalars.construct_object(node)

    def _mapping(self, node: yaml.MappingNode) -> YamlMap:
        mapping = YamlMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                self.problems.append(
                    Problem(
                        Origin(self.display, line),
                        f"'{key}' is given twice (first on line {mapping.key_lines[key]}); keep one",
                    )
                )
                continue
            mapping[key] = self.build(value_node)
            mapping.key_lines[key] = line
        return mapping

    def _sequence(self, node: yaml.SequenceNode) -> YamlList:
        sequence = YamlList(self.build(item) for item in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


def line_of(document: Any, path: tuple[str | int, ...]) -> int:
    """The line of the value at ``path`` (keys and indexes), or of its nearest parent."""
    line = getattr(document, "line", 1)
    node = document
    for step in path:
        if isinstance(node, YamlMap) and step in node:
            line = node.key_lines[step]
        elif isinstance(node, YamlList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
        else:
            break
        node = node[step]
    return line
