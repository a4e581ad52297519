"""E-mail notifications: queued after the transaction commits, sent by a Celery task with retries.

Services call these inside their transaction; nothing is sent if the transaction rolls back.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

_state = threading.local()


@contextmanager
def muted():
    """No notifications for what happens inside (an import of history, such as the demo data)."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def _queue(run_id: int, kind: str, position) -> None:
    if getattr(_state, "muted", False):
        return
    from .tasks import send_run_notification

    transaction.on_commit(lambda: send_run_notification.delay(run_id, kind, position))


def approvers_waiting(run) -> None:
    """Tell the approvers of the run's current step that a version waits for them."""
    _queue(run.pk, "waiting", run.current_position)


def feedback_for_agency(run) -> None:
    """Tell the agency's people how the review of their version ended."""
    _queue(run.pk, "finished", None)
