"""What goes out with a video is approved with it: the caption (the disclosure first when a paid creator appears),
the accessibility package (subtitles and a transcript) and the consent register. The approval refuses what is
missing, the review page says it before anyone decides, and a new caption after the approval is a new version."""

import hashlib
import html
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from approvals import services as approvals
from approvals.models import ApprovalRun, Decision, RunStatus, Verdict
from approvals.services import ApprovalRefused
from audit.models import AuditEvent
from content import publication as publication_rules
from content.media import inspect_video
from content.models import BriefStatus, OnScreenPerson, PublicationRules, VideoVersion
from scheduling import services as scheduling
from tests.factories import CreatorFactory
from tests.workflow import (
    CONSTRAINTS,
    MEDIA_DIR,
    TRANSCRIPT,
    approve_all,
    brief_with_agency,
    decide,
    deliver_script,
    open_run,
    uploaded_video,
)

UNRELEASED = "is on screen without a signed release: add it under “People on screen”."
pytestmark = pytest.mark.django_db

DISCLOSURE = "Reclame | in opdracht van Ministry of Health (test)"  # the ministry's default (a Dutch organisation)
CAPTION = f"{DISCLOSURE} Boosters protect you. Book yours via Rijksoverheid.nl."
EVERY_CHECK = list(publication_rules.CHECK_LABELS)
VIDEO_BYTES = (MEDIA_DIR / "valid_5s.mp4").read_bytes()

GOOD_SRT = b"""1
00:00:00,500 --> 00:00:02,000
Get your booster.

2
00:00:02,200 --> 00:00:04,000
Book it via Rijksoverheid.nl.
"""

# Cues 2 and 3 end after the 5-second video.
LATE_SRT = b"""1
00:00:00,500 --> 00:00:02,000
Get your booster.

2
00:00:02,200 --> 00:00:06,000
Book it via Rijksoverheid.nl.

3
00:00:06,500 --> 00:00:08,000
[music]
"""


@pytest.fixture
def brief(world, settings, tmp_path, frozen):
    """A brief in production (its script approved), at STAGED_AT: its posting window lies ahead."""
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return brief


def deliver(
    world,
    brief,
    *,
    creators=None,
    caption=CAPTION,
    has_subtitles=True,
    subtitle_file=None,
    transcript=TRANSCRIPT,
    people=(),
    same_video_as=None,
):
    """A video version delivered with the real service; by default one that meets every rule."""
    creators = creators if creators is not None else [CreatorFactory(agency=world.agency)]
    upload = info = None
    if same_video_as is None:
        upload = uploaded_video()
        info = inspect_video(upload, max_bytes=10_000_000, min_seconds=Decimal(3), max_seconds=Decimal(60))
    return approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        creators=creators,
        has_subtitles=has_subtitles,
        file=upload,
        info=info,
        publication={"caption": caption, "hashtags": "#booster", "paid_partnership": True},
        subtitle_file=subtitle_file,
        transcript=transcript,
        music_source="commercial_library",
        people=people,
        same_video_as=same_video_as,
    )


def approve(world, version, *, checks=EVERY_CHECK, actor="adviser"):
    """The first step's approver approves, every constraint of the brief ticked (and ``checks``), on the day the
    clock stands at (STAGED_AT)."""
    run = open_run(version)
    return approvals.decide(
        actor=world.people[actor],
        run_id=run.pk,
        version_number=version.number,
        step_position=run.current_position,
        verdict=Verdict.APPROVE,
        checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
        checked_checks=checks,
        today=date(2026, 11, 24),
    )


def refusal(world, version, *, checks=EVERY_CHECK) -> str:
    """The message of the refused approval; nothing is decided and the review stays where it was."""
    run = open_run(version)
    with pytest.raises(ApprovalRefused) as refused:
        approve(world, version, checks=checks)
    assert not Decision.objects.filter(run=run).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.IN_PROGRESS and run.current_position == 1
    return str(refused.value)


