"""The load phase of ``make bench``: gunicorn as the README runs it, many logged-in users mixing the main pages,
against the same server answering a bare view (``/health/live/``) in the same run."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @classmethod
    def combined(cls, results: list[LoadResult]) -> LoadResult:
        """Several runs as one: their requests, errors, seconds and latencies added up."""
        return cls(
            sum(r.requests for r in results),
            sum(r.errors for r in results),
            sum(r.seconds for r in results),
            [latency for r in results for latency in r.latencies],
        )

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict, workers: int = 3, threads: int = 1):
        self.port = free_port()
        self.env, self.workers, self.threads = env, workers, threads
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        args = [gunicorn, "tiktokplanner.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--threads", str(self.threads), "--timeout", "60", "--log-level", "warning"]  # fmt: skip
        self.process = subprocess.Popen(args, cwd=BASE_DIR, env=self.env, start_new_session=True)  # noqa: S603
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health/live/", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


async def _user(client, urls: list[str], until: float, result: LoadResult, offset: int) -> None:
    n = offset
    while time.monotonic() < until:
        url = urls[n % len(urls)]
        n += 1
        started = time.monotonic()
        try:
            response = await client.get(url)
            ok = response.status_code == 200
        except Exception:  # a timeout or a refused connection counts as an error, and the user goes on
            ok = False
        result.latencies.append(time.monotonic() - started)
        result.requests += 1
        result.errors += not ok


async def _run(base: str, sessions: list[tuple[str, list[str]]], users: int, seconds: float) -> LoadResult:
    import httpx
    from django.conf import settings

    cookie_name = settings.SESSION_COOKIE_NAME

    result = LoadResult(0, 0, seconds, [])
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    clients = []
    for n in range(users):
        cookie, urls = sessions[n % len(sessions)]
        clients.append(
            (httpx.AsyncClient(base_url=base, cookies={cookie_name: cookie}, timeout=30, limits=limits), urls)
        )
    until = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(_user(client, urls, until, result, n) for n, (client, urls) in enumerate(clients)))
    result.seconds = time.monotonic() - started
    for client, _urls in clients:
        await client.aclose()
    return result


def run_load(base: str, sessions: list[tuple[str, list[str]]], *, users: int, seconds: float) -> LoadResult:
    """``users`` concurrent users for ``seconds``, each cycling through its own list of URLs with its cookie."""
    # httpx logs every request at INFO: thousands of log lines a minute, formatted by the client on the same cores
    # as the server it measures.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(_run(base, sessions, users, seconds))
