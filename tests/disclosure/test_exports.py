"""A period's disclosure package, made by a worker (issue 14): a fixed number of queries however many briefs, an
intact audit chain, a job that survives a lost worker and a lost hand-over to the queue, and a file only those who
may disclose in its organisation can download."""

import io
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from audit import trail
from audit.actions import AuditAction
from audit.models import AuditEvent
from content import services as content
from content.models import Brief
from disclosure import exports, package, tasks
from disclosure.models import DisclosureExport, ExportFailure, ExportStatus
from tests.workflow import Stages, brief_with_agency, deliver_script, open_run
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db

LATER = STAGED_AT + timedelta(minutes=2)


@pytest.fixture
def staged(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.stages = Stages(world, now=STAGED_AT)
    world.today = STAGED_AT.astimezone(world.ministry.zone).date()
    return world


def busy_briefs(world, count):
    """``count`` briefs each with what a package reads: a script under review, a comment, a timeline."""
    briefs = []
    for number in range(count):
        brief = brief_with_agency(world)
        open_run(deliver_script(world, brief, text=f"Scene {number}: a creator dances."))
        content.comment_add(actor=world.people["team_social"], brief=brief, text=f"Checked, round {number}.")
        briefs.append(brief)
    return briefs


def loaded(briefs):
    return list(
        Brief.objects.filter(pk__in=[b.pk for b in briefs]).select_related("organisation", "agency", "topic", "channel")
    )


def queries_to_disclose(world, briefs) -> int:
    briefs = loaded(briefs)
    with CaptureQueriesContext(connection) as queries:
        package.build_for_briefs(briefs, actor=world.people["team_social"], title="q", now=STAGED_AT).close()
    return len(queries)


def test_a_package_costs_the_same_queries_for_n_and_four_times_n_briefs(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path
    few = busy_briefs(world, 3)
    many = few + busy_briefs(world, 9)
    assert queries_to_disclose(world, few) == queries_to_disclose(world, many)
    assert queries_to_disclose(world, many) <= 30  # it was 14 per brief, audit trail included


def test_the_audit_chain_verifies_after_a_bulk_disclosure(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path
    briefs = busy_briefs(world, 4)
    package.build_for_briefs(loaded(briefs), actor=world.people["team_social"], title="bulk", now=STAGED_AT).close()
    # The next event, written one at a time, follows the bulk ones.
    content.comment_add(actor=world.people["adviser"], brief=briefs[0], text="After the disclosure.")
    assert trail.verify_chain(world.ministry) == []
    disclosed = AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).order_by("sequence")
    assert [event.subject_id for event in disclosed] == [str(brief.pk) for brief in loaded(briefs)]
    assert {event.actor_role for event in disclosed} == {"team_social"}
    call_command("verify_audit", stdout=io.StringIO())  # exits 1 (SystemExit) when a chain is broken


def ask(client, world):
    return client.post(reverse("period_disclosure"), {"start": world.today, "end": world.today})


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_period_package_is_queued_made_and_downloaded(staged, client_for):
    client = client_for(staged.people["team_social"])
    response = ask(client, staged)
    assert response.status_code == 302 and response.url == reverse("disclosure_exports")
    export = DisclosureExport.objects.get()
    assert (export.status, export.attempt, export.file.name) == (ExportStatus.QUEUED, 0, "")

    assert tasks.build_export(export.pk) == ExportStatus.DONE
    export.refresh_from_db()
    assert (export.status, export.attempt, export.briefs_done, export.briefs_total) == (ExportStatus.DONE, 1, 5, 5)
    path = Path(export.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.is_relative_to(export.file.storage.location)
    disclosed = AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED)
    assert disclosed.count() == 5 and {e.actor for e in disclosed} == {staged.people["team_social"]}
    assert trail.verify_chain(staged.ministry) == []

    archive = open_zip(client.get(reverse("disclosure_export_download", args=[export.pk])))
    assert len({name.split("/")[0] for name in archive.namelist() if "/" in name} - {"woo-web"}) == 5
    download = AuditEvent.objects.get(action=AuditAction.EXPORT_DOWNLOADED)
    assert download.actor == staged.people["team_social"]
    assert download.details == {"export": "disclosure.zip", "name": export.filename}
    # Run again (a redelivery): nothing to do, nothing written twice.
    assert tasks.build_export(export.pk) == "skipped"
    assert disclosed.count() == 5


def test_progress_is_reported_while_the_package_is_made(staged, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    export = exports.export_request(
        actor=staged.people["org_admin"], organisation=staged.ministry,
        period=exports.Period(staged.today, staged.today), language="en", origin=trail.Origin("192.0.2.7"),
        now=STAGED_AT,
    )  # fmt: skip
    seen = []

    def clock():
        # Each heartbeat reads the clock: look at the job as the status page would at that moment.
        seen.append(DisclosureExport.objects.values_list("status", "briefs_done", "briefs_total").get())
        return LATER

    exports.export_build(export.pk, now=STAGED_AT, clock=clock)
    assert (ExportStatus.RUNNING, 2, 5) in seen and (ExportStatus.RUNNING, 4, 5) in seen
    assert DisclosureExport.objects.get().status == ExportStatus.DONE
    assert set(AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).values_list("origin", "created_at")) == {
        ("192.0.2.7", LATER)
    }


def test_another_organisation_cannot_download_the_package(staged, client_for):
    ask(client_for(staged.people["team_social"]), staged)
    export = DisclosureExport.objects.get()
    tasks.build_export(export.pk)
    url = reverse("disclosure_export_download", args=[export.pk])
    assert client_for(staged.other_admin).get(url).status_code == 404  # may disclose, but in another organisation
    assert client_for(staged.people["adviser"]).get(url).status_code == 403  # may not disclose at all
    assert client_for(staged.people["org_admin"]).get(url).status_code == 200
    assert export.filename not in client_for(staged.other_admin).get(reverse("disclosure_exports")).content.decode()


def test_a_requester_who_may_no_longer_disclose_gets_a_failed_package_with_the_reason(staged, client_for):
    ask(client_for(staged.people["team_social"]), staged)
    export = DisclosureExport.objects.get()
    Membership.objects.filter(user=staged.people["team_social"]).update(role="adviser")

    assert tasks.build_export(export.pk) == ExportStatus.FAILED
    export.refresh_from_db()
    assert (export.failure, export.file.name) == (ExportFailure.NOT_ALLOWED, "")
    assert not AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).exists()
    page = client_for(staged.people["org_admin"]).get(reverse("disclosure_exports")).content.decode()
    assert "The person who asked for it may no longer disclose in this organisation." in page
    assert "Failed" in page


def test_a_running_package_whose_worker_went_silent_is_taken_over(staged):
    export = exports.export_request(
        actor=staged.people["team_social"], organisation=staged.ministry,
        period=exports.Period(staged.today, staged.today), language="en", origin=trail.Origin(), now=STAGED_AT,
    )  # fmt: skip
    # A worker took it on and died.
    DisclosureExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempt=1, heartbeat_at=STAGED_AT, briefs_done=50
    )
    fresh = STAGED_AT + exports.STALE_AFTER - timedelta(seconds=1)
    assert exports.stalled(now=fresh) == []
    assert exports.export_build(export.pk, now=fresh, clock=lambda: fresh) is None  # still its worker's
    stale = STAGED_AT + exports.STALE_AFTER + timedelta(seconds=1)
    assert exports.stalled(now=stale) == [export.pk]
    done = exports.export_build(export.pk, now=stale, clock=lambda: stale)
    assert (done.status, done.attempt, done.briefs_done) == (ExportStatus.DONE, 2, 5)
    assert AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).count() == 5


