"""Check a data file against its JSON Schema in ``data/schema/``, in words a contributor can act on.

The schemas are the contract: the build checks against them, and editors read the same
files through the ``# yaml-language-server: $schema=...`` line at the top of each data file.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from .load import line_of
from .model import ID_PATTERN
from .problems import Origin, Problem

_JSON_TYPES = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "integer": "a whole number",
}


class SchemaError(Exception):
    """A schema under ``data/schema/`` is itself broken."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Schemas:
    """The schemas of one ``data/schema/`` folder, keyed by file name."""

    def __init__(self, folder: Path, display: str) -> None:
        resources = {}
        for path in sorted(folder.glob("*.schema.json")):
            try:
                contents = json.loads(path.read_text("utf-8"))
                jsonschema.Draft202012Validator.check_schema(contents)
            except (ValueError, jsonschema.exceptions.SchemaError) as error:
                message = f"not a usable JSON Schema: {getattr(error, 'message', error)}"
                raise SchemaError(Problem(Origin(f"{display}/{path.name}", 1), message)) from None
            resources[path.name] = Resource.from_contents(contents)
        self._resources = resources
        self._registry = Registry().with_resources(resources.items())

    def check(self, document: Any, schema: str, display: str) -> list[tuple[tuple, Problem]]:
        """Every way ``document`` (read from ``display``) breaks ``schema``, with the path to it."""
        contents = self._resources[schema].contents
        if _QuickCheck(self._registry.resolver()).surely_valid(document, contents):
            return []
        validator = jsonschema.Draft202012Validator(
            self._resources[schema].contents, registry=self._registry
        )
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        return [
            (tuple(error.absolute_path), Problem(Origin(display, line), message))
            for error in errors
            for line, message in _describe(error, document)
        ]


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
            if field not in value and not difflib.get_close_matches(field, misspelt, n=1):
                yield line, f"{where or 'the file'} is missing the required field '{field}'"
    elif error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for field in sorted(set(value) - set(allowed)):
            yield line_of(document, (*path, field)), _unknown_field(field, where, allowed)
    elif error.validator == "type":
        wanted = _JSON_TYPES.get(error.validator_value, error.validator_value)
        yield line, f"{subject} must be {wanted}, not {_yaml_type(value)} ({_show(value)})"
    elif error.validator == "enum":
        choices = ", ".join(repr(choice) for choice in error.validator_value)
        yield line, f"{subject}: {_show(value)} is not one of {choices}"
    elif error.validator == "pattern":
        form = error.schema.get("description", "in the expected form")
        hint = id_hint(value) if error.validator_value == ID_PATTERN else ""
        yield line, f"{subject}: {_show(value)} is not {form}{hint}"
    elif error.validator == "uniqueItems":
        yield line, f"{subject} lists the same item twice; keep one"
    elif error.validator == "minItems":
        yield line, f"{subject} needs at least {error.validator_value} item(s)"
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
    guess = difflib.get_close_matches(field, allowed, n=1)
    hint = f"did you mean '{guess[0]}'? " if guess else ""
    place = f" in {where}" if where else ""
    return f"unknown field '{field}'{place}; {hint}allowed: {', '.join(allowed)}"


def _field_name(path: tuple[str | int, ...]) -> str:
    """``terms[3].aliases``: the path as a contributor would point at it."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else f".{step}" if name else step
    return name


def _yaml_type(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
