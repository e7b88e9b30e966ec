"""Find glossary aliases (or entity names) in text: one pass, longest match, Chinese-safe.

The aliases are compiled into one regular expression shaped as a trie, so the cost of
a scan grows with the text, not with the number of aliases. ``\\b`` fails beside
Chinese characters (``华为CANN框架``), so an alias that starts or ends with an ASCII
letter or digit is instead guarded by a look-around on ASCII letters and digits only.
The aliases that start with an ASCII letter or digit share one look-behind, and each
group is entered only where the next character can start one of its aliases, so a
place in the text costs a few tests however many aliases there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_BEFORE = r"(?<![A-Za-z0-9])"
_AFTER = r"(?![A-Za-z0-9])"
_END = ""  # the trie key that marks the end of an alias


class AliasMatcher:
    """Maps each alias to a key (a term or entity id) and finds them in text."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self._keys = dict(aliases)
        trie: dict = {}
        for alias in aliases:
            node = trie
            for char in alias:
                node = node.setdefault(char, {})
            node[_END] = True
        guarded = [char for char in trie if _ASCII_WORD.match(char)]
        open_ = [char for char in trie if not _ASCII_WORD.match(char)]
        # Each alias starts with one character of its group's set, so the groups never compete.
        alternatives = [
            prefix + _group(trie, chars) for prefix, chars in ((_BEFORE, guarded), ("", open_)) if chars
        ]
        self._regex = re.compile("|".join(alternatives)) if alternatives else None

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """``(start, end, key)`` of each alias in ``text``, leftmost first, the longest at each place."""
        if self._regex is None:
            return
        for match in self._regex.finditer(text):
            yield match.start(), match.end(), self._keys[match.group()]


def _group(trie: dict, chars: list[str]) -> str:
    """The aliases starting with ``chars``, entered only where the next character is one of them."""
    first = "".join(sorted(re.escape(char) for char in chars))
    return f"(?=[{first}])(?:" + "|".join(sorted(_pattern(trie[char], char) for char in chars)) + ")"


def _pattern(node: dict, prefix: str) -> str:
    """The regex for ``prefix`` followed by the subtrie ``node``; longer continuations first."""
    branches = [_pattern(child, char) for char, child in sorted(node.items()) if char != _END]
    if _END in node:
        branches.append(_AFTER if _ASCII_WORD.match(prefix[-1]) else "")
    head = re.escape(prefix)
    if len(branches) == 1:
        return head + branches[0]
    return head + "(?:" + "|".join(branches) + ")"
