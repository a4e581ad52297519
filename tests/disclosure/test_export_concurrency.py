"""Two workers on one package, two packages on one chain at the same moment: one run makes the package, and the
audit chain stays whole. Real threads with their own connections, on PostgreSQL (row locks are what is tested)."""

import pytest
from django.db import connection

from audit import trail
from audit.actions import AuditAction
from audit.models import AuditEvent
from disclosure import exports, package
from disclosure.models import DisclosureExport, ExportStatus
from tests.approvals.test_concurrency import race
from tests.workflow import Stages
from tests.world import STAGED_AT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


@pytest.fixture
def staged(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.stages = Stages(world, now=STAGED_AT)
    return world


def test_two_workers_on_one_package_make_it_once(staged):
    today = STAGED_AT.astimezone(staged.ministry.zone).date()
    export = exports.export_request(
        actor=staged.people["team_social"], organisation=staged.ministry, period=exports.Period(today, today),
        language="en", origin=trail.Origin(), now=STAGED_AT,
    )  # fmt: skip
    build = lambda: exports.export_build(export.pk, now=STAGED_AT, clock=lambda: STAGED_AT)  # noqa: E731
    results = race([build, build])
    assert sorted(result is None for result in results) == [False, True], results
    export.refresh_from_db()
    assert (export.status, export.attempt) == (ExportStatus.DONE, 1)
    assert AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).count() == 5
    assert trail.verify_chain(staged.ministry) == []


def test_two_disclosures_at_once_keep_the_chain_whole(staged):
    from content.models import Brief

    briefs = list(Brief.objects.filter(organisation=staged.ministry).select_related("organisation"))

    def disclose(chosen):
        return lambda: package.build_for_briefs(chosen, actor=staged.people["team_social"], title="x", now=STAGED_AT)

    results = race([disclose(briefs[:3]), disclose(briefs[2:]), disclose(briefs)])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED).count() == 3 + 3 + 5
    assert trail.verify_chain(staged.ministry) == []
    assert DisclosureExport.objects.count() == 0