def test_a_run_that_was_taken_over_writes_nothing(staged):
    export = exports.export_request(
        actor=staged.people["team_social"], organisation=staged.ministry,
        period=exports.Period(staged.today, staged.today), language="en", origin=trail.Origin(), now=STAGED_AT,
    )  # fmt: skip
    calls = []

    def clock():
        calls.append(1)
        if len(calls) == 2:  # while this run writes, the sweep gave it up and another run took the job on
            DisclosureExport.objects.filter(pk=export.pk).update(attempt=2, heartbeat_at=LATER)
        return LATER

    assert exports.export_build(export.pk, now=STAGED_AT, clock=clock) is None
    export.refresh_from_db()
    assert (export.status, export.attempt, export.file.name) == (ExportStatus.RUNNING, 2, "")
    assert not AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).exists()
    assert not list(Path(export.file.storage.location).rglob("*.zip"))


def test_a_queued_package_the_queue_lost_is_queued_again_once_a_minute_has_passed(staged, frozen):
    export = exports.export_request(
        actor=staged.people["team_social"], organisation=staged.ministry,
        period=exports.Period(staged.today, staged.today), language="en", origin=trail.Origin(), now=STAGED_AT,
    )  # fmt: skip
    assert exports.stalled(now=STAGED_AT + timedelta(seconds=30)) == []
    assert exports.stalled(now=LATER) == [export.pk]
    assert exports.stalled(now=LATER + timedelta(minutes=1)) == []  # not flooded with copies while it waits
    assert exports.stalled(now=LATER + exports.STALE_AFTER + timedelta(seconds=1)) == [export.pk]
    frozen.move_to(LATER + 3 * exports.STALE_AFTER)
    assert tasks.sweep_exports() == 1  # the clock has moved on: queued again, through the (in-memory) queue
    tasks.build_export(export.pk)
    assert exports.stalled(now=LATER + timedelta(days=1)) == []


