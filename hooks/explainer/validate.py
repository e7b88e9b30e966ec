"""Checks across the data files, each a generator of problems (the shape of python/peps' checker).

The schema has already vouched for the form of every item that reaches these checks;
what is left is what no single file can tell: that ids are unique, that every reference
names something, that every quote is in its article, that dates make sense.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import hanzidentifier

from . import citations, floods, labels, nesting
from .dataset import CLAIMS, GLOSSARY, Loaded, load_dataset
from .inert import TAG_START
from .matcher import MAX_ALIAS_LENGTH
from .model import ChineseForm, Citation, Claim, Dataset, MarkdownField, Term
from .problems import Origin, Problem, shorten, suggestion
from .quotes import Article
from .urls import url_problem

DISAGREEMENTS_ANCHOR = "where-the-sources-disagree"
"""The heading of the What we know page's table of disputed claims."""
REQUIRED_TERMS = ("moe", "cann", "attention-compression", "supernode")
AI_GENERATED_KIND = "AI-generated summary"
"""The kind of source whose claims can be no more than ``ai-generated``."""
MIN_CONFIRMING_SOURCES = 2
MIN_QUOTE = 2
"""Non-space characters a quote needs: 两字 can be a name; one character says nothing."""
# A letter or a digit of any script (Chinese included), so an alias links words, never punctuation.
_WORD_CHARACTER = re.compile(r"[^\W_]")

# An attribute list, { #id .class key=value } or {: ... }, which could set any attribute (onclick=...).
_ATTRIBUTE_LIST = re.compile(r"\{:?[ \t]*(?:[#.][\w-]|[\w-]+[ \t]*=)")
# The target of a reference, [name]: target.
# As in Python-Markdown, the target may stand on the line after the name ([d]:\njavascript:...).
_REFERENCE_TARGET = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*+(?:\n[ \t]*+)?(<[^>\n]*>|\S+)", re.MULTILINE)
# The target of an inline link or image, [text](target "title"), is read by _inline_targets in steps:
# as in Python-Markdown, a target may hold balanced parentheses (javascript:alert(1)) and spaces.
_SPACE = re.compile(r"\s*")
_ANGLE_END = re.compile(r"[>\n]")
# What may follow a target: an optional "title" or 'title', then ")", white space around either.
_TARGET_TAIL = re.compile(r"""\s*+(?:"[^"\n]*"|'[^'\n]*')?+\s*+\)""")
# One step through a target: a run of characters none of which may start a tail (white space, a quote
# or ")" can), a run of white space on one line, a quote, or (balanced parentheses).
_TARGET_STEP = re.compile(r"""[^()\s"']+|[^\S\n]+|["']|\([^()\n]*\)""")


def load_checked(root: Path) -> Loaded:
    """Read everything under ``root/data`` and check it across files: the dataset, with every problem."""
    loaded = load_dataset(root)
    # The same problem found twice (a folder that is a link, met from two files) is listed once.
    return dataclasses.replace(loaded, problems=sorted({*loaded.problems, *check(loaded)}))


def check(context: Loaded) -> Iterator[Problem]:
    for check_one in CHECKS:
        yield from check_one(context)


def check_required_terms(context: Loaded) -> Iterator[Problem]:
    if not context.glossary_read:
        return
    for term_id in REQUIRED_TERMS:
        if term_id not in context.term_ids:
            yield Problem(
                Origin(GLOSSARY, 1),
                f"the glossary must define the term '{term_id}' (required: {', '.join(REQUIRED_TERMS)})",
            )


def check_unique_ids(context: Loaded) -> Iterator[Problem]:
    for items in (context.dataset.terms, context.dataset.events, context.dataset.entities, context.dataset.claims):
        first: dict[str, Origin] = {}
        for item in items:
            if item.id in first:
                yield Problem(item.origin, f"id '{item.id}' is already used on line {first[item.id].line}")
            first.setdefault(item.id, item.origin)


