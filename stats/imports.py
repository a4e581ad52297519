"""Figures without API access: TikTok Studio's analytics export (CSV) and figures entered by hand.

The whole file is checked before anything is written: one bad row means nothing is imported, and
every problem is listed with its row number. A good file is written as one bulk upsert keyed (video,
bucket), the same key the API pulls use, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import require_in
from accounts.roles import Capability
from audit import trail
from audit.actions import AuditAction
from content.models import Posting

from .models import PullRun, PullStatus, RunKind, Source, VideoSnapshot
from .services import upsert_snapshots

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
FIGURES = ("views", "likes", "comments", "shares")

# Column names as TikTok Studio writes them (in the languages our users run it in), lower-cased.
COLUMNS = {
    "video": {"video id", "video_id", "id", "video link", "link", "video-id", "video-link", "videolink", "länk"},
    "views": {"views", "video views", "total views", "weergaven", "videoweergaven", "visningar", "videovisningar"},
    "likes": {"likes", "total likes", "vind-ik-leuks", "gilla-markeringar", "gillamarkeringar"},
    "comments": {"comments", "total comments", "opmerkingen", "reacties", "kommentarer"},
    "shares": {"shares", "total shares", "gedeeld", "keer gedeeld", "delingen", "delningar"},
}
COLUMN_LABELS = {
    "video": gettext_lazy("video (id or link)"),
    "views": gettext_lazy("views"),
    "likes": gettext_lazy("likes"),
    "comments": gettext_lazy("comments"),
    "shares": gettext_lazy("shares"),
}
VIDEO_ID = re.compile(r"^\d{6,32}$")
VIDEO_LINK = re.compile(r"/video/(\d{6,32})")
# Whole numbers, optionally with thousands separators as spreadsheets write them: 105000, 105,000,
# 105.000, 105 000.
WHOLE = re.compile(r"^-?\d{1,3}(?:[,. \u00a0\u202f]\d{3})+$|^-?\d+$")


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    snapshots: list[VideoSnapshot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def day_bucket(captured_at: datetime, zone) -> datetime:
    """Figures from TikTok Studio or typed in count per day: one snapshot per video per local day (the
    day's local midnight), so importing or entering that day's figures again replaces them."""
    day = captured_at.astimezone(zone).date()
    return datetime.combine(day, time.min, tzinfo=zone)


def before_posting(posting: Posting, captured_at: datetime, zone) -> str | None:
    """Why figures as of ``captured_at`` can't be this video's (that day, in ``zone``, lies before the day it was
    posted), or None."""
    day, posted = captured_at.astimezone(zone).date(), posting.posted_at.astimezone(zone).date()
    if day >= posted:
        return None
    return _("Video %(id)s (%(reference)s “%(title)s”) was posted on %(posted)s, after the figures' day %(day)s.") % {
        "id": posting.tiktok_video_id,
        "reference": posting.brief.reference,
        "title": posting.brief.title,
        "posted": formats.date_format(posted, "SHORT_DATE_FORMAT"),
        "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
    }


def _decode(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 (TikTok Studio and Excel's "Unicode text"), or, failing
    those, Windows-1252 (an older Excel's CSV)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:200]:
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _whole(value: str) -> int | None:
    value = value.strip()
    if not WHOLE.match(value):
        return None
    return int(re.sub(r"[,. \u00a0\u202f]", "", value))


def _video_id(value: str) -> str | None:
    value = value.strip()
    if VIDEO_ID.match(value):
        return value
    found = VIDEO_LINK.search(value)
    return found.group(1) if found else None


def parse_studio_csv(raw: bytes, channel, captured_at: datetime) -> ImportResult:
    """Check a TikTok Studio export against the channel's posted videos; build the snapshots."""
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append(_("The file is larger than 2 MB; export a shorter period."))
        return result
    text = _decode(raw)
    if text is None or "\x00" in text:
        result.errors.append(_("This is not a text (CSV) file. Export the analytics from TikTok Studio as CSV."))
        return result
    delimiter = None
    first_line, _newline, rest = text.partition("\n")
    if found := re.fullmatch(r"sep=(.)", first_line.rstrip("\r\n"), re.IGNORECASE):
        delimiter, text = found.group(1), rest  # Excel's "sep=;" line
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        # (row number as a spreadsheet shows it, cells): blank rows are skipped but keep their number; a
        # caption with line breaks is one row.
        numbered = [(n, row) for n, row in enumerate(reader, start=1) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        result.errors.append(_("The file cannot be read as CSV: %(error)s") % {"error": error})
        return result
    if not numbered:
        result.errors.append(_("The file is empty."))
        return result
    header_row = numbered[0][1]
    header = [cell.strip().lower() for cell in header_row]
    where = {}
    for key, names in COLUMNS.items():
        matches = [i for i, name in enumerate(header) if name in names]
        if len(matches) == 1:
            where[key] = matches[0]
    missing = [key for key in COLUMNS if key not in where]
    if missing:
        result.errors.append(
            _(
                "The file's columns don't fit: it needs one column each for video (id or link), views, likes, "
                "comments and shares. Missing or ambiguous: %(missing)s. Found: %(found)s."
            )
            % {"missing": ", ".join(str(COLUMN_LABELS[key]) for key in missing), "found": ", ".join(header_row) or "—"}
        )
        return result
    if len(numbered) - 1 > MAX_ROWS:
        result.errors.append(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
        return result

    ids = {_video_id(row[where["video"]]) for _line, row in numbered[1:] if len(row) > where["video"]}
    postings = Posting.objects.filter(brief__channel=channel, tiktok_video_id__in=ids).select_related("brief")
    postings = {p.tiktok_video_id: p for p in postings}
    bucket, seen = day_bucket(captured_at, channel.organisation.zone), set()
    for number, row in numbered[1:]:
        if len(row) <= max(where.values()):
            result.errors.append(_("Row %(row)d: too few columns.") % {"row": number})
            continue
        video_id = _video_id(row[where["video"]])
        if video_id is None:
            result.errors.append(
                _("Row %(row)d: “%(value)s” is not a TikTok video id or link.")
                % {"row": number, "value": row[where["video"]].strip()[:60]}
            )
            continue
        if video_id not in postings:
            result.errors.append(
                _("Row %(row)d: video %(id)s is not a posted video of this channel.") % {"row": number, "id": video_id}
            )
            continue
        if video_id in seen:
            result.errors.append(_("Row %(row)d: video %(id)s appears twice.") % {"row": number, "id": video_id})
            continue
        seen.add(video_id)
        if too_early := before_posting(postings[video_id], captured_at, channel.organisation.zone):
            result.errors.append(_("Row %(row)d: %(problem)s") % {"row": number, "problem": too_early})
            continue
        figures = {}
        for key in FIGURES:
            value = _whole(row[where[key]])
            if value is None:
                result.errors.append(
                    _("Row %(row)d: %(column)s “%(value)s” is not a whole number.")
                    % {"row": number, "column": header_row[where[key]].strip(), "value": row[where[key]].strip()[:20]}
                )
            elif value < 0:
                result.errors.append(
                    _("Row %(row)d: %(column)s cannot be negative.")
                    % {"row": number, "column": header_row[where[key]].strip()}
                )
            else:
                figures[key] = value
        if len(figures) == len(FIGURES):
            result.snapshots.append(
                VideoSnapshot(
                    posting=postings[video_id], bucket=bucket, captured_at=captured_at, source=Source.CSV, **figures
                )
            )
    if not result.errors and not result.snapshots:
        result.errors.append(_("The file has no rows with figures."))
    if result.errors:
        result.snapshots = []  # nothing half-imported
    return result


def import_studio_csv(channel, raw: bytes, *, actor, captured_at: datetime, origin=None) -> ImportResult:
    """Import TikTok Studio's export as figures read at ``captured_at``: all rows, or none (with the reasons)."""
    require_in(actor, channel.organisation_id, Capability.RECORD_RESULTS)
    result = parse_studio_csv(raw, channel, captured_at)
    if not result.ok:
        return result
    with transaction.atomic():
        upsert_snapshots(result.snapshots)
        PullRun.objects.create(
            channel=channel,
            kind=RunKind.CSV_IMPORT,
            finished_at=timezone.now(),
            status=PullStatus.SUCCEEDED,
            videos_asked=len(result.snapshots),
            snapshots_written=len(result.snapshots),
        )
        trail.record(
            organisation=channel.organisation,
            actor=actor,
            action=AuditAction.STATS_IMPORTED,
            obj=channel,
            origin=origin,
            details={"videos": len(result.snapshots), "captured_at": captured_at.isoformat()},
        )
    return result


def record_figures(posting: Posting, *, actor, captured_at: datetime, origin=None, **figures: int) -> VideoSnapshot:
    """Figures for one video, entered by hand (e.g. read off TikTok Studio). Refused for a day before the video
    was posted."""
    require_in(actor, posting.brief.organisation_id, Capability.RECORD_RESULTS)
    if too_early := before_posting(posting, captured_at, posting.brief.organisation.zone):
        raise ValidationError(too_early, code="before_posting")
    bucket = day_bucket(captured_at, posting.brief.organisation.zone)
    snapshot = VideoSnapshot(posting=posting, bucket=bucket, captured_at=captured_at, source=Source.MANUAL, **figures)
    with transaction.atomic():
        upsert_snapshots([snapshot])
        trail.record(
            organisation=posting.brief.organisation,
            actor=actor,
            action=AuditAction.STATS_ENTERED,
            obj=posting.brief,
            subject=posting.brief,
            origin=origin,
            details={"video": posting.tiktok_video_id, "captured_at": captured_at.isoformat(), **figures},
        )
    return snapshot
