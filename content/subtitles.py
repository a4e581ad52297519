"""Read and check the subtitle file an agency delivers with a video.

A public body's prerecorded video needs subtitles to be accessible to people who are deaf or hard of hearing, or
who watch without sound (WCAG 2.1 success criterion 1.2.2, which the EU Web Accessibility Directive asks of public
bodies: see digitoegankelijk.nl in the Netherlands and DIGG in Sweden). A file that is there but wrong (cues
after the video's end, text too fast to read) helps nobody, so the file is checked before the video goes on.

The bytes come from agencies, so they may be anything: pysubs2 parses SRT and WebVTT, and every failure becomes a
translated message, never a traceback.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pysubs2
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pysubs2.formats import get_format_class

MAX_BYTES = 512 * 1024  # hours of dialogue; a TikTok video's subtitles are a few KB
EXTENSIONS = {".srt", ".vtt"}
# One frame at 25 fps: editing tools round a cue's end to a frame, which may land just after the video's end.
END_SLACK = Decimal("0.04")


@dataclass(frozen=True)
class SubtitleLimits:
    """How much a viewer can read. The defaults follow public-broadcaster practice: the BBC's subtitle guidelines
    give a reading speed of 160 to 180 words a minute and at most two lines; 42 characters a line and 17 characters a
    second are the common practice of streaming services and EBU broadcasters, and a cue shown for less than about
    0.8 s can't be read. They are defaults, not law: the organisation can change them."""

    max_chars_per_second: Decimal = Decimal("17")
    max_line_length: int = 42
    max_lines: int = 2
    min_cue_seconds: Decimal = Decimal("0.8")


@dataclass(frozen=True)
class Cue:
    number: int  # 1-based position in the file
    start: Decimal  # seconds, 3 decimals
    end: Decimal
    text: str  # plain text, lines joined by "\n", formatting tags removed


@dataclass(frozen=True)
class SubtitleCheck:
    format: str  # "srt" or "vtt"; "" when the file could not be read
    cues: list[Cue]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        """All the cues' text, one cue a line: a start for a transcript."""
        return "\n".join(cue.text.replace("\n", " ") for cue in self.cues if cue.text)


class UnreadableSubtitles(ValueError):
    """The file as a whole is refused; the message is translated and meant for the uploader."""