def labels_in(language, keys):
    with translation.override(language):
        return [translation.gettext(publication_rules.CHECK_LABELS[key]) for key in keys]


# --- The approval refuses what is missing --------------------------------------------------------------------


def test_a_paid_creator_needs_the_disclosure_at_the_start_of_the_caption(world, brief):
    version = deliver(world, brief, caption=f"Boosters protect you. {DISCLOSURE}")

    message = refusal(world, version)

    assert message == f"A paid creator appears, so the caption must start with the disclosure “{DISCLOSURE}”."
    event = AuditEvent.objects.filter(action="decision.approve", result="refused").latest("sequence")
    assert event.details["reason_params"] == {"disclosure": DISCLOSURE}


def test_the_disclosure_may_be_typed_over_more_lines(world, brief):
    version = deliver(world, brief, caption="Reclame |\nin opdracht van   Ministry of Health (test)\n\nBook now.")

    approve(world, version)

    assert Decision.objects.get(run=open_run(version)).verdict == Verdict.APPROVE


def test_without_a_paid_creator_no_disclosure_is_needed(world, brief):
    staff = CreatorFactory(agency=world.agency, is_influencer=False, display_name="Nurse on the ward")
    version = deliver(world, brief, creators=[staff], caption="Boosters protect you. Book yours today.")

    assert publication_rules.required_checks(version, PublicationRules.of(world.ministry)) == ["subtitles_burned_in"]
    decision = approve(world, version, checks=["subtitles_burned_in"])

    assert decision.checked_constraints == CONSTRAINTS + labels_in("nl", ["subtitles_burned_in"])


@pytest.mark.parametrize("caption", ["", "  \n  "])
def test_an_empty_caption_is_refused(world, brief, caption):
    staff = CreatorFactory(agency=world.agency, is_influencer=False)
    version = deliver(world, brief, creators=[staff], caption=caption)

    assert refusal(world, version) == "Write the caption that goes out with the video: it is approved with it."


@pytest.mark.parametrize(
    ("package", "message"),
    [
        (
            {"has_subtitles": False},
            "Subtitles are missing: add a subtitle file, or say they are burned into the video.",
        ),
        ({"transcript": "  "}, "The transcript is missing: what is said, and the sounds that matter."),
    ],
)
def test_an_incomplete_accessibility_package_is_refused(world, brief, package, message):
    version = deliver(world, brief, **package)

    assert refusal(world, version) == message


def test_a_checked_subtitle_file_stands_for_burned_in_subtitles(world, brief):
    version = deliver(world, brief, has_subtitles=False, subtitle_file=SimpleUploadedFile("booster.srt", GOOD_SRT))

    assert publication_rules.required_checks(version, PublicationRules.of(world.ministry)) == ["disclosure_in_video"]
    decision = approve(world, version, checks=["disclosure_in_video"])

    assert decision.checked_constraints == CONSTRAINTS + labels_in("nl", ["disclosure_in_video"])


def test_without_the_accessibility_requirement_neither_subtitles_nor_transcript_are_needed(world, brief):
    PublicationRules.objects.filter(pk=PublicationRules.of(world.ministry).pk).update(accessibility_required=False)
    version = deliver(world, brief, has_subtitles=False, transcript="")

    approve(world, version)

    assert Decision.objects.get(run=open_run(version)).verdict == Verdict.APPROVE


def test_someone_on_screen_without_a_release_is_refused(world, brief):
    version = deliver(world, brief, people=[{"name": "Passer-by at the pharmacy"}])

    assert refusal(world, version) == "Passer-by at the pharmacy " + UNRELEASED


def test_a_release_without_its_date_is_no_release(world, brief):
    version = deliver(world, brief, people=[{"name": "Pharmacist", "release_reference": "release-3.pdf"}])

    assert refusal(world, version) == "Pharmacist " + UNRELEASED


