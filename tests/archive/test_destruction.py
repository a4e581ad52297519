"""Retention terms and the destruction list: terms per kind of record with defaults, a list proposed from what is due,
approved by another admin than its proposer (four eyes), carried out only once approved, never while a disclosure
request holds an item; each step on record."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive import destruction, retention
from archive.models import ArchivePackage, DestructionList, DestructionStatus, PackageStatus, RetentionKind
from archive.services import archive_package_request, package_build
from audit.actions import AuditAction
from audit.models import AuditEvent
from content import services as content
from content.models import Comment, VideoVersion, WebcareTask
from disclosure.models import DisclosureRequest
from stats import imports
from stats.models import LatestFigures, VideoSnapshot
from tests.factories import MembershipFactory
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db

ELEVEN_YEARS_ON = STAGED_AT.replace(year=STAGED_AT.year + 11)


@pytest.fixture
def admins(staged_world):
    """The ministry's organisation admin and a second one: a list needs two."""
    second = MembershipFactory(organisation=staged_world.ministry, role="org_admin").user
    return staged_world.people["org_admin"], second


@pytest.fixture
def archived(staged_world):
    """The posted video's post with figures, a comment on its brief and its archive package made."""
    world, stages = staged_world, staged_world.stages
    imports.record_figures(
        stages.posting, actor=world.people["team_social"], captured_at=STAGED_AT + timedelta(hours=3), views=105_000,
        likes=2_500, comments=16, shares=40,
    )  # fmt: skip
    content.comment_add(actor=world.people["adviser"], brief=stages.posted, text="Nice result.")
    package = archive_package_request(
        actor=world.people["team_social"], organisation=world.ministry, posting=stages.posting, now=STAGED_AT
    )
    assert package_build(package.pk, now=STAGED_AT).status == PackageStatus.DONE
    return stages.posting


def _request(world, brief, reference="2026-0001"):
    request = DisclosureRequest.objects.create(
        organisation=world.ministry, jurisdiction="NL", reference=reference, requester="A journalist",
        received_on=date(2026, 11, 20), subject="Everything about boosters", period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), registered_by=world.people["team_social"], registered_at=STAGED_AT,
    )  # fmt: skip
    request.briefs.add(brief)
    return request


def _decide(world, request):
    request.decided_at = STAGED_AT + timedelta(days=10)
    request.decided_by = world.people["team_social"]
    request.save(update_fields=["decided_at", "decided_by"])


def _events(action, result="ok"):
    return AuditEvent.objects.filter(action=action, result=result).count()


# --- Retention terms ----------------------------------------------------------------------------------------------


def test_without_terms_of_its_own_an_organisation_has_the_defaults(staged_world):
    terms = retention.terms_for(staged_world.ministry)
    assert {kind: term.years for kind, term in terms.items()} == {
        "brief": 10, "video_master": 10, "post_record": None, "statistics": 2, "webcare": 2,
    }  # fmt: skip
    assert all(term.is_default for term in terms.values())


def test_an_admin_sets_the_terms_and_the_change_is_on_record(staged_world):
    world = staged_world
    changes = retention.retention_save(
        actor=world.people["org_admin"], organisation=world.ministry, terms={"statistics": 5, "post_record": 20}
    )
    assert changes == {
        "statistics": {"before": "2 years", "after": "5 years"},
        "post_record": {"before": "permanent", "after": "20 years"},
    }
    terms = retention.terms_for(world.ministry)
    assert terms[RetentionKind.STATISTICS].years == 5 and not terms[RetentionKind.STATISTICS].is_default
    assert terms[RetentionKind.POST_RECORD].years == 20
    assert retention.terms_for(world.municipality)[RetentionKind.STATISTICS].years == 2  # theirs is theirs
    assert _events(AuditAction.RETENTION_CHANGED) == 1
    assert retention.retention_save(actor=world.people["org_admin"], organisation=world.ministry,
                                    terms={"statistics": 5}) == {}  # fmt: skip


def test_a_term_of_no_years_is_refused_and_the_database_agrees(staged_world):
    world = staged_world
    with pytest.raises(ValidationError):
        retention.retention_save(actor=world.people["org_admin"], organisation=world.ministry, terms={"webcare": 0})
    with pytest.raises(IntegrityError), transaction.atomic():
        world.ministry.retention_terms.create(kind="webcare", years=None, permanent=False)


