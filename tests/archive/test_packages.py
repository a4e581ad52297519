"""Archive packages (issue 17): a BagIt bag that validates with the bagit library and fails when a file changes, the
posted master file with its SHA-256, caption, transcript, post, final figures, approval chain, audit extract and
webcare record; MDTO metadata that meets its schema (NL) or METS that meets metsrw's METS schema (SE); a package
made without a missing master file says so; a failed build is kept, with its error, and tried again."""

import hashlib
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import bagit
import pytest
from lxml import etree

from archive import services, validation
from archive.models import ArchivePackage, PackageReason, PackageStatus
from audit.actions import AuditAction
from audit.models import AuditEvent
from content import services as content
from stats import imports
from stats.models import LatestFigures
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db

NOW = STAGED_AT + timedelta(days=2)
MDTO = "{https://www.nationaalarchief.nl/mdto}"
METS = "{http://www.loc.gov/METS/}"


def _figures(world, posting):
    imports.record_figures(
        posting, actor=world.people["team_social"], captured_at=STAGED_AT + timedelta(hours=3), views=105_000,
        likes=2_500, comments=16, shares=40,
    )  # fmt: skip
    imports.record_figures(
        posting, actor=world.people["team_social"], captured_at=STAGED_AT + timedelta(days=1, hours=3),
        views=225_000, likes=9_500, comments=850, shares=120,
    )  # fmt: skip


def _question(world, stages):
    content.webcare_escalate(
        actor=world.people["team_social"], task=stages.webcare, role="reviewer", question="May we answer this?",
        now=STAGED_AT + timedelta(hours=2),
    )  # fmt: skip


def _made(world, *, posting=None, topic=None, now=NOW) -> ArchivePackage:
    package = services.archive_package_request(
        actor=world.people["team_social"], organisation=world.ministry, posting=posting, topic=topic, now=now
    )
    made = services.package_build(package.pk, now=now)
    assert made is not None
    return made


def _unzipped(package, tmp_path) -> Path:
    with package.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        archive.extractall(tmp_path)
    return tmp_path / package.name


def _json(path: Path):
    return json.loads(path.read_text())


def test_a_posts_package_is_a_bag_that_validates_and_holds_the_posts_record(staged_world, tmp_path):
    world, stages = staged_world, staged_world.stages
    _figures(world, stages.posting)
    _question(world, stages)
    package = _made(world, posting=stages.posting)

    assert package.status == PackageStatus.DONE and not package.incomplete
    with package.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == package.sha256
    root = _unzipped(package, tmp_path)
    bag = bagit.Bag(str(root))
    bag.validate()  # every checksum in the manifests matches its file
    assert bag.info["Source-Organization"] == world.ministry.name
    assert bag.info["Package-Status"] == "complete"
    post = root / "data" / f"post-{stages.posting.tiktok_video_id}"
    version = stages.posting.video_version

    master = (post / "video.mp4").read_bytes()
    assert hashlib.sha256(master).hexdigest() == version.sha256 != ""
    assert bag.entries[f"data/post-{stages.posting.tiktok_video_id}/video.mp4"]["sha256"] == version.sha256
    assert (post / "caption.txt").read_text().strip() == version.full_caption
    assert (post / "transcript.txt").read_text().strip() == version.transcript.strip()

    record = _json(post / "post.json")
    assert record["tiktok_video_id"] == stages.posting.tiktok_video_id
    assert record["tiktok_url"] == stages.posting.tiktok_url
    assert record["posted_at"] == stages.posting.posted_at.isoformat()
    assert record["video_version"]["sha256"] == version.sha256

    final = _json(post / "figures.json")["final"]
    assert (final["views"], final["likes"], final["comments"], final["shares"]) == (225_000, 9_500, 850, 120)
    assert len((post / "figures.csv").read_text().splitlines()) == 3  # the header and both snapshots

    chain = _json(post / "approvals.json")
    approving = [run for run in chain["runs"] if run["approved_the_posted_version"]]
    assert len(approving) == 1 and approving[0]["version"] == version.number
    people = {(decision["name"], decision["verdict"]) for decision in approving[0]["decisions"]}
    assert people == {("Anouk Visser", "approve"), ("Bram Graafland", "approve")}
    assert {decision["role"] for decision in approving[0]["decisions"]} == {"adviser", "team_social"}
    # Labels in the organisation's language (the ministry's is Dutch), beside the codes.
    assert {decision["role_label"] for decision in approving[0]["decisions"]} == {"Communicatieadviseur", "Team social"}
    assert all(decision["decided_at"] for decision in approving[0]["decisions"])

    audit = _json(post / "audit.json")["events"]
    stored = {
        event.sequence: event.hash
        for event in AuditEvent.objects.filter(organisation=world.ministry, subject_id=str(stages.posted.pk))
    }
    assert {event["sequence"]: event["hash"] for event in audit} == {
        sequence: value for sequence, value in stored.items() if sequence <= max(e["sequence"] for e in audit)
    }
    assert "brief.posted" in {event["action"] for event in audit}

    webcare = _json(post / "webcare.json")
    assert webcare["tasks"][0]["questions"][0]["question"] == "May we answer this?"

    assert AuditEvent.objects.filter(
        action=AuditAction.ARCHIVE_PACKAGED, object_id=str(package.pk), details__sha256=package.sha256
    ).exists()


