"""Read YAML data files, remembering the line every value came from.

PyYAML loses line numbers once it builds Python objects, silently keeps the last of
two equal keys, and turns ``2026-04-24`` into a ``date``. This loader composes the
node tree itself, so a mapping is a :class:`YamlMap` and a list a :class:`YamlList`
that know the line of each of their entries, a repeated key is a problem, and every
date stays the string the contributor wrote.

It also refuses what data never needs and a hostile file could abuse: anchors and
aliases (a few lines can expand to gigabytes), tags (which name constructors), merge
keys, and nesting deep enough to exhaust the stack.

Every file the build reads, data or page, is opened by :func:`open_file`, which holds the
one rule of what may be read: a regular file inside the project, reached through no
symbolic link.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import Origin, Problem, ProblemError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
# YAML 1.1's merge key (<<) and value key (=): PyYAML tags a bare << or = so, and has no
# constructor for them outside a mapping it flattens itself.
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_MAX_DEPTH = 32  # the data nests five levels deep; the parser's recursion gives out near 250

_ESCAPED_QUOTE = re.compile(r'\\\\|\\"')
# What only PyYAML's own parser is trusted with (see _compose): a complex key ("? "), a directive ("%"),
# a document marker, a byte-order mark, a comment stuck to a block scalar's header ("|#").
_PYYAML_ONLY = re.compile(r"^[ ]*(?:-[ ]+)*\?(?:[ ]|$)|^%|^---|^\.\.\.|\ufeff|[|>][-+0-9]*#", re.M)
_FLOW_BREAKS = frozenset("?:,[]{}#")
_NON_SPACE = re.compile(r"\S")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Hints for PyYAML's messages, by how the message starts.
_HINTS = {
    "found character '\\t' that cannot start any token": "YAML indents with spaces, never tabs",
    "found unexpected end of stream": "a quoted string is not closed",
    "mapping values are not allowed here": (
        "check the indentation, or quote a value that contains ': '"
    ),
    "expected <block end>": "check the indentation: the fields of one item start in the same column",
    "but found another document": "a data file holds one YAML document; remove this '---'",
}


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that data files may not use (see the module's docstring)."""


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as strings (the schema checks their form) and refuses
    anchors, aliases, tags and deep nesting where they are written."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        refusal = _refusal(event, self.depth)
        if refusal:
            raise _Refused(problem=refusal, problem_mark=event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _refusal(event: yaml.Event, depth: int) -> str | None:
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        return "anchors and aliases (&name, *name) are not allowed in data files; write the value out"
    if getattr(event, "tag", None) is not None:
        return f"the tag '{event.tag}' is not allowed in data files; remove it"
    if depth > _MAX_DEPTH:
        return f"lists and mappings are nested more than {_MAX_DEPTH} levels deep here; check the brackets"
    return None


class _EventLoader(_Loader):
    """:class:`_Loader`, composing the events that libyaml parses instead of PyYAML's own parser's."""

    def __init__(self, text: str) -> None:
        self._events = list(yaml.parse(text, Loader=yaml.CSafeLoader))
        _same_as_pyyaml(self._events)
        self._next = 0
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices: type) -> bool:
        if self._next == len(self._events):
            return False
        return not choices or isinstance(self._events[self._next], choices)

    def peek_event(self) -> yaml.Event:
        return self._events[self._next]

    def get_event(self) -> yaml.Event:
        self._next += 1
        return self._events[self._next - 1]


