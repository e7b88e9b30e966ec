"""Check a data file against its JSON Schema in ``data/schema/``, in words a contributor can act on.

The schemas are the contract: the build checks against them, and editors read the same
files through the ``# yaml-language-server: $schema=...`` line at the top of each data file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .load import display_path, line_of, list_folder, read_text
from .model import ID_PATTERN
from .problems import Origin, Problem, ProblemError, kind_of, shown, suggestion

DRAFT = "https://json-schema.org/draft/2020-12/schema"
"""The draft the build checks with; every schema names it, so no tool has to guess."""

_JSON_TYPES = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


class Schemas:
    """The schemas of one ``data/schema/`` folder, keyed by file name.

    Raises :class:`ProblemError` for the first schema that cannot be used: missing, unreadable,
    not JSON, not a 2020-12 schema, or with a ``$ref`` that leads to no schema.
    """

    def __init__(self, folder: Path, root: Path, required: Iterable[str]) -> None:
        self._display = display_path(folder, root)
        paths = list_folder(folder, root, "*.schema.json")
        texts = {path.name: _read(path, root) for path in paths}
        for name in required:
            if name not in texts:
                raise ProblemError(
                    Problem(Origin(f"{self._display}/{name}", 1), "the schema is missing: the data is checked against it; restore it")
                )
        resources = {name: Resource.from_contents(contents, DRAFT202012) for name, (contents, _) in texts.items()}
        self._resources = resources
        self._registry = Registry().with_resources(resources.items())
        for name, (contents, text) in texts.items():
            _check_references(contents, text, self._registry.resolver(name), f"{self._display}/{name}")

    def problems(self, document: Any, schema: str, display: str) -> list[tuple[tuple, Problem]]:
        """Every way ``document`` (read from ``display``) breaks ``schema``, with the path to it."""
        contents = self._resources[schema].contents
        try:
            if _QuickCheck(self._registry.resolver(schema)).surely_valid(document, contents):
                return []
            validator = jsonschema.Draft202012Validator(contents, registry=self._registry)
            errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        except RecursionError:  # the data nests 32 levels at most (see explainer.load): the schema goes round
            raise self._unusable(schema, f"checking {display} with it never ends (a $ref leads back to itself); fix the $ref") from None
        except Exception as error:  # noqa: BLE001 - a schema can pass every check above and still fail to check with
            raise self._unusable(schema, f"checking {display} with it failed ({type(error).__name__}: {error})") from None
        return [
            (tuple(error.absolute_path), Problem(Origin(display, line), message))
            for error in errors
            for line, message in _describe(error, document)
        ]

    def _unusable(self, schema: str, why: str) -> ProblemError:
        return ProblemError(Problem(Origin(f"{self._display}/{schema}", 1), f"not a usable JSON Schema: {why}"))


def _read(path: Path, root: Path) -> tuple[Any, str]:
    """A schema file's contents and text, checked to be a JSON Schema of the draft the build uses."""
    display = display_path(path, root)

    def unusable(line: int, why: str) -> ProblemError:
        return ProblemError(Problem(Origin(display, line), f"not a usable JSON Schema: {why}"))

    text = read_text(path, root)
    try:
        contents = json.loads(text)
    except json.JSONDecodeError as error:
        raise unusable(error.lineno, error.msg) from None
    except (ValueError, RecursionError) as error:  # a number too long, brackets nested too deep
        raise unusable(1, str(error)) from None
    if not isinstance(contents, dict) or contents.get("$schema") != DRAFT:
        raise unusable(1, f'it must be a mapping that starts "$schema": "{DRAFT}", the draft the build checks with')
    try:
        jsonschema.Draft202012Validator.check_schema(contents)
    except jsonschema.exceptions.SchemaError as error:
        raise unusable(1, error.message) from None
    except RecursionError:
        raise unusable(1, "it is nested too deep to check") from None
    return contents, text