def test_a_changed_file_makes_the_bag_fail_validation(staged_world, tmp_path):
    package = _made(staged_world, posting=staged_world.stages.posting)
    root = _unzipped(package, tmp_path)
    caption = root / "data" / f"post-{staged_world.stages.posting.tiktok_video_id}" / "caption.txt"
    caption.write_text("Something else was posted.\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(root)).validate()


def test_the_same_records_and_moment_make_the_same_bytes(staged_world, tmp_path):
    from archive import bag

    package = services.archive_package_request(
        actor=staged_world.people["team_social"], organisation=staged_world.ministry,
        posting=staged_world.stages.posting, now=NOW,
    )  # fmt: skip
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = bag.build(package, now=NOW, workdir=tmp_path / "one")
    two = bag.build(package, now=NOW, workdir=tmp_path / "two")
    assert one.sha256 == two.sha256 and one.path.read_bytes() == two.path.read_bytes()


def test_a_dutch_package_has_mdto_metadata_that_meets_the_schema(staged_world, tmp_path):
    world, stages = staged_world, staged_world.stages
    package = _made(world, posting=stages.posting)
    data = _unzipped(package, tmp_path) / "data"
    documents = sorted(data.rglob("*.mdto.xml"))
    schema = validation.mdto_schema()
    for document in documents:
        schema.validate(str(document))
    post = etree.parse(str(data / f"post-{stages.posting.tiktok_video_id}.mdto.xml")).getroot()
    obj = post.find(f"{MDTO}informatieobject")
    assert obj.findtext(f"{MDTO}identificatie/{MDTO}identificatieKenmerk") == stages.posting.tiktok_video_id
    assert obj.findtext(f"{MDTO}aggregatieniveau/{MDTO}begripLabel") == "Archiefstuk"
    assert obj.findtext(f"{MDTO}archiefvormer/{MDTO}verwijzingNaam") == world.ministry.name
    # The post record is kept permanently by default: "Blijvend te bewaren".
    assert obj.findtext(f"{MDTO}waardering/{MDTO}begripCode") == "B"
    events = [event.findtext(f"{MDTO}eventType/{MDTO}begripLabel") for event in obj.findall(f"{MDTO}event")]
    assert events[0] == "Aanmaak" and events[-1] == "Publicatie" and events.count("Goedkeuring") >= 2
    video = etree.parse(str(data / f"post-{stages.posting.tiktok_video_id}" / "video.mp4.mdto.xml")).getroot()
    assert video.findtext(f"{MDTO}bestand/{MDTO}checksum/{MDTO}checksumWaarde") == stages.posting.video_version.sha256
    assert video.findtext(f"{MDTO}bestand/{MDTO}bestandsformaat/{MDTO}begripCode") == "fmt/199"
    assert not (data / "METS.xml").exists()
    # Every file of the post has its sidecar.
    files = [p for p in (data / f"post-{stages.posting.tiktok_video_id}").iterdir() if not p.name.endswith(".mdto.xml")]
    assert {f"{p.name}.mdto.xml" for p in files} <= {p.name for p in documents}


def test_the_mdto_schema_refuses_a_document_without_identificatie(staged_world, tmp_path):
    package = _made(staged_world, posting=staged_world.stages.posting)
    data = _unzipped(package, tmp_path) / "data"
    document = etree.parse(str(data / f"post-{staged_world.stages.posting.tiktok_video_id}.mdto.xml"))
    validation.check_mdto(etree.tostring(document))
    obj = document.getroot().find(f"{MDTO}informatieobject")
    for identification in obj.findall(f"{MDTO}identificatie"):
        obj.remove(identification)
    with pytest.raises(validation.MetadataInvalid):
        validation.check_mdto(etree.tostring(document))


def test_a_swedish_package_has_mets_that_meets_metsrws_schema(staged_world, tmp_path):
    world, stages = staged_world, staged_world.stages
    world.ministry.jurisdiction = "SE"
    world.ministry.save(update_fields=["jurisdiction"])
    package = _made(world, posting=stages.posting)
    data = _unzipped(package, tmp_path) / "data"
    assert not list(data.rglob("*.mdto.xml"))
    mets = data / "METS.xml"
    validation.mets_schema().validate(str(mets))
    root = etree.parse(str(mets)).getroot()
    assert root.findtext(f"{METS}metsHdr/{METS}agent/{METS}name") == world.ministry.name
    files = root.findall(f".//{METS}fileSec//{METS}file")
    assert {f.get("CHECKSUMTYPE") for f in files} == {"SHA-256"}
    by_href = {f.find(f"{METS}FLocat").get("{http://www.w3.org/1999/xlink}href"): f for f in files}
    video = by_href[f"post-{stages.posting.tiktok_video_id}/video.mp4"]
    assert video.get("CHECKSUM") == stages.posting.video_version.sha256
    for href, element in by_href.items():
        assert hashlib.sha256((data / href).read_bytes()).hexdigest() == element.get("CHECKSUM")
    assert len(root.findall(f"{METS}structMap//{METS}fptr")) == len(files)
    # And the schema does refuse what METS does not allow.
    video.set("CHECKSUMTYPE", "SHA-257")
    with pytest.raises(validation.MetadataInvalid):
        validation.check_mets(etree.tostring(root))


def test_a_campaign_package_holds_its_posts_as_a_dossier(staged_world, tmp_path):
    world, stages = staged_world, staged_world.stages
    package = _made(world, topic=stages.posted.topic)
    data = _unzipped(package, tmp_path) / "data"
    bagit.Bag(str(data.parent)).validate()
    dossier = etree.parse(str(data / f"campaign-{stages.posted.topic_id}.mdto.xml")).getroot()
    validation.check_mdto(etree.tostring(dossier))
    assert dossier.findtext(f"{MDTO}informatieobject/{MDTO}aggregatieniveau/{MDTO}begripLabel") == "Dossier"
    parts = dossier.findall(f"{MDTO}informatieobject/{MDTO}bevatOnderdeel")
    assert [p.findtext(f"{MDTO}verwijzingIdentificatie/{MDTO}identificatieKenmerk") for p in parts] == [
        stages.posting.tiktok_video_id
    ]
    assert (data / f"post-{stages.posting.tiktok_video_id}" / "video.mp4").exists()


def test_a_missing_master_file_makes_an_incomplete_package_that_says_so(staged_world, tmp_path):
    world, stages = staged_world, staged_world.stages
    version = stages.posting.video_version
    version.file.storage.delete(version.file.name)
    package = _made(world, posting=stages.posting)

    assert package.status == PackageStatus.DONE and package.incomplete
    assert version.sha256 in package.missing[0]
    root = _unzipped(package, tmp_path)
    bag = bagit.Bag(str(root))
    bag.validate()
    assert "not on disk" in bag.info["Master-File-Missing"]
    assert bag.info["Package-Status"] == "incomplete"
    post = root / "data" / f"post-{stages.posting.tiktok_video_id}"
    assert not (post / "video.mp4").exists()
    assert "not on disk" in (post / "MISSING.txt").read_text()


def test_a_failed_build_is_kept_with_its_error_and_made_by_the_daily_job(staged_world, settings, tmp_path):
    from archive import tasks

    world, stages = staged_world, staged_world.stages
    settings.ARCHIVE_MDTO_XSD = str(tmp_path / "no-such-schema.xsd")
    package = services.archive_package_request(
        actor=world.people["team_social"], organisation=world.ministry, posting=stages.posting, now=NOW
    )
    failed = services.package_build(package.pk, now=NOW)
    assert failed.status == PackageStatus.FAILED and "no-such-schema" in failed.error and not failed.file
    assert AuditEvent.objects.filter(action=AuditAction.ARCHIVE_PACKAGE_FAILED, object_id=str(package.pk)).exists()

    settings.ARCHIVE_MDTO_XSD = str(Path(validation.__file__).parent / "schemas" / "mdto.xsd")
    tasks.package_final_posts()
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE and package.attempt == 2


def test_the_daily_job_packages_posts_whose_figures_are_final_once(staged_world):
    import time_machine

    from archive import tasks

    posting = staged_world.stages.posting
    with time_machine.travel(posting.posted_at + timedelta(days=300), tick=False):
        tasks.package_final_posts()
    assert not ArchivePackage.objects.filter(posting=posting).exists()  # younger than a year: figures still move

    with time_machine.travel(posting.posted_at + timedelta(days=366), tick=False):
        assert tasks.package_final_posts() == 1
        assert tasks.package_final_posts() == 0  # idempotent: nothing new the second time
    package = ArchivePackage.objects.get(posting=posting)
    assert package.reason == PackageReason.FIGURES_FINAL and package.status == PackageStatus.DONE
    assert package.made_by is None  # the scheduled job
    assert LatestFigures.objects.filter(posting=posting).count() == 0  # nothing invented: no figures were recorded
