"""Read ``data/`` into a :class:`~explainer.model.Dataset`, collecting every problem on the way.

Each file is parsed (with line numbers), checked against its schema, and turned into
frozen model objects; an item with a schema problem is left out so that one mistake
is reported once rather than again by every check that would trip over it. The
cross-file checks live in :mod:`explainer.validate`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .load import YamlList, YamlMap, display_path, list_folder, load_yaml, read_text, refusal
from .model import (
    STATUS,
    ChineseForm,
    Claim,
    ID,
    Citation,
    Dataset,
    DatedCitations,
    Entity,
    Event,
    Figure,
    KeyPoint,
    MarkdownField,
    PartialDate,
    QuizItem,
    Source,
    Term,
    mistyped,
)
from .problems import Origin, Problem, ProblemError
from .quotes import Article
from .schema import Schemas, id_hint
from .urls import url_problem

Item = TypeVar("Item")

SCHEMAS = (
    "source.schema.json",
    "glossary.schema.json",
    "timeline.schema.json",
    "entities.schema.json",
    "claims.schema.json",
)
"""The schema of each kind of data file (``common.schema.json`` holds what they share)."""
GLOSSARY = "data/glossary.yaml"
CLAIMS = "data/claims.yaml"
RESERVED_SOURCE_IDS = ("index",)
"""Source ids that would take the place of another page: ``sources/index.md`` lists the sources."""
# How a description saved as .yml or .YAML ends, in lower case: the build reads <id>.yaml only.
_YAML_SUFFIXES = frozenset({".yml", ".yaml"})


@dataclass(frozen=True)
class Loaded:
    """The dataset, the problems found reading it, and what the checks across files need besides the model."""

    dataset: Dataset
    problems: list[Problem]
    articles: Mapping[str, Article]
    source_ids: frozenset[str]
    """Every source id, including those of files too broken to load (no cascade of 'unknown source')."""
    term_ids: frozenset[str] = frozenset()
    """Every term id written in the glossary, including those of items left out for a problem."""
    markdown: tuple[MarkdownField, ...] = ()
    """Every Markdown field with where it was written, for the citation and HTML checks."""
    claim_ids: frozenset[str] = frozenset()
    """Every claim id written in data/claims.yaml, including those of items left out for a problem."""
    glossary_read: bool = True
    """False when the glossary could not be read: its own problem says why, and 'the term
    is missing' four times over would only repeat it."""


def load_dataset(root: Path) -> Loaded:
    """Read everything under ``root/data`` into the model; the checks across files are
    :func:`explainer.validate.load_checked`'s."""
    problem = refusal(root / "data", root, folder=True)
    if problem:
        return _nothing_loaded(problem, root)
    try:
        reader = _Reader(root)
        sources = reader.sources()
        dataset = Dataset(
            sources=sources,
            terms=reader.items("glossary.yaml", "terms", reader.term),
            events=reader.items("timeline.yaml", "events", reader.event),
            entities=reader.items("entities.yaml", "entities", reader.entity),
            claims=reader.items("claims.yaml", "claims", reader.claim),
        )
    except ProblemError as error:  # a broken schema, or data/sources/ itself cannot be read
        return _nothing_loaded(error.problem, root)
    return Loaded(
        dataset,
        reader.problems,
        reader.articles,
        frozenset(reader.source_ids),
        frozenset(reader.written_ids["terms"]),
        tuple(reader.markdown),
        claim_ids=frozenset(reader.written_ids["claims"]),
        glossary_read="glossary.yaml" not in reader.unread,
    )


def _nothing_loaded(problem: Problem, root: Path) -> Loaded:
    """No data, and the one problem that stopped it from loading.

    The sources' ids are still known from their file names (listing a folder reads no file), so
    that pages citing them do not each report an unknown source in `mkdocs serve`.
    """
    try:
        source_ids = frozenset(path.stem for path in list_folder(root / "data" / "sources", root, "*.yaml"))
    except ProblemError:
        source_ids = frozenset()
    return Loaded(Dataset({}, (), (), ()), [problem], {}, source_ids, glossary_read=False)


