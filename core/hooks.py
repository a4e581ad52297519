"""Hooks: how a higher app adds to a page of a lower one without the lower one importing it (Wagtail's
``hooks`` pattern). An app registers its functions in its ``AppConfig.ready``; the page asks for them.

    # approvals/apps.py
    hooks.register("brief_panels", versions_panel)
    # content/views.py
    panels = [panel for hook in hooks.get("brief_panels") if (panel := hook(request, brief, **forms))]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

_registry: dict[str, list[tuple[int, Callable]]] = defaultdict(list)


def register(name: str, function: Callable, *, order: int = 0) -> Callable:
    """Add ``function`` to the hook ``name``; lower ``order`` comes first. Registering twice is harmless."""
    if all(existing is not function for _, existing in _registry[name]):
        _registry[name].append((order, function))
        _registry[name].sort(key=lambda entry: entry[0])
    return function


def get(name: str) -> list[Callable]:
    return [function for _, function in _registry[name]]


@dataclass
class Panel:
    """A piece of a page contributed by another app: its template, and what that template reads (as
    ``panel.context``); ``place`` says where on the page it goes."""

    template: str
    place: str
    context: dict = field(default_factory=dict)
