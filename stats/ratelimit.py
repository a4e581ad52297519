"""TikTok's rate limit (600 requests per minute per endpoint per token), shared by every worker.

A token bucket per (endpoint, access token). The bucket holds a tenth of the minute's allowance and
refills the other nine tenths evenly over the minute, so no 60-second window can ever see more than
the limit, however the requests of several workers interleave.

With Redis (production, CI) the bucket lives in Redis and one Lua script takes a token atomically,
on Redis' own clock so the workers' clocks don't matter. Without Redis (the embedded default) the
same arithmetic runs on Django's file cache under ``locks.exclusive``, shared by the processes of one
machine.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from . import locks
from .client import TikTokError

MAX_WAIT_SECONDS = 15.0  # one wait longer than this: the task retries later instead
KEY_PREFIX = "tiktok-rate"

# KEYS[1] bucket key; ARGV: refill per second, capacity. Returns the seconds to wait (0: token taken).
_TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 120)
return tostring(wait)
"""


@dataclass(frozen=True)
class Allowance:
    per_minute: int

    @property
    def capacity(self) -> float:
        return max(1.0, self.per_minute / 10)

    @property
    def refill_per_second(self) -> float:
        # Tiny limits (below 2 a minute) have no room after the burst: refill at half speed then.
        return (self.per_minute - self.capacity) / 60 or self.per_minute / 120


def allowance() -> Allowance:
    return Allowance(settings.TIKTOK_RATE_LIMIT_PER_MINUTE)


def bucket_key(endpoint: str, access_token: str) -> str:
    # The token itself never goes into Redis: only a hash of it.
    digest = hashlib.sha256(access_token.encode()).hexdigest()[:24]
    return f"{settings.REDIS_KEY_PREFIX}:{KEY_PREFIX}:{endpoint}:{digest}"


_redis_client = locks.redis_client


def take(endpoint: str, access_token: str) -> float:
    """Take one token from the bucket. Returns 0.0 when taken, else the seconds until one is free
    (and takes nothing)."""
    key, rule = bucket_key(endpoint, access_token), allowance()
    try:
        client = _redis_client()
        if client is not None:
            return float(client.eval(_TAKE_SCRIPT, 1, key, rule.refill_per_second, rule.capacity))
        return _take_in_cache(key, rule)
    except (RedisError, locks.LockBusy) as error:
        # Without the shared bucket we can't know our share: don't ask TikTok; the task retries later.
        raise TikTokError("rate_limiter_unavailable", str(error), 0) from error


def _take_in_cache(key: str, rule: Allowance) -> float:
    # Django's file cache has no atomic update: the embedded default serialises the arithmetic with a
    # lock that holds across the web, worker and beat processes of one machine.
    with locks.exclusive("tiktok-rate", hold_seconds=5, wait_seconds=5):
        now = time.time()
        tokens, at = cache.get(key, (rule.capacity, now))
        tokens = min(rule.capacity, tokens + max(0.0, now - at) * rule.refill_per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rule.refill_per_second
        cache.set(key, (tokens, now), timeout=120)
        return wait


class Limiter:
    """Called by the TikTok client before every request; sleeps briefly or gives up with a retryable 429."""

    def __init__(self, access_token: str, *, sleep=time.sleep):
        self.access_token, self.sleep = access_token, sleep
        self.waited = 0.0

    def __call__(self, endpoint: str) -> None:
        while (wait := take(endpoint, self.access_token)) > 0:
            # Pacing at the refill rate (a ninth of a second at 600/min) is normal, however long the run;
            # a single long wait means other workers hold the bucket: retry later rather than hold a worker.
            if wait > MAX_WAIT_SECONDS:
                raise TikTokError("rate_limited", "Our share of TikTok's rate limit is used up.", 429, wait)
            self.sleep(wait)
            self.waited += wait
