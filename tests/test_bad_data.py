"""Bad data never reaches readers: a corpus of bad inputs, each turned into one precise line.

Every case is a small change to a copy of the real project. For each: the strict build
fails, prints ``path:line: message`` exactly once and no traceback, and writes nothing
under ``docs/`` or ``data/``. Data problems stop the build in ``on_config`` (about a second
each); the problems of Markdown pages are found while pages are converted, so they share
one build, each still held to its own line. Some inputs look bad and are not (a byte-order
mark, Windows line ends, a quote across a line break, a see-also cycle, Chinese and emoji
in names): one strict build of all of them must succeed and render them right. Last,
``make build`` is shown to leave the previous ``site/`` as it was when a build fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest
from conftest import ROOT, Build, Project
from explainer.annotate import ExplainerExtension
from explainer.backlinks import Ledger, PageInfo
from explainer.quotes import Article
from explainer.site import Site
from test_validation import Case

PROTECTED = ("docs", "data")
"""What no build may write to or delete from."""


@dataclass(frozen=True)
class Edit:
    """A change a :class:`Case` cannot express: a whole file, bytes, a new or generated file."""

    path: str
    apply: Callable[[Project], int | None]
    """Makes the change; returns the message's line when it depends on the change (else ``line``)."""
    message: str
    line: int = 1


def _write(path: str, content: str | bytes) -> Callable[[Project], None]:
    def apply(project: Project) -> None:
        target = project.path(path)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return apply


def _copy_source(new_id: str, description_suffix: str = ".yaml") -> Callable[[Project], None]:
    """A new source, ``new_id``, made of a copy of v4-brief's description and text."""

    def apply(project: Project) -> None:
        for suffix, new_suffix in ((".yaml", description_suffix), (".txt", ".txt")):
            shutil.copy(project.path(f"data/sources/v4-brief{suffix}"), project.path(f"data/sources/{new_id}{new_suffix}"))

    return apply


def _new_entity(entity_id: str) -> Case:
    """A new entity, first in the list, with ``entity_id`` (its problem is on the line of the id)."""
    entity = (
        f"entities:\n  - id: {entity_id}\n    name: Huawei Cloud ☁️ 华为云\n    kind: organisation\n"
        "    context: A cloud.\n    sources: [v4-brief]\n"
    )
    return Case("data/entities.yaml", "entities:\n", entity, "", line_offset=1)


def _folder_in_place(project: Project, relative: str) -> None:
    """A folder where the file ``relative`` was (as a stray ``mkdir`` or an unpacked archive leaves it)."""
    target = project.path(relative)
    target.unlink()
    target.mkdir()
    (target / "inside.txt").write_text("a file inside\n", encoding="utf-8")


def _pipe_in_place(project: Project, relative: str) -> None:
    """A named pipe where the file ``relative`` was: opening it to read would wait for a writer for ever."""
    target = project.path(relative)
    target.unlink()
    os.mkfifo(target)


def _line_in(relative: str, text: str) -> int:
    """The line of ``text`` in the real ``relative``."""
    content = (ROOT / relative).read_text("utf-8")
    return content.count("\n", 0, content.index(text)) + 1


def _first_reference(relative: str) -> tuple[int, str]:
    """The line and the target of the first ``$ref`` to common.schema.json in the real schema ``relative``."""
    content = (ROOT / relative).read_text("utf-8")
    found = re.search(r'"\$ref": "(common\.schema\.json#[^"]*)"', content)
    return content.count("\n", 0, found.start()) + 1, found.group(1)


def _loosened_glossary(project: Project) -> None:
    """The glossary's schema emptied of its rules, and a term that the rules would have refused."""
    project.write("data/schema/glossary.schema.json", '{"$schema": "https://json-schema.org/draft/2020-12/schema"}\n')
    project.replace("data/glossary.yaml", "    term: Mixture of Experts (MoE)", "    term: [1, 2]")


def _with_message(case: Case, message: str) -> Case:
    return Case(case.path, case.old, case.new, message, case.line_offset, case.line)