def parse(data: bytes, filename: str) -> tuple[str, list[Cue]]:
    """The format ("srt" or "vtt") and cues of a subtitle file; raises UnreadableSubtitles when it can't be read."""
    if Path(filename).suffix.lower() not in EXTENSIONS:
        raise UnreadableSubtitles(_("Upload the subtitles as an SRT or WebVTT file (.srt, .vtt)."))
    if len(data) > MAX_BYTES:
        raise UnreadableSubtitles(
            _("The subtitle file is too large (at most %(limit)s KB).") % {"limit": MAX_BYTES // 1024}
        )
    try:
        # Only UTF-8: guessing another encoding could silently turn the letters ë and å into other ones.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableSubtitles(_("Save the subtitle file as UTF-8.")) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    # The content decides, not the name: some tools save WebVTT as .srt and the other way round.
    format_ = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    if format_ == "vtt":
        text = _vtt_cue_blocks(text)
    try:
        events = pysubs2.SSAFile.from_string(text, format_=format_).events
    except (pysubs2.Pysubs2Error, ValueError, IndexError):
        raise UnreadableSubtitles(_("The subtitle file could not be read as SRT or WebVTT.")) from None

    # pysubs2 skips a time line it can't read and adds its text to the cue before, which would show up as a
    # confusing "too many lines"; name the line instead.
    timestamp = get_format_class(format_).TIMESTAMP
    for line in text.split("\n"):
        if "-->" in line and len(timestamp.findall(line)) != 2:
            raise UnreadableSubtitles(
                _("The times “%(line)s” could not be read; write them like %(example)s.")
                % {
                    "line": line.strip(),
                    "example": "00:00:01.000 --> 00:00:03.500" if format_ == "vtt" else "00:00:01,000 --> 00:00:03,500",
                }
            )
    if not events:
        raise UnreadableSubtitles(_("The subtitle file has no cues: no text with a start and end time."))
    return format_, [
        Cue(number=number, start=_seconds(event.start), end=_seconds(event.end), text=_plain(event, format_))
        for number, event in enumerate(events, start=1)
    ]


def check(
    data: bytes, filename: str, *, duration: Decimal | None, limits: SubtitleLimits = SubtitleLimits()
) -> SubtitleCheck:
    """Every problem of a subtitle file, for the video of `duration` seconds (None: not known yet)."""
    try:
        format_, cues = parse(data, filename)
    except UnreadableSubtitles as error:
        return SubtitleCheck(format="", cues=[], problems=[str(error)])
    problems = []
    previous = None
    for cue in cues:
        problems += _cue_problems(cue, previous, duration, limits)
        previous = cue
    return SubtitleCheck(format=format_, cues=cues, problems=problems)


def validate(uploaded_file, *, duration, limits=SubtitleLimits()) -> SubtitleCheck:
    """For forms: check an uploaded file and raise ValidationError (one message per problem) unless it is fine."""
    # Read one chunk past the cap at most: enough for check() to refuse the file, without holding a huge one.
    data = bytearray()
    for chunk in uploaded_file.chunks():
        data += chunk
        if len(data) > MAX_BYTES:
            break
    uploaded_file.seek(0)
    result = check(bytes(data), uploaded_file.name or "", duration=duration, limits=limits)
    if not result.ok:
        raise ValidationError([ValidationError(problem, code="subtitles") for problem in result.problems])
    return result


def _cue_problems(cue: Cue, previous: Cue | None, duration: Decimal | None, limits: SubtitleLimits) -> list[str]:
    params = {"number": cue.number, "start": _time(cue.start), "end": _time(cue.end)}
    problems = []
    shown = cue.end - cue.start
    if shown <= 0:
        problems.append(_("Cue %(number)s (%(start)s): ends at %(end)s, which is not after its start.") % params)
    if duration is not None and cue.end > Decimal(duration) + END_SLACK:
        problems.append(
            _("Cue %(number)s (%(start)s): ends at %(end)s, after the video's end (%(duration)s).")
            % {**params, "duration": _time(Decimal(duration))}
        )
    if previous is not None and cue.start < previous.end:
        problems.append(
            _("Cue %(number)s (%(start)s): starts before cue %(previous)s ends (%(previous_end)s).")
            % {**params, "previous": previous.number, "previous_end": _time(previous.end)}
        )
    if 0 < shown < limits.min_cue_seconds:
        problems.append(
            _("Cue %(number)s (%(start)s): shown for %(shown)s s, too short to read (at least %(minimum)s s).")
            % {**params, "shown": _number(shown), "minimum": _number(limits.min_cue_seconds)}
        )
    lines = cue.text.split("\n") if cue.text else []
    characters = sum(len(line) for line in lines)
    if shown > 0 and characters / shown > limits.max_chars_per_second:
        # Rounded up, so the figure shown is never the limit itself.
        rate = int((characters / shown).to_integral_value(ROUND_CEILING))
        problems.append(
            ngettext(
                "Cue %(number)s (%(start)s): %(rate)s character a second (at most %(limit)s); "
                "shorten the text or show it longer.",
                "Cue %(number)s (%(start)s): %(rate)s characters a second (at most %(limit)s); "
                "shorten the text or show it longer.",
                rate,
            )
            % {**params, "rate": rate, "limit": _number(limits.max_chars_per_second)}
        )
    for line_number, line in enumerate(lines, start=1):
        if len(line) > limits.max_line_length:
            problems.append(
                ngettext(
                    "Cue %(number)s (%(start)s): line %(line)s has %(length)s character (at most %(limit)s).",
                    "Cue %(number)s (%(start)s): line %(line)s has %(length)s characters (at most %(limit)s).",
                    len(line),
                )
                % {**params, "line": line_number, "length": len(line), "limit": limits.max_line_length}
            )
    if len(lines) > limits.max_lines:
        problems.append(
            ngettext(
                "Cue %(number)s (%(start)s): %(count)s line (at most %(limit)s).",
                "Cue %(number)s (%(start)s): %(count)s lines (at most %(limit)s).",
                len(lines),
            )
            % {**params, "count": len(lines), "limit": limits.max_lines}
        )
    return problems


# A WebVTT file is blocks separated by blank lines; pysubs2 reads it line by line like SRT, so a NOTE, STYLE or
# REGION block, a cue's name or a karaoke time tag such as <00:00:01.500> would end up in (or split) a cue.
_VTT_TIME_TAG = re.compile(r"<\d[\d:.]*>")


def _vtt_cue_blocks(text: str) -> str:
    """Only the cues of a WebVTT file, each from its time line on (the spec forbids "-->" elsewhere)."""
    cues = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        timing = next((index for index, line in enumerate(lines) if "-->" in line), None)
        if timing is not None:
            cues.append("\n".join([lines[timing], *(_VTT_TIME_TAG.sub("", line) for line in lines[timing + 1 :])]))
    return "\n\n".join(cues)


# Whatever tags pysubs2 leaves in a WebVTT cue (<v Speaker>, <c.loud>, <i>): a viewer doesn't read them.
_TAG = re.compile(r"<[^>\n]*>")


def _plain(event: pysubs2.SSAEvent, format_: str) -> str:
    # plaintext turns \N into line breaks and drops SubStation tags ({\i1}, pysubs2's form of <i>).
    text = event.plaintext
    if format_ == "vtt":
        text = html.unescape(_TAG.sub("", text))  # WebVTT escapes & < > as &amp; &lt; &gt;
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _seconds(milliseconds: int) -> Decimal:
    return Decimal(milliseconds).scaleb(-3)


def _time(seconds: Decimal) -> str:
    """m:ss.mmm, as a subtitle editor shows it: 64.2 → "1:04.200"."""
    milliseconds = int((seconds * 1000).to_integral_value())
    sign = "-" if milliseconds < 0 else ""
    minutes, milliseconds = divmod(abs(milliseconds), 60_000)
    return f"{sign}{minutes}:{milliseconds // 1000:02d}.{milliseconds % 1000:03d}"


def _number(value: Decimal) -> str:
    """A figure for a message, without trailing zeros: 0.800 → "0.8", 17 → "17"."""
    value = Decimal(value)
    return number_format(value.to_integral_value() if value == value.to_integral_value() else value.normalize())


def as_webvtt(cues: list[Cue]) -> str:
    """The cues as WebVTT, the one format a browser's <track> plays (an SRT file is shown in the review's player
    this way)."""

    def moment(seconds: Decimal) -> str:
        milliseconds = int(seconds * 1000)
        hours, rest = divmod(milliseconds, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"

    blocks = [f"{moment(cue.start)} --> {moment(cue.end)}\n{cue.text}" for cue in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"
