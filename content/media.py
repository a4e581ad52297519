"""Check an uploaded video by its bytes and read how long it lasts.

The file's name and the content type the browser sent are never trusted: the bytes are parsed with
hachoir, a maintained pure-Python parser of MP4/QuickTime (ISO base media) and Matroska/WebM files,
so no system package (ffmpeg, libmediainfo) is needed. hachoir parses lazily: only the headers read
here are taken from the file (a few hundred bytes, whatever the video's size).

The bytes come from agencies, so they may be malformed in any way:

- every failure of the parser becomes a ``ValidationError``, never an unhandled exception;
- a file that stops before the end its boxes declare (an interrupted upload) is refused;
- at most ``_MAX_FIELDS`` boxes/elements are visited, so a crafted file made of millions of tiny
  boxes cannot keep a worker busy;
- hachoir's warnings go to this module's logger at DEBUG level instead of being written to stderr.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from hachoir.core.log import log as hachoir_log
from hachoir.parser.container.mkv import MkvFile
from hachoir.parser.container.mp4 import MP4File
from hachoir.stream import InputIOStream

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}

_HUNDREDTH = Decimal("0.01")
_QUICKTIME_BRAND = "qt  "  # an ISO base media file with this major brand is a QuickTime movie
_MATROSKA_DEFAULT_TIMECODE_SCALE = 1_000_000  # nanoseconds per tick when the file does not say
_MAX_PLAUSIBLE_SECONDS = Decimal(10**9)  # above this a header's duration is garbage, not a length
_MAX_FIELDS = 10_000  # real files have a few dozen boxes/elements on the levels visited here


def _forward_hachoir_message(level, prefix, text, ctxt):
    logger.debug("hachoir %s %s", prefix, text)


# hachoir writes its warnings straight to stderr unless told otherwise (a process-wide setting).
hachoir_log.use_print = False
hachoir_log.on_new_message = _forward_hachoir_message


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "mp4", "mov" or "webm"
    content_type: str  # "video/mp4", "video/quicktime", "video/webm"
    duration: Decimal  # seconds, quantised to 0.01 (ROUND_HALF_UP)
    size: int  # bytes
    width: int | None
    height: int | None


def inspect_video(uploaded_file, *, max_bytes: int, min_seconds: Decimal, max_seconds: Decimal) -> VideoInfo:
    """Return what an uploaded video is, or raise ``ValidationError`` saying why it is refused.

    ``uploaded_file`` is a Django ``UploadedFile``. Its size is checked before any byte is read; its
    position is at 0 afterwards. Error codes: too_large, not_a_video (also for a file that is cut
    off or damaged), no_duration, too_short, too_long.
    """
    name = uploaded_file.name or "?"  # Django refuses uploads without a name before they get here
    size = uploaded_file.size
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s, which is more than the limit of %(max_size)s for a video."),
            code="too_large",
            params={"name": name, "size": filesizeformat(size), "max_size": filesizeformat(max_bytes)},
        )

    try:
        parsed = _parse(uploaded_file)
    except _Incomplete:
        raise ValidationError(
            _("“%(name)s” is incomplete or damaged: the video stops before its end. Upload the whole file again."),
            code="not_a_video",
            params={"name": name},
        ) from None
    except _NotAVideo:
        raise ValidationError(
            _("“%(name)s” is not an MP4, MOV or WebM video, whatever its name says."),
            code="not_a_video",
            params={"name": name},
        ) from None
    finally:
        uploaded_file.seek(0)

    if parsed.seconds is None:
        raise ValidationError(
            _("The length of the video “%(name)s” cannot be read. Export it again as MP4, MOV or WebM."),
            code="no_duration",
            params={"name": name},
        )
    duration = parsed.seconds
    if duration < min_seconds:
        raise ValidationError(
            _("“%(name)s” lasts %(duration)s seconds; a video must last at least %(min_seconds)s seconds."),
            code="too_short",
            params={"name": name, "duration": _seconds(duration), "min_seconds": _seconds(min_seconds)},
        )
    if duration > max_seconds:
        raise ValidationError(
            _("“%(name)s” lasts %(duration)s seconds; a video may last at most %(max_seconds)s seconds."),
            code="too_long",
            params={"name": name, "duration": _seconds(duration), "max_seconds": _seconds(max_seconds)},
        )
    return VideoInfo(
        container=parsed.container,
        content_type=CONTENT_TYPES[parsed.container],
        duration=duration,
        size=size,
        width=parsed.width,
        height=parsed.height,
    )


# --- Parsing ------------------------------------------------------------------------------------


class _NotAVideo(Exception):
    """The bytes are not an MP4, MOV or WebM file with a video track."""


class _Incomplete(Exception):
    """The bytes start like a video but the file stops before its declared end."""


@dataclass
class _Parsed:
    container: str
    seconds: Decimal | None = None
    width: int | None = None
    height: int | None = None


class _Budget:
    """Counts the boxes/elements visited; too many means a crafted file, not a video."""

    def __init__(self, limit: int = _MAX_FIELDS):
        self.left = limit

    def fields(self, fieldset):
        for field in fieldset:
            self.left -= 1
            if self.left < 0:
                raise _NotAVideo
            yield field


def sha256(file) -> str:
    """The hex SHA-256 of a file (an upload or a stored one), read in chunks; its position is at 0 afterwards."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _parse(uploaded_file) -> _Parsed:
    with ExitStack() as stack:
        if hasattr(uploaded_file, "temporary_file_path"):
            source = stack.enter_context(open(uploaded_file.temporary_file_path(), "rb"))
        else:
            uploaded_file.seek(0)
            source = uploaded_file
        try:
            # The stream is deliberately not closed: that would close the caller's upload.
            stream = InputIOStream(source, source="upload", tags=[])
            parser = _open_parser(stream)
            read = _read_mp4 if isinstance(parser, MP4File) else _read_webm
            parsed = read(parser, _Budget())
            parsed.seconds = _plausible_seconds(parsed.seconds)
            return parsed
        except (_NotAVideo, _Incomplete):
            raise
        except Exception as error:  # any failure on untrusted bytes means "not a readable video"
            logger.debug("Could not parse an uploaded video", exc_info=True)
            raise _NotAVideo from error