def check_term_references(context: Loaded) -> Iterator[Problem]:
    term_ids = context.term_ids
    for term in context.dataset.terms:
        if term.id in term.see_also:
            yield Problem(term.origin, f"term '{term.id}' lists itself in see_also; remove it")
        for other in term.see_also:
            if other not in term_ids:
                yield Problem(term.origin, f"see_also: no term has the id '{other}'" + _suggest(other, term_ids))
        yield from _unknown_sources(context, term.sources, term.origin)
        yield from _term_in_sources(context, term)


def _term_in_sources(context: Loaded, term: Term) -> Iterator[Problem]:
    names = {name.casefold() for name in (term.term, *(form.form for form in term.zh), *term.aliases)}
    for source_id in term.sources:
        article = context.articles.get(source_id)
        if article and not any(name in article.folded for name in names):
            yield Problem(
                term.origin,
                f"term '{term.id}' is listed as used in '{source_id}', but none of its names or aliases "
                f"occurs in that article's text; add the form the article uses to aliases, or drop the source",
            )


def check_aliases(context: Loaded) -> Iterator[Problem]:
    owner: dict[str, str] = {}
    for term in context.dataset.terms:
        for alias in term.aliases:
            if alias in owner and owner[alias] != term.id:
                yield Problem(
                    term.origin,
                    f"alias '{alias}' already links to term '{owner[alias]}'; an alias must name one term",
                )
            owner.setdefault(alias, term.id)
            if not _WORD_CHARACTER.search(alias):
                yield Problem(
                    term.origin,
                    f"alias {alias!r} has no letter, digit or Chinese character: it would link "
                    "punctuation or spaces; remove it",
                )


def check_alias_lengths(context: Loaded) -> Iterator[Problem]:
    """Names and aliases are linked on every page: one longer than the matcher takes would stay unlinked."""
    named = [(term, term.aliases) for term in context.dataset.terms]
    named += [(entity, (entity.name, *entity.aliases)) for entity in context.dataset.entities]
    for item, names in named:
        for name in names:
            if len(name) > MAX_ALIAS_LENGTH:
                yield Problem(
                    item.origin,
                    f"the name or alias '{shorten(name, 40)}' is {len(name)} characters long; "
                    f"names and aliases are linked on pages, and may be {MAX_ALIAS_LENGTH} characters at most",
                )


def check_reserved_ids(context: Loaded) -> Iterator[Problem]:
    """Ids that would repeat an id the generated pages give their Sources list (#sources, #ref-<source>)."""
    for item in (*context.dataset.terms, *context.dataset.events, *context.dataset.entities, *context.dataset.claims):
        if item.id == "sources" or item.id.startswith("ref-"):
            yield Problem(
                item.origin,
                f"id '{item.id}' is taken by the Sources list of every page ('sources', 'ref-…'); choose another",
            )
    for claim in context.dataset.claims:  # the What we know page anchors each status and the disagreements too
        if claim.id.startswith("status-") or claim.id == DISAGREEMENTS_ANCHOR:
            yield Problem(
                claim.origin,
                f"id '{claim.id}' is taken by the What we know page ('status-…', '{DISAGREEMENTS_ANCHOR}'); choose another",
            )


def check_chinese_forms(context: Loaded) -> Iterator[Problem]:
    """Each Chinese form shown is one a named source uses, or the standard term, said to be so."""
    for item in (*context.dataset.terms, *context.dataset.entities):
        for form in item.zh:
            if (form.source is None) == (not form.standard):
                yield Problem(
                    form.origin,
                    f"the Chinese form '{form.form}' needs either 'source:' (the source whose text uses it) "
                    "or 'standard: true' (the usual term, which no source uses), not both or neither",
                )
            elif form.source not in (None, *context.source_ids):
                yield Problem(form.origin, unknown_source_message(form.source, context.source_ids))
            elif form.source and (article := context.articles.get(form.source)) and not article.contains(form.form):
                yield Problem(
                    form.origin,
                    f"the Chinese form '{form.form}' is not in the text of '{form.source}': give the source "
                    "whose text uses it, copied exactly, or mark it 'standard: true'",
                )
            if problem := _script_problem(form):
                yield Problem(form.origin, problem)