def _five_megabyte_article(project: Project) -> None:
    """v4-brief's text inside 5 MB of other text, and one of its key points misquoted."""
    text = project.read("data/sources/v4-brief.txt")
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. "
    half = filler * (2_500_000 // len(filler))
    project.write("data/sources/v4-brief.txt", half + text + half)
    project.replace("data/sources/v4-brief.yaml", "the development team engaged in months", "the development team engaged in weeks")


def _ten_thousand_terms(project: Project, broken: int | None = None) -> int | None:
    """10,000 glossary terms before the real ones; with ``broken``, that one lacks its definition.

    Each is named "DeepSeek", a name v4-brief's text uses, as a term must be; each links by its own alias.
    Returns the line of the broken term.
    """
    entries = []
    for number in range(10_000):
        definition = "" if number == broken else f"    definition: Gadget number {number}.\n"
        entries.append(
            f"  - id: gadget-{number}\n    term: DeepSeek\n    aliases: [Gadget{number}]\n"
            f"{definition}    body: Gadget {number} is general background.\n    sources: [v4-brief]\n\n"
        )
    project.replace("data/glossary.yaml", "terms:\n", "terms:\n" + "".join(entries))
    if broken is None:
        return None
    return project.replace("data/glossary.yaml", f"  - id: gadget-{broken}\n", f"  - id: gadget-{broken}\n")


PROBE = """\
  - id: probe
    term: Probe
    aliases: [utilize an advanced]
    definition: A term the cases below write into, so that they do not depend on the real glossary's wording.
    body: >-
      PROBE body [@wmw-analysis, "moving entirely from NVIDIA's CUDA ecosystem to Huawei's CANN framework"].
    see_also: [moe]
    sources: [v4-brief]

"""
"""A term put first in the glossary; line 1 of it is line 5 of the file (after ``terms:``)."""
PROBE_BODY = "      PROBE body"


def _probe(old: str, new: str, message: str, line: int) -> Case:
    """The probe term with ``old`` written as ``new``; the message stands on ``line`` of the probe (from 1)."""
    assert old in PROBE, old
    return Case("data/glossary.yaml", "terms:\n", "terms:\n" + PROBE.replace(old, new), message, line_offset=line)


DATA_CASES: dict[str, Case | Edit] = {
    # -- YAML that cannot be read ------------------------------------------------------------
    "tab indentation": _probe(
        "    term: Probe", "\tterm: Probe",
        "invalid YAML: found character '\\t' that cannot start any token (YAML indents with spaces, never tabs)", 2,
    ),
    "unclosed double quote": Case(
        "data/sources/v4-brief.yaml",
        'quote: "the development team engaged in months of intensive low-level code refactoring and optimization"',
        'quote: "the development team engaged in months of intensive low-level code refactoring and optimization',
        "invalid YAML: a quoted string is not closed on this line",
    ),
    "unclosed single quote": Case(
        "data/sources/v4-brief.yaml", "title: A Strategic Move", "title: 'A Strategic Move",
        "invalid YAML: a quoted string is not closed on this line",
    ),
    "duplicated key": _probe(
        "    term: Probe\n", "    term: Probe\n    term: Probe again\n", "'term' is given twice (first on line 6); keep one", 3
    ),
    "indented too little": Case(
        "data/glossary.yaml", "    term: Mixture of Experts (MoE)", "   term: Mixture of Experts (MoE)",
        "invalid YAML: expected <block end>, but found '<block mapping start>' "
        "(check the indentation: the fields of one item start in the same column)",
    ),
    "indented too much": Case(
        "data/glossary.yaml", "    term: Mixture of Experts (MoE)", "      term: Mixture of Experts (MoE)",
        "invalid YAML: mapping values are not allowed here (check the indentation, or quote a value that contains ': ')",
    ),
    "two documents in one file": Case(
        "data/timeline.yaml", "events:\n", "events: []\n---\nevents:\n",
        "invalid YAML: but found another document (a data file holds one YAML document; remove this '---')",
        line_offset=1,
    ),
    "empty file": Edit("data/entities.yaml", _write("data/entities.yaml", ""), "the file is empty"),
    "binary file": Edit(
        "data/entities.yaml", _write("data/entities.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "not UTF-8 text (byte 0x89); save the file as UTF-8",
    ),
    "NUL character in YAML": Case(
        "data/entities.yaml", "    name: DeepSeek", "    name: Deep\x00Seek",
        "invalid YAML: the character #x0000 is not allowed (special characters are not allowed); remove it",
    ),
    "binary article text": Edit(
        "data/sources/v4-brief.txt", _write("data/sources/v4-brief.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "not UTF-8 text (byte 0x89); save the file as UTF-8",
    ),
    "empty article text": Edit(
        "data/sources/v4-brief.txt", _write("data/sources/v4-brief.txt", "\n  \n"),
        "the article's text is empty: paste it as received",
    ),
    "anchor and alias (a billion laughs)": Case(
        "data/entities.yaml", "    aliases: [DeepSeek, Deepseek, 深度求索]", "    aliases: &names [DeepSeek, Deepseek]",
        "anchors and aliases (&name, *name) are not allowed in data files; write the value out",
    ),
    "tag naming a constructor": Case(
        "data/entities.yaml", "    name: DeepSeek", "    name: !!python/object/apply:os.system [echo]",
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in data files; remove it",
    ),
    "nesting 1,000 deep": Case(
        "data/entities.yaml", "    aliases: [DeepSeek, Deepseek, 深度求索]", "    aliases: " + "[" * 1000 + "]" * 1000,
        "lists and mappings are nested more than 32 levels deep here; check the brackets",
    ),
    "merge key with a block mapping": Case(
        "data/entities.yaml", "    kind: organisation\n", "    <<:\n      kind: organisation\n",
        "merge keys ('<<:') are not allowed in data files; write the fields out",
    ),
    "a bare = as a value": Case(
        "data/entities.yaml", "    name: DeepSeek", "    name: =",
        "YAML reads a bare '=' as a special key, not as text; put it in quotes",
    ),
    "a bare << as a value": Case(
        "data/glossary.yaml", "    term: Mixture of Experts (MoE)", "    term: <<",
        "YAML reads a bare '<<' as a special key, not as text; put it in quotes",
    ),
    "a number of 5,000 digits": Case(
        "data/entities.yaml", "    name: DeepSeek", "    name: " + "9" * 5000,
        "a number of 5,000 digits is too long to read (at most 4,300); put it in quotes if it is text",
    ),
    "half of a UTF-16 pair, escaped in a quoted string": Case(
        "data/glossary.yaml", "    term: Mixture of Experts (MoE)", '    term: "Mixture of Experts \\ud800 (MoE)"',
        "'\\ud800' is half of a UTF-16 pair, not a character; write the character itself, or its \\U escape (\\U0001F600)",
    ),
    "a byte-order mark, then a byte that is not UTF-8": Edit(
        "data/entities.yaml", _write("data/entities.yaml", b"\xef\xbb\xbfentities:\n  - id: a\xff\n"),
        "not UTF-8 text (byte 0xff); save the file as UTF-8", line=2,
    ),
    "escape codes and a line break in a key": Case(
        "data/entities.yaml", "    kind: organisation\n",
        '    kind: organisation\n    "bad\\e[2K\\rINFO    -  Documentation built\\nINFO    -  x": 1\n',
        "unknown field 'bad\\x1b[2K\\rINFO    -  Documentation built\\nINFO    -  x' in entities[0]; "
        "allowed: aliases, context, id, kind, name, sources, zh",
        line_offset=1,
    ),
    # -- files that are not files, or that may not be read ----------------------------------------
    "a folder where a data file belongs": Edit(
        "data/glossary.yaml", lambda project: _folder_in_place(project, "data/glossary.yaml"),
        "this is a folder, not a file; replace it with the file itself",
    ),
    "a folder where an article belongs": Edit(
        "data/sources/v4-brief.txt", lambda project: _folder_in_place(project, "data/sources/v4-brief.txt"),
        "this is a folder, not a file; replace it with the file itself",
    ),
    "a named pipe where a data file belongs (reading it would wait for ever)": Edit(
        "data/entities.yaml", lambda project: _pipe_in_place(project, "data/entities.yaml"),
        "this is a named pipe, not a file; replace it with the file itself",
    ),
    "a named pipe where an article belongs": Edit(
        "data/sources/v4-brief.txt", lambda project: _pipe_in_place(project, "data/sources/v4-brief.txt"),
        "this is a named pipe, not a file; replace it with the file itself",
    ),
    # -- the schema --------------------------------------------------------------------------
    "a schema deleted": Edit(
        "data/schema/glossary.schema.json", lambda project: project.path("data/schema/glossary.schema.json").unlink(),
        "the schema is missing: the data is checked against it; restore it",
    ),
    "a schema that is {}": Edit(
        "data/schema/common.schema.json", _write("data/schema/common.schema.json", "{}\n"),
        'not a usable JSON Schema: it must be a mapping that starts "$schema": '
        '"https://json-schema.org/draft/2020-12/schema", the draft the build checks with',
    ),
    "a $ref to a missing file": Case(
        "data/schema/glossary.schema.json", '"$ref": "common.schema.json#/$defs/id"',
        '"$ref": "missing.schema.json#/$defs/id"',
        "not a usable JSON Schema: the $ref 'missing.schema.json#/$defs/id' leads to no schema in data/schema/; "
        "fix it, or restore the file it names",
    ),
    "a $ref to a part that is not a schema": Case(
        "data/schema/glossary.schema.json", '"$ref": "common.schema.json#/$defs/id"',
        '"$ref": "common.schema.json#/$defs/id/type"',
        "not a usable JSON Schema: the $ref 'common.schema.json#/$defs/id/type' leads to no schema in data/schema/; "
        "fix it, or restore the file it names",
    ),
    # The first schema (in file order) that refers to it says so, at its first reference.
    # The first schema in name order that refers to the deleted one is reported.
    "a schema deleted that others refer to": Edit(
        "data/schema/claims.schema.json", lambda project: project.path("data/schema/common.schema.json").unlink(),
        f"not a usable JSON Schema: the $ref '{_first_reference('data/schema/claims.schema.json')[1]}' leads to "
        "no schema in data/schema/; fix it, or restore the file it names",
        line=_first_reference("data/schema/claims.schema.json")[0],
    ),
    "a $ref that leads to itself": Case(
        "data/schema/glossary.schema.json",
        '"$schema": "https://json-schema.org/draft/2020-12/schema",',
        '"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#",',
        "not a usable JSON Schema: checking data/glossary.yaml with it never ends (a $ref leads back to itself); "
        "fix the $ref",
        line=1,
    ),
    "a schema that is not JSON": Case(
        "data/schema/timeline.schema.json", '"type": "object"', '"type": "object",,',
        "not a usable JSON Schema: Expecting property name enclosed in double quotes",
    ),
    "a folder where a schema belongs": Edit(
        "data/schema/common.schema.json", lambda project: _folder_in_place(project, "data/schema/common.schema.json"),
        "this is a folder, not a file; replace it with the file itself",
    ),
    "a schema loosened to let through what the build cannot use": Edit(
        "data/glossary.yaml", lambda project: _loosened_glossary(project),
        "the build cannot use this ('term' is a list ([1, 2])), which data/schema/glossary.schema.json should have "
        "refused; restore the schema's rules",
        line=5,
    ),
    "missing required field": Case(
        "data/glossary.yaml", "    definition: A model design", "    # definition: A model design",
        "terms[0] is missing the required field 'definition'", line=5,
    ),
    "missing required field in a timeline event": Case(
        "data/timeline.yaml", "    title: US export controls cut", "    # title: US export controls cut",
        "events[0] is missing the required field 'title'",
        line=(ROOT / "data/timeline.yaml").read_text("utf-8").split("\n").index("  - id: us-export-controls-2022") + 1,
    ),
    "source without a title": Case(
        "data/sources/v4-brief.yaml", "title: A Strategic Move Toward Technological Autonomy\n", "",
        "the file is missing the required field 'title'", line=2,
    ),
    "text where a list belongs": Case(
        "data/glossary.yaml", "    aliases: [MoE, Mixture of Experts, Mixture-of-Experts, 混合专家]", "    aliases: MoE",
        "terms[0].aliases must be a list, not text ('MoE')",
    ),
    "text where true or false belongs": Case(
        "data/timeline.yaml", '    date: "2022"\n', '    date: "2022"\n    forecast: yes please\n',
        "events[0].forecast must be true or false, not text ('yes please')", line_offset=1,
    ),
    "an unquoted NO in a list of text": Case(
        "data/glossary.yaml", "    aliases: [MoE, Mixture of Experts,", "    aliases: [MoE, NO, Mixture of Experts,",
        "terms[0].aliases[1] must be text, not true/false (False); put it in quotes to keep it as text",
    ),
    "a quiz of six questions": Case(
        "data/sources/v4-brief.yaml", "quiz:\n", "quiz:\n" + "  - question: One more?\n    answer: Yes.\n" * 2,
        "quiz holds 6 items; keep at most 5",
    ),
    "number where text belongs": Case(
        "data/glossary.yaml", "    term: Mixture of Experts (MoE)", "    term: 42",
        "terms[0].term must be text, not a number (42); put it in quotes to keep it as text",
    ),
    "a list where the file's mapping belongs": Edit(
        "data/entities.yaml", _write("data/entities.yaml", "- DeepSeek\n- Huawei\n"),
        "the file must be a mapping of fields, not a list (['DeepSeek', 'Huawei'])",
    ),
    "unknown field": Case(
        "data/entities.yaml", "    kind: organisation\n", "    kind: organisation\n    wikipedia: https://example.org\n",
        "unknown field 'wikipedia' in entities[0]; allowed: aliases, context, id, kind, name, sources, zh",
        line_offset=1,
    ),
    "misspelt top-level field": Case(
        "data/timeline.yaml", "events:\n", "evnets:\n",
        "unknown field 'evnets'; did you mean 'events'? allowed: events",
    ),
    "value not among the choices": Case(
        "data/sources/v4-brief.yaml", "kind: news brief", "kind: blog post",
        "kind: 'blog post' is not one of 'news report', 'news brief', 'analysis', 'AI-generated summary', "
        "'translation', 'language-learning reader'",
    ),
    "a new item without its '- ' (its fields all come again in the item above)": Case(
        "data/entities.yaml", "  - id: beijing\n", "    id: beijing\n",
        "'id' is given twice (first on line 447): if a new item starts here, write '- ' before 'id', in the "
        "column of the '- ' above; if not, keep one",
    ),
    "a form labelled Simplified, written with a Traditional character": Case(
        "data/glossary.yaml", "      - form: 混合专家\n", "      - form: 混合專家\n",
        "the Chinese form '混合專家' is labelled Simplified, but '專' is written only in Traditional; correct the script or the form",
    ),
    "HTML in a plain-text field": Case(
        "data/sources/v4-brief.yaml", "title: A Strategic Move", "title: A <b>Strategic</b> Move",
        "title: 'A <b>Strategic</b> Move Toward Technological Autonomy' is not plain text on one line: "
        "no '<' or '>' (HTML), and no citation or claim label ('[@', '[?'), which belong in a Markdown field",
    ),
    "a citation in a plain-text field, shown as written in the claim's tooltip": Case(
        "data/claims.yaml", "the smaller V4-Flash.", "the smaller V4-Flash [@mittr-three-reasons].",
        "claims[0].statement: 'According to MIT Technology Review, V4 comes in two vers... is not plain text on one line: no '<' or '>' (HTML), and no citation or claim label ('[@', '[?'), "
        "which belong in a Markdown field",
    ),
    # -- ids ---------------------------------------------------------------------------------
    "duplicate id in one file": Case(
        "data/entities.yaml", "  - id: huanfang-quant", "  - id: deepseek", "id 'deepseek' is already used on line 5"
    ),
    "one alias for two terms": _probe(
        "[utilize an advanced]", "[utilize an advanced, MoE]",
        "alias 'MoE' already links to term 'probe'; an alias must name one term", PROBE.count("\n") + 1,
    ),
    "id with spaces": _with_message(
        _new_entity("Huawei Cloud"),
        "entities[0].id: 'Huawei Cloud' is not lower-case ASCII letters and digits in words joined by single "
        "hyphens, e.g. attention-compression; did you mean 'huawei-cloud'?",
    ),
    "id with capitals": _with_message(
        _new_entity("Huawei-Cloud"),
        "entities[0].id: 'Huawei-Cloud' is not lower-case ASCII letters and digits in words joined by single "
        "hyphens, e.g. attention-compression; did you mean 'huawei-cloud'?",
    ),
    "id in Chinese": _with_message(
        _new_entity("华为云"),
        "entities[0].id: '华为云' is not lower-case ASCII letters and digits in words joined by single "
        "hyphens, e.g. attention-compression; ids are ASCII (they become URLs): write Chinese names and emoji "
        "in the name, zh or aliases",
    ),
    "id with an emoji": _with_message(
        _new_entity("huawei-cloud-☁️"),
        "entities[0].id: 'huawei-cloud-☁️' is not lower-case ASCII letters and digits in words joined by single "
        "hyphens, e.g. attention-compression; ids are ASCII (they become URLs): write Chinese names and emoji "
        "in the name, zh or aliases",
    ),
    "id with a line break at its end": Case(
        "data/entities.yaml", "  - id: huanfang-quant", '  - id: "huanfang-quant\\n"',
        "entities[1].id: 'huanfang-quant\\n' is not lower-case ASCII letters and digits in words joined by single "
        "hyphens, e.g. attention-compression; did you mean 'huanfang-quant'?",
    ),
    "source whose id is 'index', the sources' own page": Edit(
        "data/sources/index.yaml", _copy_source("index"),
        "the id 'index' is reserved: sources/index.md is the list of all sources; rename index.yaml and index.txt",
    ),
    # Named as messages print it: a line break in a file name is shown escaped, like any other.
    "source file name with a line break at its end": Edit(
        "data/sources/v4-brief\\n.yaml", _copy_source("v4-brief\n"),
        "file name 'v4-brief\\n' is not a valid id: use lower-case ASCII letters and digits joined by single "
        "hyphens, e.g. attention-compression; did you mean 'v4-brief'?",
    ),
    "a source's description saved as .yml": Edit(
        "data/sources/caixin-report.txt", _copy_source("caixin-report", description_suffix=".yml"),
        "article text without a description: rename caixin-report.yml to caixin-report.yaml",
    ),
    "source file name in capitals (two files differing only in case)": Edit(
        "data/sources/V4-Brief.yaml", _copy_source("V4-Brief"),
        "file name 'V4-Brief' is not a valid id: use lower-case ASCII letters and digits joined by single "
        "hyphens, e.g. attention-compression; did you mean 'v4-brief'?",
    ),
    "see_also names the term itself": _probe(
        "    see_also: [moe]", "    see_also: [probe]", "term 'probe' lists itself in see_also; remove it", 1
    ),
    # -- citations ---------------------------------------------------------------------------
    "unknown source in a YAML citation": Case(
        "data/timeline.yaml", "      - source: mittr-three-reasons", "      - source: mit-three-reasons",
        "no source has the id 'mit-three-reasons'; did you mean 'mittr-three-reasons'? "
        "(sources are data/sources/<id>.yaml)",
    ),
    "unknown source in a list of sources": Case(
        "data/entities.yaml", "v4-brief, tmtpost-card, mittr-three-reasons]", "v4-breif, tmtpost-card, mittr-three-reasons]",
        "no source has the id 'v4-breif'; did you mean 'v4-brief'? (sources are data/sources/<id>.yaml)",
        line=5,
    ),
    "unknown source in a Markdown field, on its own line": Case(
        "data/glossary.yaml", '[@tmtpost-card, "Original source: 钛媒体"]', '[@tmtpost-crad, "Original source: 钛媒体"]',
        "no source has the id 'tmtpost-crad'; did you mean 'tmtpost-card'? (sources are data/sources/<id>.yaml)",
    ),
    "quote not in the article": Case(
        "data/timeline.yaml",
        "quote: \"Since 2022, US export controls have cut Chinese firms off from Nvidia’s most powerful chips",
        "quote: \"Since 2021, US export controls have cut Chinese firms off from Nvidia’s most powerful chips",
        "the quote \"Since 2021, US export controls have cut Chinese firms off from Nvidia’s most po…\" "
        "is not in the text of 'mittr-three-reasons'; the closest passage is \"Since 2022, US export controls have "
        "cut Chinese firms off from Nvidia’s most powerful chips, and they later also restricted…\"",
        line_offset=-1,
    ),
    "quote not in the article, in a Markdown field": _probe(
        "[@wmw-analysis, \"moving entirely from NVIDIA's CUDA ecosystem to Huawei's CANN framework\"]",
        "[@wmw-analysis, \"moving entirely from NVIDIA's CUDA platform to Huawei's CANN framework\"]",
        "the quote \"moving entirely from NVIDIA's CUDA platform to Huawei's CANN framework\" is not in the text "
        "of 'wmw-analysis'; the closest passage is \"moving entirely from NVIDIA's CUDA ecosystem to Huawei's CANN "
        "framework,\"",
        6,
    ),
    "malformed citation in a Markdown field": Case(
        "data/glossary.yaml", '[@tmtpost-card, "Original source: 钛媒体"]', "[@tmtpost-card, p. 3]",
        "cannot read the citation '[@tmtpost-card, p. 3]': write [@source-id] or [@source-id, \"words copied from "
        "the article\"], separated by ';' when there are several",
    ),
    "term listed for a source that never names it": _probe(
        "    sources: [v4-brief]", "    sources: [v4-brief, ringoo-reader]",
        "term 'probe' is listed as used in 'ringoo-reader', but none of its names or aliases occurs in that "
        "article's text; add the form the article uses to aliases, or drop the source",
        1,
    ),
    # -- dates -------------------------------------------------------------------------------
    "date in the wrong form": Case(
        "data/timeline.yaml", '    date: "2022"', '    date: "22"',
        "events[0].date: '22' is not an ISO 8601 date at year, half-year, quarter, month or day precision: 2026, 2026-H2, 2026-Q4, 2026-04 or 2026-04-24",
    ),
    "impossible date (30 February)": Case(
        "data/sources/v4-brief.yaml", 'accessed: "2026-11-23"', 'accessed: "2026-02-30"',
        "accessed: '2026-02-30' is not a date on the calendar",
    ),
    "impossible month": Case(
        "data/timeline.yaml", '    date: "2026-04"\n    title: Huawei says', '    date: "2026-13"\n    title: Huawei says',
        "date: '2026-13' is not a date on the calendar",
    ),
    "month 00": Case(
        "data/timeline.yaml", '    date: "2024-12"', '    date: "2024-00-15"',
        "date: '2024-00-15' is not a date on the calendar",
    ),
    "day 00": Case(
        "data/sources/v4-brief.yaml", 'accessed: "2026-11-23"', 'accessed: "2026-11-00"',
        "accessed: '2026-11-00' is not a date on the calendar",
    ),
    "event cited only to articles published before it": Case(
        "data/timeline.yaml", '    date: "2026-04"\n    title: Huawei says', '    date: "2026-05"\n    title: Huawei says',
        "event 'huawei-supernode-supports-v4' (2026-05) is cited only to sources published before it happened; "
        "cite a later source, or mark it 'forecast: true'",
        line_offset=-1,
    ),
    # -- links -------------------------------------------------------------------------------
    "javascript: URL": Case(
        "data/sources/v4-brief.yaml", "url_note: The text as received carries no link to an original.",
        "url: javascript:alert(1)",
        "url: link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site",
    ),
    "URL with a space": Case(
        "data/sources/v4-brief.yaml", "url_note: The text as received carries no link to an original.",
        "url: https://example.org/a brief",
        "url: the link 'https://example.org/a brief' contains a space; write it as %20",
    ),
    "javascript: link in a Markdown field": _probe(
        PROBE_BODY, "      [CUDA](javascript:alert(1)) body",
        "link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site", 6,
    ),
    "data: image in a Markdown field": _probe(
        PROBE_BODY, "      ![CUDA](data:image/svg+xml;base64,PHN2Zz4=) body",
        "link to 'data:image/svg+xml;base64,PHN2Zz4=' refused: only http:// and https:// links may leave the site", 6,
    ),
    "relative link in a Markdown field": _probe(
        PROBE_BODY, "      [CUDA](../topics/off-cuda.md) body",
        "relative link '../topics/off-cuda.md' refused: a data field may be shown on several pages, so its links "
        "are absolute http:// or https:// addresses", 6,
    ),
    "link with a space in a Markdown field": _probe(
        PROBE_BODY, "      [CUDA](https://example.org/cuda docs) body",
        "the link 'https://example.org/cuda docs' contains a space; write it as %20", 6,
    ),
    "attribute list in a Markdown field": _probe(
        PROBE_BODY, '      CUDA{ onclick="alert(1)" } body',
        "attribute lists ('{: ... }') are not allowed in data: they can set any HTML attribute", 6,
    ),
    "raw HTML in a Markdown field": _probe(
        PROBE_BODY, "      <img src=x onerror=alert(1)> body",
        "raw HTML is not allowed in data; write Markdown (use &lt; for a literal '<')", 6,
    ),
}

SCALE_CASES: dict[str, Edit] = {
    "5 MB article text, one quote wrong": Edit(
        "data/sources/v4-brief.yaml", _five_megabyte_article,
        "the quote \"the development team engaged in weeks of intensive low-level code refactoring a…\" is not in "
        "the text of 'v4-brief'; the closest passage is \"the development team engaged in months of intensive "
        "low-level code refactoring and optimization.\"",
        line=_line_in("data/sources/v4-brief.yaml", "the development team engaged in months") - 1,  # the key point's
    ),
    "10,000 terms, one without its definition": Edit(
        "data/glossary.yaml", lambda project: _ten_thousand_terms(project, broken=9_876),
        "terms[9876] is missing the required field 'definition'",
    ),
}


_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""What a message may never print as itself (a line break but the one that ends it, an escape code)."""


def checksums(root: Path) -> dict[str, str]:
    """The SHA-256 of every file under ``docs/`` and ``data/`` of ``root``."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for part in PROTECTED
        for path in sorted((root / part).rglob("*"))
        if path.is_file()
    }


def _apply(project: Project, case: Case | Edit) -> int:
    """Make the case's change; the line its message must carry."""
    if isinstance(case, Edit):
        return case.apply(project) or case.line
    line = project.replace(case.path, case.old, case.new) + case.line_offset
    return case.line or line


def _build_and_expect(project: Project, case: Case | Edit, line: int) -> Build:
    before = checksums(project.root)
    build = project.build()
    assert build.returncode != 0
    assert "Traceback" not in build.output, build.output
    assert f"{case.path}:{line}: {case.message}\n" in build.output, build.output
    assert "1 problem(s) in the data, listed above; nothing was built" in build.output, build.output
    assert not _RAW_CONTROL.search(build.output), "a control character reached the log"
    assert not (project.root / "site").exists()
    assert checksums(project.root) == before
    return build


@pytest.mark.parametrize("case", DATA_CASES.values(), ids=DATA_CASES.keys())
def test_bad_data_is_one_precise_line(project: Project, case: Case | Edit):
    """In the process, as the build's first event reads the data: the one problem, and (as `mkdocs serve`
    shows it) the pages still made. That a problem stops a strict build is proved end to end below."""
    line = _apply(project, case)
    before = checksums(project.root)
    site = Site(project.root)
    assert [str(problem) for problem in site.problems] == [f"{case.path}:{line}: {case.message}"]
    assert not _RAW_CONTROL.search(str(site.problems[0])), "a control character would reach the log"
    assert {page.src_uri for page in site.pages()} >= {"glossary.md", "timeline.md", "who.md", "sources/index.md"}
    assert checksums(project.root) == before


# One of each kind, end to end: YAML, a schema, a field, a cross-file check, a quote, a URL, a forged log line.
END_TO_END = (
    "tab indentation",
    "a $ref that leads to itself",
    "missing required field",
    "unknown source in a YAML citation",
    "quote not in the article, in a Markdown field",
    "javascript: link in a Markdown field",
    "escape codes and a line break in a key",
)


@pytest.mark.parametrize("name", END_TO_END)
def test_bad_data_stops_a_strict_build_before_anything_is_written(project: Project, name: str):
    case = DATA_CASES[name]
    _build_and_expect(project, case, _apply(project, case))


@pytest.mark.slow
@pytest.mark.parametrize("case", SCALE_CASES.values(), ids=SCALE_CASES.keys())
def test_bad_data_at_scale_is_one_precise_line(project: Project, case: Case | Edit):
    line = _apply(project, case)
    _build_and_expect(project, case, line)


def test_the_closest_passage_is_found_in_a_5_mb_article():
    text = (ROOT / "data/sources/v4-brief.txt").read_text("utf-8")
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. "
    article = Article(filler * 27_000 + text + filler * 27_000)
    closest = article.closest("the development team engaged in weeks of intensive low-level code refactoring")
    assert closest.startswith("the development team engaged in months of intensive low-level code refactoring")


# -- Markdown pages: problems found while converting, one build for all ---------------------------

PAGE = "docs/topics/off-cuda.md"
PAGE_PROBLEMS: list[tuple[str, str] | tuple[str, str, int]] = [
    ("Bad one [@nope-source].", "no source has the id 'nope-source' (sources are data/sources/<id>.yaml)"),
    (
        'Bad two [@v4-brief, "complete reliance on an imported chipset platform"].',
        "the quote \"complete reliance on an imported chipset platform\" is not in the text of 'v4-brief'; "
        "the closest passage is \"complete reliance on a domestically developed chipset\"",
    ),
    (
        "Bad three [@v4-brief, p. 3].",
        "cannot read the citation '[@v4-brief, p. 3]': write [@source-id] or [@source-id, \"words copied from "
        "the article\"], separated by ';' when there are several",
    ),
    ("[Bad four](javascript:alert(1)) [@v4-brief].", "link to 'javascript:alert(1)' refused: only http:// and https:// links may leave the site"),
    (
        "![Bad five](data:image/svg+xml;base64,PHN2Zz4=) [@v4-brief].",
        "link to 'data:image/svg+xml;base64,PHN2Zz4=' refused: only http:// and https:// links may leave the site",
    ),
    ("[Bad six](https://example.org/a b) [@v4-brief].", "the link 'https://example.org/a b' contains a space; write it as %20"),
    (
        "![Bad six and a half](//tracker.example/pixel.png) [@v4-brief].",
        "link to '//tracker.example/pixel.png' refused: it leaves the site without saying how; write it with https://",
    ),
    (
        "[Bad seven, see [@v4-brief]](https://example.org/seven).",
        "the citation of 'v4-brief' is inside a link's text, where it cannot link to the Sources list; put it after the link",
    ),
    (
        'Bad eight [@v4-brief].\n{: onclick="alert(1)" }',
        "the attribute 'onclick' is refused: a page runs no script written in it",
        1,
    ),
    (
        '[Bad nine](https://example.org/nine){ href="javascript:alert(9)" } [@v4-brief].',
        "link to 'javascript:alert(9)' refused: only http:// and https:// links may leave the site",
    ),
    (
        'Bad nine and a half [@v4-brief].\n{: #__config }',
        "the id '__config' is refused: ids that start with '__' are the theme's own, and its script reads its "
        "settings from one; choose another",
        1,
    ),
    (
        '<pre class="mermaid"><code>graph LR; A--&gt;B</code></pre>',
        "the class 'mermaid' is refused: the theme's script acts on its own classes ('md-…', but for md-button and "
        "md-button--primary) and loads a script for 'mermaid'; draw a chart as an inline SVG",
    ),
    ("Bad ten, the same as bad one [@nope-source].", "no source has the id 'nope-source' (sources are data/sources/<id>.yaml)"),
    (
        '!!! note "Bad eleven"\n\n    A citation across lines [@v4-brief,\n    "a quote nowhere"].',
        "the quote \"a quote nowhere\" is not in the text of 'v4-brief'; the closest passage is \"reports indicate\"",
        2,
    ),
    ("[Bad twelve](http://[broken) [@v4-brief].", "the link 'http://[broken' is not a valid URL (Invalid IPv6 URL)"),
]
"""Paragraphs added to a topic page, each with the one problem it must report, on its first line or
as many lines further as the third item says."""


def test_markdown_page_problems_are_each_one_precise_line(project: Project):
    anchor = "## What CUDA and CANN are"
    start = project.replace(PAGE, anchor, "\n\n".join(text for text, *_ in PAGE_PROBLEMS) + "\n\n" + anchor)
    project.write("docs/sources/v4-brief.md", "# A page where the source's page goes\n")
    before = checksums(project.root)
    build = project.build()
    assert build.returncode != 0
    assert "Traceback" not in build.output, build.output
    line = start
    expected = ["docs/sources/v4-brief.md:1: this page is made from data/sources/v4-brief.yaml; rename the file"]
    for text, message, *offset in PAGE_PROBLEMS:
        expected.append(f"{PAGE}:{line + sum(offset)}: {message}")
        line += text.count("\n") + 2
    reported = [line.removeprefix("ERROR   -  ") for line in build.output.splitlines() if line.startswith("ERROR")]
    reported = [line for line in reported if not line.startswith("Aborted")]
    assert sorted(reported) == sorted(expected)
    assert checksums(project.root) == before


# -- inputs that look bad and are not ---------------------------------------------------------

EDGE_PAGE = """\
# Edge cases

Gadgets in a table come first:

| Where | What |
|---|---|
| a table cell | CANN [@wmw-analysis] |

```text
MoE in a fenced code block
```

## MoE in a heading

[MoE in a link](https://example.org/moe), ![MoE in an image's alt text](chart.png) and `MoE in code`.

!!! note "MoE in an admonition title"

    Ascend 950 chips and Ascend chips, longest alias first [@mittr-three-reasons].

Then MoE in prose, linked at last; 云端☁️ and 🚀火箭 link to the term with Chinese and emoji aliases.

A quote across a line break [@v4-brief, "complete reliance on a
domestically developed chipset platform"], and one that breaks a line in the article [@v4-brief, "the development team engaged in months"].
"""
EDGE_TERM = """\
  - id: cloud-rocket
    term: Cloud ☁️ and rocket 🚀
    zh:
      - form: 华为
        script: Simplified
        source: mittr-three-reasons
    aliases: [云端☁️, 🚀火箭]
    definition: A term whose aliases are Chinese and emoji.
    body: General background, with an emoji 🚀 and Chinese 云端 in its body.
    sources: [mittr-three-reasons]

"""


_ONE_PIXEL_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _windows_file(project: Project, relative: str) -> None:
    """The file with a byte-order mark and Windows line ends, as some editors save it."""
    path = project.path(relative)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))