def _check_references(contents: Any, text: str, resolver: Any, display: str) -> None:
    """Raise :class:`ProblemError` for the first ``$ref`` (in the file) that leads to no schema, with its line."""
    broken: list[str] = []
    pending = [(contents, resolver)]
    while pending:
        node, resolver = pending.pop()
        if isinstance(node, list):
            pending += [(item, resolver) for item in node]
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        try:
            if isinstance(node.get("$id"), str):  # the base that references inside it are read from
                resolver = resolver.in_subresource(Resource.from_contents(node, DRAFT202012))
            target = resolver.lookup(ref).contents if isinstance(ref, str) else {}
        except Exception:  # noqa: BLE001 - Unresolvable, or a malformed reference or $id
            target = None
        if target is None and not isinstance(ref, str):
            raise ProblemError(Problem(Origin(display, 1), f"not a usable JSON Schema: the $id '{node['$id']}' cannot be used"))
        if not isinstance(target, (dict, bool)):
            broken.append(ref)
        pending += [(value, resolver) for value in node.values()]
    if broken:
        line, ref = min((_line_of_reference(text, ref), ref) for ref in broken)
        raise ProblemError(
            Problem(
                Origin(display, line),
                f"not a usable JSON Schema: the $ref '{ref}' leads to no schema in data/schema/; "
                "fix it, or restore the file it names",
            )
        )


