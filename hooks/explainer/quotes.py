"""Check that a quote is word for word in its article, and find what it probably meant."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_WHITESPACE = re.compile(r"\s+")
_SHINGLE = 3
_SHOWN = 120
_WORD_SLACK = 12  # how far a passage may move to start and end on whole words


def normalise(text: str) -> str:
    """NFC, with every run of white space (line breaks included) as one space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


class Article:
    """An article's text, normalised once, so each quote costs one substring search."""

    def __init__(self, text: str) -> None:
        self.text = normalise(text)

    def contains(self, quote: str) -> bool:
        return normalise(quote) in self.text

    def closest(self, quote: str) -> str:
        """The passage of the article most like ``quote``, by shared character trigrams.

        One pass over the article with a sliding window, so a long article or a long
        quote costs time in proportion to the article, never to their product.
        """
        wanted = normalise(quote)
        width = max(len(wanted), _SHINGLE)
        shingles = {wanted[i : i + _SHINGLE] for i in range(len(wanted) - _SHINGLE + 1)}
        hits = [self.text[i : i + _SHINGLE] in shingles for i in range(len(self.text))]
        window = Counter(hits[:width])[True]
        best, best_start = window, 0
        for start in range(1, max(len(hits) - width + 1, 1)):
            window += hits[start + width - 1] - hits[start - 1]
            if window > best:
                best, best_start = window, start
        return self._whole_words(best_start, best_start + min(width, _SHOWN)) + ("…" if width > _SHOWN else "")

    def _whole_words(self, start: int, end: int) -> str:
        """The passage from ``start`` to ``end``, moved to begin and end at word boundaries nearby."""
        if start > 0 and not self.text[start - 1].isspace():
            space = self.text.find(" ", start, start + _WORD_SLACK)
            start = space + 1 if space >= 0 else start
        space = self.text.find(" ", end, end + _WORD_SLACK)
        end = space if space >= 0 else end
        return self.text[start:end].strip()