def test_inputs_that_look_bad_build_and_render_right(project: Project):
    project.write("docs/topics/edge.md", EDGE_PAGE)
    project.replace("mkdocs.yml", "  - Contributing: contributing.md", "  - topics/edge.md\n  - Contributing: contributing.md")
    project.replace("data/glossary.yaml", "  - id: moe\n", EDGE_TERM + "  - id: moe\n")
    # A forecast may be cited to articles published before it.
    project.replace(
        "data/timeline.yaml", '    date: "2026-04"\n    title: Huawei says', '    date: "2026-05"\n    forecast: true\n    title: Huawei says'
    )
    # The article breaks a line inside a passage a key point quotes.
    project.replace("data/sources/v4-brief.txt", "engaged in months", "engaged\nin months")
    for relative in ("data/glossary.yaml", "data/sources/v4-brief.yaml", "data/sources/v4-brief.txt", "docs/topics/edge.md"):
        _windows_file(project, relative)
    images = {"chart.png": _ONE_PIXEL_PNG, "photo.webp": b"RIFF\x1a\x00\x00\x00WEBPVP8L" + bytes(14)}
    for name, image in images.items():  # the images a page may show, by their first bytes
        project.path(f"docs/topics/{name}").write_bytes(image)
    before = checksums(project.root)
    build = project.build()
    assert build.returncode == 0, build.output
    assert checksums(project.root) == before

    article = build.html("topics/edge/").select_one("article")
    linked = {link.get_text(): link["href"] for link in article.select("a.glossary-term")}
    # The longest alias wins, each term is linked once, and the emoji alias is the same term as 云端☁️.
    assert linked == {
        "CANN": "../../glossary/#cann",
        "Ascend 950": "../../glossary/#ascend-950",
        "Ascend": "../../glossary/#ascend",
        "MoE": "../../glossary/#moe",
        "云端☁️": "../../glossary/#cloud-rocket",
    }, linked
    assert article.find("table").find("a", class_="glossary-term").get_text() == "CANN"
    moe = article.find("a", class_="glossary-term", string="MoE")
    assert moe.find_parent("p").get_text().startswith("Then MoE in prose")
    for element in article.select("pre, code, h2, .admonition-title"):
        assert element.find("a", class_="glossary-term") is None, element
    assert article.find("img")["alt"] == "MoE in an image's alt text"
    assert len(article.select("sup.citation")) == 4
    assert not article.select(".citation-error")

    glossary = build.html("glossary/")
    assert glossary.find(id="cloud-rocket").get_text().startswith("Cloud ☁️ and rocket 🚀")
    cann, cuda = glossary.find(id="cann"), glossary.find(id="cuda")
    # See-also cycles are allowed: CANN and CUDA name each other.
    assert cann.find_next("a", href="#cuda") and cuda.find_next("a", href="#cann")
    forecast = build.html("timeline/").find(id="huawei-supernode-supports-v4")
    assert forecast.name == "h3" and forecast.find_previous("h2")["id"] == "forecasts"  # listed with the forecasts
    published = build.site / "sources" / "v4-brief.txt"
    assert published.read_bytes() == project.path("data/sources/v4-brief.txt").read_bytes()
    for name, image in images.items():
        assert (build.site / "topics" / name).read_bytes() == image


