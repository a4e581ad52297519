"""The archive's pages: who may make and download packages (another organisation's is not found), every download on
record, a failed package offered again, and the destruction list's page with held items flagged."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse

from archive import destruction, tasks
from archive.models import ArchivePackage, PackageStatus
from audit.actions import AuditAction
from audit.models import AuditEvent
from disclosure.models import DisclosureRequest
from tests.factories import MembershipFactory
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


def _made_through_the_page(world, client_for):
    client = client_for(world.people["team_social"])
    response = client.post(reverse("archive_package_make"), {"posting": world.stages.posting.pk})
    assert response.status_code == 302
    package = ArchivePackage.objects.get(posting=world.stages.posting)
    assert package.status == PackageStatus.QUEUED and package.requested_by == world.people["team_social"]
    tasks.build_package(package.pk)  # what the worker does with the queued job
    package.refresh_from_db()
    return client, package


def test_team_social_makes_and_downloads_a_package_and_the_download_is_on_record(staged_world, client_for):
    client, package = _made_through_the_page(staged_world, client_for)
    assert package.status == PackageStatus.DONE
    page = client.get(reverse("archive_packages")).content.decode()
    assert package.filename in page and package.sha256 in page
    response = client.get(reverse("archive_package_download", args=[package.pk]))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert f"{package.name}/bagit.txt" in names
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT_DOWNLOADED, object_id=str(package.pk), details__export="archive.zip"
    ).exists()


def test_another_organisations_package_is_not_found(staged_world, client_for):
    _client, package = _made_through_the_page(staged_world, client_for)
    outsider = client_for(staged_world.other_admin)
    assert outsider.get(reverse("archive_package_download", args=[package.pk])).status_code == 404
    assert outsider.post(reverse("archive_package_again", args=[package.pk])).status_code == 404
    # Nor can they ask for a package of the ministry's post: it is not among their choices.
    response = outsider.post(reverse("archive_package_make"), {"posting": staged_world.stages.posting.pk})
    assert response.status_code == 400
    assert ArchivePackage.objects.count() == 1


@pytest.mark.parametrize("persona", ["adviser", "campaign_manager", "agency_member", "management", "reviewer"])
def test_only_those_who_may_disclose_use_the_archive(staged_world, client_for, persona):
    client = client_for(staged_world.people[persona])
    assert client.get(reverse("archive_packages")).status_code == 403
    assert client.post(reverse("archive_package_make"), {"posting": staged_world.stages.posting.pk}).status_code == 403
    assert not ArchivePackage.objects.exists()


def test_an_incomplete_or_failed_package_shows_it_and_a_failed_one_can_be_tried_again(staged_world, client_for):
    world = staged_world
    failed = ArchivePackage.objects.create(
        organisation=world.ministry, posting=world.stages.posting, reason="on_demand", status="failed",
        requested_at=STAGED_AT, error="OSError: disk full",
    )  # fmt: skip
    client = client_for(world.people["org_admin"])
    page = client.get(reverse("archive_packages")).content.decode()
    assert "could not be made" in page and "Try archive-" in page
    assert client.post(reverse("archive_package_again", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert failed.status == PackageStatus.QUEUED


def test_the_destruction_page_flags_held_items_and_offers_no_approval_to_the_proposer(staged_world, client_for):
    world = staged_world
    second = MembershipFactory(organisation=world.ministry, role="org_admin").user
    ArchivePackage.objects.create(
        organisation=world.ministry, posting=world.stages.posting, reason="on_demand", status="done",
        file="archive/x.zip", sha256="0" * 64, requested_at=STAGED_AT, made_at=STAGED_AT,
    )  # fmt: skip
    proposed = destruction.destruction_propose(
        actor=second, organisation=world.ministry, now=STAGED_AT.replace(year=STAGED_AT.year + 11)
    )
    request = DisclosureRequest.objects.create(
        organisation=world.ministry, jurisdiction="NL", reference="2026-0007", requester="A journalist",
        received_on=date(2026, 11, 20), subject="Boosters", period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), registered_by=world.people["team_social"], registered_at=STAGED_AT,
    )  # fmt: skip
    request.briefs.add(world.stages.posted)

    page = client_for(world.people["org_admin"]).get(reverse("settings_destruction")).content.decode()
    assert "2026-0007" in page and "Yes: held by a disclosure request" in page
    assert "Approve the destruction list" in page
    response = client_for(world.people["org_admin"]).post(
        reverse("settings_destruction_decide", args=[proposed.pk]), {"decision": "approve"}, follow=True
    )
    assert "2026-0007" in response.content.decode()  # the refusal names the request
    assert (
        "Approve the destruction list" not in client_for(second).get(reverse("settings_destruction")).content.decode()
    )
    request.decided_at, request.decided_by = STAGED_AT + timedelta(days=1), world.people["team_social"]
    request.save()
    client_for(world.people["org_admin"]).post(
        reverse("settings_destruction_decide", args=[proposed.pk]), {"decision": "approve"}
    )
    proposed.refresh_from_db()
    assert proposed.status == "approved"


def test_the_proposer_without_a_second_admin_is_told_how_to_get_one(staged_world, client_for):
    world = staged_world
    proposer = world.people["org_admin"]
    ArchivePackage.objects.create(
        organisation=world.ministry, posting=world.stages.posting, reason="on_demand", status="done",
        file="archive/x.zip", sha256="0" * 64, requested_at=STAGED_AT, made_at=STAGED_AT,
    )  # fmt: skip
    destruction.destruction_propose(
        actor=proposer, organisation=world.ministry, now=STAGED_AT.replace(year=STAGED_AT.year + 11)
    )
    page = client_for(proposer).get(reverse("settings_destruction")).content.decode()
    assert "no other organisation admin yet" in page and reverse("settings_people") in page
    MembershipFactory(organisation=world.ministry, role="org_admin")
    page = client_for(proposer).get(reverse("settings_destruction")).content.decode()
    assert "no other organisation admin yet" not in page
