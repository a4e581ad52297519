"""The review page of one version, built for a phone: the version first, then the decision (all constraints met in
one tick, the verdict as one button), errors where the form is, the previous version's feedback with its moment in
the video, and what changed in the text since."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from approvals import inbox
from approvals.models import Decision, Verdict
from content.models import ScriptVersion
from tests.workflow import approve_all, brief_with_agency, decide, deliver_script, deliver_video_file, open_run

pytestmark = pytest.mark.django_db


def _fields(run, **values):
    prefix = f"run{run.pk}-"
    data = {"from_review": "1", prefix + "version": run.version.number, prefix + "step": run.current_position}
    return data | {prefix + key: value for key, value in values.items()}


@pytest.fixture
def video_run(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return open_run(deliver_video_file(world, brief))


def test_the_inbox_opens_the_review_page_and_two_taps_approve(world, video_run, client_for):
    adviser = world.people["adviser"]
    membership = Membership.objects.get(user=adviser, organisation=world.ministry)
    (item,) = inbox.waiting_for(adviser, membership, now=timezone.now())
    assert item.url == reverse("review", args=[video_run.pk])
    client = client_for(adviser)
    page = client.get(item.url).content.decode()
    # The video comes before the decision, the decision before the rest.
    assert page.index('<video id="player"') < page.index('id="decision"') < page.index('id="brief-heading"')
    assert "All 5 constraints are met" in page and "step 1 of 2" in page  # 3 of the brief, 2 seen in the video
    done = client.post(
        reverse("decide", args=[video_run.pk]), _fields(video_run, all_constraints="on", verdict="approve")
    )
    assert done.status_code == 302 and done["Location"] == reverse("inbox") + "#mine-heading"
    decision = Decision.objects.get(run=video_run)
    assert decision.verdict == Verdict.APPROVE and len(decision.checked_constraints) == 5


def test_an_error_shows_at_the_form_and_keeps_what_was_typed(world, video_run, client_for):
    response = client_for(world.people["adviser"]).post(
        reverse("decide", args=[video_run.pk]), _fields(video_run, verdict="approve", comment="Strong opening")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'action="/reviews/{video_run.pk}/decide/#decision"' in html  # the page opens at the form
    refusal = "To approve, every constraint must be met: tick this box, or each constraint one by one."
    assert refusal in html
    assert "Strong opening" in html
    assert html.index('id="decision"') < html.index(refusal)
    (tick,) = re.findall(rf'<input[^>]*name="run{video_run.pk}-all_constraints"[^>]*>', html)
    assert 'aria-invalid="true"' in tick  # the tick itself is marked


def test_feedback_at_a_moment_of_the_video_links_to_it_on_the_next_version(world, video_run, client_for):
    client = client_for(world.people["adviser"])
    client.post(
        reverse("decide", args=[video_run.pk]),
        _fields(video_run, verdict="request_changes", comment="A beer bottle is visible.", at="0:03"),
    )
    assert Decision.objects.get(run=video_run).at_seconds == 3
    second = open_run(deliver_video_file(world, video_run.brief))
    page = client.get(reverse("review", args=[second.pk])).content.decode()
    assert "Feedback on version 1" in page
    assert 'data-seek="3"' in page and ">0:03</a> A beer bottle is visible." in page


def test_a_moment_past_the_end_of_the_video_is_refused(world, video_run, client_for):
    response = client_for(world.people["adviser"]).post(
        reverse("decide", args=[video_run.pk]),
        _fields(video_run, verdict="request_changes", comment="Too long.", at="1:20"),
    )
    assert response.status_code == 400
    assert "The video lasts 5 seconds: give a moment within it." in response.content.decode()
    assert not Decision.objects.filter(run=video_run).exists()


def test_a_new_script_version_starts_from_the_last_and_shows_what_changed(world, client_for):
    brief = brief_with_agency(world)
    first = deliver_script(world, brief, text="Scene 1: the creator dances at a distance.")
    decide(world.people["adviser"], first, Verdict.REQUEST_CHANGES, comment="Sing instead.")
    form = client_for(world.people["agency_member"]).get(reverse("script_create", args=[brief.pk]))
    assert form.context["form"].initial["text"] == "Scene 1: the creator dances at a distance."
    assert form.context["form"].initial["creators"] == [c.pk for c in first.creators.all()]
    second = deliver_script(world, brief, text="Scene 1: the creator sings at a distance.")
    page = client_for(world.people["adviser"]).get(reverse("review", args=[open_run(second).pk])).content.decode()
    assert "What changed since version 1" in page
    assert "dances" in page.split("<del>")[1] and "sings" in page.split("<ins>")[1]
    assert "Sing instead." in page


def test_the_agency_reads_the_review_by_role_not_by_name(world, video_run, client_for):
    decide(world.people["adviser"], video_run.video_version, Verdict.REQUEST_CHANGES, comment="Shorter, please.")
    page = client_for(world.people["agency_member"]).get(reverse("review", args=[video_run.pk])).content.decode()
    assert "Shorter, please." in page
    assert world.people["adviser"].get_full_name() not in page
    assert 'id="decision"' not in page  # the agency doesn't decide


def test_the_default_steps_read_in_the_readers_language(world, settings, tmp_path, client_for):
    from core.models import OutgoingMail

    settings.MEDIA_ROOT = tmp_path
    adviser = world.people["adviser"]
    adviser.language = "sv"
    adviser.save()
    brief = brief_with_agency(world)
    run = open_run(deliver_script(world, brief))
    mail = OutgoingMail.objects.get(kind="approval.waiting", recipient=adviser)
    assert "Ämnets kommunikatör" in mail.body and "Communication adviser of the topic" not in mail.body
    page = client_for(adviser).get(reverse("review", args=[run.pk])).content.decode()
    assert "steg 1 av 2: Ämnets kommunikatör" in page


def test_a_preview_link_has_its_moments_bounded_by_the_channel_and_not_linked_to_a_file(world, client_for):
    from approvals import services as approvals
    from tests.factories import CreatorFactory

    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    version = approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        creators=[CreatorFactory(agency=world.agency)],
        has_subtitles=True,
        preview_url="https://preview.example.org/v1",
    )
    run = open_run(version)
    client = client_for(world.people["adviser"])
    longest = brief.channel.max_video_seconds
    too_late = client.post(
        reverse("decide", args=[run.pk]),
        _fields(run, verdict="request_changes", comment="Hook too slow.", at=f"{longest // 60}:{longest % 60 + 1:02d}"),
    )
    assert f"The video lasts {longest} seconds" in too_late.content.decode()
    client.post(
        reverse("decide", args=[run.pk]), _fields(run, verdict="request_changes", comment="Hook too slow.", at="0:09")
    )
    page = client.get(reverse("review", args=[open_run(deliver_video_file(world, brief)).pk])).content.decode()
    assert "<strong>0:09</strong> Hook too slow." in page  # the first version has no file to open at 0:09
    assert "/videos/1/file/" not in page


def test_the_comparison_shows_a_new_target_duration_and_lists_decisions_as_outcomes(world, client_for):
    brief = brief_with_agency(world)
    first = deliver_script(world, brief, text="Same words.")
    decide(world.people["adviser"], first, Verdict.REQUEST_CHANGES, comment="Shorter.")
    second = deliver_script(world, brief, text="Same words.")
    ScriptVersion.objects.filter(pk=second.pk).update(duration_target=20)
    page = client_for(world.people["adviser"]).get(reverse("review", args=[open_run(second).pk])).content.decode()
    assert "Target duration" in page
    assert ">30 <" in page.split("<del>")[1].split("</del>")[0] and ">20 <" in page.split("<ins>")[1]
    # What came of a decision, not the button that made it.
    assert "<strong>Changes requested</strong>" in page and "<strong>Request changes</strong>" not in page


def test_opening_the_decision_address_leads_to_the_review_page(world, video_run, client_for):
    response = client_for(world.people["adviser"]).get(reverse("decide", args=[video_run.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("review", args=[video_run.pk])