def test_the_retention_page_saves_the_terms(staged_world, client_for):
    from django.urls import reverse

    client = client_for(staged_world.people["org_admin"])
    data = {}
    for kind in RetentionKind:
        data[f"{kind}_years"] = "" if kind == RetentionKind.POST_RECORD else "7"
    data["post_record_permanent"] = "on"
    assert "Until you do, the defaults apply" in client.get(reverse("settings_retention")).content.decode()
    assert client.post(reverse("settings_retention"), data).status_code == 302
    assert "Until you do, the defaults apply" not in client.get(reverse("settings_retention")).content.decode()
    assert retention.terms_for(staged_world.ministry)[RetentionKind.WEBCARE].years == 7
    data["webcare_years"] = ""
    assert client.post(reverse("settings_retention"), data).status_code == 400
    # Ticked permanent and given years: which is meant is the admin's to say, not ours to guess.
    data |= {"webcare_years": "7", "post_record_years": "5"}
    response = client.post(reverse("settings_retention"), data)
    assert response.status_code == 400 and "not both" in response.content.decode()
    assert retention.terms_for(staged_world.ministry)[RetentionKind.POST_RECORD].years is None


# --- The destruction list -----------------------------------------------------------------------------------------


def test_a_proposal_lists_what_is_due_and_nothing_younger(staged_world, admins, archived):
    proposer, _approver = admins
    with pytest.raises(destruction.DestructionRefused):  # a year on, nothing's term has ended
        destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry,
                                        now=STAGED_AT + timedelta(days=366))  # fmt: skip
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    kinds = sorted(proposed.items.values_list("kind", flat=True))
    # The post record (its archive package) is kept permanently by default: not on the list.
    assert kinds == ["brief", "statistics", "video_master", "webcare"]
    assert {item.brief_id for item in proposed.items.all()} == {staged_world.stages.posted.pk}
    assert _events(AuditAction.DESTRUCTION_PROPOSED) == 1


def test_a_posted_videos_master_is_not_proposed_before_its_archive_package_is_made(staged_world, admins):
    proposer, _approver = admins
    with pytest.raises(destruction.DestructionRefused):
        destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)


def test_an_unapproved_list_is_not_carried_out_and_nothing_changes(staged_world, admins, archived):
    proposer, _approver = admins
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    version = archived.video_version
    with pytest.raises(destruction.DestructionRefused, match="Only an approved"):
        destruction.destruction_carry_out(actor=proposer, destruction=proposed, now=ELEVEN_YEARS_ON)
    version.refresh_from_db()
    assert version.file and version.file.storage.exists(version.file.name)
    assert VideoSnapshot.objects.filter(posting=archived).exists()
    assert DestructionList.objects.get(pk=proposed.pk).status == DestructionStatus.PROPOSED
    assert _events(AuditAction.DESTRUCTION_CARRIED_OUT, "refused") == 1
    assert _events(AuditAction.DESTRUCTION_CARRIED_OUT) == 0


def test_whoever_proposed_a_list_does_not_approve_it(staged_world, admins, archived):
    proposer, _approver = admins
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    with pytest.raises(destruction.DestructionRefused, match="Someone other"):
        destruction.destruction_decide(actor=proposer, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)
    # The database holds the same line.
    with pytest.raises(IntegrityError), transaction.atomic():
        DestructionList.objects.filter(pk=proposed.pk).update(
            status=DestructionStatus.APPROVED, decided_by=proposer, decided_at=ELEVEN_YEARS_ON
        )


def test_an_approved_list_is_carried_out_and_every_step_is_on_record(staged_world, admins, archived):
    proposer, approver = admins
    version = archived.video_version
    file_name, storage = version.file.name, version.file.storage
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    destruction.destruction_decide(actor=approver, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)
    with pytest.raises(destruction.DestructionRefused):  # decided once
        destruction.destruction_decide(actor=approver, destruction=proposed, approve=False, note="x",
                                       now=ELEVEN_YEARS_ON)  # fmt: skip
    destruction.destruction_carry_out(actor=proposer, destruction=proposed, now=ELEVEN_YEARS_ON)

    version = VideoVersion.objects.get(pk=version.pk)
    assert not version.file and version.file_destroyed_at == ELEVEN_YEARS_ON and version.sha256
    assert not VideoSnapshot.objects.filter(posting=archived).exists()
    assert LatestFigures.objects.filter(posting=archived).exists()  # the final figures stay
    assert not WebcareTask.objects.filter(posting=archived).exists()
    assert not Comment.objects.filter(brief=archived.brief).exists()
    assert ArchivePackage.objects.get(posting=archived).status == PackageStatus.DONE  # the record is kept
    assert DestructionList.objects.get(pk=proposed.pk).status == DestructionStatus.CARRIED_OUT
    for action in (AuditAction.DESTRUCTION_PROPOSED, AuditAction.DESTRUCTION_APPROVED,
                   AuditAction.DESTRUCTION_CARRIED_OUT):  # fmt: skip
        assert _events(action) == 1
    assert storage.exists(file_name)  # deleted only once the destruction is committed (the next test)