# For a form labelled with each script: the other script, and what hanzidentifier calls a character only it has.
_OTHER_SCRIPT = {"Simplified": ("Traditional", hanzidentifier.TRADITIONAL), "Traditional": ("Simplified", hanzidentifier.SIMPLIFIED)}


def _script_problem(form: ChineseForm) -> str | None:
    """Why a form is not written in the script it is labelled with (after CC-CEDICT's character lists,
    through hanzidentifier); a character the two scripts share fits either."""
    other, only_other = _OTHER_SCRIPT.get(form.script, ("", None))  # a script of neither name was reported
    written = list(dict.fromkeys(character for character in form.form if hanzidentifier.identify(character) == only_other))
    if not written:
        return None
    named = ", ".join(f"'{character}'" for character in written)
    return (
        f"the Chinese form '{form.form}' is labelled {form.script}, but {named} "
        f"{'is' if len(written) == 1 else 'are'} written only in {other}; correct the script or the form"
    )


def check_entity_sources(context: Loaded) -> Iterator[Problem]:
    for entity in context.dataset.entities:
        yield from _unknown_sources(context, entity.sources, entity.origin)


def check_source_notes(context: Loaded) -> Iterator[Problem]:
    for source in context.dataset.sources.values():
        if not source.url and not source.url_note:
            yield Problem(source.origin, "without a url, give url_note: a short sentence saying why there is none")
        if not source.published and not source.published_note:
            yield Problem(
                source.origin,
                "without a published date, give published_note: what the text reveals of its date",
            )


def check_quotes(context: Loaded) -> Iterator[Problem]:
    for citation in _structured_citations(context.dataset):
        yield from check_citation(context, citation)


def check_markdown_fields(context: Loaded) -> Iterator[Problem]:
    for field in context.markdown:
        text = field.text
        if html := TAG_START.search(text):  # data fields are Markdown, never HTML
            message = "raw HTML is not allowed in data; write Markdown (use &lt; for a literal '<')"
            yield Problem(field.origin_at(html.start()), message)
        if attributes := _ATTRIBUTE_LIST.search(text):
            message = "attribute lists ('{: ... }') are not allowed in data: they can set any HTML attribute"
            yield Problem(field.origin_at(attributes.start()), message)
        for offset, url in _link_targets(text):
            problem = url_problem(url, relative_ok=False)
            if problem:
                yield Problem(field.origin_at(offset), problem)
        for offset, message in (*floods.bracket_problems(text), *floods.block_problems(text)):
            yield Problem(field.origin_at(offset), message)
        yield from _citation_problems(context, field)
        yield from _label_problems(context, field)


def _citation_problems(context: Loaded, field: MarkdownField) -> Iterator[Problem]:
    for found in citations.scan(field.text):
        if isinstance(found, citations.Unclosed):
            yield Problem(field.origin_at(found.start), found.message)
            continue
        try:
            cited = citations.parse(field.text[found.start + 1 : found.end - 1])
        except citations.CitationSyntaxError as error:
            yield Problem(field.origin_at(found.start), str(error))
            continue
        for item in cited:
            # The line of the citation costs a reading of the field: worked out for a problem only.
            for problem in check_citation(context, Citation(item.source, item.quote, field.origin)):
                yield Problem(field.origin_at(found.start), problem.message)


def _label_problems(context: Loaded, field: MarkdownField) -> Iterator[Problem]:
    """Each ``[?claim-id]`` of a Markdown field names a claim; a ``[?`` in a citation's quote is the quote's."""
    quoted = [(found.start, found.end) for found in citations.scan(field.text) if isinstance(found, citations.Bracket)]
    for found in labels.scan(field.text):
        if any(start < found.start < end for start, end in quoted):
            continue
        if isinstance(found, labels.Malformed):
            yield Problem(field.origin_at(found.start), found.message)
        elif found.claim not in context.claim_ids:
            yield Problem(field.origin_at(found.start), unknown_claim_message(found.claim, context.claim_ids))


