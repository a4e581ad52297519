"""Is the live post what was approved? A pure comparison (no database, no clock) of what TikTok's Display API shows
of a posted video (``/v2/video/query/`` with ``stats.client.VIDEO_DETAIL_FIELDS``) with what the approval said:
the caption, the advertising disclosure it starts with, the file's duration, and when it went out (not before the
approval; on the slot's day, give or take the organisation's tolerance).

``compare`` returns the differences, [] when the post matches, always in this order:

1. ``unreadable``: TikTok sent no caption or no posting time, so that part can't be checked (one difference naming
   what was missing; the parts that can be checked still are).
2. ``disclosure``: the caption doesn't start with the required disclosure. Listed before ``caption``, which is then
   reported too (a caption without its disclosure differs from the approved one): the disclosure is the serious
   part, the caption difference shows the detail. Both, always, so the result doesn't depend on how they differ.
3. ``caption``, 4. ``duration`` (more than DURATION_SLACK apart), 5. ``too_early``, 6. ``off_day``.

A ``Difference`` keeps ``expected`` and ``found`` as language-neutral text (captions as compared, numbers with a
point, moments and days in ISO 8601 in the organisation's zone) so it can be stored (``PostCheck.differences``) and
its ``message`` made when shown, in the reader's language: ``Difference(**stored).message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from django.utils.translation import gettext

from content.publication import normalised  # one meaning of "the same caption", here and at the approval
from core import dates

# TikTok documents video_description with a maximum length of 150 characters: a longer caption can only come back as
# its first 150, so that is what the approved caption is compared with.
CAPTION_LIMIT = 150
DURATION_SLACK = Decimal("1")  # TikTok gives whole seconds; the approved file's duration has decimals

CODES = ("unreadable", "disclosure", "caption", "duration", "too_early", "off_day")
_SECONDS = "EEEE d MMMM y, HH:mm:ss"  # when two moments fall in the same minute, the seconds tell them apart


@dataclass(frozen=True)
class Approved:
    caption: str  # the full approved caption as it should appear (disclosure first, then text, then hashtags)
    disclosure: str  # the disclosure text required at the start, "" if none is required
    duration: Decimal | None  # seconds of the approved file, None if unknown (a preview link)
    approved_at: datetime  # aware
    slot_day: date | None  # the local day of the slot it was planned for, None if none
    zone: ZoneInfo  # the organisation's time zone (for the slot's day)
    tolerance_days: int = 0  # the organisation's tolerance around the slot's day

    def __post_init__(self):
        if self.approved_at.tzinfo is None or self.approved_at.utcoffset() is None:
            raise ValueError("approved_at must be aware")


@dataclass(frozen=True)
class Live:
    caption: str | None  # video_description; None when TikTok didn't send it
    duration: int | None
    create_time: datetime | None  # aware UTC
    share_url: str = ""


@dataclass(frozen=True)
class Difference:
    """One way the live post differs: ``code`` (one of CODES), what was approved and what TikTok shows, as
    language-neutral text (see the module's docstring); ``message``, ``expected_text`` and ``found_text`` say it in
    the active language."""

    code: str
    expected: str  # what was approved, as text for people
    found: str  # what TikTok shows

    @property
    def message(self) -> str:
        """A translated sentence saying what differs."""
        if self.code == "caption":
            return gettext("The caption on TikTok differs from the approved caption.")
        if self.code == "disclosure":
            return gettext("The caption on TikTok does not start with the disclosure “%(disclosure)s”.") % {
                "disclosure": self.expected
            }
        if self.code == "duration":
            return gettext("The video on TikTok lasts %(found)s s; the approved file %(expected)s s.") % {
                "found": _number(self.found),
                "expected": _number(self.expected),
            }
        if self.code == "too_early":
            posted, approved = _parse_moment(self.found), _parse_moment(self.expected)
            same_minute = posted and approved and posted.replace(second=0) == approved.replace(second=0)
            return gettext("Posted on TikTok at %(found)s, before the video was approved (%(expected)s).") % {
                "found": _moment(self.found, seconds=bool(same_minute)),
                "expected": _moment(self.expected, seconds=bool(same_minute)),
            }
        if self.code == "off_day":
            first, _, last = self.expected.partition("/")
            if last:
                return gettext(
                    "Posted on %(found)s, outside the days allowed around the slot's day (%(first)s to %(last)s)."
                ) % {"found": _day(self.found), "first": _day(first), "last": _day(last)}
            return gettext("Posted on %(found)s, outside the slot's day (%(expected)s).") % {
                "found": _day(self.found),
                "expected": _day(self.expected),
            }
        if self.code == "unreadable":
            missing = set(self.expected.split(","))
            if missing >= {"video_description", "create_time"}:
                return gettext("TikTok sent neither the caption nor the posting time: they could not be checked.")
            if "create_time" in missing:
                return gettext("TikTok did not send when the video was posted: that could not be checked.")
            return gettext("TikTok did not send the caption: it could not be checked.")
        return gettext("The post on TikTok differs from its approval.")

    @property
    def expected_text(self) -> str:
        """``expected`` for people, in the active language (a moment, a day or a number formatted)."""
        return self._text(self.expected)

    @property
    def found_text(self) -> str:
        """``found`` for people, in the active language."""
        return self._text(self.found)

    def _text(self, value: str) -> str:
        if self.code == "duration":
            return _number(value)
        if self.code == "too_early":
            return _moment(value)
        if self.code == "off_day":
            first, _, last = value.partition("/")
            return (
                gettext("%(first)s to %(last)s") % {"first": _day(first), "last": _day(last)} if last else _day(value)
            )
        if self.code == "unreadable":
            return ""
        return value


def live_from_api(video: dict) -> Live:
    """A video object of /v2/video/query/ as a ``Live``. Never raises: a value of the wrong type (or out of range)
    becomes None, as if TikTok hadn't sent it; a share_url that isn't an https address becomes ""."""
    if not isinstance(video, dict):
        return Live(caption=None, duration=None, create_time=None)
    caption = video.get("video_description")
    # NUL can't be stored in a PostgreSQL text column, and no caption has one.
    caption = caption.replace("\x00", "") if isinstance(caption, str) else None
    duration = video.get("duration")
    duration = duration if _is_int(duration) and 0 <= duration < 2**31 else None  # int32, as documented
    share_url = video.get("share_url")
    share_url = share_url if isinstance(share_url, str) and share_url.startswith("https://") else ""
    return Live(caption=caption, duration=duration, create_time=_epoch(video.get("create_time")), share_url=share_url)


def compare(approved: Approved, live: Live) -> list[Difference]:
    """How ``live`` differs from ``approved``, in the order of the module's docstring; [] when it matches."""
    differences = []
    missing = [
        name
        for name, value in (("video_description", live.caption), ("create_time", live.create_time))
        if value is None
    ]
    if missing:
        differences.append(Difference("unreadable", ",".join(missing), ""))
    if live.caption is not None:
        caption = normalised(live.caption)
        disclosure = normalised(approved.disclosure)
        if disclosure and not caption.startswith(disclosure):
            differences.append(Difference("disclosure", disclosure, caption))
        if not _caption_matches(normalised(approved.caption), live.caption):
            differences.append(Difference("caption", _as_returned(normalised(approved.caption)), caption))
    known = approved.duration is not None and live.duration is not None
    if known and abs(Decimal(live.duration) - approved.duration) > DURATION_SLACK:
        differences.append(Difference("duration", _decimal_text(approved.duration), str(live.duration)))
    if live.create_time is not None:
        posted = live.create_time.astimezone(approved.zone)
        # create_time is in whole seconds: a post within the second of the approval is not before it.
        if live.create_time < approved.approved_at.replace(microsecond=0):
            expected = approved.approved_at.astimezone(approved.zone).isoformat(timespec="seconds")
            differences.append(Difference("too_early", expected, posted.isoformat(timespec="seconds")))
        if approved.slot_day is not None:
            tolerance = timedelta(days=max(approved.tolerance_days, 0))
            first, last = approved.slot_day - tolerance, approved.slot_day + tolerance
            if not first <= posted.date() <= last:
                expected = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
                differences.append(Difference("off_day", expected, posted.date().isoformat()))
    return differences


# --- The caption ---------------------------------------------------------------------------------------------------


def _as_returned(approved: str) -> str:
    """The approved caption (normalised) as TikTok can return it: its first CAPTION_LIMIT characters."""
    return approved[:CAPTION_LIMIT].rstrip()


def _caption_matches(approved: str, live_raw: str) -> bool:
    live = normalised(live_raw)
    if live == _as_returned(approved):
        return True
    # TikTok cuts the text as the agency typed it (new lines, double spaces), so at the limit its text normalised can
    # be shorter than the approved caption's first 150: a cut text matches when the approved caption starts with it.
    # TikTok doesn't say what it counts, so characters and UTF-16 units (an emoji is two) both reach the limit.
    at_limit = len(live_raw) >= CAPTION_LIMIT or len(live_raw.encode("utf-16-le")) // 2 >= CAPTION_LIMIT
    return at_limit and bool(live) and approved.startswith(live)


# --- TikTok's values and ours as text ------------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _epoch(value) -> datetime | None:
    if not _is_int(value) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _decimal_text(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 30.40 → "30.4", 30 → "30"


def _number(text: str) -> str:
    try:
        return format_decimal(Decimal(text), locale=dates.locale())  # "30,4" in Dutch
    except (InvalidOperation, ValueError):
        return text


def _parse_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _moment(text: str, seconds: bool = False) -> str:
    """An ISO moment with its offset, as the organisation's clock showed it then, in the active language."""
    moment = _parse_moment(text)
    if moment is None:
        return text
    return dates.pattern(moment, _SECONDS, moment.tzinfo) if seconds else dates.moment(moment, "long", moment.tzinfo)


def _day(text: str) -> str:
    try:
        return dates.moment(date.fromisoformat(text), "day")
    except ValueError:
        return text