def test_old_files_are_deleted_and_the_package_can_be_started_again(staged, client_for):
    client = client_for(staged.people["team_social"])
    ask(client, staged)
    export = DisclosureExport.objects.get()
    tasks.build_export(export.pk)
    export.refresh_from_db()
    path = Path(export.file.path)
    assert exports.expire(now=export.finished_at + timedelta(days=exports.KEEP_DAYS - 1)) == 0
    assert path.exists()
    assert exports.expire(now=export.finished_at + timedelta(days=exports.KEEP_DAYS, seconds=1)) == 1
    export.refresh_from_db()
    assert (export.status, export.file.name) == (ExportStatus.EXPIRED, "")
    assert not path.exists()
    assert client.get(reverse("disclosure_export_download", args=[export.pk])).status_code == 404

    response = client.post(reverse("disclosure_export_again", args=[export.pk]))
    assert response.status_code == 302
    again = DisclosureExport.objects.exclude(pk=export.pk).get()
    assert (again.status, again.parameters) == (ExportStatus.QUEUED, export.parameters)
    # A second press (or a colleague at the same time) makes no second package; the old row says so.
    assert client.post(reverse("disclosure_export_again", args=[export.pk])).status_code == 302
    assert DisclosureExport.objects.count() == 2
    assert "Started again: see above" in client.get(reverse("disclosure_exports")).content.decode()


def test_the_status_page_shows_progress_in_words_and_refreshes_itself_while_pending(staged, client_for):
    client = client_for(staged.people["team_social"])
    ask(client, staged)
    export = DisclosureExport.objects.get()
    DisclosureExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempt=1, heartbeat_at=STAGED_AT, briefs_total=1664, briefs_done=150
    )
    page = client.get(reverse("disclosure_exports")).content.decode()
    assert "Being made" in page and "150 of 1664 briefs" in page
    assert "data-pending" in page and "js/refresh-pending.js" in page and 'aria-live="polite"' in page
    assert "<script>" not in page  # the CSP allows no inline script

    tasks.build_export(export.pk)  # not stale: its worker still runs it
    DisclosureExport.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED, attempt=1)
    tasks.build_export(export.pk)
    page = client.get(reverse("disclosure_exports")).content.decode()
    assert "Ready to download" in page and reverse("disclosure_export_download", args=[export.pk]) in page
    assert "data-pending" not in page


def test_an_empty_period_makes_no_package(staged, client_for):
    response = client_for(staged.people["team_social"]).post(
        reverse("period_disclosure"), {"start": "2001-01-01", "end": "2001-01-31"}
    )
    assert response.status_code == 400
    assert "No briefs were made in this period." in response.content.decode()
    assert not DisclosureExport.objects.exists()


def test_asking_needs_the_capability(staged, client_for):
    assert ask(client_for(staged.people["adviser"]), staged).status_code == 403
    assert not DisclosureExport.objects.exists()
