"""The hand-off package: once the video is approved, the agency downloads everything to post exactly what was
approved (the file with its SHA-256, the caption with the disclosure first, the settings, the slot), and the trail
records who took which version."""

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approvals import services as approvals
from audit.models import AuditEvent
from content.media import inspect_video
from content.models import BriefStatus, VideoVersion
from scheduling import services as scheduling
from tests.factories import CreatorFactory
from tests.workflow import MEDIA_DIR, TRANSCRIPT, approve_all, brief_with_agency, deliver_script, uploaded_video

pytestmark = pytest.mark.django_db

DISCLOSURE = "Reclame | in opdracht van Ministry of Health (test)"
CAPTION = f"{DISCLOSURE} Boosters protect you. Book yours via Rijksoverheid.nl."
VIDEO_BYTES = (MEDIA_DIR / "valid_5s.mp4").read_bytes()
SRT = b"""1
00:00:00,500 --> 00:00:02,000
Get your booster.

2
00:00:02,200 --> 00:00:04,000
Book it via Rijksoverheid.nl.
"""


@pytest.fixture
def brief(world, settings, tmp_path, frozen):
    """A brief in production at STAGED_AT (its script approved), its posting window ahead."""
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return brief


def deliver(world, brief, *, same_video_as=None, caption=CAPTION):
    upload = info = None
    if same_video_as is None:
        upload = uploaded_video()
        info = inspect_video(upload, max_bytes=10_000_000, min_seconds=Decimal(3), max_seconds=Decimal(60))
    return approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        creators=[CreatorFactory(agency=world.agency)],
        has_subtitles=True,
        file=upload,
        info=info,
        same_video_as=same_video_as,
        publication={"caption": caption, "hashtags": "#booster #gezond", "paid_partnership": True, "allow_duet": True},
        subtitle_file=SimpleUploadedFile("booster.srt", SRT) if same_video_as is None else None,
        transcript=TRANSCRIPT,
        cover_seconds=Decimal("1.5"),
        music_source="commercial_library",
    )


def reserve_slot(world, brief):
    """A slot on Tuesday 1 December 2026 at 16:00 in Amsterdam, reserved for the brief."""
    now = timezone.now()
    team_social = world.people["team_social"]
    slot = scheduling.slot_add(
        actor=team_social, channel=world.channel, starts_at=datetime(2026, 12, 1, 15, tzinfo=UTC), now=now
    )
    return scheduling.slot_fill(actor=team_social, slot=slot, brief=brief, now=now)


def download(client, brief):
    return client.get(reverse("handoff_download", args=[brief.pk]))


def unzip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_agency_downloads_exactly_what_was_approved(world, brief, client_for):
    reserve_slot(world, brief)
    version = deliver(world, brief)
    approve_all(world, version)
    base = f"{brief.reference}-v1"

    response = download(client_for(world.people["agency_member"]), brief)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{brief.reference}-v1.zip".lower() in response["Content-Disposition"].lower()
    archive = unzip(response)
    assert sorted(archive.namelist()) == sorted(
        ["read-me.txt", "caption.txt", f"{base}.mp4", "SHA256SUMS", f"{base}.srt", "transcript.txt"]
    )
    # The video's bytes are the uploaded bytes, stored as they are.
    assert archive.read(f"{base}.mp4") == VIDEO_BYTES
    assert archive.getinfo(f"{base}.mp4").compress_type == zipfile.ZIP_STORED
    digest = hashlib.sha256(VIDEO_BYTES).hexdigest()
    version.refresh_from_db()
    assert version.sha256 == digest
    assert archive.read("SHA256SUMS").decode() == f"{digest}  {base}.mp4\n"  # as sha256sum -c reads it
    caption = archive.read("caption.txt").decode()
    assert caption.startswith(DISCLOSURE)
    assert caption == f"{CAPTION} #booster #gezond\n"
    assert archive.read(f"{base}.srt") == SRT
    assert archive.read("transcript.txt").decode() == TRANSCRIPT + "\n"

    readme = archive.read("read-me.txt").decode()
    assert f"Hand-off package for {brief.reference}: Get your booster" in readme
    assert "Approved video version 1, for @ministry_channel." in readme
    assert "Post on: 1 December 2026, 16:00 (Europe/Amsterdam)" in readme
    assert f"Video file: {base}.mp4" in readme
    assert f"SHA-256 of the approved file: {digest}" in readme
    assert "Cover frame at: 1.5" in readme
    assert f"{CAPTION} #booster #gezond" in readme
    settings_part = readme[readme.index("Settings to choose in TikTok:") :]
    for line in [
        "- “Paid partnership” label: yes",
        "- “Promotional content” label: no",
        "- Comments allowed: yes",
        "- Duets allowed: yes",
        "- Stitches allowed: no",
    ]:
        assert line in settings_part
    assert f"- subtitle file: {base}.srt" in readme
    assert "- the subtitles are burned into the video" in readme
    assert "- transcript: transcript.txt" in readme


