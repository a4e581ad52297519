"""Bad input gets a clear message and loses nothing; uploads are checked by content."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from content.models import Brief, VideoVersion
from tests.factories import CreatorFactory, TopicFactory
from tests.workflow import MEDIA_DIR, approve_all, brief_with_agency, deliver_script, open_run

pytestmark = pytest.mark.django_db


def test_a_brief_with_errors_keeps_everything_typed(world, client_for):
    topic = TopicFactory(organisation=world.ministry)
    client = client_for(world.people["adviser"])
    response = client.post(
        reverse("brief_create"),
        {
            "topic": topic.pk,
            "title": "Wash your hands",
            "key_message": "",  # missing
            "target_audience": "15-25",
            "constraints": "Subtitles on\nRefers to Rijksoverheid.nl",
            "channel": world.channel.pk,
            "agency": world.agency.pk,
            "posting_window_start": "2026-12-10",
            "posting_window_end": "2026-12-01",  # before the start
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Wash your hands"' in body
    assert "Subtitles on\nRefers to Rijksoverheid.nl" in body
    assert 'aria-invalid="true"' in body
    assert not Brief.objects.exists()


def test_a_brief_can_not_use_another_organisations_channel(world, client_for):
    topic = TopicFactory(organisation=world.ministry)
    response = client_for(world.people["adviser"]).post(
        reverse("brief_create"),
        {
            "topic": topic.pk,
            "title": "x",
            "key_message": "y",
            "target_audience": "15-25",
            "constraints": "Subtitles on",
            "channel": world.other_channel.pk,
            "agency": world.agency.pk,
        },
    )
    assert response.status_code == 200
    assert "channel" in response.context["form"].errors


def test_the_adviser_drafts_and_submits_in_the_browser_flow(world, client_for):
    topic = TopicFactory(organisation=world.ministry)
    client = client_for(world.people["adviser"])
    response = client.post(
        reverse("brief_create"),
        {
            "topic": topic.pk,
            "title": "Keep your distance",
            "key_message": "1.5 metres",
            "target_audience": "15-25",
            "constraints": "Subtitles on",
            "channel": world.channel.pk,
            "agency": world.agency.pk,
        },
    )
    brief = Brief.objects.get()
    assert response.url == reverse("brief_detail", args=[brief.pk])
    client.post(reverse("brief_transition", args=[brief.pk]), {"action": "submit"})
    brief.refresh_from_db()
    assert brief.status == "submitted"


def _upload(client, brief, name, creators):
    with open(MEDIA_DIR / name, "rb") as handle:
        return client.post(
            reverse("video_create", args=[brief.pk]),
            {
                "creators": [c.pk for c in creators],
                "file": handle,
                "has_subtitles": "on",
                "music_source": "none",
                "caption": "Reclame | in opdracht van VWS. Boosters protect.",
                "allow_comments": "on",
                "people-TOTAL_FORMS": "0",
                "people-INITIAL_FORMS": "0",
            },
        )


@pytest.fixture
def in_production(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return brief


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_a_video.mp4", "not an MP4, MOV or WebM video"),
        ("too_long_65s.mp4", "at most 60"),
        ("too_short_2s.mp4", "at least 3"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(world, client_for, in_production, name, message):
    creator = CreatorFactory(agency=world.agency)
    response = _upload(client_for(world.people["agency_member"]), in_production, name, [creator])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VideoVersion.objects.exists()


def test_a_too_large_upload_is_refused(world, client_for, in_production, settings):
    settings.VIDEO_MAX_UPLOAD_MB = 0
    creator = CreatorFactory(agency=world.agency)
    response = _upload(client_for(world.people["agency_member"]), in_production, "valid_5s.mp4", [creator])
    assert "file" in response.context["form"].errors
    assert not VideoVersion.objects.exists()


def test_a_valid_upload_is_stored_privately_and_served_only_with_access(world, client_for, in_production):
    creator = CreatorFactory(agency=world.agency)
    response = _upload(client_for(world.people["agency_member"]), in_production, "valid_5s.webm", [creator])
    assert response.status_code == 302
    version = VideoVersion.objects.get()
    assert version.content_type == "video/webm"
    assert 4.5 < float(version.duration) < 5.5
    assert not version.file.name.endswith("valid_5s.webm")  # stored under a random name
    served = client_for(world.people["management"]).get(reverse("video_file", args=[in_production.pk, 1]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == (MEDIA_DIR / "valid_5s.webm").read_bytes()
    assert open_run(version).status == "in_progress"


def test_a_refused_decision_keeps_the_feedback_typed(world, client_for):
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    prefix = f"run{run.pk}-"
    response = client_for(world.people["adviser"]).post(
        reverse("decide", args=[run.pk]),
        {prefix + "version": 1, prefix + "step": 1, prefix + "verdict": "approve", prefix + "comment": "Nice pace"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "To approve, every constraint must be met" in body
    assert "Nice pace" in body


def test_an_attachment_is_checked_by_content_and_kept_private(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from content.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    brief = brief_with_agency(world)
    client = client_for(world.people["adviser"])
    fake = SimpleUploadedFile("briefing.pdf", b"just text pretending", content_type="application/pdf")
    response = client.post(reverse("attachment_create", args=[brief.pk]), {"file": fake})
    assert response.status_code == 400
    assert "not a PDF, PNG, JPEG or Office document" in response.content.decode()
    real = SimpleUploadedFile("briefing.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf")
    assert client.post(reverse("attachment_create", args=[brief.pk]), {"file": real}).status_code == 302
    attachment = Attachment.objects.get()
    download = client_for(world.people["agency_member"]).get(reverse("attachment_file", args=[brief.pk, attachment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.7")
    outsider = client_for(world.other_admin).get(reverse("attachment_file", args=[brief.pk, attachment.pk]))
    assert outsider.status_code == 404


def test_an_attachment_is_named_and_served_as_what_it_is(world, client_for, settings, tmp_path):
    import stat

    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit.models import AuditEvent
    from content.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    brief = brief_with_agency(world)
    client = client_for(world.people["adviser"])
    disguised = SimpleUploadedFile("invoice.html", b"%PDF-1.7\n1 0 obj\n", content_type="text/html")
    assert client.post(reverse("attachment_create", args=[brief.pk]), {"file": disguised}).status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("invoice.pdf", "application/pdf")
    # Only the app's own user can read the stored file (and list its folder).
    path = Path(attachment.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    agency = client_for(world.people["agency_member"])
    download = agency.get(reverse("attachment_file", args=[brief.pk, attachment.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="invoice.pdf"' in download["Content-Disposition"]
    event = AuditEvent.objects.get(action="export.downloaded")
    assert event.label == "Attachment downloaded: invoice.pdf"
    assert (event.actor, event.details["export"], event.details["name"]) == (
        world.people["agency_member"],
        "attachment",
        "invoice.pdf",
    )


def test_the_agency_sees_topics_without_the_organisations_staff(world, client_for):
    TopicFactory(organisation=world.ministry, name="Vaccination", owner=world.people["adviser"])
    owner = world.people["adviser"].get_full_name()
    assert owner in client_for(world.people["team_social"]).get(reverse("topic_list")).content.decode()
    body = client_for(world.people["agency_member"]).get(reverse("topic_list")).content.decode()
    assert "Vaccination" in body and owner not in body and world.people["adviser"].last_name not in body


def test_the_brief_list_comes_a_page_at_a_time_and_keeps_its_filter(world, client_for):
    from content.models import BriefStatus
    from tests.workflow import new_brief

    for _ in range(53):
        new_brief(world)
    client = client_for(world.people["adviser"])
    first = client.get(reverse("brief_list"), {"status": BriefStatus.DRAFT})
    body = first.content.decode()
    assert len(re.findall(r'href="/briefs/\d+/"', body)) == 50
    assert "1\u201350 of 53" in body
    assert 'href="?status=draft&amp;page=2"' in body  # the filter stays on the next page
    second = client.get(reverse("brief_list"), {"status": BriefStatus.DRAFT, "page": 2}).content.decode()
    assert "51\u201353 of 53" in second and 'aria-current="page"' in second
    assert client.get(reverse("brief_list"), {"page": 99}).status_code == 200  # an old bookmark: the last page