def _plausible_seconds(seconds: Decimal | None) -> Decimal | None:
    """The duration quantised to 0.01 s, or None when the header holds no usable duration."""
    if seconds is None or not seconds.is_finite() or not 0 < seconds < _MAX_PLAUSIBLE_SECONDS:
        return None
    return seconds.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def _open_parser(stream):
    """hachoir's parser whose signature check accepts the first bytes, or _NotAVideo."""
    for parser_class in (MP4File, MkvFile):
        try:
            return parser_class(stream, validate=True)
        except Exception:  # noqa: S112 - this parser does not recognise the bytes; try the next one
            continue
    raise _NotAVideo


def _read_mp4(parser, budget: _Budget) -> _Parsed:
    """MP4 and QuickTime: ISO base media files made of nested boxes ("atoms")."""
    atoms = list(budget.fields(parser))
    if any(_mp4_atom_is_cut_off(atom) for atom in atoms):
        raise _Incomplete
    if not any(atom["tag"].value == "mdat" for atom in atoms):
        raise _Incomplete  # the header is there, the video data is not

    first = atoms[0]
    if first["tag"].value == "ftyp":
        brand = first["file_type/brand"].value
        parsed = _Parsed(container="mov" if brand == _QUICKTIME_BRAND else "mp4")
    else:
        parsed = _Parsed(container="mov")  # QuickTime files from before the ftyp box existed

    has_video = False
    for movie in _contents(atoms, "movie"):
        movie_atoms = list(budget.fields(movie))
        for header in _contents(movie_atoms, "movie_hdr"):
            if header["time_scale"].value:
                parsed.seconds = Decimal(header["duration"].value) / Decimal(header["time_scale"].value)
        for track in _contents(movie_atoms, "track"):
            track_atoms = list(budget.fields(track))
            handlers = [
                handler["subtype"].value
                for media in _contents(track_atoms, "media")
                for handler in _contents(budget.fields(media), "hdlr")
            ]
            if "vide" in handlers and not has_video:
                has_video = True
                for header in _contents(track_atoms, "track_hdr"):
                    parsed.width = int(header["frame_size_width"].value) or None
                    parsed.height = int(header["frame_size_height"].value) or None
    if not has_video:
        raise _NotAVideo  # e.g. an audio-only M4A or a HEIC picture
    return parsed


def _contents(atoms, name):
    """The parsed content called ``name`` of each atom that has one (hachoir names them by type)."""
    for atom in atoms:
        if name in atom:
            yield atom[name]


def _mp4_atom_is_cut_off(atom) -> bool:
    # hachoir shortens a box that runs past the end of the file to what is there ("autofix"),
    # so compare the size the box declares with the size it ended up with.
    if "size64" in atom:
        declared = atom["size64"].value
    elif atom["size"].value == 0:  # a box that runs to the end of the file, by definition
        return False
    else:
        declared = atom["size"].value
    return declared * 8 > atom.size


