"""Synthetic copies of the real project at N× its size, deterministic from a seed.

Copy 1 is the real data and the real pages, unchanged, so 1× is today's site. Each
further copy ``c`` clones every real item under a new id and re-points its references
at the other items of the same copy:

- each source ``<id>`` becomes ``src-NNNN``: the same description and the same text,
  with a paragraph appended that names the glossary terms listing it (the checks
  want a term's names in the text of each source it lists);
- each term becomes ``term-NNNN`` with new aliases (``TermAliasNNNN`` and a made-up
  two-word name), its citations and ``see_also`` re-pointed;
- each event becomes ``event-NNNN``, each entity ``entity-NNNN`` (alias ``EntityNNNN``);
- each claim becomes ``claim-NNNN``, its citations re-pointed; only the real claims keep
  their row of the home page's "V4 at a glance" box (``glance``);
- each topic page becomes ``docs/topics/set-CCC/<page>.md``, its citations, claim labels
  and blocks re-pointed, with uses of this copy's terms (and a few terms of other copies)
  and entities sprinkled into its paragraphs. The table of disagreements stays on the real
  page alone: it shows the site's first disputed claims, whatever page it is on, and a
  hundred copies of it would make each of those claims used on a hundred pages.

The navigation keeps the real entries and adds the copies' topics under "More topics",
grouped ten sets to a section, so that a page's navigation (with ``navigation.prune``)
holds a few dozen links at any size. Generated pages keep the hook's own navigation:
source pages are not in it; the sources index, glossary, timeline and who's who are.

So every list grows with the factor, "What we know" too, and each item is used on as many
pages at any size.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

COPIED = ("mkdocs.yml", "docs", "hooks", "overrides", "data/schema")
_SYLLABLES = (
    "ka", "ro", "ve", "lin", "dru", "ne", "mo", "ta", "qui", "zel", "far", "po", "shen", "tri", "xa", "lu",
    "gor", "bin", "sa", "vek", "ul", "dor", "mi", "pra", "tes", "val", "cor", "nix", "re", "hal", "fen",
    "jo", "wu", "zar", "bel", "ost",
)
_PROSE = re.compile(r"^[A-Z*\"“(]")  # a paragraph line: prose, not a heading, list, table or admonition


class _Loader(yaml.SafeLoader):
    """YAML without date conversion: a date stays the string the data wrote."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _load(path: Path):
    return yaml.load(path.read_text("utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)


class _Dumper(yaml.SafeDumper):
    """Writes a value shared by several copies (a term's Chinese forms) out each time: data files refuse aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def _dump(path: Path, schema: str, document) -> None:
    header = f"# yaml-language-server: $schema={schema}\n"
    text = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)
    path.write_text(header + text, encoding="utf-8")


@dataclass
class Project:
    """A generated project and what it holds."""

    root: Path
    factor: int
    counts: dict[str, int] = field(default_factory=dict)
    nav_pages: int = 0
    data_edit: tuple[str, str] = ("", "")
    """(data file, page URL) for the preview benchmark: a file whose edit changes that page."""
    markdown_edit: tuple[str, str] = ("", "")
    """(Markdown file, page URL) likewise."""


class _Ids:
    """New ids per copy: ``mapping[c][real id] -> synthetic id`` (copy 1 keeps the real ids)."""

    def __init__(self, prefix: str, real: list[str], factor: int) -> None:
        self.mapping: dict[int, dict[str, str]] = {1: {item: item for item in real}}
        number = 0
        for copy in range(2, factor + 1):
            self.mapping[copy] = {}
            for item in real:
                number += 1
                self.mapping[copy][item] = f"{prefix}-{number:04d}"


def make_project(repo: Path, root: Path, factor: int, seed: int) -> Project:
    """Write a project ``factor`` times the size of ``repo``'s into ``root`` (which must not exist)."""
    rng = random.Random(f"{seed}-{factor}")
    root.mkdir(parents=True)
    for part in COPIED:
        source, target = repo / part, root / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    project = Project(root, factor)
    data, real_data = root / "data", repo / "data"
    (data / "sources").mkdir(parents=True)

    real_sources = sorted(path.stem for path in (real_data / "sources").glob("*.yaml"))
    glossary = _load(real_data / "glossary.yaml")
    timeline = _load(real_data / "timeline.yaml")
    entities = _load(real_data / "entities.yaml")
    sources = _Ids("src", real_sources, factor)
    terms = _Ids("term", [term["id"] for term in glossary["terms"]], factor)
    events = _Ids("event", [event["id"] for event in timeline["events"]], factor)
    people = _Ids("entity", [entity["id"] for entity in entities["entities"]], factor)
    claims_data = _load(real_data / "claims.yaml")
    claims = _Ids("claim", [claim["id"] for claim in claims_data["claims"]], factor)
    source_pattern = re.compile(r"(?<=@)(" + "|".join(map(re.escape, real_sources)) + r")(?![a-z0-9-])")
    claim_ids = "|".join(map(re.escape, claims.mapping[1]))
    claim_label = re.compile(rf"(?<=\[\?)({claim_ids})(?=\])")
    block_argument = re.compile(rf"(?<=[ =])({claim_ids})(?=\s|$)")  # ::: figures id …, training=id

    def repoint(text: str, copy: int) -> str:
        return source_pattern.sub(lambda match: sources.mapping[copy][match[1]], text)

    def repoint_claims(text: str, copy: int) -> str:
        def new_id(match: re.Match) -> str:
            return claims.mapping[copy][match[1]]

        lines = text.split("\n")
        return "\n".join((block_argument if line.startswith(":::") else claim_label).sub(new_id, line) for line in lines)

    # -- glossary ------------------------------------------------------------------------
    names = _names(rng, len(glossary["terms"]) * (factor - 1))
    aliases_by_copy: dict[int, list[str]] = {1: []}
    mentions: dict[str, list[str]] = {}  # synthetic source id -> aliases to write into its text
    all_terms = list(glossary["terms"])
    for copy in range(2, factor + 1):
        aliases_by_copy[copy] = []
        for term in glossary["terms"]:
            new_id = terms.mapping[copy][term["id"]]
            number = int(new_id.rsplit("-", 1)[1])
            name = names[number - 1]
            alias = f"TermAlias{number:04d}"
            clone = {
                "id": new_id,
                "term": name.capitalize(),
                "aliases": [alias, name],
                "definition": term["definition"],
                "body": repoint(term["body"], copy),
            }
            if term.get("zh"):
                clone["zh"] = term["zh"]
            if term.get("see_also"):
                clone["see_also"] = [terms.mapping[copy][other] for other in term["see_also"]]
            clone["sources"] = [sources.mapping[copy][source] for source in term["sources"]]
            for source in clone["sources"]:
                mentions.setdefault(source, []).append(alias)
            aliases_by_copy[copy] += [alias, name]
            all_terms.append(clone)

    # -- sources -------------------------------------------------------------------------
    for copy in range(1, factor + 1):
        for real in real_sources:
            new = sources.mapping[copy][real]
            text = (real_data / "sources" / f"{real}.txt").read_text("utf-8")
            if copy == 1:
                shutil.copy2(real_data / "sources" / f"{real}.yaml", data / "sources" / f"{real}.yaml")
                (data / "sources" / f"{real}.txt").write_text(text, encoding="utf-8")
                continue
            if mentions.get(new):
                text = text.rstrip("\n") + "\n\nTerms this copy uses: " + ", ".join(mentions[new]) + ".\n"
            (data / "sources" / f"{new}.txt").write_text(text, encoding="utf-8")
            description = _load(real_data / "sources" / f"{real}.yaml")
            description["title"] = f"{description['title']} (copy {copy})"
            for key in ("reliability", "summary"):
                description[key] = repoint(description[key], copy)
            _dump(data / "sources" / f"{new}.yaml", "../schema/source.schema.json", description)

    # -- timeline and who's who --------------------------------------------------------------
    all_events = list(timeline["events"])
    all_entities = list(entities["entities"])
    for copy in range(2, factor + 1):
        for event in timeline["events"]:
            clone = dict(event, id=events.mapping[copy][event["id"]], title=f"{event['title']} (set {copy})")
            if "text" in event:
                clone["text"] = repoint(event["text"], copy)
            clone["cite"] = [dict(cited, source=sources.mapping[copy][cited["source"]]) for cited in event["cite"]]
            if "other_dates" in event:
                clone["other_dates"] = [
                    dict(other, cite=[dict(c, source=sources.mapping[copy][c["source"]]) for c in other["cite"]])
                    for other in event["other_dates"]
                ]
            all_events.append(clone)
        for entity in entities["entities"]:
            new_id = people.mapping[copy][entity["id"]]
            clone = dict(entity, id=new_id, name=f"{entity['name']} {copy}")
            clone["aliases"] = [f"Entity{int(new_id.rsplit('-', 1)[1]):04d}"]
            clone["sources"] = [sources.mapping[copy][source] for source in entity["sources"]]
            all_entities.append(clone)

    all_claims = list(claims_data["claims"])
    for copy in range(2, factor + 1):
        for claim in claims_data["claims"]:
            clone = {key: value for key, value in claim.items() if key != "glance"}
            clone.update(id=claims.mapping[copy][claim["id"]], statement=f"{claim['statement']} (set {copy})")
            for key in ("for", "against"):
                if key in claim:
                    clone[key] = repoint(claim[key], copy)
            all_claims.append(clone)

    if factor == 1:
        for name in ("glossary.yaml", "timeline.yaml", "entities.yaml", "claims.yaml"):
            shutil.copy2(real_data / name, data / name)
    else:
        _dump(data / "glossary.yaml", "schema/glossary.schema.json", {"terms": all_terms})
        _dump(data / "timeline.yaml", "schema/timeline.schema.json", {"events": all_events})
        _dump(data / "entities.yaml", "schema/entities.schema.json", {"entities": all_entities})
        _dump(data / "claims.yaml", "schema/claims.schema.json", {"claims": all_claims})

    # -- topic pages and navigation -----------------------------------------------------------
    topics = sorted(path.name for path in (repo / "docs" / "topics").glob("*.md"))
    every_alias = [alias for copy in range(2, factor + 1) for alias in aliases_by_copy[copy]]
    for copy in range(2, factor + 1):
        folder = root / "docs" / "topics" / f"set-{copy:03d}"
        folder.mkdir(parents=True)
        own = list(aliases_by_copy[copy])
        rng.shuffle(own)
        entity_names = [f"Entity{int(people.mapping[copy][e['id']].rsplit('-', 1)[1]):04d}" for e in entities["entities"]]
        for index, name in enumerate(topics):
            text = repoint_claims(repoint((repo / "docs" / "topics" / name).read_text("utf-8"), copy), copy)
            text = re.sub(r"^::: disagreements[ \t]*\n", "", text, flags=re.M)
            text = text.replace("](../", "](../../")  # a copy sits one folder deeper than its page
            text = re.sub(r"^# (.*)$", rf"# \1 (set {copy})", text, count=1, flags=re.M)
            uses = own[index::len(topics)] + rng.sample(every_alias, min(3, len(every_alias)))
            uses += rng.sample(entity_names, 2)
            (folder / name).write_text(_sprinkle(text, uses, rng), encoding="utf-8")

    config = (repo / "mkdocs.yml").read_text("utf-8")
    nav, project.nav_pages = _nav(config, topics, factor)
    (root / "mkdocs.yml").write_text(replace_nav(config, nav), encoding="utf-8")

    project.counts = {
        "sources": len(real_sources) * factor,
        "terms": len(all_terms),
        "events": len(all_events),
        "entities": len(all_entities),
        "claims": len(all_claims),
        "topic_pages": len(topics) * factor,
    }
    last = sources.mapping[factor][real_sources[-1]]
    project.data_edit = (f"data/sources/{last}.yaml", f"sources/{last}/")
    page = f"topics/set-{factor:03d}/{topics[-1]}" if factor > 1 else f"topics/{topics[-1]}"
    project.markdown_edit = (f"docs/{page}", page.removesuffix(".md") + "/")
    return project


def _names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up two-word names, e.g. 'velinka trido'."""
    seen: set[str] = set()
    names = []
    while len(names) < count:
        name = " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(2))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _sprinkle(text: str, uses: list[str], rng: random.Random) -> str:
    """Append a short sentence using each of ``uses`` to prose lines of the page, spread out."""
    lines = text.split("\n")
    fenced, prose = False, []
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and _PROSE.match(line):
            prose.append(number)
    for start in range(0, len(uses), 2):
        number = rng.choice(prose)
        pair = uses[start : start + 2]
        lines[number] += " General background: this also touches on " + " and ".join(pair) + "."
    return "\n".join(lines)


def _nav(config: str, topics: list[str], factor: int) -> tuple[list, int]:
    """The real navigation, with the copies' topics under 'More topics' in sections of ten sets."""
    start, end = _nav_block(config)
    nav = yaml.load(config[start:end], Loader=_Loader)["nav"]  # noqa: S506
    if factor == 1:
        return nav, sum(1 for _ in _walk(nav))
    sets = [
        {f"Set {copy}": [f"topics/set-{copy:03d}/{name}" for name in topics]} for copy in range(2, factor + 1)
    ]
    if len(sets) > 10:
        sets = [
            {f"Sets {start + 2}–{min(start + 11, factor)}": sets[start : start + 10]}
            for start in range(0, len(sets), 10)
        ]
    for entry in nav:
        if isinstance(entry, dict) and "Topics" in entry:
            entry["Topics"].append({"More topics": sets})
    return nav, sum(1 for _ in _walk(nav))


def _walk(nav):
    for entry in nav:
        if isinstance(entry, str):
            yield entry
        else:
            for value in entry.values():
                yield from _walk(value) if isinstance(value, list) else [value]


def _nav_block(config: str) -> tuple[int, int]:
    """Where the top-level ``nav:`` block starts and ends in the configuration's text."""
    start = config.index("\nnav:") + 1
    rest = re.search(r"^[^\s#-]", config[start + 4 :], flags=re.M)
    return start, start + 4 + rest.start() if rest else len(config)


def replace_nav(config: str, nav: list) -> str:
    """The configuration with its top-level ``nav:`` block replaced."""
    start, end = _nav_block(config)
    block = yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False, width=100_000)
    return config[:start] + block + config[end:]