def test_carrying_out_deletes_the_files_once_committed(
    staged_world, admins, archived, django_capture_on_commit_callbacks
):
    proposer, approver = admins
    version = archived.video_version
    file_name, storage = version.file.name, version.file.storage
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    destruction.destruction_decide(actor=approver, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)
    with django_capture_on_commit_callbacks(execute=True):
        destruction.destruction_carry_out(actor=approver, destruction=proposed, now=ELEVEN_YEARS_ON)
    assert not storage.exists(file_name)


def test_a_refusal_needs_a_reason_and_frees_the_way_for_a_new_list(staged_world, admins, archived):
    proposer, approver = admins
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    with pytest.raises(destruction.DestructionRefused, match="Say why"):
        destruction.destruction_decide(actor=approver, destruction=proposed, approve=False, now=ELEVEN_YEARS_ON)
    with pytest.raises(destruction.DestructionRefused, match="waiting already"):
        destruction.destruction_propose(actor=approver, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    destruction.destruction_decide(actor=approver, destruction=proposed, approve=False,
                                   note="Selectielijst under review", now=ELEVEN_YEARS_ON)  # fmt: skip
    assert _events(AuditAction.DESTRUCTION_REFUSED) == 1
    assert destruction.destruction_propose(actor=approver, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)


def test_a_proposal_leaves_out_what_an_open_disclosure_request_holds(staged_world, admins, archived):
    proposer, _approver = admins
    _request(staged_world, archived.brief)
    # Everything due belongs to the held brief: nothing is left to propose, and the refusal names the request.
    with pytest.raises(
        destruction.DestructionRefused, match=r"items are due, but open disclosure requests hold them \(2026-0001\)"
    ):
        destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    # A campaign package of another topic, whose briefs no request holds, is due once post records are kept a year.
    retention.retention_save(actor=proposer, organisation=staged_world.ministry, terms={"post_record": 1})
    other = ArchivePackage.objects.create(
        organisation=staged_world.ministry, topic=staged_world.stages.ready.topic, reason="on_demand", status="done",
        file="archive/campaign.zip", sha256="0" * 64, requested_at=STAGED_AT, made_at=STAGED_AT,
    )  # fmt: skip
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    assert [item.package_id for item in proposed.items.all()] == [other.pk]
    assert {entry["kind"] for entry in proposed.left_out} == {"brief", "statistics", "video_master", "webcare",
                                                              "post_record"}  # fmt: skip
    assert all(entry["requests"] == ["2026-0001"] for entry in proposed.left_out)


def test_approving_or_carrying_out_a_held_list_is_refused_until_the_request_is_decided(staged_world, admins, archived):
    proposer, approver = admins
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    request = _request(staged_world, archived.brief)  # registered after the proposal

    with pytest.raises(destruction.DestructionRefused, match="2026-0001"):
        destruction.destruction_decide(actor=approver, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)
    assert DestructionList.objects.get(pk=proposed.pk).status == DestructionStatus.PROPOSED
    assert _events(AuditAction.DESTRUCTION_APPROVED, "refused") == 1

    _decide(staged_world, request)
    destruction.destruction_decide(actor=approver, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)

    later = _request(staged_world, archived.brief, reference="2026-0002")
    with pytest.raises(destruction.DestructionRefused, match="2026-0002"):
        destruction.destruction_carry_out(actor=approver, destruction=proposed, now=ELEVEN_YEARS_ON)
    assert VideoVersion.objects.get(pk=archived.video_version_id).file  # nothing went

    _decide(staged_world, later)
    destruction.destruction_carry_out(actor=approver, destruction=proposed, now=ELEVEN_YEARS_ON)
    assert not VideoVersion.objects.get(pk=archived.video_version_id).file


def test_a_post_record_with_a_term_goes_with_its_package_file(staged_world, admins, archived):
    proposer, approver = admins
    retention.retention_save(actor=proposer, organisation=staged_world.ministry, terms={"post_record": 10})
    proposed = destruction.destruction_propose(actor=proposer, organisation=staged_world.ministry, now=ELEVEN_YEARS_ON)
    assert "post_record" in set(proposed.items.values_list("kind", flat=True))
    destruction.destruction_decide(actor=approver, destruction=proposed, approve=True, now=ELEVEN_YEARS_ON)
    destruction.destruction_carry_out(actor=approver, destruction=proposed, now=ELEVEN_YEARS_ON)
    package = ArchivePackage.objects.get(posting=archived)
    assert package.status == PackageStatus.DESTROYED and not package.file and package.sha256