def check_claims(context: Loaded) -> Iterator[Problem]:
    """What a claim's status promises, as far as its citations can show it."""
    kinds = {source_id: source.kind for source_id, source in context.dataset.sources.items()}
    for claim in context.dataset.claims:
        cited_for = cited_sources(claim.for_)
        cited_against = cited_sources(claim.against or "")
        status = claim.status.id
        if not cited_for:
            yield Problem(claim.origin, f"claim '{claim.id}': 'for' cites no source; cite who says it, {citations.EXAMPLE}")
        if status == "confirmed" and 0 < len(cited_for) < MIN_CONFIRMING_SOURCES:
            yield Problem(
                claim.origin,
                f"claim '{claim.id}' is confirmed, but 'for' cites one source only ('{cited_for[0]}'); "
                f"confirmed needs at least {MIN_CONFIRMING_SOURCES} different sources: cite another, or choose "
                "another status (e.g. 'reported')",
            )
        if status == "disputed" and not cited_against:
            yield Problem(
                claim.origin,
                f"claim '{claim.id}' is disputed, but "
                + ("it has no 'against'" if claim.against is None else "its 'against' cites no source")
                + f": give the other side in 'against', citing it ({citations.EXAMPLE}), or choose another status",
            )
        cited = {*cited_for, *cited_against}
        if cited and status != "ai-generated" and all(kinds.get(source_id) == AI_GENERATED_KIND for source_id in cited):
            yield Problem(
                claim.origin,
                f"claim '{claim.id}' cites only AI-generated summaries ({', '.join(sorted(cited))}), so its status "
                f"must be 'ai-generated', not '{status}': cite a source that reports it, or mark it ai-generated",
            )
        yield from _figure_problems(claim)


def cited_sources(markdown: str) -> list[str]:
    """The sources a Markdown field cites, each once, in the order first cited."""
    return list(dict.fromkeys(item.source for item in citations.cited_in(markdown)))


# A number as a sentence writes it: 1.74, 1,000,000, 128 (never the digits of a word such as "V4" or "128K").
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![A-Za-z0-9_])|(?<![A-Za-z0-9_.,])\d+(?:\.\d+)?(?![A-Za-z0-9_])"
)


def _figure_problems(claim: Claim) -> Iterator[Problem]:
    """A chart draws only what the statement says: each figure's value is written in it."""
    written = {float(number.replace(",", "")) for number in _NUMBER.findall(claim.statement)}
    for figure in claim.figures:
        if float(figure.value) not in written:
            yield Problem(
                figure.origin,
                f"figure '{figure.label}': its value {figure.value} is not written in the statement of claim "
                f"'{claim.id}'; write it there (a chart shows only what the claim says), or correct the value",
            )


def check_markdown_nesting(context: Loaded) -> Iterator[Problem]:
    for field in context.markdown:
        for offset, message in nesting.nesting_problems(field.text):
            yield Problem(field.origin_at(offset), message)


def _link_targets(markdown: str) -> Iterator[tuple[int, str]]:
    """The offset and target of each link, image and reference definition in ``markdown``."""
    references = ((match.start(), match.start(1), match[1]) for match in _REFERENCE_TARGET.finditer(markdown))
    for _, offset, target in sorted([*_inline_targets(markdown), *references], key=lambda found: found[0]):
        yield offset, target.removeprefix("<").removesuffix(">")


def _inline_targets(markdown: str) -> Iterator[tuple[int, int, str]]:
    """For each inline link or image: the offset of its ``](``, the offset of its target, the target.

    A regular expression did this, and backtracked over every way of sharing a run of spaces
    between the target and the space around it: 800 spaces after ``](`` took a minute. These
    steps find the same targets, each place of the text read a few times at most.
    """
    angle_ends = [found.start() for found in _ANGLE_END.finditer(markdown)]
    position = 0
    while (opening := markdown.find("](", position)) >= 0:
        found = _inline_target(markdown, opening + 2, angle_ends)
        if found is None:
            position = opening + 1
            continue
        start, end, position = found
        yield opening, start, markdown[start:end]


