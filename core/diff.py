"""A word-level comparison of two texts (a script's version 1 and 2), for a reviewer who wants to see what changed
without reading both in full. ``difflib`` compares the words; whitespace stays with the word before it, so the
result reads as the new text with removals and additions marked."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "removed" or "added"
    text: str


def words(old: str, new: str) -> list[Piece]:
    """The pieces of ``new`` with what ``old`` had instead: same, removed and added runs of words."""
    before, after = WORDS.findall(old or ""), WORDS.findall(new or "")
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=[w.strip() for w in before], b=[w.strip() for w in after], autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(Piece("same", "".join(after[b1:b2])))
            continue
        if operation in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(before[a1:a2])))
        if operation in ("insert", "replace"):
            pieces.append(Piece("added", "".join(after[b1:b2])))
    # A piece that ends a text ("zelftest." at the end of the old one) has no space after it: followed by another
    # piece it would read glued to it ("zelftest.in").
    return [
        Piece(piece.kind, piece.text + " ")
        if index < len(pieces) - 1 and piece.text and not piece.text[-1].isspace()
        else piece
        for index, piece in enumerate(pieces)
    ]


def changed(pieces: list[Piece]) -> bool:
    return any(piece.kind != "same" for piece in pieces)