def test_without_a_slot_the_read_me_says_it_is_not_planned_yet(world, brief, client_for):
    approve_all(world, deliver(world, brief))

    readme = unzip(download(client_for(world.people["agency_member"]), brief)).read("read-me.txt").decode()

    assert "Post on: not planned yet; team social plans the slot." in readme
    assert "Post on: 1 December" not in readme


def test_the_download_is_recorded_in_the_trail(world, brief, client_for):
    version = deliver(world, brief)
    approve_all(world, version)
    member = world.people["agency_member"]

    assert download(client_for(member), brief).status_code == 200

    event = AuditEvent.objects.about(brief).get(action="handoff.downloaded")
    version.refresh_from_db()
    assert event.actor == member and event.result == "ok"
    assert event.organisation == world.ministry
    assert (event.object_type, event.object_id) == ("content.videoversion", str(version.pk))
    assert event.details["version"] == 1
    assert event.details["sha256"] == hashlib.sha256(VIDEO_BYTES).hexdigest()


def test_there_is_no_package_before_the_approval(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    assert download(client, brief).status_code == 404  # no video yet

    version = deliver(world, brief)
    assert download(client, brief).status_code == 404  # delivered, in review

    approve_all(world, version)
    assert download(client, brief).status_code == 200


def test_a_new_version_after_the_approval_takes_the_package_away_until_it_is_approved(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    first = deliver(world, brief)
    approve_all(world, first)
    assert download(client, brief).status_code == 200

    second = deliver(world, brief, same_video_as=first, caption=f"{DISCLOSURE} Boosters protect everyone.")
    brief.refresh_from_db()
    assert brief.status == BriefStatus.IN_PRODUCTION
    assert download(client, brief).status_code == 404

    approve_all(world, second)
    archive = unzip(download(client, brief))
    assert archive.read("caption.txt").decode() == f"{DISCLOSURE} Boosters protect everyone. #booster #gezond\n"
    assert archive.read(f"{brief.reference}-v2.mp4") == VIDEO_BYTES  # the same file, under its version's name
    assert "Approved video version 2" in archive.read("read-me.txt").decode()


def test_someone_who_cannot_see_the_brief_gets_a_404(world, brief, client_for):
    approve_all(world, deliver(world, brief))

    assert download(client_for(world.other_admin), brief).status_code == 404
    assert not AuditEvent.objects.filter(action="handoff.downloaded").exists()
    assert download(client_for(None), brief).status_code == 302  # to the log-in page


def test_the_brief_page_links_to_the_package_once_approved(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    link = f'href="{reverse("handoff_download", args=[brief.pk])}"'
    version = deliver(world, brief)
    assert link not in client.get(reverse("brief_detail", args=[brief.pk])).content.decode()

    reserve_slot(world, brief)
    approve_all(world, version)

    page = client.get(reverse("brief_detail", args=[brief.pk])).content.decode()
    assert link in page
    assert "Download the hand-off package (ZIP)" in page
    assert "Post on 1 December 2026, 16:00." in page
    assert hashlib.sha256(VIDEO_BYTES).hexdigest() in page


def test_a_version_approved_before_hashes_were_taken_gets_its_hash_from_the_stored_file(world, brief, client_for):
    version = deliver(world, brief)
    approve_all(world, version)
    VideoVersion.objects.filter(pk=version.pk).update(sha256="")  # delivered before the upload took the hash
    digest = hashlib.sha256(VIDEO_BYTES).hexdigest()

    archive = unzip(download(client_for(world.people["agency_member"]), brief))

    assert archive.read("SHA256SUMS").decode() == f"{digest}  {brief.reference}-v1.mp4\n"
    assert f"SHA-256 of the approved file: {digest}" in archive.read("read-me.txt").decode()
    version.refresh_from_db()
    assert version.sha256 == digest  # kept from now on
    assert AuditEvent.objects.get(action="handoff.downloaded").details["sha256"] == digest
