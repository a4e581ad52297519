"""Redis (the queue) goes away: a decision still commits and answers, its mails arrive once Redis is back; queued
work survives a Redis restart with the append-only file the README asks for."""

import re

import httpx
from django.test import Client

from approvals.models import ApprovalRun, RunStatus
from core.models import MailStatus, OutgoingMail
from stats.models import PullRun, PullStatus
from tests.workflow import brief_with_agency, deliver_script, open_run
from tests.world import build_world, log_in_verified

from .conftest import FAULTS, RedisServer, wait_for

pytestmark = FAULTS


def session_cookie(user) -> dict:
    client = Client()
    log_in_verified(client, user)
    return {"sessionid": client.cookies["sessionid"].value}


def test_a_decision_while_redis_is_down_commits_answers_and_is_mailed_once_redis_is_back(redis_server, stack_for):
    world = build_world()
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    stack = stack_for(redis_server)
    _web, base = stack.web()
    with httpx.Client(base_url=base, cookies=session_cookie(world.people["adviser"]), timeout=30) as browser:
        page = browser.get(f"/briefs/{run.brief_id}/")
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        redis_server.stop()  # the queue goes away between showing the page and deciding
        decided = browser.post(
            f"/reviews/{run.pk}/decide/",
            data={"csrfmiddlewaretoken": token, f"run{run.pk}-version": version.number,
                  f"run{run.pk}-step": run.current_position, f"run{run.pk}-verdict": "request_changes",
                  f"run{run.pk}-comment": "Korter, graag."},
            headers={"Referer": f"{base}/briefs/{run.brief_id}/"},
        )  # fmt: skip
        assert decided.status_code == 302, decided.text[:2000]  # not a 500 for a committed decision
        assert browser.get("/health/").json()["status"] == "degraded"  # and the node stays in the load balancer
    assert ApprovalRun.objects.get(pk=run.pk).status == RunStatus.CHANGES_REQUESTED
    agency_mail = OutgoingMail.objects.get(kind="approval.finished", recipient=world.people["agency_member"])
    assert agency_mail.status == MailStatus.PENDING  # on record, waiting for the queue

    redis_server.start()
    stack.worker()
    stack.run("from core.tasks import sweep_outbox; sweep_outbox.delay()")  # what beat sends every minute
    wait_for(lambda: OutgoingMail.objects.filter(status=MailStatus.PENDING).count() == 0, what="the outbox to empty")
    stack.run("from core.tasks import sweep_outbox; sweep_outbox.delay()")  # a second sweep sends nothing again
    to_agency = [m for m in stack.mails() if m["To"] == world.people["agency_member"].email]
    # The agency also hears of the briefs sent to it while the world was made; the outcome comes exactly once.
    outcome = [m for m in to_agency if "Korter, graag." in m.get_payload(decode=True).decode()]
    assert len(outcome) == 1
    assert OutgoingMail.objects.get(pk=agency_mail.pk).status == MailStatus.SENT


def test_work_queued_before_a_redis_restart_is_done_once_with_the_append_only_file(tmp_path, stack_for, connected):
    world, _stages, _connection = connected
    redis = RedisServer(tmp_path / "persistent-redis", persistent=True)
    redis.start()
    try:
        stack = stack_for(redis)
        mail = OutgoingMail.objects.create(
            key="fault-test", kind="approval.finished", to="agency@example.org", subject="Outcome", body="Done."
        )
        stack.run(
            f"from stats.tasks import pull_channel_stats, pull_channel_followers; from core.tasks import deliver_mail\n"
            f"pull_channel_stats.delay({world.channel.pk}); pull_channel_followers.delay({world.channel.pk}); "
            f"deliver_mail.delay({mail.pk})"
        )
        redis.stop(kill=True)  # a crash, not a clean shutdown
        redis.start()
        stack.worker()
        wait_for(
            lambda: (
                PullRun.objects.filter(status=PullStatus.SUCCEEDED).count() == 2
                and OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.SENT
            ),
            what="both pulls and the mail",
        )
        assert PullRun.objects.count() == 2
        assert [m["To"] for m in stack.mails()].count("agency@example.org") == 1
    finally:
        redis.stop(kill=True)


def test_pull_now_while_redis_is_down_says_so_instead_of_failing(redis_server, stack_for, live_channel):
    world, _connection = live_channel
    stack = stack_for(redis_server)
    _web, base = stack.web()
    with httpx.Client(base_url=base, cookies=session_cookie(world.people["team_social"]), timeout=30) as browser:
        page = browser.get(f"/results/channels/{world.channel.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        redis_server.stop()
        pulled = browser.post(
            f"/results/channels/{world.channel.pk}/pull/",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/results/channels/{world.channel.pk}/"},
            follow_redirects=True,
        )
    assert pulled.status_code == 200, pulled.text[:1000]
    assert "job queue can&#x27;t be reached" in pulled.text or "job queue can't be reached" in pulled.text
