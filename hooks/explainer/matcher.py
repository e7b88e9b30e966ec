"""Find glossary aliases (or entity names) in text: one pass, longest match, Chinese-safe.

The aliases are compiled into one regular expression shaped as a trie, so the cost of
a scan grows with the text, not with the number of aliases. ``\\b`` fails beside
Chinese characters (``华为CANN框架``), so an alias that starts or ends with an ASCII
letter or digit is instead guarded by a look-around on ASCII letters and digits only.
The aliases that start with an ASCII letter or digit share one look-behind, and each
group is entered only where the next character can start one of its aliases.

A place in the text costs a few tests however many aliases there are, and at most as many
steps as the longest alias: the regular expression engine tries the alternatives of a
group one after the other, so a node of the trie with many children splits them into
groups of at most :data:`_FANOUT`, each entered through a look-ahead on its first
characters; and an alias longer than :data:`MAX_ALIAS_LENGTH` is never linked (the data
check refuses it), so that ``aaaa…`` against a 50,000-character alias ``aaaa…b`` is not
read 50,000 times over.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

MAX_ALIAS_LENGTH = 100
"""The longest alias or name that is linked; the data check refuses a longer one."""
_FANOUT = 16  # the most alternatives tried one after the other at one place
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_BEFORE = r"(?<![A-Za-z0-9])"
_AFTER = r"(?![A-Za-z0-9])"
_END = ""  # the trie key that marks the end of an alias


class AliasMatcher:
    """Maps each alias to a key (a term or entity id) and finds them in text."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self._keys = {alias: key for alias, key in aliases.items() if 0 < len(alias) <= MAX_ALIAS_LENGTH}
        trie: dict = {}
        for alias in self._keys:
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
    return _lookahead(chars) + _alternatives([(char, _pattern(trie[char], char)) for char in sorted(chars)])


def _pattern(node: dict, prefix: str) -> str:
    """The regex for ``prefix`` followed by the subtrie ``node``; longer continuations first."""
    children = [(char, _pattern(child, char)) for char, child in sorted(node.items()) if char != _END]
    end = (_AFTER if _ASCII_WORD.match(prefix[-1]) else "") if _END in node else None
    return re.escape(prefix) + _alternatives(children, last=end)


def _alternatives(branches: list[tuple[str, str]], last: str | None = None) -> str:
    """One of ``branches`` (each ``(first character, pattern)``, no two with the same first character),
    else ``last``. More than :data:`_FANOUT` branches are split into groups, each behind a look-ahead."""
    if len(branches) > _FANOUT:
        size = -(-len(branches) // _FANOUT)
        groups = [branches[start : start + size] for start in range(0, len(branches), size)]
        # The groups hold neighbouring characters: a range tells them apart, and compiles at once.
        patterns = [f"(?=[{re.escape(group[0][0])}-{re.escape(group[-1][0])}])" + _alternatives(group) for group in groups]
    else:
        patterns = [pattern for _, pattern in branches]
    patterns += [] if last is None else [last]
    return patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"


def _lookahead(chars: list[str]) -> str:
    return "(?=[" + "".join(sorted(re.escape(char) for char in chars)) + "])"
