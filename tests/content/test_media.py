"""Uploaded videos are judged by their bytes: real tiny files made with ffmpeg (see fixtures/videos/README.md)."""

import contextlib
import io
import logging
import struct
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from content.media import VideoInfo, inspect_video

MEDIA = Path(__file__).parent.parent / "fixtures" / "videos"
LIMITS = {"max_bytes": 50 * 1024 * 1024, "min_seconds": Decimal(3), "max_seconds": Decimal(60)}
TOLERANCE = Decimal("0.1")


@pytest.fixture(params=["in_memory", "temporary"])
def upload(request):
    """Make a Django upload of a fixture, kept in memory or in a temporary file as Django does by size."""
    made = []

    def make(filename, *, content=None, name=None, content_type="video/mp4"):
        data = (MEDIA / filename).read_bytes() if content is None else content
        name = name or filename
        if request.param == "in_memory":
            uploaded = SimpleUploadedFile(name, data, content_type=content_type)
        else:
            uploaded = TemporaryUploadedFile(name, content_type, len(data), None)
            uploaded.write(data)
            uploaded.flush()
            uploaded.seek(0)
        made.append(uploaded)
        return uploaded

    yield make
    for uploaded in made:
        uploaded.close()


def refusal(uploaded, **limits) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_video(uploaded, **(LIMITS | limits))
    return caught.value


@pytest.mark.parametrize(
    ("filename", "container", "content_type"),
    [
        ("valid_5s.mp4", "mp4", "video/mp4"),
        ("valid_5s.mov", "mov", "video/quicktime"),
        ("valid_5s.webm", "webm", "video/webm"),
    ],
)
def test_valid_videos_are_accepted_with_their_container_and_duration(upload, filename, container, content_type):
    info = inspect_video(upload(filename), **LIMITS)

    assert isinstance(info, VideoInfo)
    assert info.container == container
    assert info.content_type == content_type
    assert abs(info.duration - Decimal(5)) <= TOLERANCE
    assert info.duration.as_tuple().exponent == -2  # quantised to hundredths
    assert info.size == (MEDIA / filename).stat().st_size
    assert (info.width, info.height) == (32, 32)


def test_name_and_browser_content_type_do_not_decide_the_type(upload):
    info = inspect_video(upload("valid_5s.webm", name="holiday.mp4", content_type="text/plain"), **LIMITS)

    assert info.container == "webm"
    assert info.content_type == "video/webm"


def test_text_file_renamed_to_mp4_is_refused(upload):
    error = refusal(upload("not_a_video.mp4", content_type="video/mp4"))

    assert error.code == "not_a_video"
    assert "not_a_video.mp4" in error.messages[0]


def test_audio_without_a_video_track_is_refused(upload):
    assert refusal(upload("audio_only_5s.m4a")).code == "not_a_video"


def test_matroska_that_is_not_webm_is_refused(upload):
    assert refusal(upload("matroska_5s.mkv", name="matroska_5s.webm", content_type="video/webm")).code == "not_a_video"


def test_empty_file_is_refused(upload):
    assert refusal(upload("empty.mp4", content=b"")).code == "not_a_video"


def test_truncated_mp4_is_refused_cleanly(upload):
    error = refusal(upload("truncated_200_bytes.mp4"))

    assert error.code == "not_a_video"
    assert "incomplete" in error.messages[0]


