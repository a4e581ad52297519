"""Names the system cannot know (a citizen in a webcare note, a name written without its diacritics), found by
a person-name detector for review by the discloser, never silently: the package's README lists each find.

The detector is deduce (a rule-based de-identification library for Dutch text from the field; it also finds
common Swedish names written the Dutch way). It loads large lookup lists (about a gigabyte in memory, a few
seconds), once per process and only when a package is made; DISCLOSURE_NAME_DETECTOR = "" switches it off.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass

from django.conf import settings

from .redaction import REDACTION_MARK

_lock = threading.Lock()
_detector = None


@dataclass(frozen=True)
class Find:
    document: str
    text: str


def enabled() -> bool:
    return settings.DISCLOSURE_NAME_DETECTOR == "deduce"


def _deduce():
    global _detector
    with _lock:
        if _detector is None:
            import deduce

            _detector = deduce.Deduce()
        return _detector


def plain_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def possible_names(document: str, text: str, keep: set[str]) -> list[Find]:
    """Person names the detector sees in ``text`` (already redacted), except the redaction mark and words kept on
    purpose (role names, organisation and agency names)."""
    if not enabled() or not text.strip():
        return []
    finds = []
    for annotation in _deduce().deidentify(text).annotations:
        if annotation.tag != "persoon":
            continue
        found = " ".join(annotation.text.split())
        words = [word for word in re.split(r"[\s,]+", found) if word]
        if REDACTION_MARK in found or all(word in keep for word in words):
            continue
        finds.append(Find(document, found))
    return finds
