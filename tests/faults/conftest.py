"""The fault suite's machinery: each test starts its own Redis on a spare port, its own Celery worker (and beat,
and gunicorn where it needs them) against the test database, and kills them the way production loses them.

Real services only: PostgreSQL (the test database, committed data: ``transaction=True``) and a real
redis-server binary. Mail goes to files (Django's file backend), TikTok is the simulator on loopback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from email import message_from_string
from pathlib import Path

import psutil
import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ON_REAL_SERVICES = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
    subprocess.run(["which", "redis-server"], capture_output=True, check=False).stdout
)


# Every test module here starts with: pytestmark = FAULTS
FAULTS = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ON_REAL_SERVICES, reason="the fault suite runs on PostgreSQL and redis-server (CI)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout: float = 60, every: float = 0.2, what: str = "the condition"):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    pytest.fail(f"gave up waiting for {what} after {timeout} s")


class RedisServer:
    """A redis-server of the test's own. ``persistent``: an append-only file synced at every write, as the
    README's production section asks."""

    def __init__(self, folder: Path, *, persistent: bool = False):
        self.port, self.folder, self.persistent = free_port(), folder, persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.folder),
             *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, timeout=20, what="redis-server to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as raw:
                raw.sendall(b"PING\r\n")
                return raw.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, check=True, timeout=10
        )
        return result.stdout.strip()

    def stop(self, *, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=20)
        self.process = None


class Service:
    """A process of ours (worker, beat, gunicorn), its output in a log file the test can read."""

    def __init__(self, name: str, args: list[str], env: dict, folder: Path):
        self.name, self.args, self.env = name, args, env
        self.log = folder / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready: str | None = None, timeout: float = 60) -> Service:
        self.process = subprocess.Popen(
            self.args, cwd=BASE_DIR, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killing it takes its children too
        )  # fmt: skip
        if ready:
            wait_for(lambda: ready in self.output() or self.process.poll() is not None, timeout=timeout,
                     what=f"{self.name} to say {ready!r}")  # fmt: skip
            assert self.process.poll() is None, f"{self.name} stopped:\n{self.output()}"
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def kill(self) -> None:
        """SIGKILL the whole process group: what an out-of-memory kill or a pulled plug does."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class Stack:
    """The app's processes for one test, sharing one environment: the test database, this test's Redis, mail
    into files, TikTok at the simulator."""

    def __init__(self, redis: RedisServer, folder: Path, env: dict):
        self.redis, self.folder, self.env = redis, folder, env
        self.services: list[Service] = []
        self.mail_folder = Path(env["EMAIL_URL"].removeprefix("filemail:///"))

    def service(self, name: str, args: list[str], **extra_env) -> Service:
        service = Service(name, args, {**self.env, **extra_env}, self.folder)
        self.services.append(service)
        return service

    def worker(self, concurrency: int = 1) -> Service:
        name = f"worker-{uuid.uuid4().hex[:6]}@%h"
        return self.service(
            "worker",
            [str(BIN / "celery"), "-A", "tiktokplanner", "worker", "--loglevel", "INFO", "--pool", "prefork",
             "--concurrency", str(concurrency), "-n", name, "--without-gossip", "--without-mingle"],
        ).start(ready="ready.")  # fmt: skip

    def beat(self) -> Service:
        return self.service(
            "beat",
            [str(BIN / "celery"), "-A", "tiktokplanner", "beat", "--loglevel", "INFO",
             "--schedule", str(self.folder / f"beat-{uuid.uuid4().hex[:6]}")],
        ).start(ready="beat: Starting")  # fmt: skip

    def web(self) -> tuple[Service, str]:
        port = free_port()
        service = self.service(
            "web",
            [str(BIN / "gunicorn"), "tiktokplanner.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "60"],
        ).start(ready="Booting worker")  # fmt: skip
        return service, f"http://127.0.0.1:{port}"

    def run(self, code: str) -> str:
        """Run Python in the app's environment (e.g. queue a task as the app would), and return its output."""
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{code}"], cwd=BASE_DIR, env=self.env,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    def mails(self) -> list:
        """Every mail written by the file backend so far, parsed."""
        found = []
        for path in sorted(self.mail_folder.glob("*.log")):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    found.append(message_from_string(chunk.strip()))
        return found

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()


def database_url() -> str:
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{server}/{connection.settings_dict['NAME']}"


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop(kill=True)


@pytest.fixture
def stack_for(tmp_path, settings):
    """stack_for(redis) → the app's environment against that Redis; every process started is stopped after."""
    stacks = []

    def make(redis: RedisServer, **extra) -> Stack:
        mail_folder = tmp_path / "mail"
        mail_folder.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env |= {
            "DJANGO_SETTINGS_MODULE": "tiktokplanner.settings",
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": redis.url,
            "REDIS_KEY_PREFIX": f"faults-{uuid.uuid4().hex[:6]}",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATA_DIR": str(tmp_path / "data"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_URL": f"filemail:///{mail_folder}",  # environ drops the first slash of the path
            "TIKTOK_API_BASE_URL": settings.TIKTOK_API_BASE_URL,
            "TIKTOK_CLIENT_KEY": settings.TIKTOK_CLIENT_KEY,
            "TIKTOK_CLIENT_SECRET": settings.TIKTOK_CLIENT_SECRET,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            **extra,
        }
        if os.environ.get("TOKEN_ENCRYPTION_KEY"):
            env["TOKEN_ENCRYPTION_KEY"] = os.environ["TOKEN_ENCRYPTION_KEY"]
        stack = Stack(redis, tmp_path, env)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()


@pytest.fixture
def live_channel(world, simulator, settings, tmp_path):
    """The ministry's channel connected to the simulator, with ``videos`` posted videos (40), all made at the real
    clock: the workers of the fault suite run in other processes, on the real clock."""
    from datetime import timedelta

    from django.utils import timezone

    from stats.client import OAuthClient
    from stats.models import ChannelConnection
    from tests.stats.test_pulls import add_posted_videos
    from tests.workflow import Stages
    from tests.world import SIMULATED_OPEN_ID

    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    stages = Stages(world, now=now)
    simulator.add_video(SIMULATED_OPEN_ID, stages.posting.tiktok_video_id)
    add_posted_videos(world, stages, simulator, 39, first_id=7_300_000_000_000_000_000)
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(SIMULATED_OPEN_ID), "http://testserver/callback"
    )
    connection = ChannelConnection(channel=world.channel, open_id=tokens.open_id, scopes=tokens.scope)
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    connection.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    connection.save()
    return world, connection