def test_a_minor_needs_a_parents_consent_as_well(world, brief):
    child = {
        "name": "Child on the swing",
        "release_reference": "release-7.pdf",
        "release_date": date(2026, 11, 20),
        "is_minor": True,
    }
    refused = deliver(world, brief, people=[child])
    assert refusal(world, refused) == "Child on the swing is under 16: a parent's consent is needed too."

    allowed = deliver(world, brief, people=[child | {"parental_consent_reference": "consent-7-parent.pdf"}])
    approve(world, allowed)
    assert Decision.objects.get(run=open_run(allowed)).verdict == Verdict.APPROVE


def test_a_creator_without_a_contract_date_goes_on_the_register_without_a_release(world, brief):
    creator = CreatorFactory(agency=world.agency, consent_date=None, display_name="Noor Creator")
    version = deliver(world, brief, creators=[creator])

    (row,) = version.people_on_screen.all()
    assert (row.creator, row.name, row.has_release) == (creator, "Noor Creator", False)
    assert refusal(world, version) == "Noor Creator " + UNRELEASED


def test_a_creator_with_neither_a_register_row_nor_a_contract_date_is_refused(world, brief):
    # A version from before the register: its creators have no row of their own.
    creator = CreatorFactory(agency=world.agency, consent_date=None, display_name="Noor Creator")
    version = deliver(world, brief, creators=[creator])
    OnScreenPerson.objects.filter(video_version=version).delete()

    assert refusal(world, version) == "Noor Creator is in the video, but no release or contract date is on record."


def test_a_creators_contract_date_covers_them_without_a_register_row(world, brief):
    version = deliver(world, brief)  # the factory's creators have a contract date
    (row,) = version.people_on_screen.all()
    assert (row.release_reference, row.release_date) == (
        "Contract met de maker",
        date(2026, 1, 5),
    )  # in the ministry's language
    OnScreenPerson.objects.filter(video_version=version).delete()

    approve(world, version)

    assert Decision.objects.get(run=open_run(version)).verdict == Verdict.APPROVE


def test_a_release_on_the_register_covers_a_creator_without_a_contract_date(world, brief):
    creator = CreatorFactory(agency=world.agency, consent_date=None, display_name="Noor Creator")
    release = {
        "creator": creator,
        "name": "Noor Creator",
        "release_reference": "release-noor.pdf",
        "release_date": date(2026, 11, 2),
    }
    version = deliver(world, brief, creators=[creator], people=[release])

    assert version.people_on_screen.count() == 1  # not registered a second time without the release
    approve(world, version)
    assert Decision.objects.get(run=open_run(version)).verdict == Verdict.APPROVE


@pytest.mark.parametrize("checks", [[], ["disclosure_in_video"], ["subtitles_burned_in"]])
def test_what_the_reviewer_checks_in_the_video_must_be_ticked(world, brief, checks):
    version = deliver(world, brief)  # a paid creator, subtitles burned in: both checks are required

    assert refusal(world, version, checks=checks) == "Tick what you checked in the video itself before you approve."


def test_approval_passes_when_everything_holds_and_the_decision_keeps_the_checks(world, brief):
    people = [
        {"name": "Pharmacist", "release_reference": "release-3.pdf", "release_date": date(2026, 11, 20)},
        {
            "name": "Child on the swing",
            "release_reference": "release-7.pdf",
            "release_date": date(2026, 11, 20),
            "is_minor": True,
            "parental_consent_reference": "consent-7-parent.pdf",
        },
    ]
    version = deliver(world, brief, people=people)
    assert publication_rules.problems(version, PublicationRules.of(world.ministry)) == []

    first = decide(world.people["adviser"], version)
    second = decide(world.people["team_social"], version)

    checks = labels_in("nl", ["disclosure_in_video", "subtitles_burned_in"])
    assert first.checked_constraints == CONSTRAINTS + checks
    assert second.checked_constraints == CONSTRAINTS + checks
    brief.refresh_from_db()
    assert (brief.status, brief.approved_video) == (BriefStatus.READY_TO_POST, version)


