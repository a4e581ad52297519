"""A short exclusive lock shared by every worker, without holding a database transaction open.

With Redis (production, CI) it is a key set with SET NX and an expiry, so a crashed holder frees it by
itself; it holds a random token, so only its holder deletes it. Without Redis (the embedded default,
one machine) Django's file cache has no atomic "add", so it is an OS file lock, which the kernel frees
when its holder dies.
"""

from __future__ import annotations

import fcntl
import secrets
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

_RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class LockBusy(Exception):
    pass


def redis_client():
    """The Redis client behind Django's cache, or None when the cache isn't Redis (the embedded default)."""
    backend = caches["default"]
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


@contextmanager
def exclusive(name: str, *, hold_seconds: float = 30, wait_seconds: float = 10):
    deadline = time.monotonic() + wait_seconds
    client = redis_client()
    if client is not None:
        key, token = f"{settings.REDIS_KEY_PREFIX}:lock:{name}", secrets.token_hex(16)
        try:
            while not client.set(key, token, nx=True, px=int(hold_seconds * 1000)):
                if time.monotonic() > deadline:
                    raise LockBusy(name)
                time.sleep(0.05)
        except RedisError as error:
            raise LockBusy(f"{name}: {error}") from error  # callers retry later, as for a busy lock
        try:
            yield
        finally:
            # Only our own lock: one that expired while we held it may be someone else's by now. A failed
            # release must not hide what happened inside; the lock then expires by itself.
            with suppress(RedisError):
                client.eval(_RELEASE_SCRIPT, 1, key, token)
        return
    path = Path(settings.DATA_DIR) / "locks" / f"{settings.REDIS_KEY_PREFIX}-{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockBusy(name) from None
                time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
