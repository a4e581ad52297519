"""The hand-off package: everything the agency needs to post exactly what was approved, in one ZIP.

The approved file with its SHA-256 (in ``SHA256SUMS``, which ``sha256sum -c`` checks), the caption with the
disclosure first, the TikTok settings to choose, the cover frame, the slot's date and time, and the subtitle file and
transcript. The files are written to a temporary file, not kept in memory: a video may be hundreds of megabytes.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.utils import formats
from django.utils.translation import gettext as _

from content import media
from content.models import Brief, BriefStatus, VideoVersion

from .models import Slot

READY = (BriefStatus.READY_TO_POST, BriefStatus.POSTED)


def approved_version(brief: Brief) -> VideoVersion | None:
    """The version the package is for: the approved one, while it is still the one to post (a newer version in
    review takes the brief back into production, and its package waits for that approval)."""
    if brief.status not in READY:
        return None
    return brief.approved_video


def _instructions(brief: Brief, video: VideoVersion, slot: Slot | None, names: dict) -> str:
    zone = brief.organisation.zone
    yes, no = _("yes"), _("no")
    lines = [
        _("Hand-off package for %(reference)s: %(title)s") % {"reference": brief.reference, "title": brief.title},
        _("Approved video version %(number)s, for @%(handle)s.")
        % {"number": video.number, "handle": brief.channel.handle},
        "",
    ]
    if slot is not None:
        moment = formats.date_format(slot.starts_at.astimezone(zone), "DATETIME_FORMAT")
        lines.append(_("Post on: %(moment)s (%(zone)s)") % {"moment": moment, "zone": brief.organisation.time_zone})
    else:
        lines.append(_("Post on: not planned yet; team social plans the slot."))
    if video.file:
        lines.append(_("Video file: %(name)s") % {"name": names["video"]})
        lines.append(_("SHA-256 of the approved file: %(hash)s") % {"hash": video.sha256})
    else:
        lines.append(_("Video: the approved private preview, %(link)s") % {"link": video.preview_url})
    if video.cover_seconds is not None:
        lines.append(_("Cover frame at: %(seconds)s s") % {"seconds": formats.number_format(video.cover_seconds)})
    lines += ["", _("Caption (post it exactly like this; it is in caption.txt too):"), video.full_caption, ""]
    lines.append(_("Settings to choose in TikTok:"))
    lines += [f"- {label}: {yes if value else no}" for label, value in video.tiktok_settings()]
    lines += ["", _("Accessibility:")]
    if video.subtitle_file:
        lines.append("- " + _("subtitle file: %(name)s") % {"name": names["subtitles"]})
    if video.has_subtitles:
        lines.append("- " + _("the subtitles are burned into the video"))
    if video.transcript:
        lines.append("- " + _("transcript: transcript.txt"))
    lines += ["", _("After posting, record the video's TikTok address in TikTok Planner: it checks the live post.")]
    return "\n".join(lines) + "\n"


def _file_hash(video: VideoVersion) -> str:
    """The approved file's SHA-256. A version delivered before the upload took it (an older row: the field is blank)
    gets it now from the stored file, which is what was reviewed, and keeps it."""
    if video.file and not video.sha256:
        with video.file.open("rb") as stored:
            video.sha256 = media.sha256(stored)
        VideoVersion.objects.filter(pk=video.pk, sha256="").update(sha256=video.sha256)
    return video.sha256


def build(brief: Brief):
    """The package of ``brief``'s approved video, as an open temporary file at its start (the caller sends it), and
    its file name."""
    video = approved_version(brief)
    _file_hash(video)
    slot = Slot.objects.filter(brief=brief).first()
    base = f"{brief.reference}-v{video.number}"
    names = {}
    if video.file:
        names["video"] = f"{base}.{video.file.name.rsplit('.', 1)[-1]}"
    if video.subtitle_file:
        names["subtitles"] = f"{base}.{video.subtitle_file.name.rsplit('.', 1)[-1]}"
    package = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(_("read-me.txt"), _instructions(brief, video, slot, names), zipfile.ZIP_DEFLATED)
        archive.writestr("caption.txt", video.full_caption + "\n", zipfile.ZIP_DEFLATED)
        if video.file:
            # Stored as it is: a video doesn't compress, and the bytes must be the approved bytes.
            with video.file.open("rb") as source, archive.open(names["video"], "w", force_zip64=True) as target:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    target.write(chunk)
            archive.writestr("SHA256SUMS", f"{video.sha256}  {names['video']}\n", zipfile.ZIP_DEFLATED)
        if video.subtitle_file:
            with video.subtitle_file.open("rb") as source:
                archive.writestr(names["subtitles"], source.read(), zipfile.ZIP_DEFLATED)
        if video.transcript:
            archive.writestr("transcript.txt", video.transcript.strip() + "\n", zipfile.ZIP_DEFLATED)
    package.seek(0)
    return package, f"{base}-hand-off.zip"
