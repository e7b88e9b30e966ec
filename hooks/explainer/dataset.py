"""Read ``data/`` into a :class:`~explainer.model.Dataset`, collecting every problem on the way.

Each file is parsed (with line numbers), checked against its schema, and turned into
frozen model objects; an item with a schema problem is left out so that one mistake
is reported once rather than again by every check that would trip over it. The
cross-file checks live in :mod:`explainer.validate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import validate
from .load import YamlError, YamlMap, load_yaml, read_text
from .model import (
    ID,
    Citation,
    Dataset,
    DatedCitations,
    Entity,
    Event,
    KeyPoint,
    PartialDate,
    QuizItem,
    Source,
    Term,
)
from .problems import Origin, Problem
from .quotes import Article
from .schema import SchemaError, Schemas, id_hint

Item = TypeVar("Item")


@dataclass
class Loaded:
    """The dataset, the problems found, and what the checks need besides the model."""

    dataset: Dataset
    problems: list[Problem]
    articles: dict[str, Article]
    source_ids: frozenset[str]
    """Every source id, including those of files too broken to load (no cascade of 'unknown source')."""


def load_dataset(root: Path) -> Loaded:
    """Read and check everything under ``root/data``."""
    try:
        reader = _Reader(root)
    except SchemaError as error:
        return Loaded(Dataset({}, (), (), ()), [error.problem], {}, frozenset())
    sources = reader.sources()
    dataset = Dataset(
        sources=sources,
        terms=reader.items("glossary.yaml", "terms", reader.term),
        events=reader.items("timeline.yaml", "events", reader.event),
        entities=reader.items("entities.yaml", "entities", reader.entity),
    )
    context = validate.Context(
        dataset=dataset,
        articles=reader.articles,
        source_ids=frozenset(reader.source_ids),
        term_ids=frozenset(reader.term_ids),
        markdown=reader.markdown,
        glossary=f"{reader.data_prefix}/glossary.yaml",
        glossary_read="glossary.yaml" not in reader.unread,
    )
    problems = reader.problems + list(validate.check(context))
    return Loaded(dataset, sorted(problems), reader.articles, frozenset(reader.source_ids))


@dataclass
class _Reader:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)
    source_ids: set[str] = field(default_factory=set)
    term_ids: set[str] = field(default_factory=set)
    """Every term id written in the glossary, including those of items left out for a problem."""
    markdown: list[validate.MarkdownField] = field(default_factory=list)
    """Every Markdown field with where it was written, for the citation and HTML checks."""
    unread: set[str] = field(default_factory=set)
    """The data files whose items were left out whole, for a problem outside them."""

    def __post_init__(self) -> None:
        self.data = self.root / "data"
        self.data_prefix = "data"
        self.schemas = Schemas(self.data / "schema", f"{self.data_prefix}/schema")

    # -- files -------------------------------------------------------------------------

    def document(self, path: Path, schema: str, items: str | None = None) -> tuple[Any, set[int]] | None:
        """The parsed file, and the indexes of the items under ``items`` with schema problems.

        None when the file cannot be read or has a problem outside those items.
        """
        display = path.relative_to(self.root).as_posix()
        if not path.is_file():
            self.problems.append(Problem(Origin(display, 1), "the file is missing"))
            return None
        try:
            document, problems = load_yaml(path, display)
        except YamlError as error:
            self.problems.append(error.problem)
            return None
        self.problems += problems
        found = self.schemas.check(document, schema, display)
        self.problems += [problem for _, problem in found]
        in_items = [path for path, _ in found if len(path) > 1 and path[0] == items]
        if len(in_items) < len(found):
            return None
        return document, {path[1] for path in in_items}

    def items(self, name: str, key: str, build: Callable[[YamlMap, Origin], Item]) -> tuple[Item, ...]:
        loaded = self.document(self.data / name, name.replace(".yaml", ".schema.json"), key)
        if not loaded:
            self.unread.add(name)
            return ()
        document, broken = loaded
        display = f"{self.data_prefix}/{name}"
        entries = document[key]
        if key == "terms":
            self.term_ids.update(entry["id"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str))
        return tuple(
            item
            for index, entry in enumerate(entries)
            if index not in broken
            and (item := self._build(build, entry, Origin(display, entries.item_lines[index]))) is not None
        )

    def _build(self, build: Callable[[YamlMap, Origin], Item], entry: YamlMap, origin: Origin) -> Item | None:
        try:
            return build(entry, origin)
        except _BadValue as bad:
            self.problems.append(bad.problem)
            return None

    def sources(self) -> dict[str, Source]:
        folder = self.data / "sources"
        for text in sorted(folder.glob("*.txt")):
            if not text.with_suffix(".yaml").is_file():
                self.problems.append(self._orphan(text))
        sources = {}
        for path in sorted(folder.glob("*.yaml")):
            source = self.source_file(path)
            if source:
                sources[source.id] = source
        return sources

    def _orphan(self, text: Path) -> Problem:
        display = text.relative_to(self.root).as_posix()
        return Problem(
            Origin(display, 1),
            f"article text without a description: add {text.with_suffix('.yaml').name} beside it, or remove it",
        )

    def source_file(self, path: Path) -> Source | None:
        display = path.relative_to(self.root).as_posix()
        source_id = path.stem
        self.source_ids.add(source_id)
        if not ID.match(source_id):
            self.problems.append(Problem(Origin(display, 1), _bad_id_message(source_id, "file name")))
            return None
        if not self._article(path.with_suffix(".txt"), display, source_id):
            return None
        loaded = self.document(path, "source.schema.json")
        if not loaded:
            return None
        return self._build(self.source, loaded[0], Origin(display, 1))

    def _article(self, text: Path, display: str, source_id: str) -> bool:
        if not text.is_file():
            self.problems.append(
                Problem(Origin(display, 1), f"the article's text is missing: add {text.name} beside this file")
            )
            return False
        display_text = text.relative_to(self.root).as_posix()
        try:
            article = read_text(text, display_text)
        except YamlError as error:
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
            url=entry.get("url"),
            url_note=entry.get("url_note"),
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
            text_path=f"{self.data_prefix}/sources/{source_id}.txt",
        )

    def term(self, entry: YamlMap, origin: Origin) -> Term:
        at = _At(entry, origin)
        return Term(
            id=entry["id"],
            term=entry["term"],
            zh=entry["zh"],
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
            zh=entry.get("zh"),
            kind=entry["kind"],
            aliases=tuple(entry.get("aliases", ())),
            context=entry["context"],
            sources=tuple(entry["sources"]),
            origin=origin,
        )

    def _markdown(self, at: _At, key: str) -> str:
        self.markdown.append(validate.MarkdownField(at.field(key), at.entry[key], at.entry.written.get(key)))
        return at.entry[key]


class _BadValue(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class _At:
    """Origins of the fields of one item."""

    entry: YamlMap
    origin: Origin

    def field(self, key: str) -> Origin:
        return Origin(self.origin.path, self.entry.key_lines.get(key, self.entry.line))

    def item(self, key: str, index: int) -> Origin:
        return Origin(self.origin.path, self.entry[key].item_lines[index])

    def date(self, key: str) -> PartialDate:
        try:
            return PartialDate.parse(self.entry[key])
        except ValueError:
            raise _BadValue(
                Problem(self.field(key), f"{key}: '{self.entry[key]}' is not a date on the calendar")
            ) from None

    def citations(self, entry: YamlMap, key: str) -> tuple[Citation, ...]:
        lines = entry[key].item_lines
        return tuple(
            Citation(cited["source"], cited["quote"], Origin(self.origin.path, line))
            for cited, line in zip(entry[key], lines, strict=True)
        )


def _bad_id_message(value: str, what: str) -> str:
    return (
        f"{what} '{value}' is not a valid id: use lower-case ASCII letters and digits "
        "joined by single hyphens, e.g. attention-compression" + id_hint(value)
    )
