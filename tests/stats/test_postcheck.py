"""The live post against its approval (stats.postcheck): a pure comparison, no database and no clock."""

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from stats.postcheck import (
    CAPTION_LIMIT,
    DURATION_SLACK,
    Approved,
    Difference,
    Live,
    compare,
    live_from_api,
    normalised,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DISCLOSURE = "Reclame | in opdracht van het Ministerie van VWS"
CAPTION = f"{DISCLOSURE}\n\nGriepprik halen? Zo werkt het.\n\n#vws #griepprik"
APPROVED = Approved(
    caption=CAPTION,
    disclosure=DISCLOSURE,
    duration=Decimal("30.40"),
    approved_at=datetime(2026, 12, 7, 14, 0, 30, 500_000, tzinfo=AMSTERDAM),
    slot_day=date(2026, 12, 8),
    zone=AMSTERDAM,
)
LIVE = Live(
    caption=f"{DISCLOSURE} Griepprik halen? Zo werkt het. #vws #griepprik",
    duration=31,
    create_time=datetime(2026, 12, 8, 15, 0, tzinfo=UTC),  # 16:00 in Amsterdam, on the slot's day
    share_url="https://www.tiktok.com/@minvws/video/7000000000000000001",
)


def codes(approved=APPROVED, live=LIVE) -> list[str]:
    return [difference.code for difference in compare(approved, live)]


def test_a_post_as_approved_matches():
    assert compare(APPROVED, LIVE) == []
    assert CAPTION_LIMIT == 150 and str(DURATION_SLACK) == "1"


# --- Each difference alone -----------------------------------------------------------------------------------------


def test_another_caption_differs_and_says_what_was_approved_and_what_tiktok_shows():
    live = replace(LIVE, caption=f"{DISCLOSURE}\nGriepprik halen? Zo werkt het!  #vws #griepprik")
    (difference,) = compare(APPROVED, live)
    assert difference == Difference(
        "caption",
        expected=f"{DISCLOSURE} Griepprik halen? Zo werkt het. #vws #griepprik",
        found=f"{DISCLOSURE} Griepprik halen? Zo werkt het! #vws #griepprik",
    )
    assert difference.message == "The caption on TikTok differs from the approved caption."


def test_a_caption_without_its_disclosure_reports_the_disclosure_first_and_the_caption_too():
    live = replace(LIVE, caption="Griepprik halen? Zo werkt het. #vws #griepprik")
    disclosure, caption = compare(APPROVED, live)
    assert (disclosure.code, caption.code) == ("disclosure", "caption")
    assert (disclosure.expected, disclosure.found) == (DISCLOSURE, "Griepprik halen? Zo werkt het. #vws #griepprik")
    assert disclosure.message == f"The caption on TikTok does not start with the disclosure “{DISCLOSURE}”."


def test_the_disclosure_is_checked_only_when_required():
    approved = replace(APPROVED, caption="Griepprik halen? #vws", disclosure="")
    assert codes(approved, replace(LIVE, caption="Griepprik halen? #vws")) == []
    # Required and there, typed with other whitespace.
    live = replace(LIVE, caption=f"  {DISCLOSURE}\tGriepprik halen? Zo werkt het.\n#vws #griepprik ")
    assert codes(live=live) == []


@pytest.mark.parametrize(
    ("approved", "live", "differs"),
    [
        (Decimal("30.40"), 31, False),
        (Decimal("30.40"), 29, True),  # 1.4 s
        (Decimal("30.40"), 32, True),  # 1.6 s
        (Decimal("30.00"), 31, False),  # exactly the slack
        (Decimal("30.00"), 29, False),
        (None, 45, False),  # a preview link: no file, no duration
        (Decimal("30.40"), None, False),
    ],
)
def test_a_duration_more_than_a_second_off_differs(approved, live, differs):
    assert codes(replace(APPROVED, duration=approved), replace(LIVE, duration=live)) == (
        ["duration"] if differs else []
    )


def test_the_duration_difference_in_the_readers_language():
    (difference,) = compare(APPROVED, replace(LIVE, duration=45))
    assert (difference.expected, difference.found) == ("30.4", "45")
    assert difference.message == "The video on TikTok lasts 45 s; the approved file 30.4 s."
    with translation.override("nl"):
        assert difference.message.endswith("30,4 s.")  # (the sentence is English until it is translated)
        assert difference.expected_text == "30,4"


def test_posted_before_the_approval_is_too_early():
    live = replace(LIVE, create_time=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # 13:00 in Amsterdam, a day early
    too_early, off_day = compare(APPROVED, live)
    assert (too_early.code, off_day.code) == ("too_early", "off_day")
    assert (too_early.expected, too_early.found) == ("2026-12-07T14:00:30+01:00", "2026-12-07T13:00:00+01:00")
    assert too_early.message == (
        "Posted on TikTok at Monday 7 December 2026, 13:00, before the video was approved "
        "(Monday 7 December 2026, 14:00)."
    )


def test_within_the_second_of_the_approval_is_not_too_early_and_the_same_minute_shows_seconds():
    approved = replace(APPROVED, slot_day=None)
    same_second = datetime(2026, 12, 7, 13, 0, 30, tzinfo=UTC)  # approved at :30.5; TikTok has whole seconds
    assert codes(approved, replace(LIVE, create_time=same_second)) == []
    (difference,) = compare(approved, replace(LIVE, create_time=datetime(2026, 12, 7, 13, 0, 10, tzinfo=UTC)))
    assert difference.message == (
        "Posted on TikTok at Monday 7 December 2026, 14:00:10, before the video was approved "
        "(Monday 7 December 2026, 14:00:30)."
    )


def test_posted_on_another_local_day_than_the_slot_is_off_day():
    late_evening = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)  # already 9 December in Amsterdam
    (difference,) = compare(APPROVED, replace(LIVE, create_time=late_evening))
    assert (difference.code, difference.expected, difference.found) == ("off_day", "2026-12-08", "2026-12-09")
    assert (
        difference.message == "Posted on Wednesday 9 December 2026, outside the slot's day (Tuesday 8 December 2026)."
    )
    assert codes(replace(APPROVED, zone=ZoneInfo("America/New_York")), replace(LIVE, create_time=late_evening)) == []
    assert codes(replace(APPROVED, slot_day=None), replace(LIVE, create_time=late_evening)) == []


def test_the_tolerance_widens_the_slots_day():
    approved = replace(APPROVED, tolerance_days=1)
    assert codes(approved, replace(LIVE, create_time=datetime(2026, 12, 9, 20, 0, tzinfo=UTC))) == []
    (difference,) = compare(approved, replace(LIVE, create_time=datetime(2026, 12, 10, 9, 0, tzinfo=UTC)))
    assert (difference.code, difference.expected, difference.found) == (
        "off_day",
        "2026-12-07/2026-12-09",
        "2026-12-10",
    )
    assert difference.message == (
        "Posted on Thursday 10 December 2026, outside the days allowed around the slot's day "
        "(Monday 7 December 2026 to Wednesday 9 December 2026)."
    )
    assert difference.expected_text == "Monday 7 December 2026 to Wednesday 9 December 2026"


def test_what_tiktok_did_not_send_is_one_unreadable_difference_and_the_rest_is_still_checked():
    (difference,) = compare(APPROVED, replace(LIVE, caption=None))
    assert (difference.code, difference.expected, difference.found) == ("unreadable", "video_description", "")
    assert difference.message == "TikTok did not send the caption: it could not be checked."
    assert codes(live=replace(LIVE, caption=None, duration=40)) == ["unreadable", "duration"]
    (difference,) = compare(APPROVED, replace(LIVE, create_time=None))
    assert difference.expected == "create_time"
    assert difference.message == "TikTok did not send when the video was posted: that could not be checked."
    (difference,) = compare(APPROVED, Live(caption=None, duration=None, create_time=None))
    assert difference.expected == "video_description,create_time"
    assert difference.message == "TikTok sent neither the caption nor the posting time: they could not be checked."


def test_an_empty_caption_on_tiktok_is_read_and_differs():
    assert codes(live=replace(LIVE, caption="")) == ["disclosure", "caption"]


# --- The 150 characters TikTok returns and whitespace ---------------------------------------------------------------


LONG = f"{DISCLOSURE} " + " ".join(f"woord{n:03d}" for n in range(30))  # 318 characters


def test_a_caption_longer_than_150_matches_its_first_150_as_tiktok_returns_them():
    approved = replace(APPROVED, caption=LONG)
    assert len(LONG) > 200 and len(LONG[:CAPTION_LIMIT]) == 150
    assert codes(approved, replace(LIVE, caption=LONG[:CAPTION_LIMIT])) == []


def test_a_long_caption_that_differs_within_its_first_150_characters_differs():
    approved = replace(APPROVED, caption=LONG)
    changed = LONG[:100] + "X" + LONG[101:CAPTION_LIMIT]
    (difference,) = compare(approved, replace(LIVE, caption=changed))
    assert (difference.code, difference.expected, difference.found) == ("caption", LONG[:CAPTION_LIMIT], changed)


def test_a_long_caption_shorter_on_tiktok_than_150_characters_differs():
    approved = replace(APPROVED, caption=LONG)
    assert codes(approved, replace(LIVE, caption=LONG[:120])) == ["caption"]
    assert codes(approved, replace(LIVE, caption=LONG[:CAPTION_LIMIT] + " extra")) == ["caption"]


def test_tiktok_cutting_the_typed_text_with_its_new_lines_still_matches():
    typed = LONG.replace(" woord", "\n\nwoord")  # as the agency pasted it: blank lines between the words
    cut = typed[:CAPTION_LIMIT]  # TikTok's 150 of the typed text: fewer words once normalised
    assert len(normalised(cut)) < CAPTION_LIMIT
    assert codes(replace(APPROVED, caption=LONG), replace(LIVE, caption=cut)) == []
    # Under the limit, a text that stops early is not a cut one.
    assert codes(replace(APPROVED, caption=LONG), replace(LIVE, caption=normalised(cut))) == ["caption"]


def test_whitespace_is_normalised_on_both_sides():
    assert normalised(" a\n\n b\t\tc\u00a0 d \r\n") == "a b c d"
    approved = replace(APPROVED, caption=f"{DISCLOSURE}\r\n\r\nGriepprik   halen?\tZo werkt het. #vws #griepprik\n")
    live = replace(LIVE, caption=f"\n{DISCLOSURE}  Griepprik halen?\nZo werkt het.\n\n#vws\u00a0#griepprik")
    assert compare(approved, live) == []
    assert codes(approved, replace(live, caption=live.caption.lower())) == ["disclosure", "caption"]  # case counts


# --- TikTok's answer ----------------------------------------------------------------------------------------------


def test_live_from_api_reads_tiktoks_answer():
    live = live_from_api(
        {
            "id": "7000000000000000001",
            "create_time": 1_796_742_000,
            "video_description": "Reclame | tekst",
            "duration": 31,
            "share_url": "https://www.tiktok.com/@minvws/video/7000000000000000001",
        }
    )
    assert live == Live(
        caption="Reclame | tekst",
        duration=31,
        create_time=datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
        share_url="https://www.tiktok.com/@minvws/video/7000000000000000001",
    )


@pytest.mark.parametrize(
    "video",
    [
        {"create_time": "1796742000", "video_description": 5, "duration": "31", "share_url": 7},
        {"create_time": 1.7e9, "video_description": None, "duration": 30.5, "share_url": None},
        {"create_time": True, "video_description": ["a"], "duration": True, "share_url": "javascript:alert(1)"},
        {"create_time": -1, "video_description": {"text": "a"}, "duration": -3, "share_url": ""},
        {"create_time": 10**20, "duration": 2**40},  # out of range
        {},
    ],
)
def test_live_from_api_turns_wrong_types_into_nothing(video):
    assert live_from_api(video) == Live(caption=None, duration=None, create_time=None, share_url="")


def test_live_from_api_never_raises_on_something_that_is_no_object():
    for answer in (None, [], "video", 3):
        assert live_from_api(answer) == Live(caption=None, duration=None, create_time=None)


def test_live_from_api_drops_nul_characters_no_database_could_store():
    assert live_from_api({"video_description": "a\x00b"}).caption == "ab"


# --- Stored, then said in the reader's language ---------------------------------------------------------------------


def test_a_stored_difference_is_said_when_shown_in_the_readers_language():
    late_evening = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    stored = json.loads(json.dumps([asdict(d) for d in compare(APPROVED, replace(LIVE, create_time=late_evening))]))
    (difference,) = (Difference(**item) for item in stored)
    with translation.override("nl"):
        assert "woensdag 9 december 2026" in difference.message
        assert difference.expected_text == "dinsdag 8 december 2026"
    with translation.override("sv"):
        assert difference.found_text == "onsdag 9 december 2026"


def test_an_unknown_or_garbled_stored_difference_still_says_something():
    assert Difference("something_new", "a", "b").message == "The post on TikTok differs from its approval."
    assert Difference("too_early", "not a moment", "x").found_text == "x"
    assert Difference("duration", "n/a", "31").message == "The video on TikTok lasts 31 s; the approved file n/a s."
