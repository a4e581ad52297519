"""Workers die mid-pull (a pool process killed by the out-of-memory killer, a whole worker gone with its
server): the pull is done anyway, once, and the record says what happened."""

from datetime import timedelta

from django.utils import timezone

from content.models import Posting
from stats import services
from stats.models import PullRun, PullStatus, VideoSnapshot

from .conftest import FAULTS, wait_for

pytestmark = FAULTS


def queue_pull(stack, channel) -> None:
    stack.run(f"from stats.tasks import pull_channel_stats; pull_channel_stats.delay({channel.pk})")


def running_run():
    return PullRun.objects.filter(status=PullStatus.RUNNING).first()


def assert_pulled_once(channel) -> None:
    postings = Posting.objects.filter(brief__channel=channel).count()
    snapshots = VideoSnapshot.objects.filter(posting__brief__channel=channel)
    assert snapshots.count() == postings == 40  # one per video: nothing lost, nothing doubled
    assert snapshots.values("posting").distinct().count() == postings


def test_a_killed_pool_process_gives_its_pull_back_and_the_reaper_closes_the_lost_run(
    redis_server, stack_for, live_channel, simulator
):
    world, _connection = live_channel
    simulator.delay = 0.7  # each of the two requests takes a while: time to kill the process under it
    stack = stack_for(redis_server)
    worker = stack.worker()
    queue_pull(stack, world.channel)
    lost = wait_for(running_run, what="the pull to start")
    (pool_process,) = worker.children()
    pool_process.kill()  # SIGKILL: the pool process dies, the worker lives on and starts a new one
    simulator.delay = 0
    wait_for(lambda: PullRun.objects.filter(status=PullStatus.SUCCEEDED).exists(), what="the pull to be redone")
    assert_pulled_once(world.channel)
    assert PullRun.objects.get(pk=lost.pk).status == PullStatus.RUNNING  # nobody could write its end
    reaped = services.reap_stuck_runs(now=timezone.now() + timedelta(hours=1))
    lost.refresh_from_db()
    assert lost.status == PullStatus.FAILED and lost.error_code == "worker_lost"
    assert reaped  # and, since a newer run succeeded, nothing is queued again
    assert PullRun.objects.filter(status=PullStatus.RUNNING).count() == 0


def test_a_worker_killed_whole_has_its_pull_done_by_another_after_the_visibility_timeout(
    redis_server, stack_for, live_channel, simulator
):
    world, _connection = live_channel
    simulator.delay = 0.7
    stack = stack_for(redis_server)  # CELERY_VISIBILITY_TIMEOUT=5 s here (15 minutes in production)
    first = stack.worker()
    queue_pull(stack, world.channel)
    wait_for(running_run, what="the pull to start")
    first.kill()  # the worker and its pool process, at once: the task was taken but never acknowledged
    simulator.delay = 0
    stack.worker()
    wait_for(
        lambda: PullRun.objects.filter(status=PullStatus.SUCCEEDED).exists(),
        timeout=90,
        what="another worker to redo the pull",
    )
    assert_pulled_once(world.channel)
