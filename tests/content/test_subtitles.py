"""Subtitle files delivered with a video are read with pysubs2 and checked for what a viewer can read."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from content.subtitles import Cue, SubtitleLimits, UnreadableSubtitles, check, parse, validate

CLEAN_SRT = b"""1
00:00:00,500 --> 00:00:03,000
Welcome to the town hall.

2
00:00:03,200 --> 00:00:06,000
<i>Today:</i> how to apply
for a parking permit.

3
00:00:06,500 --> 00:00:08,000
[music]
"""

CLEAN_VTT = b"""WEBVTT - Parking permits
Kind: captions
Language: en

NOTE Made by the agency, checked by the editor.

STYLE
::cue { color: yellow }

welcome
00:00.500 --> 00:03.000 align:center line:90%
<v Anna>Welcome to the town hall.</v>

00:03.200 --> 00:06.000
<c.yellow>Today:</c> parking &amp; permits
(laughter)
"""


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def srt(*cues):
    """An SRT file from (start, end, text) triples, times as "HH:MM:SS,mmm"."""
    blocks = [f"{number}\n{start} --> {end}\n{text}\n" for number, (start, end, text) in enumerate(cues, start=1)]
    return "\n".join(blocks).encode()


def problems(data, filename="video.srt", duration=Decimal("30"), **limits):
    return check(data, filename, duration=duration, limits=SubtitleLimits(**limits)).problems


def test_a_clean_srt_passes():
    result = check(CLEAN_SRT, "video.srt", duration=Decimal("8.00"))

    assert result.ok
    assert result.problems == []
    assert result.format == "srt"
    assert result.cues == [
        Cue(1, Decimal("0.500"), Decimal("3.000"), "Welcome to the town hall."),
        Cue(2, Decimal("3.200"), Decimal("6.000"), "Today: how to apply\nfor a parking permit."),
        Cue(3, Decimal("6.500"), Decimal("8.000"), "[music]"),
    ]
    assert str(result.cues[0].start) == "0.500"  # three decimals, as in the file


def test_a_clean_webvtt_passes_without_its_header_notes_styles_and_cue_names():
    result = check(CLEAN_VTT, "video.vtt", duration=Decimal("6"))

    assert result.ok, result.problems
    assert result.format == "vtt"
    assert [(cue.number, cue.start, cue.end) for cue in result.cues] == [
        (1, Decimal("0.500"), Decimal("3.000")),
        (2, Decimal("3.200"), Decimal("6.000")),
    ]
    # Voice, class and italic tags go; the escaped ampersand is read; sound descriptions stay.
    assert result.cues[0].text == "Welcome to the town hall."
    assert result.cues[1].text == "Today: parking & permits\n(laughter)"


def test_webvtt_karaoke_time_tags_are_removed_and_do_not_split_the_cue():
    data = b"WEBVTT\n\n00:01.000 --> 00:04.000\n<00:01.000>One <00:02.000>two <i>three</i>\n"

    format_, cues = parse(data, "video.vtt")

    assert format_ == "vtt"
    assert cues == [Cue(1, Decimal("1.000"), Decimal("4.000"), "One two three")]


def test_srt_formatting_is_removed_and_a_line_left_empty_by_it_is_no_line():
    data = srt(("00:00:01,000", "00:00:04,000", '{\\an8}\n<font color="#ffff00"><b>Top</b> of the screen</font>'))

    assert parse(data, "video.srt")[1] == [Cue(1, Decimal("1.000"), Decimal("4.000"), "Top of the screen")]


def test_the_content_decides_the_format_not_the_name():
    assert parse(CLEAN_VTT, "video.srt")[0] == "vtt"
    assert parse(CLEAN_SRT, "video.vtt")[0] == "srt"


@pytest.mark.parametrize("data", [CLEAN_SRT, CLEAN_VTT], ids=["srt", "vtt"])
def test_a_byte_order_mark_and_windows_line_ends_are_fine(data):
    with_bom = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")

    format_, cues = parse(with_bom, "video.srt")

    assert (format_, cues) == parse(data, "video.srt")
    assert "\r" not in cues[1].text


def test_text_is_a_start_for_a_transcript():
    assert check(CLEAN_SRT, "video.srt", duration=None).text() == (
        "Welcome to the town hall.\nToday: how to apply for a parking permit.\n[music]"
    )


def test_a_cue_after_the_videos_end():
    data = srt(
        ("00:00:26,000", "00:00:30,040", "Within one frame of the end."),
        ("00:00:30,100", "00:00:31,000", "Thanks!"),
    )

    assert problems(data, duration=Decimal("30.00")) == [
        "Cue 2 (0:30.100): ends at 0:31.000, after the video's end (0:30.000).",
    ]
    assert problems(data, duration=Decimal("31")) == []
    assert problems(data, duration=None) == []  # the video's length not known yet


def test_overlapping_cues():
    data = srt(
        ("00:00:01,000", "00:00:04,200", "First line of speech."),
        ("00:00:04,000", "00:00:06,000", "Second, too early."),
        ("00:00:06,000", "00:00:08,000", "Third starts as the second ends."),
    )

    assert problems(data) == ["Cue 2 (0:04.000): starts before cue 1 ends (0:04.200)."]


def test_text_too_fast_to_read():
    text = "Apply online before the first of March,\nor visit the town hall with your ID."  # 75 characters
    data = srt(("00:00:01,000", "00:00:04,000", text))  # 3 s: 25 characters a second

    assert problems(data) == [
        "Cue 1 (0:01.000): 25 characters a second (at most 17); shorten the text or show it longer."
    ]
    # Line breaks and the spaces around lines are not characters a viewer reads.
    padded = srt(("00:00:01,000", "00:00:04,000", " 17 characters... \n  ...and 34 here.  "))
    assert problems(padded) == []


def test_the_rate_shown_is_rounded_up_so_it_is_never_the_limit_itself():
    data = srt(("00:00:00,000", "00:00:02,000", "Thirty-five characters in two secs."))  # 17.5 a second

    assert problems(data) == [
        "Cue 1 (0:00.000): 18 characters a second (at most 17); shorten the text or show it longer."
    ]


def test_a_line_too_long():
    line = "This line is forty-three characters long!!!"
    assert len(line) == 43
    data = srt(("00:00:01,000", "00:00:05,000", f"Short first line\n{line}"))

    assert problems(data) == ["Cue 1 (0:01.000): line 2 has 43 characters (at most 42)."]
    assert problems(srt(("00:00:01,000", "00:00:05,000", line[:42]))) == []


def test_three_lines():
    data = srt(("00:00:01,000", "00:00:05,000", "One\nTwo\nThree"))

    assert problems(data) == ["Cue 1 (0:01.000): 3 lines (at most 2)."]


def test_a_cue_too_short_to_read():
    data = srt(("00:00:01,000", "00:00:01,500", "Hi"), ("00:00:02,000", "00:00:02,800", "Ok"))

    assert problems(data) == ["Cue 1 (0:01.000): shown for 0.5 s, too short to read (at least 0.8 s)."]


def test_a_cue_that_ends_before_or_when_it_starts():
    data = srt(
        ("00:00:05,000", "00:00:04,000", "Backwards"),
        ("00:00:06,000", "00:00:06,000", "Never shown"),
    )

    # Only the one problem each: no reading speed or shortness for a cue that is never on screen.
    assert problems(data) == [
        "Cue 1 (0:05.000): ends at 0:04.000, which is not after its start.",
        "Cue 2 (0:06.000): ends at 0:06.000, which is not after its start.",
    ]


def test_every_problem_of_a_cue_is_named():
    data = srt(
        ("00:00:01,000", "00:00:02,000", "Fine."),
        # 35 + 37 characters in half a second
        ("00:00:01,500", "00:00:02,000", "Far too much text for half a second\nand a line much longer than forty-two"),
    )

    assert problems(data, duration=Decimal("1.9")) == [
        "Cue 1 (0:01.000): ends at 0:02.000, after the video's end (0:01.900).",
        "Cue 2 (0:01.500): ends at 0:02.000, after the video's end (0:01.900).",
        "Cue 2 (0:01.500): starts before cue 1 ends (0:02.000).",
        "Cue 2 (0:01.500): shown for 0.5 s, too short to read (at least 0.8 s).",
        "Cue 2 (0:01.500): 144 characters a second (at most 17); shorten the text or show it longer.",
    ]


def test_times_past_a_minute_and_an_hour():
    data = srt(("01:02:03,004", "01:02:05,000", "Late"))

    assert problems(data, duration=Decimal("60")) == [
        "Cue 1 (62:03.004): ends at 62:05.000, after the video's end (1:00.000).",
    ]


def test_custom_limits_change_the_outcome():
    data = srt(("00:00:01,000", "00:00:02,000", "Twenty characters!!\nand a second line"))  # 37 a second

    assert len(problems(data)) == 1
    assert problems(data, max_chars_per_second=Decimal("40")) == []
    assert problems(data, max_chars_per_second=Decimal("40"), max_lines=1, max_line_length=18) == [
        "Cue 1 (0:01.000): line 1 has 19 characters (at most 18).",
        "Cue 1 (0:01.000): 2 lines (at most 1).",
    ]
    assert problems(data, max_chars_per_second=Decimal("40"), min_cue_seconds=Decimal("1.5")) == [
        "Cue 1 (0:01.000): shown for 1 s, too short to read (at least 1.5 s).",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xef\xbb\xbf",
        b"WEBVTT\n",
        b"WEBVTT\n\nNOTE only a note\n",
        b"Just a transcript, no times at all.\n",
    ],
)
def test_a_file_without_cues_is_refused(data):
    result = check(data, "video.srt", duration=None)

    assert not result.ok
    assert result.cues == []
    assert result.problems == ["The subtitle file has no cues: no text with a start and end time."]


@pytest.mark.parametrize(
    ("line", "data"),
    [
        ("00:00:01 --> 00:00:02", srt(("00:00:00,000", "00:00:01,000", "Fine"), ("00:00:01", "00:00:02", "No ms"))),
        ("1.000 --> 2.000", b"WEBVTT\n\n1.000 --> 2.000\nToo short a time\n"),
    ],
)
def test_times_that_cannot_be_read_are_named_instead_of_merged_into_the_cue_before(line, data):
    [problem] = problems(data)

    assert problem.startswith(f"The times “{line}” could not be read; write them like 00:00:01")


def test_text_not_in_utf8_is_refused():
    latin1 = "1\n00:00:01,000 --> 00:00:03,000\nCafé in Malmö\n".encode("latin-1")

    assert problems(latin1) == ["Save the subtitle file as UTF-8."]
    with pytest.raises(UnreadableSubtitles, match="UTF-8"):
        parse("WEBVTT\n".encode("utf-16"), "video.vtt")


@pytest.mark.parametrize("filename", ["video.txt", "video.ass", "video.srt.exe", "subtitles", ""])
def test_only_srt_and_vtt_names_are_taken(filename):
    result = check(CLEAN_SRT, filename, duration=None)

    assert result.problems == ["Upload the subtitles as an SRT or WebVTT file (.srt, .vtt)."]
    assert result.format == ""


def test_the_extension_may_be_in_capitals():
    assert parse(CLEAN_SRT, "VIDEO.SRT")[0] == "srt"


def test_a_file_over_512_kb_is_refused():
    cue = b"1\n00:00:01,000 --> 00:00:03,000\nHello\n\n"

    assert problems(cue * (512 * 1024 // len(cue))) != ["The subtitle file is too large (at most 512 KB)."]
    assert problems(cue * (512 * 1024 // len(cue) + 1)) == ["The subtitle file is too large (at most 512 KB)."]


def test_validate_returns_the_check_and_rewinds_the_file():
    upload = SimpleUploadedFile("video.vtt", CLEAN_VTT, content_type="text/vtt")

    result = validate(upload, duration=Decimal("6"))

    assert result.format == "vtt"
    assert len(result.cues) == 2
    assert upload.read() == CLEAN_VTT  # the form can still save it


def test_validate_raises_one_message_per_problem():
    data = srt(
        ("00:00:01,000", "00:00:03,000", "One\nTwo\nThree"),
        ("00:00:02,000", "00:00:04,000", "Overlaps"),
        ("00:00:28,000", "00:00:31,000", "Too late"),
    )
    upload = SimpleUploadedFile("video.srt", data)

    with pytest.raises(ValidationError) as raised:
        validate(upload, duration=Decimal("30"))

    assert raised.value.messages == [
        "Cue 1 (0:01.000): 3 lines (at most 2).",
        "Cue 2 (0:02.000): starts before cue 1 ends (0:03.000).",
        "Cue 3 (0:28.000): ends at 0:31.000, after the video's end (0:30.000).",
    ]
    assert [error.code for error in raised.value.error_list] == ["subtitles"] * 3
    assert upload.read() == data


def test_validate_refuses_a_huge_upload_without_reading_all_of_it():
    upload = SimpleUploadedFile("video.srt", b"x" * (5 * 1024 * 1024))

    with pytest.raises(ValidationError) as raised:
        validate(upload, duration=None, limits=SubtitleLimits(max_lines=3))

    assert raised.value.messages == ["The subtitle file is too large (at most 512 KB)."]
    assert upload.tell() == 0


def test_validate_passes_custom_limits_on():
    upload = SimpleUploadedFile("video.srt", srt(("00:00:01,000", "00:00:05,000", "One\nTwo\nThree")))

    with pytest.raises(ValidationError):
        validate(upload, duration=None)
    assert validate(upload, duration=None, limits=SubtitleLimits(max_lines=3)).ok


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode), vtt=st.booleans())
def test_any_bytes_give_messages_never_a_traceback(data, vtt):
    if vtt:
        data = b"WEBVTT\n\n" + data

    result = check(data, "video.vtt", duration=Decimal("10"))

    assert result.ok or result.problems
    assert all(isinstance(problem, str) and problem for problem in result.problems)


@settings(max_examples=200, deadline=None)
@given(
    cues=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=99 * 3600_000),
            st.integers(min_value=0, max_value=99 * 3600_000),
            st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=60),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_written_times_are_read_back_exactly(cues):
    def stamp(ms):
        return f"{ms // 3600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    # Words only, so the text holds no tags, times or cue numbers of its own.
    cues = [(start, end, "".join(c for c in text if c.isalpha()) or "x") for start, end, text in cues]

    read = check(srt(*[(stamp(s), stamp(e), t) for s, e, t in cues]), "video.srt", duration=None).cues

    assert [(cue.start, cue.end, cue.text) for cue in read] == [
        (Decimal(s) / 1000, Decimal(e) / 1000, t) for s, e, t in cues
    ]