def test_a_script_is_held_to_its_caption_too(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    script = approvals.script_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        text="Scene 1",
        shot_list="",
        duration_target=30,
        creators=[CreatorFactory(agency=world.agency)],
        publication={"caption": "Boosters protect you."},
    )

    assert refusal(world, script, checks=[]) == (
        f"A paid creator appears, so the caption must start with the disclosure “{DISCLOSURE}”."
    )


# --- A change of caption after the approval ------------------------------------------------------------------


def test_a_new_caption_after_the_approval_is_a_new_version_reviewed_again(world, brief):
    now = timezone.now()
    team_social = world.people["team_social"]
    slot = scheduling.slot_add(
        actor=team_social, channel=world.channel, starts_at=datetime(2026, 12, 1, 15, tzinfo=UTC), now=now
    )
    scheduling.slot_fill(actor=team_social, slot=slot, brief=brief, now=now)
    first = deliver(world, brief)
    approve_all(world, first)
    slot.refresh_from_db()
    assert slot.video_version == first

    second = deliver(
        world,
        brief,
        creators=list(first.creators.all()),
        caption=f"{DISCLOSURE} Boosters protect you and your family. Book yours via Rijksoverheid.nl.",
        same_video_as=first,
    )

    assert second.number == first.number + 1
    assert second.file.name == first.file.name
    assert second.sha256 == first.sha256 == hashlib.sha256(VIDEO_BYTES).hexdigest()
    assert (second.duration, second.size) == (first.duration, first.size)
    brief.refresh_from_db()
    assert brief.status == BriefStatus.IN_PRODUCTION
    run = open_run(second)
    assert run.is_open and run.video_version == second and run.current_position == 1
    assert ApprovalRun.objects.get(video_version=first).status == RunStatus.APPROVED
    slot.refresh_from_db()
    assert (slot.brief, slot.video_version) == (brief, None)
    added = AuditEvent.objects.filter(action="video.delivered").latest("sequence")
    assert added.details["same_video_as"] == 1 and added.details["reopened"] is True

    approve_all(world, second)

    brief.refresh_from_db()
    slot.refresh_from_db()
    assert (brief.status, brief.approved_video) == (BriefStatus.READY_TO_POST, second)
    assert slot.video_version == second


def test_the_same_video_must_be_a_version_of_the_same_brief(world, brief):
    other = brief_with_agency(world)
    approve_all(world, deliver_script(world, other))
    elsewhere = deliver(world, other)

    with pytest.raises(ValidationError):
        deliver(world, brief, same_video_as=elsewhere)
    assert not VideoVersion.objects.filter(brief=brief).exists()


# --- The review page -----------------------------------------------------------------------------------------


def test_the_review_page_shows_the_caption_the_problems_and_what_changed(world, brief, client_for):
    first = deliver(world, brief, caption=f"{DISCLOSURE} Boosters protect you.")
    decide(world.people["adviser"], first, Verdict.REQUEST_CHANGES, comment="Name the website.")
    second = deliver(world, brief, caption=f"{DISCLOSURE} Boosters protect everyone.", transcript="")
    client = client_for(world.people["adviser"])

    page = html.unescape(client.get(reverse("review", args=[open_run(second).pk])).content.decode())

    assert f"{DISCLOSURE} Boosters protect everyone." in page
    assert "This version can't be approved yet:" in page
    assert "<li>The transcript is missing: what is said, and the sounds that matter.</li>" in page
    changes = page[page.index("What changed since version 1") :]
    caption = changes[changes.index('<h4 class="utrecht-heading-4">Caption</h4>') :]
    caption = caption[: caption.index("</div>")]
    assert '<del><span class="planner-visually-hidden">[removed: </span>you.' in caption
    assert '<ins><span class="planner-visually-hidden">[added: </span>everyone.' in caption
    assert '<h4 class="utrecht-heading-4">Transcript</h4>' in changes  # the transcript went