def _same_as_pyyaml(events: list[yaml.Event]) -> None:
    """Raise if PyYAML could read these events differently: it ends a plain scalar inside
    brackets at any of ``?:,[]{}#``, where libyaml reads on, and places some marks of a
    mapping in braces or brackets elsewhere (data files never write one)."""
    flow: list[bool] = []
    for event in events:
        in_flow = bool(flow) and flow[-1]
        if isinstance(event, yaml.MappingStartEvent) and (event.flow_style or in_flow):
            raise yaml.YAMLError("a mapping in braces or brackets, which PyYAML may read differently")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            flow.append(event.flow_style or in_flow)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            flow.pop()
        elif (
            in_flow
            and isinstance(event, yaml.ScalarEvent)
            and not event.style
            and _FLOW_BREAKS.intersection(event.value)
        ):
            raise yaml.YAMLError("a plain scalar in brackets that PyYAML may read differently")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of ``text``, read by libyaml when PyYAML has it (ten times faster).

    libyaml accepts some files PyYAML refuses (tabs between tokens, a ``?`` inside brackets)
    and places some marks differently (complex keys), so the fast path is taken only for a
    file without tabs, directives, document markers, complex keys, byte-order marks or
    characters PyYAML's reader refuses, and
    anything that goes wrong on it (a syntax error, a refusal, a plain scalar in brackets
    with a character PyYAML would stop at) sends the file through PyYAML alone: every
    problem is reported in exactly PyYAML's words, at PyYAML's line.
    """
    if (
        getattr(yaml, "__with_libyaml__", False)
        and "\t" not in text
        and not yaml.reader.Reader.NON_PRINTABLE.search(text)
        and not _PYYAML_ONLY.search(text)
    ):
        try:
            return _EventLoader(text).get_single_node()
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


@dataclass(frozen=True)
class Written:
    """A text value as it stands in the file, to find the line of any place inside it."""

    line: int
    """The line where the value starts (for a block scalar, the line of its ``>`` or ``|``)."""
    source: str

    def line_at(self, value: str, offset: int) -> int:
        """The line of ``value[offset]``.

        YAML folds lines and strips indentation, but keeps the value's other characters in
        order, each written as itself or (in quotes) as an escape: so counting them maps an
        offset in the value back to the file. Where they stand is found once per text, not
        once per call: a field can have thousands of problems.
        """
        wanted = bisect_left(_non_space(value), offset)
        places = _written_places(self.source)
        return self.line + self.source.count("\n", 0, places[wanted]) if wanted < len(places) else self.line


# What each escape of a double-quoted scalar stands for, by its letter: white space (which the value's
# count of characters skips) or one character; \x, \u and \U are followed by 2, 4 or 8 hex digits.
_SPACE_ESCAPES = frozenset(" \tntrLP_")
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_SINGLE_QUOTED_CHARACTER = re.compile(r"''|[^\s']")


@functools.lru_cache(maxsize=8)
def _written_places(source: str) -> list[int]:
    """Where each character of a scalar's value that is not white space stands in ``source``, as written."""
    if source.startswith('"'):
        return list(_double_quoted_places(source))
    if source.startswith("'"):  # '' is one quote
        return [found.start() for found in _SINGLE_QUOTED_CHARACTER.finditer(source, 1)]
    header = source.find("\n") + 1 or len(source) if source.startswith(("|", ">")) else 0
    return [place for place in _non_space(source) if place >= header]


@functools.lru_cache(maxsize=8)
def _non_space(text: str) -> list[int]:
    """The offset of each character of ``text`` that is not white space."""
    return [found.start() for found in _NON_SPACE.finditer(text)]


def _escapes_white_space(letter: str, digits: str) -> bool:
    """Whether an escape stands for white space, or for nothing (an escaped line break)."""
    if digits:
        try:
            return chr(int(digits, 16)).isspace()
        except ValueError:  # not hex: PyYAML refused the file before any line was looked for
            return False
    return letter.isspace() or letter in _SPACE_ESCAPES


def _double_quoted_places(source: str) -> Iterator[int]:
    index = 1
    while index < len(source) and source[index] != '"':
        character = source[index]
        if character == "\\":
            letter = source[index + 1 : index + 2]
            digits = source[index + 2 : index + 2 + _HEX_ESCAPES.get(letter, 0)]
            if not _escapes_white_space(letter, digits):
                yield index
            index += 2 + len(digits)
            continue
        if not character.isspace():
            yield index
        index += 1


class YamlMap(dict):
    """A mapping that knows its own line, the line of each key, and how each text value was written."""

    line: int
    key_lines: dict[str, int]
    written: dict[str, Written]


