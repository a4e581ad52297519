"""Making an archive package: a BagIt bag (RFC 8493, with the Library of Congress's ``bagit``) of one post or of a
campaign's posts, zipped.

Per post, in ``data/post-<TikTok id>/``: the approved master file as it was posted (``video.*``), its caption,
transcript and subtitle file, ``post.json`` (id, URL, publish time, the version and its SHA-256), the final figures
(``figures.json``) and their series (``figures.csv``), the approval chain (``approvals.json``), the brief's audit
extract with the events' hashes (``audit.json``) and the webcare record (``webcare.json``). The metadata follows the
organisation's records law: MDTO sidecars (``*.mdto.xml``, ``mdto``) for the Netherlands, one ``METS.xml``
(``mets``) for Sweden; each document is checked against its schema before the package is stored.

A master file that is not on disk does not stop the package: it is made without it, ``bag-info.txt`` says what is
missing (``Master-File-Missing``) and so does ``MISSING.txt`` in the post's folder; the package is marked incomplete.

Everything is derived from the records and ``now`` (file times, Bagging-Date), so the same records make the same
bytes. ``bagit.make_bag`` changes the process's working directory while it runs: packages are made by the worker,
never in a web request.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import bagit
from django.utils import translation

from accounts.models import Jurisdiction
from content.models import Posting

from . import mdto, mets, records, validation
from .models import ArchivePackage, RetentionKind
from .retention import terms_for

CHUNK = 1024 * 1024
# extension → (format's name in PRONOM, its PRONOM id where known, MIME type)
FORMATS = {
    "mp4": ("MPEG-4 Media File", "fmt/199", "video/mp4"),
    "mov": ("Quicktime", "x-fmt/384", "video/quicktime"),
    "webm": ("WebM", "fmt/573", "video/webm"),
    "txt": ("Plain Text File", "x-fmt/111", "text/plain"),
    "json": ("JSON Data Interchange Format", "fmt/817", "application/json"),
    "csv": ("Comma Separated Values", "x-fmt/18", "text/csv"),
    "srt": ("SubRip Subtitle File", "", "application/x-subrip"),
    "vtt": ("WebVTT", "", "text/vtt"),
}
UNKNOWN_FORMAT = ("Unknown", "", "application/octet-stream")
RESTRICTION_NOTE = (
    "De video en het bijschrift zijn openbaar gepubliceerd. Het goedkeuringsverloop, het auditextract en het "
    "webcaredossier bevatten namen van medewerkers (persoonsgegevens, Woo 5.1.2e)."
)


@dataclass
class PayloadFile:
    name: str  # in the post's folder
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower()

    @property
    def format(self) -> tuple[str, str, str]:
        return FORMATS.get(self.extension, UNKNOWN_FORMAT)


@dataclass
class PostFolder:
    posting: Posting
    folder: str
    files: list[PayloadFile] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Built:
    path: Path
    sha256: str
    size: int
    missing: list[str]


def postings_of(package: ArchivePackage) -> list[Posting]:
    postings = Posting.objects.select_related(
        "brief__organisation", "brief__topic", "brief__channel", "brief__agency", "video_version"
    )
    if package.posting_id:
        return list(postings.filter(pk=package.posting_id))
    return list(postings.filter(brief__topic_id=package.topic_id).order_by("posted_at", "pk"))


def build(package: ArchivePackage, *, now: datetime, workdir: Path) -> Built:
    """Make ``package``'s ZIP in ``workdir`` (the caller stores it and removes ``workdir``)."""
    organisation = package.organisation
    payload = workdir / "bag"
    payload.mkdir()
    with translation.override(organisation.language):  # role and step names in the organisation's language
        posts = [_write_post(payload, posting) for posting in postings_of(package)]
        if organisation.records_law == Jurisdiction.OFFENTLIGHETSPRINCIPEN:
            _write_mets(payload, package, posts, now)
        else:
            _write_mdto(payload, package, posts, now)
    missing = [note for post in posts for note in post.missing]
    bag_info = {
        "Source-Organization": organisation.name,
        "External-Identifier": package.name,
        "External-Description": f"TikTok posts of {organisation.name}: the approved files as posted, captions, "
        "transcripts, final figures, approval chain, audit extract and webcare record.",
        "Internal-Sender-Identifier": f"tiktokplanner:archive-package:{package.pk}",
        "Bagging-Date": now.astimezone(organisation.zone).date().isoformat(),
        "Metadata-Standard": "MDTO-XML 1.0.1"
        if organisation.records_law != Jurisdiction.OFFENTLIGHETSPRINCIPEN
        else "METS 1.12",
        "Package-Status": "incomplete" if missing else "complete",
    }
    if missing:
        bag_info["Master-File-Missing"] = missing
    bagit.make_bag(str(payload), bag_info, processes=1, checksums=["sha256"])
    return _zip(payload, workdir / "package.zip", prefix=package.name, now=now, missing=missing)


