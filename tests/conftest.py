"""Fixtures for the whole suite: the world of personas (tests/world.py), the clock option, the TikTok
simulator and the staged briefs."""

import itertools
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db.backends.signals import connection_created

from stats.client import OAuthClient
from stats.models import ChannelConnection
from stats.simulator import Simulator, serve

from .world import SIMULATED_OPEN_ID, STAGED_AT, World, build_world, log_in_verified


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO_DATETIME",
        help="Run the suite with the clock moved to this moment (it keeps ticking from there), to prove that no "
        "test depends on the real date. make test runs the non-browser tests again on other dates this way.",
    )


def pytest_configure(config):
    moment = config.getoption("--clock")
    if moment:
        # time-machine moves Python's clock in this process only (subprocesses and the database server keep the
        # real one, which the code never compares with its own); monotonic clocks and sleeps are left alone.
        traveller = time_machine.travel(datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    moment = config.getoption("--clock")
    return f"clock moved to {moment}" if moment else None


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues(tmp_path_factory):
    """Compile the Dutch and Swedish catalogues first, so a test run alone on a fresh clone reads them too (under a
    lock: parallel workers must not write the same file at once)."""
    import fcntl

    from django.core.management import call_command

    locale = Path(__file__).resolve().parent.parent / "locale"
    with open(tmp_path_factory.getbasetemp().parent / "catalogues.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stale = [
            po
            for po in locale.glob("*/LC_MESSAGES/django.po")
            if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]
        if stale:
            call_command("catalogues", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _keys_of_this_worker():
    """Under pytest-xdist each worker has its own test database, so the same ids appear in two workers at once:
    their cache entries, locks and rate-limit buckets (shared Redis or file cache) get a prefix of their own."""
    import os

    from django.conf import settings
    from django.test import override_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"test-{worker}"
    caches = {name: {**config, "KEY_PREFIX": prefix} for name, config in settings.CACHES.items()}
    with override_settings(REDIS_KEY_PREFIX=prefix, CACHES=caches):
        yield


_cache_generation = itertools.count()
_RUN = uuid.uuid4().hex[:8]  # this run's: a file or Redis cache outlives the run


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test its own cache keys: rate-limit counters, lock-outs and cached figures of one test never reach the
    next (a prefix of its own, because clearing a shared Redis would pull them from under the other worker)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{_RUN}-{next(_cache_generation)}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(scope="session", autouse=True)
def _celery_in_memory():
    """Tasks queued by the code under test go to an in-memory broker; tests run tasks by calling them."""
    from tiktokplanner.celery import app

    app.conf.update(broker_url="memory://", broker_transport_options={})


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Each test starts in English: a request handled earlier in this thread may have switched."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _name_detector_only_where_asked(request, settings):
    """The disclosure's name detector takes a gigabyte and seconds to load: tests of it say so (marker
    ``name_detector``); the others make packages without it, as a server with DISCLOSURE_NAME_DETECTOR="" does."""
    if request.node.get_closest_marker("name_detector") is None:
        settings.DISCLOSURE_NAME_DETECTOR = ""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    """The clock at STAGED_AT for this test (it ticks on from there)."""
    with time_machine.travel(STAGED_AT, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user, second step given (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            log_in_verified(client, user)
        return client

    return login


@pytest.fixture(scope="module")
def staged_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """A world with briefs in every stage, built once per module at STAGED_AT, where the clock stands for
    the module's tests: tests still roll back their own changes (the ``db`` fixture), so each starts from
    this state. Emptied again after the module."""
    from django.core.management import call_command
    from django.test import override_settings

    from .workflow import Stages

    overrides = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    overrides.enable()
    clock = time_machine.travel(STAGED_AT, tick=True)
    clock.start()
    with django_db_blocker.unblock():
        world = build_world()
        world.stages = Stages(world, now=STAGED_AT)
    yield world
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    clock.stop()
    overrides.disable()


# --- TikTok: the local simulator over real HTTP on loopback (only TikTok is faked) -------------------


@pytest.fixture
def simulator(settings):
    sim = Simulator()
    server, url = serve(sim)
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_CLIENT_KEY = sim.client_key
    settings.TIKTOK_CLIENT_SECRET = sim.client_secret
    sim.add_account(SIMULATED_OPEN_ID, "Ministerie van VWS", follower_count=14_500, username="ministry_channel")
    yield sim
    server.shutdown()
    server.server_close()


@pytest.fixture
def connected(world, simulator, settings, tmp_path, frozen):
    """A posted video on the channel, known to TikTok, and the channel connected by team social (at
    STAGED_AT: the clock stands there in the test)."""
    settings.MEDIA_ROOT = tmp_path
    from .workflow import Stages

    stages = Stages(world, now=STAGED_AT)
    simulator.add_video(SIMULATED_OPEN_ID, stages.posting.tiktok_video_id, views=105_000, likes=2_500, comments=16)
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(SIMULATED_OPEN_ID), "http://testserver/callback"
    )
    connection = ChannelConnection(channel=world.channel, open_id=tokens.open_id, scopes=tokens.scope)
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.access_expires_at = STAGED_AT + timedelta(seconds=tokens.expires_in)
    connection.save()
    return world, stages, connection


def _allow_test_flush(sender, connection, **kwargs):
    """Django's test runner empties the database between tests with TRUNCATE, which the audit trail's triggers
    refuse unless a session says by name that it flushes a test database (audit/migrations/0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET tiktokplanner.test_flush = 'on'")


connection_created.connect(_allow_test_flush, dispatch_uid="tests-allow-flush")