@dataclass
class _Reader:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)
    source_ids: set[str] = field(default_factory=set)
    written_ids: dict[str, set[str]] = field(default_factory=lambda: {"terms": set(), "claims": set()})
    """Every id written in the glossary and the claims (by key), including those of items left out for a problem."""
    markdown: list[MarkdownField] = field(default_factory=list)
    """Every Markdown field with where it was written, for the citation and HTML checks."""
    unread: set[str] = field(default_factory=set)
    """The data files whose items were left out whole, for a problem outside them."""

    def __post_init__(self) -> None:
        self.data = self.root / "data"
        self.schemas = Schemas(self.data / "schema", self.root, SCHEMAS)

    # -- files -------------------------------------------------------------------------

    def document(self, path: Path, schema: str, items: str | None = None) -> tuple[Any, set[int]] | None:
        """The parsed file, and the indexes of the items under ``items`` with schema problems.

        None when the file cannot be read or has a problem outside those items.
        """
        display = display_path(path, self.root)
        if not os.path.lexists(path):
            self.problems.append(Problem(Origin(display, 1), "the file is missing"))
            return None
        try:
            document, problems = load_yaml(path, self.root)
        except ProblemError as error:
            self.problems.append(error.problem)
            return None
        self.problems += problems
        found = self.schemas.problems(document, schema, display)
        self.problems += [problem for _, problem in found]
        in_items = [path for path, _ in found if len(path) > 1 and path[0] == items]
        if len(in_items) < len(found):
            return None
        return document, {path[1] for path in in_items}

    def items(self, name: str, key: str, build: Callable[[YamlMap, Origin], Item]) -> tuple[Item, ...]:
        schema = name.replace(".yaml", ".schema.json")
        loaded = self.document(self.data / name, schema, key)
        if not loaded:
            self.unread.add(name)
            return ()
        document, broken = loaded
        display = f"data/{name}"
        entries = document.get(key) if isinstance(document, YamlMap) else None
        if not isinstance(entries, YamlList):
            self.problems.append(Problem(Origin(display, 1), _unusable(f"no list under '{key}'", schema)))
            self.unread.add(name)
            return ()
        if key in self.written_ids:
            self.written_ids[key].update(entry["id"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str))
        return tuple(
            item
            for index, entry in enumerate(entries)
            if index not in broken
            and (item := self._build(build, entry, Origin(display, entries.item_lines[index]), schema)) is not None
        )

    def _build(
        self, build: Callable[[YamlMap, Origin], Item], entry: YamlMap, origin: Origin, schema: str
    ) -> Item | None:
        """The model object made from ``entry``, or None with the problem recorded.

        The schema vouches for the form of what reaches here; if an edited schema lets through
        what the model cannot hold, that is one problem at the item, never a traceback.
        """
        try:
            item = build(entry, origin)
        except ProblemError as bad:
            self.problems.append(bad.problem)
            return None
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
            self.problems.append(Problem(origin, _unusable(f"{type(error).__name__}: {error}", schema)))
            return None
        wrong = mistyped(item)
        if wrong:
            self.problems.append(Problem(origin, _unusable(wrong, schema)))
            return None
        return item

    def sources(self) -> dict[str, Source]:
        folder = self.data / "sources"
        texts, descriptions = list_folder(folder, self.root, "*.txt"), list_folder(folder, self.root, "*.yaml")
        for text in texts:
            if not os.path.lexists(text.with_suffix(".yaml")):
                self.problems.append(self._orphan(text))
        sources = {}
        for path in descriptions:
            source = self.source_file(path)
            if source:
                sources[source.id] = source
        return sources

    def _orphan(self, text: Path) -> Problem:
        display = text.relative_to(self.root).as_posix()
        description = text.with_suffix(".yaml").name
        misnamed = sorted(path.name for path in text.parent.iterdir() if path.stem == text.stem and path.suffix.lower() in _YAML_SUFFIXES)
        fix = f"rename {misnamed[0]} to {description}" if misnamed else f"add {description} beside it, or remove it"
        return Problem(Origin(display, 1), f"article text without a description: {fix}")

    def source_file(self, path: Path) -> Source | None:
        display = display_path(path, self.root)
        source_id = path.stem
        self.source_ids.add(source_id)
        if not ID.match(source_id):
            self.problems.append(Problem(Origin(display, 1), _bad_id_message(source_id, "file name")))
            return None
        if source_id in RESERVED_SOURCE_IDS:
            self.problems.append(
                Problem(
                    Origin(display, 1),
                    f"the id '{source_id}' is reserved: sources/{source_id}.md is the list of all sources; "
                    f"rename {source_id}.yaml and {source_id}.txt",
                )
            )
            return None
        if not self._article(path.with_suffix(".txt"), display, source_id):
            return None
        loaded = self.document(path, "source.schema.json")
        if not loaded:
            return None
        return self._build(self.source, loaded[0], Origin(display, 1), "source.schema.json")

    def _article(self, text: Path, display: str, source_id: str) -> bool:
        if not os.path.lexists(text):
            self.problems.append(
                Problem(Origin(display, 1), f"the article's text is missing: add {text.name} beside this file")
            )
            return False
        display_text = display_path(text, self.root)
        try:
            article = read_text(text, self.root)
        except ProblemError as error:
            self.problems.append(error.problem)
            return False
        if not article.strip():
            # One line here, rather than one for every quote the empty text does not contain.
            self.problems.append(Problem(Origin(display_text, 1), "the article's text is empty: paste it as received"))
            return False
        self.articles[source_id] = Article(article)
        return True

    # -- items -------------------------------------------------------------------------

    def source(self, entry: YamlMap, origin: Origin) -> Source:
        source_id = Path(origin.path).stem
        at = _At(entry, origin)
        return Source(
            id=source_id,
            title=entry["title"],
            original_title=entry.get("original_title"),
            publisher=entry["publisher"],
            url=at.url("url"),
            url_note=entry.get("url_note"),
            original_starts_after=(
                Citation(source_id, entry["original_starts_after"], at.field("original_starts_after"))
                if "original_starts_after" in entry
                else None
            ),
            accessed=at.date("accessed"),
            published=at.date("published") if "published" in entry else None,
            published_note=entry.get("published_note"),
            languages=tuple(entry["languages"]),
            kind=entry["kind"],
            reliability=self._markdown(at, "reliability"),
            summary=self._markdown(at, "summary"),
            key_points=tuple(
                KeyPoint(point["point"], Citation(source_id, point["quote"], at.item("key_points", index)))
                for index, point in enumerate(entry["key_points"])
            ),
            quiz=tuple(QuizItem(item["question"], item["answer"]) for item in entry.get("quiz", ())),
            origin=origin,
            text_path=f"data/sources/{source_id}.txt",
        )

    def term(self, entry: YamlMap, origin: Origin) -> Term:
        at = _At(entry, origin)
        return Term(
            id=entry["id"],
            term=entry["term"],
            zh=at.chinese_forms(),
            aliases=tuple(entry["aliases"]),
            definition=entry["definition"],
            body=self._markdown(at, "body"),
            see_also=tuple(entry.get("see_also", ())),
            sources=tuple(entry["sources"]),
            origin=origin,
        )

    def event(self, entry: YamlMap, origin: Origin) -> Event:
        at = _At(entry, origin)
        return Event(
            id=entry["id"],
            date=at.date("date"),
            title=entry["title"],
            text=self._markdown(at, "text") if "text" in entry else None,
            forecast=entry.get("forecast", False),
            citations=at.citations(entry, "cite"),
            other_dates=tuple(
                DatedCitations(_At(other, at.item("other_dates", index)).date("date"), at.citations(other, "cite"))
                for index, other in enumerate(entry.get("other_dates", ()))
            ),
            origin=origin,
        )

    def entity(self, entry: YamlMap, origin: Origin) -> Entity:
        return Entity(
            id=entry["id"],
            name=entry["name"],
            zh=_At(entry, origin).chinese_forms(),
            kind=entry["kind"],
            aliases=tuple(entry.get("aliases", ())),
            context=entry["context"],
            sources=tuple(entry["sources"]),
            origin=origin,
        )

    def claim(self, entry: YamlMap, origin: Origin) -> Claim:
        at = _At(entry, origin)
        return Claim(
            id=entry["id"],
            statement=entry["statement"],
            status=STATUS[entry["status"]],
            glance=entry.get("glance"),
            for_=self._markdown(at, "for"),
            against=self._markdown(at, "against") if "against" in entry else None,
            figures=tuple(
                Figure(figure["label"], figure["value"], figure["unit"], at.item("figures", index))
                for index, figure in enumerate(entry.get("figures", ()))
            ),
            origin=origin,
        )

    def _markdown(self, at: _At, key: str) -> str:
        self.markdown.append(MarkdownField(at.field(key), at.entry[key], at.entry.written.get(key)))
        return at.entry[key]