def test_the_review_page_of_a_complete_version_lists_no_problems_and_offers_the_checks(world, brief, client_for):
    run = open_run(deliver(world, brief))

    page = client_for(world.people["adviser"]).get(reverse("review", args=[run.pk])).content.decode()

    assert CAPTION in page
    assert "This version can" not in page
    assert 'value="check:disclosure_in_video"' in page and 'value="check:subtitles_burned_in"' in page
    assert "All 5 constraints are met" in page


def test_a_decision_posted_while_a_problem_remains_is_refused_with_it(world, brief, client_for):
    run = open_run(deliver(world, brief, transcript=""))
    prefix = f"run{run.pk}-"

    response = client_for(world.people["adviser"]).post(
        reverse("decide", args=[run.pk]),
        {
            prefix + "version": 1,
            prefix + "step": 1,
            prefix + "verdict": "approve",
            prefix + "all_constraints": "on",
        },
    )

    assert response.status_code == 400
    assert "The transcript is missing" in response.content.decode()
    assert not Decision.objects.filter(run=run).exists()


# --- The video form over HTTP --------------------------------------------------------------------------------


def video_form(world, *, caption=CAPTION, subtitles=None, people=()):
    """What the agency member's browser sends; ``people``: the rows of the consent register (2 at least)."""
    data = {
        "creators": [CreatorFactory(agency=world.agency).pk],
        "file": SimpleUploadedFile("booster.mp4", VIDEO_BYTES, content_type="video/mp4"),
        "music_source": "commercial_library",
        "caption": caption,
        "hashtags": "booster, #gezond",
        "paid_partnership": "on",
        "allow_comments": "on",
        "transcript": TRANSCRIPT,
        "cover_seconds": "1.5",
    }
    if subtitles is not None:
        data["subtitle_file"] = SimpleUploadedFile("booster.srt", subtitles, content_type="application/x-subrip")
    rows = list(people) + [{}] * max(0, 2 - len(people))
    data |= {
        "people-TOTAL_FORMS": str(len(rows)),
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        data |= {f"people-{index}-{name}": value for name, value in row.items()}
    return data


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_subtitle_cue_past_the_end_of_the_video_is_refused_cue_by_cue(world, brief, client_for, tmp_path):
    client = client_for(world.people["agency_member"])
    typed = f"{DISCLOSURE} Book your booster before the winter."

    response = client.post(
        reverse("video_create", args=[brief.pk]), video_form(world, caption=typed, subtitles=LATE_SRT)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["subtitle_file"] == [
        "Cue 2 (0:02.200): ends at 0:06.000, after the video's end (0:05.000).",
        "Cue 3 (0:06.500): ends at 0:08.000, after the video's end (0:05.000).",
    ]
    page = html.unescape(response.content.decode())
    assert "Cue 2 (0:02.200): ends at 0:06.000, after the video's end (0:05.000)." in page
    assert "Cue 3 (0:06.500): ends at 0:08.000, after the video's end (0:05.000)." in page
    assert f">\n{typed}</textarea>" in page
    assert not VideoVersion.objects.filter(brief=brief).exists()
    assert not OnScreenPerson.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_good_subtitle_file_and_the_people_on_screen_are_stored(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    nurse = {
        "name": "Nurse Jansen",
        "release_reference": "release-12.pdf",
        "release_date": "2026-11-20",
        "rights_end": "2027-11-20",
    }
    child = {
        "name": "Child in the waiting room",
        "release_reference": "release-13.pdf",
        "release_date": "2026-11-21",
        "is_minor": "on",
        "parental_consent_reference": "consent-13.pdf",
    }

    response = client.post(
        reverse("video_create", args=[brief.pk]), video_form(world, subtitles=GOOD_SRT, people=[nurse, child, {}])
    )

    assert response.status_code == 302, response.context["form"].errors
    version = VideoVersion.objects.get(brief=brief)
    with version.subtitle_file.open("rb") as stored:
        assert stored.read() == GOOD_SRT
    assert version.subtitle_file.name.endswith(".srt")
    assert (version.caption, version.hashtags, version.paid_partnership) == (CAPTION, "#booster #gezond", True)
    assert (version.transcript, version.cover_seconds, version.has_subtitles) == (TRANSCRIPT, Decimal("1.5"), False)
    assert version.sha256 == hashlib.sha256(VIDEO_BYTES).hexdigest()
    registered = {
        person.name: person for person in version.people_on_screen.filter(creator=None)
    }  # the empty third row adds nobody
    assert sorted(registered) == ["Child in the waiting room", "Nurse Jansen"]
    assert registered["Nurse Jansen"].release_date == date(2026, 11, 20)
    assert registered["Nurse Jansen"].rights_end == date(2027, 11, 20)
    assert registered["Child in the waiting room"].is_minor
    assert registered["Child in the waiting room"].parental_consent_reference == "consent-13.pdf"
    assert version.people_on_screen.exclude(creator=None).count() == 1  # the creator, by contract
    assert publication_rules.problems(version, PublicationRules.of(world.ministry)) == []


def test_empty_people_rows_add_nobody(world, brief, client_for):
    client = client_for(world.people["agency_member"])

    response = client.post(reverse("video_create", args=[brief.pk]), video_form(world, subtitles=GOOD_SRT))

    assert response.status_code == 302
    version = VideoVersion.objects.get(brief=brief)
    assert not version.people_on_screen.filter(creator=None).exists()
    assert version.people_on_screen.count() == 1  # only the creator


def test_the_people_carried_over_from_the_last_version_stay_on_the_register(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    nurse = {"name": "Nurse Jansen", "release_reference": "release-12.pdf", "release_date": "2026-11-20"}
    assert client.post(reverse("video_create", args=[brief.pk]), video_form(world, people=[nurse])).status_code == 302
    decide(world.people["adviser"], VideoVersion.objects.get(brief=brief), Verdict.REQUEST_CHANGES, comment="Again")
    page = client.get(reverse("video_create", args=[brief.pk])).content.decode()
    assert 'name="people-0-name" value="Nurse Jansen"' in page
    assert 'name="people-INITIAL_FORMS" value="1"' in page

    # The browser sends the carried-over row back as it was shown.
    data = video_form(world, people=[nurse, {}, {}]) | {"people-INITIAL_FORMS": "1"}
    assert client.post(reverse("video_create", args=[brief.pk]), data).status_code == 302

    second = VideoVersion.objects.get(brief=brief, number=2)
    assert list(second.people_on_screen.filter(creator=None).values_list("name", flat=True)) == ["Nurse Jansen"]


def test_a_paid_creator_needs_tiktoks_paid_partnership_label(world, brief):
    version = deliver(world, brief)
    VideoVersion.objects.filter(pk=version.pk).update(paid_partnership=False)
    version.refresh_from_db()
    assert refusal(world, version) == "A paid creator appears: turn on TikTok's “Paid partnership” label."


def test_someone_whose_rights_have_ended_is_refused(world, brief):
    ended = {"name": "Pharmacist", "release_reference": "r.pdf", "release_date": date(2025, 1, 1)}
    version = deliver(world, brief, people=[ended | {"rights_end": date(2026, 11, 1)}])
    assert refusal(world, version) == "The rights of Pharmacist ended on 2026-11-01: the video can't be used any more."


def test_rights_that_end_soon_raise_one_follow_up_for_team_social(world, brief):
    from content.models import FollowUp

    person = {"name": "Pharmacist", "release_reference": "r.pdf", "release_date": date(2025, 1, 1)}
    version = deliver(world, brief, people=[person | {"rights_end": date(2026, 12, 20)}])
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    # Not approved yet: nothing to warn about.
    assert publication_rules.follow_up_rights_ending(now=now) == 0
    approve_all(world, version)
    assert publication_rules.follow_up_rights_ending(now=now) == 1
    assert publication_rules.follow_up_rights_ending(now=now) == 0  # once
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.brief, follow_up.details[0]["name"]) == ("rights_ending", brief, "Pharmacist")
    assert follow_up.due_at.astimezone(world.ministry.zone).date() == date(2026, 12, 20)  # its start, locally
    assert AuditEvent.objects.filter(action="rights.ending").count() == 1
    # Further off than the organisation's warning days: not yet.
    FollowUp.objects.all().delete()
    PublicationRules.objects.filter(organisation=world.ministry).update(rights_warning_days=7)
    assert publication_rules.follow_up_rights_ending(now=now) == 0


def test_the_woo_documents_hold_the_caption_and_the_transcript(world, brief):
    from disclosure import package

    version = deliver(world, brief)
    documents = package._documents_for(
        type(brief).objects.prefetch_related("script_versions", "video_versions").get(pk=brief.pk),
        [], [], {}, 1, timezone.now(), "NL",
    )  # fmt: skip
    video = next(document for document in documents if document.kind == f"video-v{version.number}")
    assert "Boosters protect you." in video.html and TRANSCRIPT.split("]")[1].strip()[:20] in video.html


def test_the_agency_hears_at_delivery_what_stands_in_the_way_of_approval(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    response = client.post(reverse("video_create", args=[brief.pk]), video_form(world, caption="Book your booster."))
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert (
        "It can't be approved as it is: A paid creator appears, so the caption must start with the disclosure" in page
    )


def test_an_error_on_the_video_form_is_summed_up_at_the_top_and_asks_for_the_files_again(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    response = client.post(reverse("video_create", args=[brief.pk]), video_form(world, subtitles=LATE_SRT))
    page = html.unescape(response.content.decode())
    summary = page.index("The version was not delivered. Please look at:")
    assert (
        summary < page.index('<form class="planner-form" method="post" enctype')
        and page.index('href="#id_subtitle_file"') > summary
    )
    assert "choose the video file and the subtitle file again" in page


def test_the_comparison_shows_a_new_video_and_other_creators(world, brief, client_for):
    first = deliver(world, brief)
    decide(world.people["adviser"], first, Verdict.REQUEST_CHANGES, comment="Another maker, please.")
    second = deliver(world, brief, creators=[CreatorFactory(agency=world.agency, display_name="Noor Nieuw")])
    page = client_for(world.people["adviser"]).get(reverse("review", args=[open_run(second).pk])).content.decode()
    assert '<h4 class="utrecht-heading-4">Creators</h4>' in page and "Noor Nieuw" in page
    assert '<h4 class="utrecht-heading-4">Video</h4>' not in page  # the same file: no change to show


def test_the_review_player_shows_a_subtitle_file_as_webvtt(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    assert (
        client.post(reverse("video_create", args=[brief.pk]), video_form(world, subtitles=GOOD_SRT)).status_code == 302
    )
    version = VideoVersion.objects.get(brief=brief)
    reviewer = client_for(world.people["adviser"])
    page = reviewer.get(reverse("review", args=[open_run(version).pk])).content.decode()
    track = reverse("video_accessibility_file", args=[brief.pk, version.number, "track"])
    assert f'<track kind="subtitles" src="{track}"' in page
    answer = reviewer.get(track)
    assert answer["Content-Type"] == "text/vtt; charset=utf-8"
    assert answer.content.decode() == (
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nGet your booster.\n\n"
        "00:00:02.200 --> 00:00:04.000\nBook it via Rijksoverheid.nl.\n"
    )


def test_a_person_row_with_a_release_but_no_name_asks_for_the_name(world, brief, client_for):
    client = client_for(world.people["agency_member"])
    nameless = {"release_reference": "release-12.pdf", "release_date": "2026-11-20"}
    response = client.post(reverse("video_create", args=[brief.pk]), video_form(world, people=[nameless]))
    assert response.status_code == 200
    assert "Give the name, or a description, of the person on screen." in html.unescape(response.content.decode())
    assert not VideoVersion.objects.filter(brief=brief).exists()