# --- One post's files -------------------------------------------------------------------------------------------


def _write_text(folder: Path, post: PostFolder, name: str, text: str) -> None:
    data = text.encode()
    (folder / name).write_bytes(data)
    post.files.append(PayloadFile(name, len(data), hashlib.sha256(data).hexdigest()))


def _write_json(folder: Path, post: PostFolder, name: str, value) -> None:
    _write_text(folder, post, name, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _copy(field_file, target: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with field_file.open("rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _write_post(payload: Path, posting: Posting) -> PostFolder:
    post = PostFolder(posting, f"post-{posting.tiktok_video_id}")
    folder = payload / post.folder
    folder.mkdir()
    brief, version = posting.brief, posting.video_version
    what = f"{brief.reference} video version {version.number}"
    if version.file:
        extension = version.file.name.rsplit(".", 1)[-1].lower() if "." in version.file.name else "bin"
        name = f"video.{extension}"
        try:
            size, sha256 = _copy(version.file, folder / name)
        except OSError:
            (folder / name).unlink(missing_ok=True)
            post.missing.append(f"{what}: the master file is not on disk (SHA-256 at upload {version.sha256}).")
        else:
            post.files.append(PayloadFile(name, size, sha256))
            if version.sha256 and sha256 != version.sha256:
                post.missing.append(f"{what}: the stored file's SHA-256 {sha256} differs from {version.sha256}.")
    elif version.file_destroyed_at is not None:
        post.missing.append(f"{what}: the master file was destroyed on {version.file_destroyed_at:%Y-%m-%d}.")
    else:
        post.missing.append(f"{what}: no file was delivered, only a private preview link ({version.preview_url}).")
    _write_text(folder, post, "caption.txt", version.full_caption + "\n")
    if version.transcript.strip():
        _write_text(folder, post, "transcript.txt", version.transcript.strip() + "\n")
    if version.subtitle_file:
        name = f"subtitles.{version.subtitle_file.name.rsplit('.', 1)[-1].lower()}"
        try:
            size, sha256 = _copy(version.subtitle_file, folder / name)
        except OSError:
            (folder / name).unlink(missing_ok=True)
            post.missing.append(f"{what}: the subtitle file is not on disk.")
        else:
            post.files.append(PayloadFile(name, size, sha256))
    _write_json(folder, post, "post.json", records.post(posting))
    _write_json(folder, post, "figures.json", {"final": records.final_figures(posting)})
    _write_text(folder, post, "figures.csv", records.figures_series(posting))
    _write_json(folder, post, "approvals.json", records.approval_chain(posting))
    _write_json(folder, post, "audit.json", records.audit_extract(posting))
    _write_json(folder, post, "webcare.json", records.webcare(posting))
    if post.missing:
        _write_text(folder, post, "MISSING.txt", "\n".join(post.missing) + "\n")
    return post


# --- Metadata -----------------------------------------------------------------------------------------------------


def _archive_creator(organisation) -> mdto.Reference:
    return mdto.Reference(organisation.name, mdto.Identification(organisation.slug, mdto.SOURCE))


def _source(organisation) -> str:
    return f"{mdto.SOURCE}: {organisation.name}"


def _term(organisation, posting: Posting | None) -> mdto.Term:
    years = terms_for(organisation)[RetentionKind.POST_RECORD].years
    if years is None or posting is None:
        return mdto.Term(years)
    start = posting.posted_at.astimezone(organisation.zone).date()
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = start.replace(year=start.year + years, day=28)
    return mdto.Term(years, start.isoformat(), end.isoformat())


def _approvals(posting: Posting) -> list[mdto.Event]:
    chain = records.approval_chain(posting)
    return [
        mdto.Event(
            "Goedkeuring",
            decision["decided_at"],
            mdto.Reference(f"{decision['name']} ({decision['role_label']})"),
            f"Goedgekeurd: {run['stage']} versie {run['version']}, stap {decision['step']}",
        )
        for run in chain["runs"]
        if run["status"] == "approved"
        for decision in run["decisions"]
        if decision["verdict"] == "approve"
    ]


def _write_mdto(payload: Path, package: ArchivePackage, posts: list[PostFolder], now: datetime) -> None:
    organisation = package.organisation
    source = _source(organisation)
    checked_at = now.astimezone(UTC).isoformat()
    campaign = None
    if package.topic_id:
        topic = package.topic
        campaign = mdto.Reference(f"TikTok-campagne {topic.name}", mdto.Identification(f"topic-{topic.pk}", source))
    for post in posts:
        posting, brief = post.posting, post.posting.brief
        identity = mdto.Identification(posting.tiktok_video_id, "TikTok")
        reference = mdto.Reference(f"TikTok-post {brief.reference}: {brief.title}", identity)
        representations = []
        for item in post.files:
            label, puid, _mimetype = item.format
            file_identity = mdto.Identification(f"{posting.tiktok_video_id}/{item.name}", source)
            representations.append(mdto.Reference(item.name, file_identity))
            document = mdto.file_object(
                mdto.FileObject(file_identity, item.name, item.size, (label, puid), item.sha256, checked_at, reference)
            )
            _write_metadata(payload / post.folder / f"{item.name}.mdto.xml", document, validation.check_mdto)
        hashtags = [word for word in posting.video_version.hashtags.split() if word.strip("#")]
        events = [
            mdto.Event("Aanmaak", records.moment(brief.created_at), _archive_creator(organisation), "Briefing"),
            *_approvals(posting),
            mdto.Event(
                "Publicatie", records.moment(posting.posted_at), _archive_creator(organisation), posting.tiktok_url
            ),
        ]
        document = mdto.information_object(
            mdto.InformationObject(
                identificaties=[identity, mdto.Identification(brief.reference, source)],
                naam=reference.naam,
                aggregatieniveau="Archiefstuk",
                archiefvormer=_archive_creator(organisation),
                term=_term(organisation, posting),
                trefwoorden=[brief.topic.name, *hashtags],
                omschrijving=brief.key_message,
                taal=organisation.language,
                events=events,
                onderdeel_van=[campaign] if campaign else [],
                representaties=representations,
                beperking_toelichting=RESTRICTION_NOTE,
            )
        )
        _write_metadata(payload / f"{post.folder}.mdto.xml", document, validation.check_mdto)
    if campaign is not None:
        document = mdto.information_object(
            mdto.InformationObject(
                identificaties=[campaign.identificatie],
                naam=campaign.naam,
                aggregatieniveau="Dossier",
                archiefvormer=_archive_creator(organisation),
                term=_term(organisation, None),
                trefwoorden=[package.topic.name],
                taal=organisation.language,
                onderdelen=[
                    mdto.Reference(
                        f"TikTok-post {post.posting.brief.reference}: {post.posting.brief.title}",
                        mdto.Identification(post.posting.tiktok_video_id, "TikTok"),
                    )
                    for post in posts
                ],
                beperking_toelichting=RESTRICTION_NOTE,
            )
        )
        _write_metadata(payload / f"campaign-{package.topic_id}.mdto.xml", document, validation.check_mdto)


def _write_mets(payload: Path, package: ArchivePackage, posts: list[PostFolder], now: datetime) -> None:
    organisation = package.organisation
    created = now.astimezone(UTC).isoformat()
    items = []
    for post in posts:
        posting, brief = post.posting, post.posting.brief
        items.append(
            mets.MetsPost(
                key=post.folder,
                label=f"{brief.reference}: {brief.title}",
                dublin_core=[
                    ("title", brief.title),
                    ("identifier", posting.tiktok_video_id),
                    ("identifier", posting.tiktok_url),
                    ("date", records.moment(posting.posted_at)),
                    ("description", posting.video_version.full_caption),
                    ("subject", brief.topic.name),
                    ("publisher", organisation.name),
                    ("language", organisation.language),
                ],
                files=[
                    mets.MetsFile(f"{post.folder}/{item.name}", item.format[2], item.size, item.sha256, created)
                    for item in post.files
                ],
                provenance=[
                    ("APPROVALS", f"{post.folder}/approvals.json"),
                    ("AUDIT-TRAIL", f"{post.folder}/audit.json"),
                ],
            )
        )
    label = f"TikTok: {package.topic.name}" if package.topic_id else items[0].label
    document = mets.document(
        objid=f"{organisation.slug}-{package.name}",
        label=label,
        organisation=organisation.name,
        created=created,
        posts=items,
        notes=[note for post in posts for note in post.missing],
    )
    _write_metadata(payload / "METS.xml", document, validation.check_mets)


def _write_metadata(path: Path, document: bytes, check) -> None:
    check(document)  # a package with metadata its archive can't read is not stored: the build fails instead
    path.write_bytes(document)


# --- The ZIP ------------------------------------------------------------------------------------------------------


def _zip(bag: Path, target: Path, *, prefix: str, now: datetime, missing: list[str]) -> Built:
    stamp = now.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(p for p in bag.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(bag).as_posix()}", date_time=stamp)
            info.external_attr = 0o600 << 16
            # Video is compressed already; deflating it costs time and saves nothing.
            info.compress_type = (
                zipfile.ZIP_STORED if path.suffix in (".mp4", ".mov", ".webm") else zipfile.ZIP_DEFLATED
            )
            with open(path, "rb") as source, archive.open(info, "w") as out:
                shutil.copyfileobj(source, out, CHUNK)
    digest, size = hashlib.sha256(), 0
    with open(target, "rb") as zipped:
        while chunk := zipped.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Built(target, digest.hexdigest(), size, missing)