def test_parser_complaints_go_to_logging_not_to_the_console(upload, capsys, caplog):
    content = (MEDIA / "valid_5s.mp4").read_bytes()[:2000]  # cut off inside the video data

    with caplog.at_level(logging.DEBUG, logger="content.media"):
        assert refusal(upload("cut.mp4", content=content)).code == "not_a_video"

    assert capsys.readouterr() == ("", "")
    assert any("hachoir" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("length", [8, 40, 1000, 2000, 3600])
def test_mp4_cut_off_anywhere_is_refused(upload, length):
    content = (MEDIA / "valid_5s.mp4").read_bytes()[:length]

    assert refusal(upload("cut.mp4", content=content)).code == "not_a_video"


def test_mp4_with_its_header_but_without_the_video_data_is_refused(upload):
    content = (MEDIA / "valid_5s.mp4").read_bytes()
    content = content[: content.index(b"mdat") - 4]  # ends just before the box holding the frames

    assert refusal(upload("header_only.mp4", content=content)).code == "not_a_video"


@pytest.mark.parametrize("filename", ["valid_5s.mov", "valid_5s.webm"])
def test_mov_and_webm_cut_off_halfway_are_refused(upload, filename):
    content = (MEDIA / filename).read_bytes()
    content = content[: len(content) // 2]

    assert refusal(upload(filename, content=content)).code == "not_a_video"


def test_file_made_of_thousands_of_tiny_boxes_is_refused(upload):
    # A crafted file: legal but pointless "free" boxes, enough to keep a pure-Python parser busy.
    content = (MEDIA / "valid_5s.mp4").read_bytes()
    content = content[:32] + struct.pack(">I4s", 8, b"free") * 12_000 + content[32:]

    assert refusal(upload("crafted.mp4", content=content)).code == "not_a_video"


def test_video_shorter_than_the_minimum_is_refused(upload):
    error = refusal(upload("too_short_2s.mp4"))

    assert error.code == "too_short"
    assert abs(Decimal(error.params["duration"]) - Decimal(2)) <= TOLERANCE
    assert error.params["min_seconds"] == "3"
    assert "3 seconds" in error.messages[0]


def test_video_longer_than_the_maximum_is_refused(upload):
    error = refusal(upload("too_long_65s.mp4"))

    assert error.code == "too_long"
    assert abs(Decimal(error.params["duration"]) - Decimal(65)) <= TOLERANCE
    assert error.params["max_seconds"] == "60"
    assert "60 seconds" in error.messages[0]


def test_long_video_is_accepted_when_the_limit_allows_it(upload):
    info = inspect_video(upload("too_long_65s.mp4"), **(LIMITS | {"max_seconds": Decimal(120)}))

    assert abs(info.duration - Decimal(65)) <= TOLERANCE
    assert (info.width, info.height) == (16, 16)


def test_file_larger_than_the_limit_is_refused(upload):
    error = refusal(upload("valid_5s.mp4"), max_bytes=1000)

    assert error.code == "too_large"


def test_too_large_message_gives_the_limit_in_mb_and_the_file_size(upload):
    with translation.override("en"):
        error = refusal(upload("big.mp4", content=b"\0" * (3 * 1024 * 1024)), max_bytes=2 * 1024 * 1024)

    assert error.code == "too_large"
    message = error.messages[0].replace("\xa0", " ")
    assert "2.0 MB" in message
    assert "3.0 MB" in message


class ReadCountingBytesIO(io.BytesIO):
    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.bytes_read += count
        return count


def test_size_limit_is_checked_before_reading_the_file():
    content = (MEDIA / "valid_5s.mp4").read_bytes()
    uploaded = SimpleUploadedFile("valid_5s.mp4", b"", content_type="video/mp4")
    uploaded.file = ReadCountingBytesIO(content)
    uploaded.size = len(content)

    assert refusal(uploaded, max_bytes=1000).code == "too_large"
    assert uploaded.file.bytes_read == 0


def test_inspection_reads_only_the_headers():
    content = (MEDIA / "too_long_65s.mp4").read_bytes()
    uploaded = SimpleUploadedFile("too_long_65s.mp4", b"", content_type="video/mp4")
    uploaded.file = ReadCountingBytesIO(content)
    uploaded.size = len(content)

    inspect_video(uploaded, **(LIMITS | {"max_seconds": Decimal(120)}))

    assert 0 < uploaded.file.bytes_read < len(content)


@pytest.mark.parametrize("filename", ["valid_5s.webm", "not_a_video.mp4", "truncated_200_bytes.mp4"])
def test_file_position_is_back_at_zero_after_inspection(upload, filename):
    uploaded = upload(filename)
    uploaded.seek(17)

    with contextlib.suppress(ValidationError):  # refused or not, the position must be reset
        inspect_video(uploaded, **LIMITS)

    assert uploaded.tell() == 0
    assert uploaded.read() == (MEDIA / filename).read_bytes()