def _inline_target(markdown: str, after: int, angle_ends: list[int]) -> tuple[int, int, int] | None:
    """Where the target that follows ``](`` at ``after`` starts and ends, and where its link ends;
    None if no ``)`` ends it. ``angle_ends``: the offset of each ``>`` and line break of ``markdown``."""
    start = _SPACE.match(markdown, after).end()
    if markdown.startswith("<", start):  # <target>, if a tail follows its ">"
        index = bisect_left(angle_ends, start)
        close = angle_ends[index] if index < len(angle_ends) else -1
        tail = _TARGET_TAIL.match(markdown, close + 1) if close >= 0 and markdown[close] == ">" else None
        if tail:
            return start, close + 1, tail.end()
    end = start  # the shortest target that a tail follows
    while not (tail := _TARGET_TAIL.match(markdown, end)):
        step = _TARGET_STEP.match(markdown, end)
        if step is None:
            return None
        end = step.end()
    return start, end, tail.end()


def check_event_dates(context: Loaded) -> Iterator[Problem]:
    for event in context.dataset.events:
        sources = [context.dataset.sources.get(citation.source) for citation in event.citations]
        published = [source.published for source in sources if source and source.published]
        if event.forecast or not published or len(published) < len(sources):
            continue
        if all(date.latest < event.date.earliest for date in published):
            yield Problem(
                event.origin,
                f"event '{event.id}' ({event.date}) is cited only to sources published before it "
                "happened; cite a later source, or mark it 'forecast: true'",
            )


def check_citation(context: Loaded, citation: Citation) -> Iterator[Problem]:
    """The one check of a citation, wherever it was written: its source exists, its quote is in it."""
    if citation.source not in context.source_ids:
        yield Problem(citation.origin, unknown_source_message(citation.source, context.source_ids))
        return
    if citation.quote is not None and len("".join(citation.quote.split())) < MIN_QUOTE:
        yield Problem(
            citation.origin,
            f"the quote \"{citation.quote}\" is too short to show what the source says: quote at least "
            f"{MIN_QUOTE} characters, or cite the source without a quote",
        )
        return
    article = context.articles.get(citation.source)
    if article and citation.quote is not None and not article.contains(citation.quote):
        yield Problem(citation.origin, missing_quote_message(citation, article))


def unknown_claim_message(claim_id: str, known: Iterable[str]) -> str:
    return f"no claim has the id '{claim_id}'" + _suggest(claim_id, known) + f" (claims are in {CLAIMS})"


def unknown_source_message(source_id: str, known: Iterable[str]) -> str:
    return f"no source has the id '{source_id}'" + _suggest(source_id, known) + " (sources are data/sources/<id>.yaml)"


def missing_quote_message(citation: Citation, article: Article) -> str:
    closest = article.closest(citation.quote)
    return f"the quote \"{shorten(citation.quote)}\" is not in the text of '{citation.source}'; " + (
        f"the closest passage is \"{closest}\"" if closest is not None else "copy it from the article's text"
    )


def _unknown_sources(context: Loaded, source_ids: Iterable[str], origin: Origin) -> Iterator[Problem]:
    for source_id in source_ids:
        if source_id not in context.source_ids:
            yield Problem(origin, unknown_source_message(source_id, context.source_ids))


def _structured_citations(dataset: Dataset) -> Iterator[Citation]:
    for source in dataset.sources.values():
        yield from (point.citation for point in source.key_points)
        if source.original_starts_after:
            yield source.original_starts_after
    for event in dataset.events:
        yield from event.citations
        for other in event.other_dates:
            yield from other.citations


def _suggest(wrong: str, known: Iterable[str]) -> str:
    guess = suggestion(wrong, known)
    return f"; did you mean '{guess}'?" if guess else ""


CHECKS: tuple[Callable[[Loaded], Iterator[Problem]], ...] = (
    check_required_terms,
    check_unique_ids,
    check_term_references,
    check_aliases,
    check_alias_lengths,
    check_reserved_ids,
    check_entity_sources,
    check_chinese_forms,
    check_source_notes,
    check_quotes,
    check_markdown_fields,
    check_markdown_nesting,
    check_event_dates,
    check_claims,
)