# -- a failed `make build` leaves site/ as it was ----------------------------------------------


def _make_build(project: Project) -> subprocess.CompletedProcess:
    """The Makefile's own `build` target, run on the copy with this checkout's virtual environment.

    ``-o`` tells make the venv is up to date, so the test never installs anything.
    """
    venv = Path(sys.executable).parent.parent
    command = ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(project.root)]
    command += ["-o", f"{venv}/.site-installed", f"VENV={venv}", "build"]
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    return subprocess.run(command, capture_output=True, text=True, env=environment)


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_a_failed_make_build_leaves_the_previous_site_as_it_was(project: Project):
    protected = checksums(project.root)
    good = _make_build(project)
    assert good.returncode == 0, good.stdout + good.stderr
    site = _tree(project.root / "site")
    assert "index.html" in site and "glossary/index.html" in site
    assert checksums(project.root) == protected

    # A data problem: the build stops before writing anything.
    original = project.read("data/glossary.yaml")
    project.replace("data/glossary.yaml", "  - id: cann", "  - id: moe")
    protected = checksums(project.root)
    failed = _make_build(project)
    assert failed.returncode != 0 and "data/glossary.yaml:" in failed.stdout + failed.stderr
    assert _tree(project.root / "site") == site
    assert checksums(project.root) == protected
    project.write("data/glossary.yaml", original)

    # A page problem: MkDocs writes pages before the strict build fails, into .site-new only.
    project.replace(PAGE, "## What CUDA and CANN are", "Wrongly cited [@nope-source].\n\n## What CUDA and CANN are")
    protected = checksums(project.root)
    failed = _make_build(project)
    assert failed.returncode != 0 and f"{PAGE}:" in failed.stdout + failed.stderr
    assert _tree(project.root / "site") == site
    assert checksums(project.root) == protected