def _read_webm(parser, budget: _Budget) -> _Parsed:
    """WebM: a Matroska (EBML) file whose document type is "webm"."""
    elements = list(budget.fields(parser))
    if elements[0]["DocType/string"].value != "webm":
        raise _NotAVideo  # Matroska (.mkv) or another EBML document
    if any(_ebml_element_is_cut_off(element) for element in elements):
        raise _Incomplete

    parsed = _Parsed(container="webm")
    has_video = False
    for segment in elements[1:]:
        for element in budget.fields(segment):
            if element.name.startswith("Cluster["):
                break  # the header elements come before the first cluster of frames
            if element.name.startswith("Info["):
                scale = element["TimecodeScale/unsigned"].value if "TimecodeScale" in element else None
                ticks = _ebml_float(element, "Duration")
                if ticks is not None:
                    parsed.seconds = ticks * (scale or _MATROSKA_DEFAULT_TIMECODE_SCALE) / Decimal(10**9)
            elif element.name.startswith("Tracks["):
                for entry in budget.fields(element):
                    is_video = "TrackType/enum" in entry and entry["TrackType/enum"].display == "video"
                    if is_video and not has_video:
                        has_video = True
                        if "Video/PixelWidth/unsigned" in entry and "Video/PixelHeight/unsigned" in entry:
                            parsed.width = entry["Video/PixelWidth/unsigned"].value or None
                            parsed.height = entry["Video/PixelHeight/unsigned"].value or None
    if not has_video:
        raise _NotAVideo  # e.g. an audio-only WebM
    return parsed


def _ebml_element_is_cut_off(element) -> bool:
    length = element["size"]
    if length.value is None:  # "unknown size", as live recorders write: runs to the end of the file
        return False
    declared = length.address + length.size + length.value * 8
    return declared > element.size


def _ebml_float(element, name) -> Decimal | None:
    for kind in ("float", "double"):
        path = f"{name}/{kind}"
        if path in element:
            return Decimal(element[path].value)  # may be NaN or infinite: _plausible_seconds drops those
    return None


# --- Messages -----------------------------------------------------------------------------------


def _seconds(value: Decimal) -> str:
    """A number of seconds for a message, without trailing zeros: 3 → "3", 2.50 → "2.5"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value.to_integral_value())
    return number_format(value.normalize())


# Attachments to a brief: documents and pictures, recognised by their first bytes.
_ATTACHMENT_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
# Word, Excel and PowerPoint files are ZIP packages whose first entry describes the content types.
_OOXML_MARKER = b"[Content_Types].xml"


_OFFICE_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    _OFFICE_TYPES["word/"]: ".docx",
    _OFFICE_TYPES["xl/"]: ".xlsx",
    _OFFICE_TYPES["ppt/"]: ".pptx",
}


def _office_type(uploaded_file) -> str:
    """Which Office document a package is, by the folder its parts are in."""
    import zipfile

    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as package:
            names = package.namelist()
    except zipfile.BadZipFile:
        names = []
    finally:
        uploaded_file.seek(0)
    for folder, content_type in _OFFICE_TYPES.items():
        if any(name.startswith(folder) for name in names):
            return content_type
    raise ValidationError(_("This Office package is not a Word, Excel or PowerPoint file."), code="not_allowed")


def name_for(name: str, content_type: str) -> str:
    """The file's name with the extension of what it really is ("invoice.html" holding a PDF is "invoice.pdf"), so
    whoever downloads it opens it with the right program."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem or "attachment")[:190] + EXTENSIONS[content_type]


def inspect_attachment(uploaded_file, *, max_bytes: int) -> str:
    """The content type of an acceptable attachment (PDF, PNG, JPEG, Office document), judged by its
    bytes; a ValidationError with a clear message otherwise."""
    name = getattr(uploaded_file, "name", "") or _("the file")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s, which is more than the limit of %(max_size)s for an attachment."),
            code="too_large",
            params={"name": name, "size": filesizeformat(uploaded_file.size), "max_size": filesizeformat(max_bytes)},
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(2048)
    uploaded_file.seek(0)
    for signature, content_type in _ATTACHMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head.startswith(b"PK\x03\x04") and _OOXML_MARKER in head:
        return _office_type(uploaded_file)
    raise ValidationError(
        _("“%(name)s” is not a PDF, PNG, JPEG or Office document, whatever its name says."),
        code="not_allowed",
        params={"name": name},
    )