@dataclass(frozen=True)
class _At:
    """Origins of the fields of one item."""

    entry: YamlMap
    origin: Origin

    def field(self, key: str) -> Origin:
        return Origin(self.origin.path, self.entry.key_lines.get(key, self.entry.line))

    def url(self, key: str) -> str | None:
        """A link out of the site, held to the one rule of links (explainer.urls); None when not given."""
        if key not in self.entry:
            return None
        problem = url_problem(self.entry[key], relative_ok=False)
        if problem:
            raise ProblemError(Problem(self.field(key), f"{key}: {problem}"))
        return self.entry[key]

    def item(self, key: str, index: int) -> Origin:
        return Origin(self.origin.path, self.entry[key].item_lines[index])

    def date(self, key: str) -> PartialDate:
        try:
            return PartialDate.parse(self.entry[key])
        except ValueError:
            raise ProblemError(
                Problem(self.field(key), f"{key}: '{self.entry[key]}' is not a date on the calendar")
            ) from None

    def chinese_forms(self) -> tuple[ChineseForm, ...]:
        forms = self.entry.get("zh", ())
        return tuple(
            ChineseForm(form["form"], form["script"], form.get("source"), form.get("standard", False), self.item("zh", index))
            for index, form in enumerate(forms)
        )

    def citations(self, entry: YamlMap, key: str) -> tuple[Citation, ...]:
        lines = entry[key].item_lines
        return tuple(
            Citation(cited["source"], cited["quote"], Origin(self.origin.path, line))
            for cited, line in zip(entry[key], lines, strict=True)
        )


def _unusable(why: str, schema: str) -> str:
    return (
        f"the build cannot use this ({why}), which data/schema/{schema} should have refused; "
        "restore the schema's rules"
    )


def _bad_id_message(value: str, what: str) -> str:
    return (
        f"{what} '{value}' is not a valid id: use lower-case ASCII letters and digits "
        "joined by single hyphens, e.g. attention-compression" + id_hint(value)
    )