@pytest.mark.slow
def test_a_site_with_ten_thousand_terms_links_them_all(tmp_path: Path):
    """Linking at scale: the alias matcher is one trie-shaped regex, so a page costs the same with 10,000 terms."""
    project = Project(tmp_path / "project")
    _ten_thousand_terms(project)
    site = Site(project.root)
    assert site.problems == [] and len(site.index.terms) > 10_000
    text = "Gadget1 and Gadget10, Gadget9999 and Ascend 950, then Gadget1 again. `Gadget2` in code.\n" * 50
    page = PageInfo(src_uri="topics/x.md", display_path="docs/topics/x.md", source_text=text)
    extension = ExplainerExtension(site.index, Ledger(), current_page=lambda: page)
    html = markdown.Markdown(extensions=[extension]).convert(text)
    for term_id in ("gadget-1", "gadget-10", "gadget-9999", "ascend-950"):
        # 10,000 terms split the glossary into part pages: the link goes to the term's part.
        assert len(re.findall(rf'href="\.\./glossary(?:/[a-z0-9-]+)?\.md#{term_id}"', html)) == 1, term_id
    assert "gadget-2" not in html


# -- files that may not be read: links out of the project, unreadable files, pages in docs/ ----------

READ_BY_THE_BUILD = (
    "data",
    "data/sources",
    "data/schema",
    "data/glossary.yaml",
    "data/timeline.yaml",
    "data/entities.yaml",
    "data/sources/v4-brief.yaml",
    "data/sources/v4-brief.txt",
    "data/schema/common.schema.json",
    "data/schema/glossary.schema.json",
    "docs",
    "docs/topics",
    "docs/index.md",
    "docs/topics/off-cuda.md",
    "overrides/stylesheets/explainer.css",
)
"""Every folder the build reads, and a file of each kind in each: what MkDocs publishes from docs/ included."""