class YamlList(list):
    """A list that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


_BOM = b"\xef\xbb\xbf"
# Opening never follows a link in the last step, and never waits on a pipe (O_NONBLOCK);
# neither flag changes how a regular file reads.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOT_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def display_path(path: Path, root: Path) -> str:
    """``path`` as messages name it: relative to the project root, with forward slashes."""
    return path.relative_to(root).as_posix()


def refusal(path: Path, root: Path, *, folder: bool = False) -> Problem | None:
    """Why the build may not read ``path``, a file (or ``folder``) under ``root``; None if it may.

    The one rule for everything the build reads or publishes. Git stores symbolic links, so a
    contribution can carry one to ``/etc/passwd``, to the build's environment
    (``/proc/self/environ``) or up out of the project: a link is refused wherever it stands
    between the root and the file, by its own metadata, before anything is opened, so no byte
    of its target reaches a message or a log. A pipe or a device is no file either (reading one
    can block for ever).
    """
    parts = path.relative_to(root).parts
    for depth in range(1, len(parts) + 1):
        step = root.joinpath(*parts[:depth])
        last = depth == len(parts)
        try:
            mode = os.lstat(step).st_mode
        except OSError as error:
            return Problem(Origin(display_path(step, root), 1), _os_message(error, folder or not last))
        if stat.S_ISLNK(mode):
            kind = "file" if last and not folder else "folder"
            return Problem(
                Origin(display_path(step, root), 1),
                f"the {kind} is a symbolic link, which the build never follows (it could point anywhere "
                f"on the machine); replace it with the {kind} itself",
            )
    if folder and not stat.S_ISDIR(mode):
        return Problem(Origin(display_path(path, root), 1), "this is not a folder; replace it with the folder itself")
    if not folder:
        return _not_a_file(mode, display_path(path, root))
    return None


def _not_a_file(mode: int, display: str) -> Problem | None:
    kind = next((kind for is_kind, kind in _NOT_FILES if is_kind(mode)), None)
    if kind is None:
        return None
    return Problem(Origin(display, 1), f"this is {kind}, not a file; replace it with the file itself")


def _os_message(error: OSError, folder: bool) -> str:
    kind = "folder" if folder else "file"
    if isinstance(error, FileNotFoundError):
        return f"the {kind} is missing"
    return f"the {kind} cannot be read ({error.strerror or error}); make it readable (chmod a+r)"


@contextmanager
def open_file(path: Path, root: Path) -> Iterator[Any]:
    """``path`` opened for reading in binary, if :func:`refusal` allows; raises :class:`ProblemError`.

    Opened without following a link and checked again once open, so a file swapped for a
    link or a pipe after the check is refused too.
    """
    problem = refusal(path, root)
    if problem:
        raise ProblemError(problem)
    display = display_path(path, root)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        refused = refusal(path, root)  # a link swapped in since the check (O_NOFOLLOW): say so
        raise ProblemError(refused or Problem(Origin(display, 1), _os_message(error, False))) from None
    with os.fdopen(descriptor, "rb") as file:
        problem = _not_a_file(os.fstat(descriptor).st_mode, display)
        if problem:
            raise ProblemError(problem)
        yield file


def read_bytes(path: Path, root: Path, limit: int = -1) -> bytes:
    """The bytes of ``path`` (its first ``limit``, if given); raises :class:`ProblemError` when the
    build may not or cannot read it."""
    display = display_path(path, root)
    with open_file(path, root) as file:
        try:
            return file.read(limit)
        except OSError as error:
            raise ProblemError(Problem(Origin(display, 1), _os_message(error, False))) from None


def read_text(path: Path, root: Path) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped, CRLF read as LF)."""
    raw = read_bytes(path, root).removeprefix(_BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ProblemError(
            Problem(
                Origin(display_path(path, root), line),
                f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            )
        ) from None
    return text.replace("\r\n", "\n")


def file_problem(path: Path, root: Path, *, page: bool = False, published: bool = False) -> Problem | None:
    """Why MkDocs or the theme may not read ``path`` (and publish it, if it is ``published`` from
    ``docs/``); None if it may.

    The rule of :func:`open_file`; for a ``page`` (Markdown) UTF-8 text too, since MkDocs would
    stop with a traceback on a page it cannot decode or open; and for any other file that is
    ``published``, one of the kinds in ``DOCS_FILES``.
    """
    try:
        if page:
            read_text(path, root)
            return None
        head = read_bytes(path, root, _SIGNATURE_LENGTH)
    except ProblemError as error:
        return error.problem
    message = _kind_problem(path.suffix.lower(), head) if published else None
    return Problem(Origin(display_path(path, root), 1), message) if message else None


# What docs/ may hold besides pages: images that pages show, each with how its bytes start. Anything
# else would be served from the site's own address as it is: HTML, SVG or JavaScript whose script
# could run there, or a style sheet that could load from other hosts or cover the page (the site's
# own lives in overrides/, with the templates).
DOCS_FILES = {
    ".png": rb"\x89PNG\r\n\x1a\n",
    ".jpg": rb"\xff\xd8\xff",
    ".jpeg": rb"\xff\xd8\xff",
    ".gif": rb"GIF8[79]a",
    ".webp": rb"RIFF.{4}WEBP",
}
_SIGNATURE_LENGTH = 12


def _kind_problem(suffix: str, head: bytes) -> str | None:
    if suffix not in DOCS_FILES:
        return (
            f"a '{suffix or 'file without an extension'}' file in docs/ would be published as it is, where a "
            f"script in it could run; docs/ holds pages (.md) and images ({', '.join(DOCS_FILES)}): remove it"
        )
    if re.match(DOCS_FILES[suffix], head, re.DOTALL):
        return None
    return f"this file is not a {suffix[1:].upper()} image (its first bytes say otherwise); save it in that format, or name it after its own"


def refused_in(folder: Path, root: Path, *, files: bool) -> list[Problem]:
    """A problem for ``folder`` if it may not be read, else for each link to a folder inside it and,
    with ``files``, for each of its files that may not be read; found without following any link.

    For what another tool walks or reads before any hook sees it: MkDocs walks docs/ following
    links (a link to ``/`` would have it walk the whole machine, and two links to ``..`` go round
    for ever), and the theme reads every template of its ``custom_dir``.
    """
    problem = refusal(folder, root, folder=True)
    if problem:
        return [problem]
    found = []
    for parent, folder_names, file_names in os.walk(folder):  # never into a link
        found += [
            refusal(Path(parent, name), root, folder=True)
            for name in sorted(folder_names)
            if os.path.islink(os.path.join(parent, name))
        ]
        if files:
            found += filter(None, (file_problem(Path(parent, name), root) for name in sorted(file_names)))
    return found


def list_folder(folder: Path, root: Path, pattern: str) -> list[Path]:
    """The entries of ``folder`` whose names match ``pattern`` (``*.yaml``), sorted, links included
    (reading one is refused with its name); raises :class:`ProblemError` for a folder that may not be read."""
    problem = refusal(folder, root, folder=True)
    if problem:
        raise ProblemError(problem)
    try:
        return sorted(folder.glob(pattern))
    except OSError as error:
        raise ProblemError(Problem(Origin(display_path(folder, root), 1), _os_message(error, True))) from None


def load_yaml(path: Path, root: Path) -> tuple[Any, list[Problem]]:
    """Parse one YAML file into YamlMap/YamlList/scalars, with the problems found on the way.

    Raises :class:`ProblemError` (a :class:`ProblemError` when it is not YAML) when the file cannot be
    read or parsed at all.
    """
    display = display_path(path, root)
    text = read_text(path, root)
    try:
        node = _compose(text)
    except _Refused as error:
        raise ProblemError(Problem(Origin(display, error.problem_mark.line + 1), error.problem)) from None
    except yaml.MarkedYAMLError as error:
        raise ProblemError(_syntax_problem(error, text, display)) from None
    except yaml.reader.ReaderError as error:  # a character YAML forbids (a NUL, say): no mark, a position
        line = text.count("\n", 0, error.position) + 1
        message = f"invalid YAML: the character #x{error.character:04x} is not allowed ({error.reason}); remove it"
        raise ProblemError(Problem(Origin(display, line), message)) from None
    except yaml.YAMLError as error:
        raise ProblemError(Problem(Origin(display, 1), f"invalid YAML: {error}")) from None
    if node is None:
        raise ProblemError(Problem(Origin(display, 1), "the file is empty"))
    problems: list[Problem] = []
    return _Builder(display, text, problems).build(node), problems


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    start = error.context_mark.line + 1 if error.context_mark else line
    unclosed = _unclosed_quote(text, start, line)
    if unclosed:
        return Problem(Origin(display, unclosed), "invalid YAML: a quoted string is not closed on this line")
    what = error.problem or error.context or "invalid YAML"
    hint = next((hint for start, hint in _HINTS.items() if what.startswith(start)), None)
    return Problem(Origin(display, line), f"invalid YAML: {what}" + (f" ({hint})" if hint else ""))


def _unclosed_quote(text: str, first: int, last: int) -> int | None:
    """The first line from ``first`` to ``last`` whose value opens a quote it does not close.

    YAML lets a quoted string run over several lines, so the parser notices the
    missing quote only lines later; this points back at where it was forgotten.
    """
    lines = text.split("\n")
    for number in range(first, min(last, len(lines)) + 1):
        line = lines[number - 1].strip()
        value = line.partition(": ")[2].strip() if ": " in line else line[2:] if line.startswith("- ") else ""
        value = _ESCAPED_QUOTE.sub("", value)
        # In a single-quoted string a quote is written twice, so an odd count leaves one open.
        if value and value[0] in "\"'" and value.count(value[0]) % 2:
            return number
    return None


def surrogate_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8, or None: an escape such as "\\ud800" in YAML makes
    half of a UTF-16 pair, which is no character, and the build could not write it out."""
    found = _SURROGATE.search(text)
    if found:
        return (
            f"'\\u{ord(found[0]):04x}' is half of a UTF-16 pair, not a character; "
            "write the character itself, or its \\U escape (\\U0001F600)"
        )
    return None


class _Builder:
    """Turns composed nodes into Python values, recording lines and repeated keys."""

    def __init__(self, display: str, text: str, problems: list[Problem]) -> None:
        self.display = display
        self.text = text
        self.problems = problems
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        if node.tag in (_MERGE, _VALUE):
            raise self._error(node, f"YAML reads a bare '{node.value}' as a special key, not as text; put it in quotes")
        try:
            value = self.scalars.construct_object(node)
        except ValueError as error:  # Python reads at most 4,300 digits of a number (a guard against slow conversions)
            if node.tag == _INT:
                digits = sum(char.isdigit() for char in node.value)
                message = f"a number of {digits:,} digits is too long to read (at most {sys.get_int_max_str_digits():,})"
            else:
                message = f"cannot read this value ({error})"
            raise self._error(node, message + "; put it in quotes if it is text") from None
        problem = surrogate_problem(value) if isinstance(value, str) else None
        if problem:
            raise self._error(node, problem)
        return value

    def _error(self, node: yaml.Node, message: str) -> ProblemError:
        return ProblemError(Problem(Origin(self.display, node.start_mark.line + 1), message))

    def _mapping(self, node: yaml.MappingNode) -> YamlMap:
        mapping = YamlMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        mapping.written = {}
        restarted = False  # its first field came again: a new item without its '- ', whose fields all repeat
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise self._error(key_node, "merge keys ('<<:') are not allowed in data files; write the fields out")
            key = self.build(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                if not restarted:
                    restarted = key == next(iter(mapping))
                    self.problems.append(Problem(Origin(self.display, line), _repeated_key_message(key, mapping, restarted)))
                continue
            mapping[key] = self.build(value_node)
            mapping.key_lines[key] = line
            if isinstance(value_node, yaml.ScalarNode):
                start, end = value_node.start_mark, value_node.end_mark
                mapping.written[key] = Written(start.line + 1, self.text[start.index : end.index])
        return mapping

    def _sequence(self, node: yaml.SequenceNode) -> YamlList:
        sequence = YamlList(self.build(item) for item in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


def _repeated_key_message(key: str, mapping: YamlMap, restarted: bool) -> str:
    first = mapping.key_lines[key]
    if restarted:
        return (
            f"'{key}' is given twice (first on line {first}): if a new item starts here, write '- ' before "
            f"'{key}', in the column of the '- ' above; if not, keep one"
        )
    return f"'{key}' is given twice (first on line {first}); keep one"


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
