"""Passages a discloser masks by hand, each under a provision (``provisions``): found in the documents' text
however its whitespace and letter case run, replaced by a mark that names the provision, counted per passage so
the decision document can say where each one was masked.

Pure Python: give a ``Masker`` the passages (any objects with ``pk``, ``passage`` and ``provision``) and a
function that writes the mark for a provision; ``mask`` rewrites plain text, ``redaction.rewrite_html`` applies it
to the text of an HTML document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable


def _pattern(passage: str) -> str:
    # Any run of whitespace in the passage matches any run in the document (a line break, a double space).
    return r"\s+".join(re.escape(word) for word in passage.split())


def occurs(passage: str, text: str) -> bool:
    """Whether ``passage`` is in ``text`` (whitespace and letter case aside)."""
    return bool(passage.split()) and re.search(_pattern(passage), text, re.IGNORECASE) is not None


class Masker:
    def __init__(self, maskings: Iterable, mark: Callable[[str], str]):
        # Longest first: a passage inside a longer one is masked with the longer one, under its provision.
        self._maskings = sorted((m for m in maskings if m.passage.split()), key=lambda m: -len(m.passage))
        self._mark = mark
        self.places: Counter = Counter()  # masking pk -> places masked so far
        self._pattern = (
            re.compile("|".join(f"(?P<m{i}>{_pattern(m.passage)})" for i, m in enumerate(self._maskings)), re.I)
            if self._maskings
            else None
        )

    def mask(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        masking = self._maskings[int(match.lastgroup[1:])]
        self.places[masking.pk] += 1
        return self._mark(masking.provision)