SECRET = "SECRET-0f6c2b1e-never-published"
"""Written into the files that links lead to: it must never reach a message, a log or the site."""


def _link_to_outside(project: Project, relative: str, *, climbing: bool) -> str:
    """Move ``relative`` out of the project and leave a symbolic link to it, absolute or climbing out
    with ``../``; the moved copy gains a line with :data:`SECRET` (where its format allows one).

    The copy is otherwise the file itself, so a build that followed the link would succeed. Returns
    "file" or "folder".
    """
    link = project.path(relative)
    target = project.root.parent / "outside" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    link.rename(target)
    secret = {".yaml": f"\n# {SECRET}\n", ".txt": f"\n{SECRET}\n", ".md": f"\n{SECRET}\n", ".css": f"\n/* {SECRET} */\n"}
    if target.is_file() and target.suffix in secret:
        target.write_text(target.read_text("utf-8") + secret[target.suffix], encoding="utf-8")
    link.symlink_to(os.path.relpath(target, link.parent) if climbing else target)
    return "folder" if target.is_dir() else "file"


def _link_message(relative: str, kind: str) -> str:
    return (
        f"{relative}:1: the {kind} is a symbolic link, which the build never follows (it could point anywhere on "
        f"the machine); replace it with the {kind} itself"
    )


