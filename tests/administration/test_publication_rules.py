"""The organisation's publication rules: its admin sets the disclosure and the subtitle limits (audited), the
defaults follow the country, and what the admin sets is what the video form and the approval hold deliveries to."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services as approvals
from approvals.models import Decision, Verdict
from approvals.services import ApprovalRefused
from audit.models import AuditEvent
from content.media import inspect_video
from content.models import PublicationRules, VideoVersion, default_disclosure
from tests.factories import CreatorFactory, OrganisationFactory, SwedishOrganisationFactory
from tests.workflow import (
    MEDIA_DIR,
    TRANSCRIPT,
    approve_all,
    brief_with_agency,
    decide,
    deliver_script,
    uploaded_video,
)
from tests.world import ROLE_PERSONAS

from .helpers import admin_client, messages_of

pytestmark = pytest.mark.django_db

URL = reverse("settings_publication")
MINISTRY_DISCLOSURE = "Reclame | in opdracht van Ministry of Health (test)"
CHANGED = "publication_rules_changed"

# Cue 1: one line of 17 characters in 2 s; cue 2: two lines (11 and 17 characters), 14 characters a second.
SRT = b"""1
00:00:00,500 --> 00:00:02,500
Get your booster.

2
00:00:02,700 --> 00:00:04,700
Book it via
Rijksoverheid.nl.
"""


def rules_form(**changes) -> dict:
    """The form as the page shows it with the defaults, with ``changes``."""
    data = {
        "disclosure_text": MINISTRY_DISCLOSURE,
        "accessibility_required": "on",
        "subtitle_max_chars_per_second": "17",
        "subtitle_max_line_length": "42",
        "subtitle_max_lines": "2",
        "post_day_tolerance": "0",
        "rights_warning_days": "30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def changed_events(organisation):
    return AuditEvent.objects.filter(organisation=organisation, action=f"organisation.{CHANGED}")


# --- Defaults ------------------------------------------------------------------------------------------------


def test_the_default_disclosure_follows_the_country(world):
    assert PublicationRules.of(world.ministry).disclosure_text == "Reclame | in opdracht van Ministry of Health (test)"
    assert PublicationRules.of(world.municipality).disclosure_text == "Reklam för Nykvarn (test)"
    assert (
        default_disclosure(OrganisationFactory(name="Gemeente Utrecht")) == "Reclame | in opdracht van Gemeente Utrecht"
    )
    assert default_disclosure(SwedishOrganisationFactory(name="Region Skåne")) == "Reklam för Region Skåne"


def test_the_rules_are_made_once_with_the_defaults(world):
    rules = PublicationRules.of(world.ministry)

    assert PublicationRules.of(world.ministry).pk == rules.pk
    assert PublicationRules.objects.filter(organisation=world.ministry).count() == 1
    assert rules.accessibility_required is True
    assert (rules.subtitle_max_chars_per_second, rules.subtitle_max_line_length, rules.subtitle_max_lines) == (
        Decimal("17"),
        42,
        2,
    )


def test_the_page_shows_the_organisations_own_default(world, client_for):
    dutch = html.unescape(admin_client(world, client_for).get(URL).content.decode())
    swedish = html.unescape(client_for(world.other_admin).get(URL).content.decode())

    assert f'value="{MINISTRY_DISCLOSURE}"' in dutch
    assert "Reklam för Nykvarn (test)" in swedish
    assert "Reklam för" not in dutch and "Reclame |" not in swedish


def test_the_settings_front_page_links_to_the_rules(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_index")).content.decode()

    assert f'href="{URL}"' in page


# --- Changing them -------------------------------------------------------------------------------------------


def test_the_admin_changes_the_disclosure_and_the_limits_and_the_change_is_audited(world, client_for):
    client = admin_client(world, client_for)

    response = client.post(
        URL,
        rules_form(
            disclosure_text="  Reclame | in opdracht van het Ministerie van VWS ",
            subtitle_max_chars_per_second="15.5",
            subtitle_max_line_length="37",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(reverse("settings_index"), 302)]
    assert "The publication rules have been saved." in messages_of(response)
    rules = PublicationRules.of(world.ministry)
    assert rules.disclosure_text == "Reclame | in opdracht van het Ministerie van VWS"  # trimmed
    assert (rules.subtitle_max_chars_per_second, rules.subtitle_max_line_length) == (Decimal("15.5"), 37)
    assert rules.subtitle_max_lines == 2
    (event,) = changed_events(world.ministry)
    assert event.actor == world.people["org_admin"] and event.result == "ok"
    changes = event.details["changes"]
    assert set(changes) == {"disclosure_text", "subtitle_max_chars_per_second", "subtitle_max_line_length"}
    assert changes["disclosure_text"] == {
        "before": MINISTRY_DISCLOSURE,
        "after": "Reclame | in opdracht van het Ministerie van VWS",
    }
    assert changes["subtitle_max_line_length"] == {"before": "42", "after": "37"}
    assert Decimal(changes["subtitle_max_chars_per_second"]["before"]) == Decimal("17")
    assert Decimal(changes["subtitle_max_chars_per_second"]["after"]) == Decimal("15.5")


def test_saving_without_a_change_records_nothing(world, client_for):
    client = admin_client(world, client_for)

    response = client.post(URL, rules_form(), follow=True)

    assert "Nothing changed." in messages_of(response)
    assert not changed_events(world.ministry).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("disclosure_text", ""),
        ("subtitle_max_line_length", "5"),
        ("subtitle_max_chars_per_second", "41"),
        ("subtitle_max_lines", "0"),
        ("post_day_tolerance", "15"),
    ],
)
def test_a_value_out_of_bounds_is_refused_at_its_field(world, client_for, field, value):
    response = admin_client(world, client_for).post(URL, rules_form(**{field: value}))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not changed_events(world.ministry).exists()
    rules = PublicationRules.of(world.ministry)
    assert (rules.disclosure_text, rules.subtitle_max_line_length) == (MINISTRY_DISCLOSURE, 42)


def test_each_admin_changes_only_their_own_organisations_rules(world, client_for):
    response = client_for(world.other_admin).post(URL, rules_form(disclosure_text="Reklam för Nykvarns kommun"))

    assert response.status_code == 302
    assert PublicationRules.of(world.municipality).disclosure_text == "Reklam för Nykvarns kommun"
    assert PublicationRules.of(world.ministry).disclosure_text == MINISTRY_DISCLOSURE
    assert changed_events(world.municipality).count() == 1 and not changed_events(world.ministry).exists()


@pytest.mark.parametrize("persona", sorted(set(ROLE_PERSONAS.values()) - {"org_admin"}))
def test_other_roles_get_a_403(world, client_for, persona):
    client = client_for(world.people[persona])

    assert client.get(URL).status_code == 403
    assert client.post(URL, rules_form(disclosure_text="Sponsored")).status_code == 403
    assert PublicationRules.of(world.ministry).disclosure_text == MINISTRY_DISCLOSURE
    assert not changed_events(world.ministry).exists()


# --- What the rules change -----------------------------------------------------------------------------------


@pytest.fixture
def in_production(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path
    brief = brief_with_agency(world)
    approve_all(world, deliver_script(world, brief))
    return brief


def deliver_by_form(world, client_for, brief):
    """The agency member delivers the 5-second video with the subtitles ``SRT`` through the video form."""
    data = {
        "creators": [CreatorFactory(agency=world.agency).pk],
        "file": SimpleUploadedFile("booster.mp4", (MEDIA_DIR / "valid_5s.mp4").read_bytes(), content_type="video/mp4"),
        "subtitle_file": SimpleUploadedFile("booster.srt", SRT, content_type="application/x-subrip"),
        "music_source": "commercial_library",
        "caption": f"{PublicationRules.of(brief.organisation).disclosure_text} Book your booster.",
        "paid_partnership": "on",
        "transcript": TRANSCRIPT,
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "30",
    }
    return client_for(world.people["agency_member"]).post(reverse("video_create", args=[brief.pk]), data)


@pytest.mark.parametrize(
    ("field", "value", "problems"),
    [
        (
            "subtitle_max_line_length",
            "15",
            [
                "Cue 1 (0:00.500): line 1 has 17 characters (at most 15).",
                "Cue 2 (0:02.700): line 2 has 17 characters (at most 15).",
            ],
        ),
        ("subtitle_max_lines", "1", ["Cue 2 (0:02.700): 2 lines (at most 1)."]),
        (
            "subtitle_max_chars_per_second",
            "10",
            ["Cue 2 (0:02.700): 14 characters a second (at most 10); shorten the text or show it longer."],
        ),
    ],
)
def test_a_changed_limit_changes_what_the_video_form_refuses(world, client_for, in_production, field, value, problems):
    assert admin_client(world, client_for).post(URL, rules_form(**{field: value})).status_code == 302

    refused = deliver_by_form(world, client_for, in_production)

    assert refused.status_code == 200
    assert refused.context["form"].errors["subtitle_file"] == problems
    assert not VideoVersion.objects.filter(brief=in_production).exists()

    # The defaults again: the same file is fine.
    assert admin_client(world, client_for).post(URL, rules_form()).status_code == 302
    accepted = deliver_by_form(world, client_for, in_production)

    assert accepted.status_code == 302
    assert VideoVersion.objects.get(brief=in_production).subtitle_file


def test_a_changed_disclosure_is_what_the_approval_asks_for(world, client_for, in_production):
    assert deliver_by_form(world, client_for, in_production).status_code == 302  # with the old disclosure first
    version = VideoVersion.objects.get(brief=in_production)
    new = "Reclame | in opdracht van het Ministerie van VWS"
    admin_client(world, client_for).post(URL, rules_form(disclosure_text=new))

    with pytest.raises(ApprovalRefused) as refused:
        decide(world.people["adviser"], version)

    assert str(refused.value) == f"A paid creator appears, so the caption must start with the disclosure “{new}”."


def test_without_the_accessibility_requirement_a_video_without_a_transcript_is_approved(
    world, client_for, in_production
):
    admin_client(world, client_for).post(URL, rules_form(accessibility_required=None))  # the box unticked
    assert PublicationRules.of(world.ministry).accessibility_required is False
    upload = uploaded_video()
    version = approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=in_production,
        creators=[CreatorFactory(agency=world.agency)],
        has_subtitles=False,
        file=upload,
        info=inspect_video(upload, max_bytes=10_000_000, min_seconds=Decimal(3), max_seconds=Decimal(60)),
        publication={"caption": f"{MINISTRY_DISCLOSURE} Book your booster.", "paid_partnership": True},
    )

    decide(world.people["adviser"], version)

    assert Decision.objects.get(run__video_version=version).verdict == Verdict.APPROVE
