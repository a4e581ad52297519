"""The live post against its approval, asked of the TikTok simulator over real HTTP: each kind of difference becomes
a follow-up for team social, in the inbox and on record; videos nobody recorded are flagged."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Membership
from approvals import inbox
from audit.models import AuditEvent
from content.models import FollowUp, FollowUpKind, PublicationRules
from stats import post_checks, services
from stats.client import TikTokError
from stats.models import PostCheck
from tests.world import SIMULATED_OPEN_ID, STAGED_AT

pytestmark = pytest.mark.django_db

DISCLOSURE = "Reclame | in opdracht van"


@pytest.fixture
def live(connected, simulator):
    """The staged posted video as TikTok shows it: exactly what was approved, posted ten minutes after the
    approval."""
    world, stages, _connection = connected
    posting = stages.posting
    simulator.edit_video(
        posting.tiktok_video_id,
        description=posting.video_version.full_caption,
        duration=5,
        create_time=int((STAGED_AT + timedelta(minutes=10)).timestamp()),
    )
    return world, stages, simulator


def _check(stages):
    return post_checks.check_posting(stages.posting, now=STAGED_AT + timedelta(hours=1), trigger="recorded")


def test_a_post_as_approved_matches_and_raises_nothing(live):
    _, stages, _ = live
    check = _check(stages)
    assert (check.outcome, check.differences, check.live_duration) == ("matches", [], 5)
    assert check.live_caption.startswith(DISCLOSURE)
    assert not FollowUp.objects.exists()
    event = AuditEvent.objects.filter(action="post.checked").latest("pk")
    assert event.details["outcome"] == "matches"


@pytest.mark.parametrize(
    ("edit", "codes"),
    [
        ({"description": "{disclosure} Boosters? Book one now."}, ["caption"]),
        ({"description": "Boosters protect you. Book yours via Rijksoverheid.nl. #booster #gezond"}, None),
        ({"duration": 9}, ["duration"]),
        ({"create_time": int((STAGED_AT - timedelta(hours=2)).timestamp())}, ["too_early"]),
    ],
    ids=["caption", "missing-disclosure", "duration", "too-early"],
)
def test_each_difference_becomes_a_follow_up_for_team_social(live, edit, codes):
    world, stages, simulator = live
    disclosure = PublicationRules.of(world.ministry).disclosure_text
    edit = {
        key: value.format(disclosure=disclosure) if isinstance(value, str) else value for key, value in edit.items()
    }
    simulator.edit_video(stages.posting.tiktok_video_id, **edit)
    check = _check(stages)
    found = [difference["code"] for difference in check.differences]
    # A caption without its disclosure differs twice: the disclosure (the serious part) first, then the text.
    assert found == (codes or ["disclosure", "caption"])
    assert check.outcome == "differs"
    follow_up = FollowUp.objects.get(kind=FollowUpKind.POST_DIFFERS, posting=stages.posting)
    assert [detail["code"] for detail in follow_up.details] == found
    assert follow_up.brief == stages.posted and follow_up.done_at is None
    assert AuditEvent.objects.filter(action="post.differs").count() == 1
    social = world.people["team_social"]
    membership = Membership.objects.get(user=social, organisation=world.ministry)
    items = [item for item in inbox.waiting_for(social, membership, now=STAGED_AT) if item.link]
    assert reverse("follow_up_detail", args=[follow_up.pk]) in [item.link for item in items]


def test_a_post_on_another_day_than_its_slot_differs_unless_the_tolerance_allows_it(live):
    world, stages, _ = live
    stages.posting.planned_for = STAGED_AT + timedelta(days=3)
    stages.posting.save(update_fields=["planned_for"])
    assert [d["code"] for d in _check(stages).differences] == ["off_day"]
    PublicationRules.objects.filter(organisation=world.ministry).update(post_day_tolerance=3)
    assert _check(stages).outcome == "matches"


def test_checking_again_updates_the_open_follow_up_rather_than_adding_one(live):
    _, stages, simulator = live
    simulator.edit_video(stages.posting.tiktok_video_id, duration=9)
    _check(stages)
    simulator.edit_video(stages.posting.tiktok_video_id, duration=12)
    _check(stages)
    follow_up = FollowUp.objects.get()
    assert follow_up.details[0]["found"] == "12"
    assert PostCheck.objects.count() == 2


def test_a_fault_at_tiktok_is_kept_as_a_failed_check_and_tried_again(live):
    _, stages, simulator = live
    simulator.fail_next(500, "internal_error")
    with pytest.raises(TikTokError):
        _check(stages)
    check = PostCheck.objects.get()
    assert check.outcome == "failed" and "internal_error" in check.error
    assert post_checks.due_for_another_check(now=STAGED_AT + timedelta(hours=2)) == [stages.posting]
    # Failing again updates the failed check (when it was last tried) instead of adding a row and an event an hour.
    simulator.fail_next(500, "internal_error")
    with pytest.raises(TikTokError):
        post_checks.check_posting(stages.posting, now=STAGED_AT + timedelta(hours=2), trigger="retry")
    assert PostCheck.objects.get().checked_at == STAGED_AT + timedelta(hours=2)
    assert AuditEvent.objects.filter(action="post.checked").count() == 1
    later = STAGED_AT + timedelta(hours=3)
    assert post_checks.check_posting(stages.posting, now=later, trigger="retry").outcome == "matches"
    assert post_checks.due_for_another_check(now=STAGED_AT + timedelta(hours=2)) == []


def test_posts_of_a_channel_not_connected_are_not_checked_again_each_hour(live):
    _, stages, simulator = live
    simulator.fail_next(500, "internal_error")
    with pytest.raises(TikTokError):
        _check(stages)
    stages.posting.brief.channel.tiktok_connection.delete()
    assert post_checks.due_for_another_check(now=STAGED_AT + timedelta(hours=2)) == []


def test_a_video_tiktok_does_not_show_fails_the_check(live):
    _, stages, simulator = live
    simulator.accounts[SIMULATED_OPEN_ID].videos[0].hidden = True
    check = _check(stages)
    assert check.outcome == "failed" and check.error.startswith("not_found")
    assert not FollowUp.objects.exists()


def test_a_video_on_the_channel_that_no_brief_records_is_flagged_as_posted_without_approval(live):
    world, stages, simulator = live
    connection = stages.posting.brief.channel.tiktok_connection
    connection.connected_at = STAGED_AT - timedelta(days=10)
    connection.save(update_fields=["connected_at"])
    posted = STAGED_AT - timedelta(days=2)
    simulator.add_video(SIMULATED_OPEN_ID, "7200000000000000001", create_time=int(posted.timestamp()))
    # One posted an hour ago may still be recorded by the agency: not flagged yet.
    recent = STAGED_AT - timedelta(hours=1)
    simulator.add_video(SIMULATED_OPEN_ID, "7200000000000000002", create_time=int(recent.timestamp()))
    services.pull_followers(world.channel, now=STAGED_AT)
    services.pull_followers(world.channel, now=STAGED_AT + timedelta(hours=1))  # again: still one follow-up
    follow_up = FollowUp.objects.get(kind=FollowUpKind.POSTED_WITHOUT_APPROVAL)
    assert follow_up.tiktok_video_id == "7200000000000000001" and follow_up.channel == world.channel
    assert AuditEvent.objects.filter(action="post.without_approval").count() == 1
    social = world.people["team_social"]
    membership = Membership.objects.get(user=social, organisation=world.ministry)
    (item,) = [item for item in inbox.waiting_for(social, membership, now=STAGED_AT) if "follow-ups" in item.link]
    assert (item.label, item.heading) == (
        "Posted without approval",
        f"Video 7200000000000000001 on @{world.channel.handle}",
    )


def test_team_social_closes_a_follow_up_with_what_was_done(live, client_for):
    world, stages, simulator = live
    simulator.edit_video(stages.posting.tiktok_video_id, duration=9)
    _check(stages)
    follow_up = FollowUp.objects.get()
    client = client_for(world.people["team_social"])
    page = client.get(reverse("follow_up_detail", args=[follow_up.pk])).content.decode()
    assert "The video on TikTok lasts 9 s; the approved file 5 s." in page
    refused = client.post(reverse("follow_up_detail", args=[follow_up.pk]), {"note": "  "})
    assert refused.status_code == 400
    done = client.post(reverse("follow_up_detail", args=[follow_up.pk]), {"note": "The agency uploaded the 5 s cut."})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_by == world.people["team_social"] and follow_up.note == "The agency uploaded the 5 s cut."
    assert AuditEvent.objects.filter(action="follow_up.done").exists()
    agency = client_for(world.people["agency_member"])
    assert agency.get(reverse("follow_up_detail", args=[follow_up.pk])).status_code == 403


def test_the_brief_page_shows_how_the_live_post_compares(live, client_for):
    world, stages, simulator = live
    simulator.edit_video(stages.posting.tiktok_video_id, description="Boosters protect you.")
    _check(stages)
    page = client_for(world.people["adviser"]).get(reverse("brief_detail", args=[stages.posted.pk])).content.decode()
    assert "Differs from its approval" in page
    assert "does not start with the disclosure" in page


def test_the_calendar_and_the_home_page_mark_a_post_that_differs(live, client_for):
    from scheduling.models import Slot

    world, stages, simulator = live
    assert Slot.objects.filter(brief=stages.posted).exists()  # the calendar follows the post
    simulator.edit_video(stages.posting.tiktok_video_id, duration=9)
    _check(stages)
    social = client_for(world.people["team_social"])
    week = social.get(reverse("calendar_agenda"), {"channel": world.channel.pk, "start": "2026-11-23"})
    assert "differs from its approval" in week.content.decode()
    home = social.get(reverse("home")).content.decode()
    assert "1 live post differs from its approval." in home


def test_recording_a_video_flagged_as_posted_without_approval_closes_its_follow_up(live):
    from content import services as content_services

    world, stages, _ = live
    flagged = FollowUp.objects.create(
        organisation=world.ministry, kind=FollowUpKind.POSTED_WITHOUT_APPROVAL, channel=world.channel,
        tiktok_video_id="7200000000000000009", due_at=STAGED_AT, created_at=STAGED_AT,
    )  # fmt: skip
    content_services.posting_record(
        actor=world.people["agency_member"],
        brief=stages.ready,
        tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/7200000000000000009",
        posted_at=STAGED_AT - timedelta(minutes=5),
        now=STAGED_AT,
    )
    flagged.refresh_from_db()
    assert flagged.done_by == world.people["agency_member"]
    assert flagged.note == f"Door het bureau vastgelegd als de plaatsing van {stages.ready.reference}."