def _line_of_reference(text: str, ref: str) -> int:
    found = re.search(r'"\$ref"\s*:\s*' + re.escape(json.dumps(ref, ensure_ascii=False)), text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


class _QuickCheck:
    """Tells, ten times faster than jsonschema, that a document is valid, for the keywords these schemas use.

    Only ever a shortcut: it answers False ("not sure") for an invalid document and for any
    keyword or value it does not know, and then jsonschema checks the document as before,
    so every problem is still found, and described, by jsonschema.
    """

    _ANNOTATIONS = frozenset({"$schema", "$comment", "$defs", "title", "description", "examples", "default"})
    _TYPES = {
        "string": lambda value: isinstance(value, str),
        "array": lambda value: isinstance(value, list),
        "object": lambda value: isinstance(value, dict),
        "boolean": lambda value: isinstance(value, bool),
        "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
        "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
        "null": lambda value: value is None,
    }

    def __init__(self, resolver: Any) -> None:
        self._resolver = resolver
        self._refs: dict[tuple[int, str], tuple[Any, Any]] = {}

    def surely_valid(self, value: Any, schema: Any, resolver: Any = None) -> bool:
        if schema is True:
            return True
        if not isinstance(schema, dict):
            return False
        resolver = resolver or self._resolver
        for keyword, expected in schema.items():
            if keyword in self._ANNOTATIONS:
                continue
            check = self._KEYWORDS.get(keyword)
            if check is None or not check(self, value, expected, schema, resolver):
                return False
        return True

    def _ref(self, value: Any, ref: str, schema: dict, resolver: Any) -> bool:
        key = (id(schema), ref)
        if key not in self._refs:
            resolved = resolver.lookup(ref)
            self._refs[key] = (resolved.contents, resolved.resolver)
        contents, inner = self._refs[key]
        return self.surely_valid(value, contents, inner)

    def _type(self, value: Any, expected: Any, schema: dict, resolver: Any) -> bool:
        names = expected if isinstance(expected, list) else [expected]
        return all(name in self._TYPES for name in names) and any(self._TYPES[name](value) for name in names)

    def _required(self, value: Any, expected: list, schema: dict, resolver: Any) -> bool:
        return not isinstance(value, dict) or all(name in value for name in expected)

    def _properties(self, value: Any, expected: dict, schema: dict, resolver: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(key not in value or self.surely_valid(value[key], sub, resolver) for key, sub in expected.items())

    def _additionalProperties(self, value: Any, expected: Any, schema: dict, resolver: Any) -> bool:  # noqa: N802
        if not isinstance(value, dict):
            return True
        if "patternProperties" in schema:
            return False
        known = schema.get("properties", {})
        return all(self.surely_valid(item, expected, resolver) for key, item in value.items() if key not in known)

    def _items(self, value: Any, expected: Any, schema: dict, resolver: Any) -> bool:
        if not isinstance(value, list):
            return True
        return "prefixItems" not in schema and all(self.surely_valid(item, expected, resolver) for item in value)

    def _pattern(self, value: Any, expected: str, schema: dict, resolver: Any) -> bool:
        return not isinstance(value, str) or re.search(expected, value) is not None

    def _minLength(self, value: Any, expected: int, schema: dict, resolver: Any) -> bool:  # noqa: N802
        return not isinstance(value, str) or len(value) >= expected

    def _minItems(self, value: Any, expected: int, schema: dict, resolver: Any) -> bool:  # noqa: N802
        return not isinstance(value, list) or len(value) >= expected

    def _maxItems(self, value: Any, expected: int, schema: dict, resolver: Any) -> bool:  # noqa: N802
        return not isinstance(value, list) or len(value) <= expected

    def _uniqueItems(self, value: Any, expected: bool, schema: dict, resolver: Any) -> bool:  # noqa: N802
        if not expected or not isinstance(value, list):
            return True
        return all(isinstance(item, str) for item in value) and len(set(value)) == len(value)

    def _enum(self, value: Any, expected: list, schema: dict, resolver: Any) -> bool:
        return isinstance(value, str) and value in expected

    _KEYWORDS: dict[str, Callable[..., bool]] = {
        "$ref": _ref,
        "type": _type,
        "required": _required,
        "properties": _properties,
        "additionalProperties": _additionalProperties,
        "items": _items,
        "pattern": _pattern,
        "minLength": _minLength,
        "minItems": _minItems,
        "maxItems": _maxItems,
        "uniqueItems": _uniqueItems,
        "enum": _enum,
    }


def _describe(error: jsonschema.ValidationError, document: Any) -> Iterator[tuple[int, str]]:
    path = tuple(error.absolute_path)
    where = _field_name(path)
    subject = where or "the file"
    line = line_of(document, path)
    value = error.instance
    if error.validator == "required":
        misspelt = set(value) - set(error.schema.get("properties", {}))
        for field in error.validator_value:
            # A misspelling is reported once, as an unknown field with a suggestion.
            if field not in value and not suggestion(field, misspelt):
                yield line, f"{where or 'the file'} is missing the required field '{field}'"
    elif error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for field in sorted(set(value) - set(allowed)):
            yield line_of(document, (*path, field)), _unknown_field(field, where, allowed)
    elif error.validator == "type":
        names = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(_JSON_TYPES.get(name, name) for name in names)
        # YAML reads an unquoted yes, no, on, off, true, false or number as such, where text was meant.
        quote = "; put it in quotes to keep it as text" if "string" in names and isinstance(value, (bool, int, float)) else ""
        yield line, f"{subject} must be {wanted}, not {kind_of(value)} ({shown(value)}){quote}"
    elif error.validator == "enum":
        choices = ", ".join(repr(choice) for choice in error.validator_value)
        guess = suggestion(value, error.validator_value) if isinstance(value, str) else None
        yield line, f"{subject}: {shown(value)} is not one of {choices}" + (f"; did you mean '{guess}'?" if guess else "")
    elif error.validator == "pattern":
        form = error.schema.get("description", "in the expected form")
        hint = id_hint(value) if error.validator_value == ID_PATTERN else ""
        yield line, f"{subject}: {shown(value)} is not {form}{hint}"
    elif error.validator == "uniqueItems":
        yield line, f"{subject} lists the same item twice; keep one"
    elif error.validator == "minItems":
        yield line, f"{subject} needs at least {error.validator_value} item(s)"
    elif error.validator == "maxItems":
        yield line, f"{subject} holds {len(value)} items; keep at most {error.validator_value}"
    elif error.validator == "minLength":
        yield line, f"{subject} is empty; write at least {error.validator_value} character(s)"
    else:
        yield line, f"{where or 'the file'}: {error.message}"


def id_hint(value: str) -> str:
    """What to write instead of a malformed id: its ASCII words, or where other scripts belong."""
    if not value.isascii():
        return "; ids are ASCII (they become URLs): write Chinese names and emoji in the name, zh or aliases"
    words = re.findall(r"[a-z0-9]+", value.lower())
    return f"; did you mean '{'-'.join(words)}'?" if words else ""


def _unknown_field(field: str, where: str, allowed: list[str]) -> str:
    guess = suggestion(field, allowed)
    hint = f"did you mean '{guess}'? " if guess else ""
    place = f" in {where}" if where else ""
    return f"unknown field '{field}'{place}; {hint}allowed: {', '.join(allowed)}"


def _field_name(path: tuple[str | int, ...]) -> str:
    """``terms[3].aliases``: the path as a contributor would point at it."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else f".{step}" if name else step
    return name