def _expect_refused(project: Project, build: Build, message: str, before: dict[str, str]) -> None:
    """One line for the refused file, no traceback, a failed strict build that wrote nothing."""
    assert build.returncode != 0
    assert "Traceback" not in build.output, build.output
    assert build.output.count(message + "\n") == 1, build.output
    refused = ("1 problem(s) in the data, listed above", "1 file(s) of docs/ refused, listed above", "1 file(s) of overrides/ refused, listed above")
    assert sum(build.output.count(summary) for summary in refused) == 1, build.output
    assert not (project.root / "site").exists()
    assert checksums(project.root) == before


@pytest.mark.parametrize("climbing", [False, True], ids=["absolute link", "link climbing out with ../"])
@pytest.mark.parametrize("relative", READ_BY_THE_BUILD)
def test_a_symbolic_link_is_refused_wherever_the_build_reads(project: Project, relative: str, climbing: bool):
    kind = _link_to_outside(project, relative, climbing=climbing)
    message = _link_message(relative, kind)
    before = checksums(project.root)
    build = project.build()
    _expect_refused(project, build, message, before)
    assert SECRET not in build.output
    if relative.startswith("data"):  # what `mkdocs serve` reads: the same one line, and nothing through the link
        site = Site(project.root)
        assert str(site.problems[0]) == message and len(site.problems) == 1
        assert all(not path.is_symlink() for _, path in site.texts())


@pytest.mark.parametrize(
    ("link", "target", "secret"),
    [
        ("docs/x.txt", "/etc/passwd", "root:x:0:0:"),
        ("data/sources/leak.txt", "/proc/self/environ", "SOURCE_DATE_EPOCH=1767225600"),
        ("docs/topics/leak.md", "../../../../../../../../../../etc/passwd", "root:x:0:0:"),
    ],
)
def test_files_of_the_machine_are_never_published_through_a_link(project: Project, link: str, target: str, secret: str):
    """The issue's examples, built strictly and then as `mkdocs serve` builds (not strict): the
    link is reported, and no byte of its target reaches the log or the site."""
    if not Path(target if target.startswith("/") else "/etc/passwd").exists():
        pytest.skip(f"{target} does not exist here")
    if link.startswith("data/sources/"):
        shutil.copy(project.path("data/sources/v4-brief.yaml"), project.path("data/sources/leak.yaml"))
    project.path(link).symlink_to(target)
    before = checksums(project.root)
    strict = project.build()
    _expect_refused(project, strict, _link_message(link, "file"), before)
    previewed = project.build(strict=False)
    assert _link_message(link, "file") in previewed.output and secret not in previewed.output
    published = [path for path in (project.root / "site").rglob("*") if path.is_file()]
    assert published and not any(secret.encode() in path.read_bytes() for path in published)
    assert checksums(project.root) == before


@pytest.mark.timeout(300)  # MkDocs walks docs/ following links: without the refusal, these never end
@pytest.mark.parametrize(
    "links",
    [
        {"docs/everything": "/"},
        {"docs/round": ".", "docs/topics/and-round": ".."},
    ],
    ids=["a link to /", "two links that go round"],
)
def test_a_link_to_a_folder_in_docs_stops_the_build_before_mkdocs_walks_it(project: Project, links: dict[str, str]):
    for link, target in links.items():
        project.path(link).symlink_to(target)
    before = checksums(project.root)
    build = project.build()
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    for link in links:
        assert build.output.count(_link_message(link, "folder") + "\n") == 1, build.output
    assert f"{len(links)} file(s) of docs/ refused, listed above; nothing was built" in build.output
    assert not (project.root / "site").exists()
    assert checksums(project.root) == before


@pytest.mark.parametrize("link", ["overrides/partials/copyright.html", "overrides/explainer"], ids=["a template", "a folder"])
def test_a_link_in_the_themes_templates_stops_the_build_before_the_theme_reads_it(project: Project, link: str):
    """The theme reads every file of its custom_dir (overrides/) as a template: a link to /etc/passwd
    there would be published."""
    project.path(link).parent.mkdir(parents=True, exist_ok=True)
    project.path(link).symlink_to("/etc/passwd" if link.endswith(".html") else "/etc")
    build = project.build()
    kind = "file" if link.endswith(".html") else "folder"
    assert build.returncode != 0 and "Traceback" not in build.output, build.output
    assert build.output.count(_link_message(link, kind) + "\n") == 1, build.output
    assert "1 file(s) of overrides/ refused, listed above; nothing was built" in build.output
    assert "root:" not in build.output and not (project.root / "site").exists()


# Tests run as root in CI containers, and chmod 000 does not stop root. This stands in for it, in
# this process and in every build or preview started from it: while EXPLAINER_TEST_UNREADABLE
# names a file listing paths, opening one of them fails as chmod 000 makes it fail for anyone else.
_UNREADABLE_MODULE = '''\
"""Test helper (tests/test_bad_data.py): the paths listed in $EXPLAINER_TEST_UNREADABLE cannot be opened."""
import builtins
import io
import os

_os_open, _open = os.open, io.open


def _refused(path):
    listing = os.environ.get("EXPLAINER_TEST_UNREADABLE")
    if not listing or isinstance(path, int):
        return False
    try:
        with _open(listing, encoding="utf-8") as file:
            unreadable = file.read().splitlines()
    except OSError:
        return False
    return os.path.abspath(os.fsdecode(path)) in unreadable


def os_open(path, flags, mode=0o777, *, dir_fd=None):
    if _refused(path):
        raise PermissionError(13, "Permission denied", os.fsdecode(path))
    return _os_open(path, flags, mode, dir_fd=dir_fd)


def open(file, *args, **kwargs):
    if _refused(file):
        raise PermissionError(13, "Permission denied", os.fsdecode(file))
    return _open(file, *args, **kwargs)


if __name__ == "sitecustomize" and os.environ.get("EXPLAINER_TEST_UNREADABLE"):
    os.open = os_open
    io.open = builtins.open = open
'''


