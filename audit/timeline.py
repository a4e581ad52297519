"""A subject's timeline (a brief's, say), read from its audit events: each with its label in the reader's
language, never a code."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import AuditEvent


def timeline_for(subject) -> list[AuditEvent]:
    """The events on ``subject``'s timeline, oldest first, with their actors (``event.label`` and
    ``event.reason`` give the words)."""
    return list(AuditEvent.objects.about(subject).select_related("actor").order_by("sequence"))


def timelines_for(subjects: Iterable) -> dict:
    """``timeline_for`` of many subjects in one query: each subject → its events, oldest first, with their actors
    (the same lists ``timeline_for`` gives one by one). A subject without events maps to an empty list."""
    subjects = list(subjects)
    timelines = {subject: [] for subject in subjects}
    if not subjects:
        return timelines
    keys: dict[tuple[str, str], object] = {}
    for subject in subjects:
        keys[(subject._meta.label_lower, str(subject.pk))] = subject
    ids_by_type: dict[str, list[str]] = {}
    for subject_type, subject_id in keys:
        ids_by_type.setdefault(subject_type, []).append(subject_id)
    about = Q()
    for subject_type, ids in ids_by_type.items():
        about |= Q(subject_type=subject_type, subject_id__in=ids)
    for event in AuditEvent.objects.filter(about).select_related("actor").order_by("sequence"):
        timelines[keys[(event.subject_type, event.subject_id)]].append(event)
    return timelines
