"""E-mails: queued after commit, sent by a task; each in the recipient's language."""

from datetime import timedelta

import pytest

from approvals.models import Verdict
from approvals.tasks import remind_waiting_approvers, send_run_notification
from tests.workflow import brief_with_agency, decide, deliver_script, open_run

pytestmark = pytest.mark.django_db


def test_nothing_is_queued_before_the_transaction_commits(world, django_capture_on_commit_callbacks):
    brief = brief_with_agency(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver_script(world, brief)
    assert len(callbacks) == 1  # "approvers waiting", queued only once the delivery is committed


def test_approvers_of_the_current_step_are_mailed(world, mailoutbox):
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    assert send_run_notification(run.pk, "waiting", 1) == 1
    assert mailoutbox[0].to == [world.people["adviser"].email]
    assert f"/briefs/{run.brief_id}/" in mailoutbox[0].body


def test_a_stale_waiting_notice_is_not_sent(world, mailoutbox):
    version = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], version)
    assert send_run_notification(open_run(version).pk, "waiting", 1) == 0
    assert mailoutbox == []


def test_the_agency_hears_the_outcome_with_the_feedback_in_its_language(world, mailoutbox):
    world.people["agency_member"].language = "nl"
    world.people["agency_member"].save()
    version = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], version, Verdict.REQUEST_CHANGES, comment="Noem de prikpost.")
    assert send_run_notification(open_run(version).pk, "finished", None) >= 1
    mail = next(m for m in mailoutbox if m.to == [world.people["agency_member"].email])
    assert "Noem de prikpost." in mail.body
    assert "Wijzigingen gevraagd" in mail.subject


def test_the_daily_reminder_mails_approvers_waiting_too_long(world, mailoutbox, frozen):
    deliver_script(world, brief_with_agency(world))
    assert remind_waiting_approvers() == 0
    limit = timedelta(days=world.ministry.approval_reminder_days)
    frozen.shift(limit - timedelta(minutes=1))
    assert remind_waiting_approvers() == 0  # not yet: the limit is whole days
    frozen.shift(timedelta(minutes=2))
    assert remind_waiting_approvers() == 1
    assert mailoutbox[0].to == [world.people["adviser"].email]