class Unreadable:
    """Makes files unreadable, as chmod 000 does for anyone but root (see above): in the builds and
    previews started from now on, and in this process inside :meth:`here`."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        module = folder / "sitecustomize.py"
        module.write_text(_UNREADABLE_MODULE, encoding="utf-8")
        self.listing = folder / "unreadable.txt"
        self.listing.write_text("", encoding="utf-8")
        monkeypatch.setenv("EXPLAINER_TEST_UNREADABLE", str(self.listing))
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
        self._helper: dict = {"__name__": "explainer_test_unreadable"}
        exec(compile(_UNREADABLE_MODULE, str(module), "exec"), self._helper)  # noqa: S102 - the helper above

    @contextmanager
    def here(self) -> Iterator[None]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "open", self._helper["os_open"])
            patch.setattr("io.open", self._helper["open"])
            patch.setattr("builtins.open", self._helper["open"])
            yield

    def make(self, path: Path) -> None:
        """``path`` cannot be read from now on; its time is touched, as chmod does, so a preview rebuilds."""
        with self.listing.open("a", encoding="utf-8") as listing:
            listing.write(os.path.abspath(path) + "\n")
        os.utime(path)

    def clear(self) -> None:
        """Every file readable again, each touched so that a preview rebuilds."""
        paths = self.listing.read_text("utf-8").splitlines()
        self.listing.write_text("", encoding="utf-8")
        for path in paths:
            if os.path.exists(path):
                os.utime(path)


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Unreadable:
    return Unreadable(tmp_path / "unreadable", monkeypatch)


UNREADABLE_MESSAGE = "the file cannot be read (Permission denied); make it readable (chmod a+r)"


@pytest.mark.parametrize(
    "relative",
    [
        "data/glossary.yaml",
        "data/sources/v4-brief.yaml",
        "data/sources/v4-brief.txt",
        "data/schema/common.schema.json",
        "docs/topics/off-cuda.md",
        "overrides/stylesheets/explainer.css",
    ],
)
def test_an_unreadable_file_is_one_precise_line(project: Project, unreadable: Unreadable, relative: str):
    checksum_before = checksums(project.root)
    unreadable.make(project.path(relative))
    message = f"{relative}:1: {UNREADABLE_MESSAGE}"
    build = project.build()
    _expect_refused(project, build, message, checksum_before)
    if relative.startswith("data"):
        with unreadable.here():
            problems = Site(project.root).problems
        assert [str(problem) for problem in problems] == [message]


PAGE_CASES: dict[str, Edit] = {
    "a page that is not UTF-8": Edit(
        "docs/topics/off-cuda.md", _write("docs/topics/off-cuda.md", b"# CUDA\n\nOne line.\ncaf\xe9\n"),
        "not UTF-8 text (byte 0xe9); save the file as UTF-8", line=4,
    ),
    "a page with a byte-order mark, then a byte that is not UTF-8": Edit(
        "docs/index.md", _write("docs/index.md", b"\xef\xbb\xbf# Home\n\n\x89PNG\n"),
        "not UTF-8 text (byte 0x89); save the file as UTF-8", line=3,
    ),
    "a named pipe as a page (MkDocs would wait on it for ever)": Edit(
        "docs/topics/pipe.md", lambda project: os.mkfifo(project.path("docs/topics/pipe.md")),
        "this is a named pipe, not a file; replace it with the file itself",
    ),
    "an HTML file in docs/ (published as it is, its script on the site's address)": Edit(
        "docs/topics/notes.html", _write("docs/topics/notes.html", "<script>alert(document.domain)</script>"),
        "a '.html' file in docs/ would be published as it is, where a script in it could run; docs/ holds pages "
        "(.md) and images (.png, .jpg, .jpeg, .gif, .webp): remove it",
    ),
    "an SVG image in docs/ (it can hold script)": Edit(
        "docs/chart.svg", _write("docs/chart.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        "a '.svg' file in docs/ would be published as it is, where a script in it could run; docs/ holds pages "
        "(.md) and images (.png, .jpg, .jpeg, .gif, .webp): remove it",
    ),
    "a PNG that is not one": Edit(
        "docs/chart.png", _write("docs/chart.png", "<html><script>alert(1)</script></html>"),
        "this file is not a PNG image (its first bytes say otherwise); save it in that format, or name it after its own",
    ),
    "a named pipe among the files MkDocs copies": Edit(
        "docs/topics/pipe.png", lambda project: os.mkfifo(project.path("docs/topics/pipe.png")),
        "this is a named pipe, not a file; replace it with the file itself",
    ),
}


@pytest.mark.timeout(300)  # a build that waits on a pipe must fail, not hang the suite
@pytest.mark.parametrize("case", PAGE_CASES.values(), ids=PAGE_CASES.keys())
def test_a_page_that_cannot_be_read_is_one_precise_line(project: Project, case: Edit):
    line = _apply(project, case)
    before = checksums(project.root)
    _expect_refused(project, project.build(), f"{case.path}:{line}: {case.message}", before)


@pytest.mark.parametrize("field", ["date", "other_dates.date", "accessed", "published"])
@pytest.mark.parametrize("wrong", ["2024-00-15", "2024-00", "2026-11-00", "0000-04-01"])
def test_a_zero_month_day_or_year_is_refused_in_every_date_field(project: Project, field: str, wrong: str):
    """Every date field, each with each kind of zero: one line each (the read of `mkdocs serve`)."""
    if field == "accessed" and wrong.count("-") == 1:
        wrong += "-01"  # the day an article was read is always known
    if field == "date":
        line = project.replace("data/timeline.yaml", '    date: "2024-12"', f'    date: "{wrong}"')
        path = "data/timeline.yaml"
    elif field == "other_dates.date":
        line = project.replace("data/timeline.yaml", '      - date: "2026-01"', f'      - date: "{wrong}"')
        path = "data/timeline.yaml"
    else:
        path = "data/sources/mittr-three-reasons.yaml"
        line = _set_field(project, path, field, wrong)
    key = field.rpartition(".")[2]
    assert [str(problem) for problem in Site(project.root).problems] == [
        f"{path}:{line}: {key}: '{wrong}' is not a date on the calendar"
    ]


def _set_field(project: Project, path: str, field: str, value: str) -> int:
    """Give the top-level ``field`` of ``path`` the quoted ``value``; the line it is on."""
    text = project.read(path)
    found = re.search(rf'^{field}: "[^"]*"$', text, re.M)
    project.write(path, text[: found.start()] + f'{field}: "{value}"' + text[found.end() :])
    return text.count("\n", 0, found.start()) + 1


@pytest.mark.parametrize("character", ["\n", "\r", "\x1b", "\x00", "\x07", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\u202e"])
def test_a_key_cannot_forge_a_log_line(project: Project, character: str):
    """Every control character a YAML key can hold comes out escaped, as Python writes it."""
    escape = f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
    line = project.replace("data/entities.yaml", "    kind: organisation\n",
                           f'    kind: organisation\n    "x{escape}INFO    -  Documentation built": 1\n') + 1
    [problem] = Site(project.root).problems
    shown = character.encode("unicode_escape").decode("ascii")
    assert str(problem) == (
        f"data/entities.yaml:{line}: unknown field 'x{shown}INFO    -  Documentation built' in entities[0]; "
        "allowed: aliases, context, id, kind, name, sources, zh"
    )


def _render(project: Project, out: str | Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "explainer", "--root", str(project.root), "render", str(out)]
    environment = {**os.environ, "PYTHONPATH": str(project.root / "hooks")}
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=project.root)


@pytest.mark.parametrize("out", ["docs", "data", "docs/topics", "data/sources/new", "docs/../data", "link-to-docs"])
def test_render_refuses_to_write_into_docs_or_data(project: Project, out: str):
    (project.root / "link-to-docs").symlink_to(project.root / "docs")
    before = checksums(project.root)
    result = _render(project, out)
    folder = "data" if "data" in out else "docs"
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr == (
        f"{out}: inside {folder}/, which the generator never writes to; choose a folder outside docs/ and data/\n"
    )
    assert checksums(project.root) == before
    assert not project.path("docs/topics/new").exists() and not project.path("data/sources/new").exists()


def test_render_writes_elsewhere_but_never_through_a_link_into_docs(project: Project, tmp_path: Path):
    assert _render(project, tmp_path / "out").returncode == 0
    assert (tmp_path / "out" / "glossary.md").is_file()
    (tmp_path / "trap").mkdir()
    (tmp_path / "trap" / "glossary.md").symlink_to(project.path("docs/index.md"))
    before = checksums(project.root)
    result = _render(project, tmp_path / "trap")
    assert result.returncode != 0 and "inside docs/" in result.stderr
    assert checksums(project.root) == before
