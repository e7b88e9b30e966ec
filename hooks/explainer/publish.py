"""The checked data as JSON, published beside the site for others to reuse: ``data/<name>.json``,
each with the JSON Schema it follows (``published/<name>.schema.json``, published beside it).

The documents are made from the model (:mod:`explainer.model`), never copied from the YAML, so
they hold only what the build checked, in one shape whatever the data file's spelling. Every
field the model has is written, null when unknown, so that a reuser never has to guess whether a
key is missing or empty. Two builds of the same data write the same bytes: items come in a fixed
order and keys in the order written here. Chinese stays as characters (UTF-8); the files are
served as ``application/json``, so JSON's own escaping is all a hostile string needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import citations
from .model import ChineseForm, Citation, Claim, Dataset, Entity, Event, PartialDate, Source, Status, Term
from .parts import Parts, chronological

FOLDER = "data"
"""Where the documents and their schemas are published, from the site's root."""
SCHEMAS = Path(__file__).parent / "published"
NAMES = ("sources", "glossary", "timeline", "entities", "claims")

PageUrl = Callable[[str], str]
"""The URL of a page (given by its ``src_uri``), relative to the published documents' folder."""


def files(dataset: Dataset, page_url: PageUrl, parts: Parts | None = None) -> list[tuple[str, str]]:
    """Each document and schema to publish: ``(path in the site, text)``; ``parts`` says which page
    shows each term, event, entity and claim (see :mod:`explainer.parts`)."""
    parts = parts or Parts(dataset)
    documents = {
        "sources": {"sources": [_source(source, page_url) for source in sorted(dataset.sources.values(), key=_by_id)]},
        "glossary": {"terms": [_term(term, page_url, parts) for term in sorted(dataset.terms, key=_by_id)]},
        "timeline": {"events": [_event(event, page_url, parts) for event in chronological(dataset.events)]},
        "entities": {"entities": [_entity(entity, page_url, parts) for entity in sorted(dataset.entities, key=_by_id)]},
        # In the file's order, which is the order of the "V4 at a glance" box.
        "claims": {"claims": [_claim(claim, page_url, parts) for claim in dataset.claims]},
    }
    published = [
        (f"{FOLDER}/{name}.json", _json({"$schema": f"{name}.schema.json", **documents[name]}))
        for name in NAMES
    ]
    published += [(f"{FOLDER}/{schema.name}", schema.read_text("utf-8")) for schema in sorted(SCHEMAS.glob("*.schema.json"))]
    return published


def _json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _by_id(item: Source | Term | Entity | Claim) -> str:
    return item.id


def _source(source: Source, page_url: PageUrl) -> dict[str, Any]:
    return {
        "id": source.id,
        "page": page_url(f"sources/{source.id}.md"),
        "text": page_url(f"sources/{source.id}.txt"),
        "title": source.title,
        "original_title": source.original_title,
        "publisher": source.publisher,
        "url": source.url,
        "url_note": source.url_note,
        "original_starts_after": source.original_starts_after.quote if source.original_starts_after else None,
        "accessed": _date(source.accessed),
        "published": _date(source.published) if source.published else None,
        "published_note": source.published_note,
        "languages": list(source.languages),
        "kind": source.kind,
        "reliability": _markdown(source.reliability),
        "summary": _markdown(source.summary),
        "key_points": [{"point": point.point, "citation": _citation(point.citation)} for point in source.key_points],
        "quiz": [{"question": item.question, "answer": item.answer} for item in source.quiz],
    }


def _term(term: Term, page_url: PageUrl, parts: Parts) -> dict[str, Any]:
    return {
        "id": term.id,
        "page": f"{page_url(parts.term_page(term.id))}#{term.id}",
        "term": term.term,
        "zh": _chinese_forms(term.zh),
        "aliases": list(term.aliases),
        "definition": term.definition,
        "body": _markdown(term.body),
        "see_also": list(term.see_also),
        "sources": list(term.sources),
    }


def _event(event: Event, page_url: PageUrl, parts: Parts) -> dict[str, Any]:
    return {
        "id": event.id,
        "page": f"{page_url(parts.event_page(event.id))}#{event.id}",
        "date": _date(event.date),
        "title": event.title,
        "text": _markdown(event.text) if event.text else None,
        "forecast": event.forecast,
        "citations": _citations(event.citations),
        "other_dates": [
            {"date": _date(other.date), "citations": _citations(other.citations)} for other in event.other_dates
        ],
    }


def _entity(entity: Entity, page_url: PageUrl, parts: Parts) -> dict[str, Any]:
    return {
        "id": entity.id,
        "page": f"{page_url(parts.entity_page(entity.id))}#{entity.id}",
        "name": entity.name,
        "zh": _chinese_forms(entity.zh),
        "kind": entity.kind,
        "aliases": list(entity.aliases),
        "context": entity.context,
        "sources": list(entity.sources),
    }


def _claim(claim: Claim, page_url: PageUrl, parts: Parts) -> dict[str, Any]:
    return {
        "id": claim.id,
        "page": f"{page_url(parts.claim_page(claim.id))}#{claim.id}",
        "statement": claim.statement,
        "status": _status(claim.status),
        "glance": claim.glance,
        "for": _markdown(claim.for_),
        "against": _markdown(claim.against) if claim.against else None,
        "figures": [{"label": figure.label, "value": figure.value, "unit": figure.unit} for figure in claim.figures],
    }


def _status(status: Status) -> dict[str, str]:
    return {"id": status.id, "label": status.label, "meaning": status.meaning}


def _date(date: PartialDate) -> dict[str, str]:
    """A date as written (ISO 8601, or ``2025-H2`` for a half year), with the days it may stand for."""
    return {
        "date": str(date),
        "precision": date.precision,
        "earliest": date.earliest.isoformat(),
        "latest": date.latest.isoformat(),
    }


def _chinese_forms(forms: Iterable[ChineseForm]) -> list[dict[str, Any]]:
    return [{"form": form.form, "script": form.script, "source": form.source, "standard": form.standard} for form in forms]


def _citation(citation: Citation) -> dict[str, str | None]:
    return {"source": citation.source, "quote": citation.quote}


def _citations(cited: Iterable[Citation]) -> list[dict[str, str | None]]:
    return [_citation(citation) for citation in cited]


def _markdown(text: str) -> dict[str, Any]:
    """A Markdown field, and the citations written in it: a reuser need not parse ``[@id, "quote"]``."""
    cited = citations.cited_in(text)
    return {"markdown": text, "citations": [{"source": one.source, "quote": one.quote} for one in cited]}
