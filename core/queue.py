"""Handing work to the queue from a page: if the queue (Redis) can't be reached, say so instead of failing the
request; what is scheduled runs at its next time anyway."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """``task.delay(*args, **kwargs)``; False (logged) when the broker doesn't answer."""
    try:
        task.delay(*args, **kwargs)
        return True
    except Exception as error:  # the broker's connection errors have no common base class
        logger.warning("Could not queue %s%s: %s", task.name, args, error)
        return False
