"""Counters in the cache for rate limits and lock-outs that must not take a page down with the cache: when the
cache (Redis) can't be reached, a count is unknown (None) and the limits built on it let the request through
(logged), because refusing everyone for an outage is worse than a few minutes without a limit."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def hit(key: str, seconds: int) -> int | None:
    """Count one more for ``key`` in a window of ``seconds`` (from the first hit); the new count, or None."""
    try:
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: this hit is the first of a new window
            cache.set(key, 1, timeout=seconds)
            return 1
    except Exception as error:  # the cache backend's connection errors have no common base class
        logger.warning("Counter %s unavailable: %s", key, error)
        return None


def over(key: str, limit: int, seconds: int) -> bool:
    """One more hit; True when it is past ``limit`` within the window."""
    count = hit(key, seconds)
    return count is not None and count > limit


def get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception as error:
        logger.warning("Cache unavailable for %s: %s", key, error)
        return default


def set_once(key: str, value, seconds: int) -> bool:
    """``cache.add``: True when the key was not there yet (also when the cache is down: better twice than never)."""
    try:
        return cache.add(key, value, timeout=seconds)
    except Exception as error:
        logger.warning("Cache unavailable for %s: %s", key, error)
        return True


def put(key: str, value, seconds: int) -> None:
    try:
        cache.set(key, value, timeout=seconds)
    except Exception as error:
        logger.warning("Cache unavailable for %s: %s", key, error)
