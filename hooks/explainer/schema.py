"""Check a data file against its JSON Schema in ``data/schema/``, in words a contributor can act on.

The schemas are the contract: the build checks against them, and editors read the same
files through the ``# yaml-language-server: $schema=...`` line at the top of each data file.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from .load import line_of
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
        validator = jsonschema.Draft202012Validator(
            self._resources[schema].contents, registry=self._registry
        )
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        return [
            (tuple(error.absolute_path), Problem(Origin(display, line), message))
            for error in errors
            for line, message in _describe(error, document)
        ]


def _describe(error: jsonschema.ValidationError, document: Any) -> Iterator[tuple[int, str]]:
    path = tuple(error.absolute_path)
    where = _field_name(path)
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
        yield line, f"{where} must be {wanted}, not {_yaml_type(value)} ({_show(value)})"
    elif error.validator == "enum":
        choices = ", ".join(repr(choice) for choice in error.validator_value)
        yield line, f"{where}: {_show(value)} is not one of {choices}"
    elif error.validator == "pattern":
        yield line, f"{where}: {_show(value)} is not {error.schema.get('description', 'in the expected form')}"
    elif error.validator == "uniqueItems":
        yield line, f"{where} lists the same item twice; keep one"
    elif error.validator == "minItems":
        yield line, f"{where} needs at least {error.validator_value} item(s)"
    elif error.validator == "minLength":
        yield line, f"{where} is empty; write at least {error.validator_value} character(s)"
    else:
        yield line, f"{where or 'the file'}: {error.message}"


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
