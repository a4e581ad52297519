"""Two beat processes (two servers, an overlapping restart): one schedules, the other stands by and takes over
when the first stops, and no job is sent twice."""

import json
import time
from collections import Counter

from .conftest import FAULTS, wait_for

pytestmark = FAULTS

LOCKED = "beat: Acquired lock"
HEARTBEAT = "core.tasks.record_heartbeat"


def heartbeats_sent(redis) -> int:
    """Beat's heartbeat jobs waiting in the queue (no worker runs here, so every one sent is still there)."""
    lines = redis.command("LRANGE", "celery", "0", "-1").splitlines()
    return Counter(json.loads(line)["headers"]["task"] for line in lines if line.strip())[HEARTBEAT]


def test_a_second_beat_stands_by_and_takes_over_without_doubling_a_job(redis_server, stack_for):
    stack = stack_for(redis_server, WORKER_HEARTBEAT_SECONDS="2")
    first = stack.beat()
    wait_for(lambda: LOCKED in first.output(), what="the first beat to take the lock")
    second = stack.beat()
    wait_for(lambda: heartbeats_sent(redis_server) >= 1, what="the first heartbeat")
    start, counted_from = time.monotonic(), heartbeats_sent(redis_server)
    time.sleep(10)
    alone = heartbeats_sent(redis_server) - counted_from
    # One scheduler sends a heartbeat every 2 s: about 5 in 10 s; two would send about 10.
    assert 3 <= alone <= (time.monotonic() - start) / 2 + 1, alone
    assert LOCKED not in second.output()
    first.stop()  # a clean stop releases the lock (a killed one's lock expires after REDBEAT_LOCK_TIMEOUT)
    wait_for(lambda: LOCKED in second.output(), timeout=30, what="the second beat to take over")
    start, counted_from = time.monotonic(), heartbeats_sent(redis_server)
    time.sleep(6)
    taken_over = heartbeats_sent(redis_server) - counted_from
    assert 1 <= taken_over <= (time.monotonic() - start) / 2 + 1, taken_over
