"""Check that a quote is word for word in its article, and find what it probably meant."""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter

_WHITESPACE = re.compile(r"\s+")
_LEADING_WHITESPACE = re.compile(r"\s*")
_SHINGLE = 3
_SHOWN = 120
_WORD_SLACK = 12  # how far a passage may move to start and end on whole words
# An article longer than this is not scanned whole for the closest passage (a 5 MB text
# would take seconds per quote): only the stretches around where pieces of the quote occur.
_SCAN_LIMIT = 200_000
_PIECE = 8  # the length of those pieces
_MAX_PIECES = 64
_MAX_HITS = 20  # occurrences of one piece looked at
_SUGGESTIONS = 100
"""The missing quotes of one article whose closest passage is worked out. Each costs a pass over the
article: for thousands of them (each reported all the same), a build would take minutes."""


def normalise(text: str) -> str:
    """NFC, with every run of white space (line breaks included) as one space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


class Article:
    """An article's text, normalised once, so each quote costs one substring search."""

    def __init__(self, text: str) -> None:
        self.received = unicodedata.normalize("NFC", text)
        """The text as received, in NFC (which looks the same): where :meth:`span` finds a quote."""
        self.text = normalise(text)
        self.folded = self.text.casefold()
        """The text case-folded once, for the checks that ignore case."""
        self._closest: dict[str, str] = {}
        """The closest passage worked out for each quote, by its normalised text."""

    def contains(self, quote: str) -> bool:
        return normalise(quote) in self.text

    def span(self, quote: str) -> tuple[int, int] | None:
        """Where the quote first stands in :attr:`received`, across line breaks; None if it does not."""
        wanted = normalise(quote)
        start = self.text.find(wanted) if wanted else -1
        if start < 0:
            return None
        return self._received_at(start), self._received_at(start + len(wanted) - 1) + 1

    def _received_at(self, offset: int) -> int:
        lead, runs, shifts = self._runs
        runs_before = bisect.bisect_left(runs, offset)
        return offset + (shifts[runs_before - 1] if runs_before else lead)

    @functools.cached_property
    def _runs(self) -> tuple[int, list[int], list[int]]:
        """Where :attr:`text` has one space for several characters of :attr:`received`, and how far
        :attr:`received` is ahead after each (and before the first: its leading white space), so that a
        quote found in the one is found in the other by bisection. Worked out only for the articles
        whose passages a reader is shown, not for every check."""
        lead = shift = _LEADING_WHITESPACE.match(self.received).end()
        runs, shifts = [], []
        for run in _WHITESPACE.finditer(self.received, lead):
            if len(run[0]) > 1:
                runs.append(run.start() - shift)
                shift += len(run[0]) - 1
                shifts.append(shift)
        return lead, runs, shifts

    def closest(self, quote: str) -> str | None:
        """The passage of the article most like ``quote``, by shared character trigrams; None once
        :data:`_SUGGESTIONS` other quotes have had theirs.

        One pass over the article with a sliding window, so a long article or a long
        quote costs time in proportion to the article, never to their product.
        """
        wanted = normalise(quote)
        if wanted not in self._closest and len(self._closest) < _SUGGESTIONS:
            self._closest[wanted] = self._closest_to(wanted)
        return self._closest.get(wanted)

    def _closest_to(self, wanted: str) -> str:
        width = max(len(wanted), _SHINGLE)
        shingles = {wanted[i : i + _SHINGLE] for i in range(len(wanted) - _SHINGLE + 1)}
        best, best_start = -1, 0
        for low, high in self._stretches(wanted, width):
            found, start = self._best_window(low, high, shingles, width)
            if found > best:
                best, best_start = found, start
        return self._whole_words(best_start, best_start + min(width, _SHOWN)) + ("…" if width > _SHOWN else "")

    def _best_window(self, low: int, high: int, shingles: set[str], width: int) -> tuple[int, int]:
        """The most shingles a window of ``width`` holds within ``text[low:high]``, and where it starts."""
        hits = [self.text[i : i + _SHINGLE] in shingles for i in range(low, high)]
        window = Counter(hits[:width])[True]
        best, best_start = window, 0
        for start in range(1, max(len(hits) - width + 1, 1)):
            window += hits[start + width - 1] - hits[start - 1]
            if window > best:
                best, best_start = window, start
        return best, low + best_start

    def _stretches(self, wanted: str, width: int) -> list[tuple[int, int]]:
        """Where to look for the closest passage: the whole text, or around pieces of the quote."""
        length = len(self.text)
        if length <= _SCAN_LIMIT:
            return [(0, length)]
        spans = []
        step = max(1, (len(wanted) - _PIECE) // _MAX_PIECES + 1)
        for offset in range(0, max(len(wanted) - _PIECE, 0) + 1, step):
            piece = wanted[offset : offset + _PIECE]
            position = self.text.find(piece)
            for _ in range(_MAX_HITS):
                if position < 0:
                    break
                start = position - offset  # where the quote would start if this piece were in place
                spans.append((max(start - width, 0), min(start + 2 * width, length)))
                position = self.text.find(piece, position + 1)
        if not spans:  # no piece of the quote is in the text: any passage is as close as another
            return [(0, min(length, _SCAN_LIMIT))]
        spans.sort()
        merged = [spans[0]]
        for low, high in spans[1:]:
            if low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return merged

    def _whole_words(self, start: int, end: int) -> str:
        """The passage from ``start`` to ``end``, moved to begin and end at word boundaries nearby."""
        if start > 0 and not self.text[start - 1].isspace():
            space = self.text.find(" ", start, start + _WORD_SLACK)
            start = space + 1 if space >= 0 else start
        space = self.text.find(" ", end, end + _WORD_SLACK)
        end = space if space >= 0 else end
        return self.text[start:end].strip()
