"""The database drops its connections (a failover, a restart, pg_terminate_backend): the web server's next request
and the worker's task carry on with new ones, and a pull cut mid-way is done once."""

import httpx
from django.db import connection
from django.test import Client

from stats.models import PullRun, PullStatus, VideoSnapshot
from tests.world import log_in_verified

from .conftest import FAULTS, wait_for

pytestmark = FAULTS


def cut_other_connections() -> int:
    """pg_terminate_backend for every other session on the test database: what a failover does to the app."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_web_server_reconnects_after_its_connection_is_cut(redis_server, stack_for, world):
    client = Client()
    log_in_verified(client, world.people["adviser"])
    stack = stack_for(redis_server)
    _web, base = stack.web()
    cookies = {"sessionid": client.cookies["sessionid"].value}
    with httpx.Client(base_url=base, cookies=cookies, timeout=30) as browser:
        assert browser.get("/briefs/").status_code == 200  # the worker now holds a connection (CONN_MAX_AGE)
        assert cut_other_connections() >= 1
        assert browser.get("/briefs/").status_code == 200  # checked before use, reopened: no 500
        assert browser.get("/health/").json()["database"] == "ok"


def test_a_pull_whose_connection_is_cut_mid_way_is_retried_and_done_once(
    redis_server, stack_for, live_channel, simulator
):
    world, _connection = live_channel
    simulator.delay = 0.7  # the pull talks to TikTok for a while: its database connection is cut meanwhile
    stack = stack_for(redis_server)
    stack.worker()
    stack.run(f"from stats.tasks import pull_channel_stats; pull_channel_stats.delay({world.channel.pk})")
    wait_for(lambda: PullRun.objects.filter(status=PullStatus.RUNNING).exists(), what="the pull to start")
    assert cut_other_connections() >= 1
    simulator.delay = 0
    wait_for(lambda: PullRun.objects.filter(status=PullStatus.SUCCEEDED).exists(), timeout=90, what="the retried pull")
    snapshots = VideoSnapshot.objects.filter(posting__brief__channel=world.channel)
    assert snapshots.count() == snapshots.values("posting").distinct().count() == 40
