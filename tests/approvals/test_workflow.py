"""The seven-step process through the services, and every refusal rule on its own."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from approvals import rules
from approvals import services as approvals
from approvals.models import ApprovalRun, RunStatus, StepMode, Verdict
from approvals.services import ApprovalRefused, chain_for
from audit.models import AuditEvent
from audit.trail import verify_chain
from content import services as content
from content.models import BriefStatus, WebcareTask
from content.states import BriefAction, InvalidTransition
from tests.factories import CreatorFactory, MembershipFactory, UserFactory
from tests.workflow import TRANSCRIPT, brief_with_agency, decide, deliver_script, new_brief, open_run, publication
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


def deliver_video(world, brief, url="https://preview.example.org/v"):
    return approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        creators=[CreatorFactory(agency=world.agency)],
        has_subtitles=True,
        preview_url=url,
        publication=publication(brief),
        transcript=TRANSCRIPT,
    )


def test_the_whole_path_from_brief_to_webcare(world):
    adviser, social, agency = world.people["adviser"], world.people["team_social"], world.people["agency_member"]
    brief = brief_with_agency(world)
    assert brief.status == BriefStatus.SENT_TO_AGENCY

    v1 = deliver_script(world, brief)
    decide(adviser, v1)
    decide(social, v1, Verdict.REQUEST_CHANGES, comment="Shorter, and mention the booster location.")
    assert open_run(v1).status == RunStatus.CHANGES_REQUESTED

    v2 = deliver_script(world, brief, text="Shorter script")
    decide(adviser, v2)
    decide(social, v2)
    brief.refresh_from_db()
    assert (open_run(v2).status, brief.status) == (RunStatus.APPROVED, BriefStatus.IN_PRODUCTION)

    video1 = deliver_video(world, brief)
    decide(adviser, video1, Verdict.REJECT, comment="Alcohol visible in the background.")
    video2 = deliver_video(world, brief, url="https://preview.example.org/v2")
    decide(adviser, video2)
    decide(social, video2)
    brief.refresh_from_db()
    assert brief.status == BriefStatus.READY_TO_POST

    posting = content.posting_record(
        actor=agency,
        brief=brief,
        tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/7077642457847991554",
        posted_at=STAGED_AT,
        now=STAGED_AT + timedelta(minutes=10),
    )
    brief.refresh_from_db()
    assert brief.status == BriefStatus.POSTED
    assert posting.video_version == video2
    task = WebcareTask.objects.get(posting=posting)
    content.webcare_update(
        actor=social, task=task, assignee=social, notes="Answered 3 questions", done=True, now=STAGED_AT
    )
    task.refresh_from_db()
    assert task.done_by == social
    assert verify_chain(world.ministry) == []
    actions = list(AuditEvent.objects.about(brief).values_list("action", flat=True))
    assert actions.count("decision.approve") == 5  # v1: 1, script v2: 2, video v2: 2
    assert "decision.reject" in actions and "decision.request_changes" in actions


def test_brief_moves_draft_submitted_sent_and_can_be_returned(world):
    brief = new_brief(world)
    content.brief_transition(actor=brief.created_by, brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(
        actor=world.people["team_social"], brief=brief, action=BriefAction.RETURN, comment="Timing clashes."
    )
    assert brief.status == BriefStatus.DRAFT
    assert brief.comments.get().text == "Timing clashes."


def test_returning_a_brief_needs_a_reason(world):
    brief = new_brief(world)
    content.brief_transition(actor=brief.created_by, brief=brief, action=BriefAction.SUBMIT)
    with pytest.raises(ValidationError):
        content.brief_transition(actor=world.people["team_social"], brief=brief, action=BriefAction.RETURN)


def test_only_team_social_sends_a_brief_to_the_agency(world):
    brief = new_brief(world)
    content.brief_transition(actor=brief.created_by, brief=brief, action=BriefAction.SUBMIT)
    with pytest.raises(PermissionDenied):
        content.brief_transition(actor=world.people["adviser"], brief=brief, action=BriefAction.SEND)


def test_a_stale_transition_is_refused_not_applied_twice(world):
    brief = new_brief(world)
    stale = type(brief).objects.get(pk=brief.pk)
    content.brief_transition(actor=brief.created_by, brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(actor=world.people["team_social"], brief=brief, action=BriefAction.SEND)
    from content import states

    with pytest.raises(InvalidTransition):
        states.apply(stale, BriefAction.SUBMIT)  # someone still looking at the draft
    brief.refresh_from_db()
    assert brief.status == BriefStatus.SENT_TO_AGENCY


def test_only_the_current_steps_approvers_act(world):
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused, match="Only the approvers"):
        decide(world.people["team_social"], version)  # step 1 is the topic's adviser


def test_topic_owner_only_step_refuses_another_adviser(world):
    other_adviser = MembershipFactory(organisation=world.ministry, role="adviser").user
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused, match="Only the approvers"):
        decide(other_adviser, version)


def test_agency_members_never_approve(world):
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused, match="Agency members never approve"):
        decide(world.people["agency_member"], version)


def test_nobody_approves_their_own_upload(world):
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    version.created_by = world.people["adviser"]  # as if the adviser had uploaded it
    version.save()
    run.refresh_from_db()
    reason = rules.refusal_reason(world.people["adviser"], run, version_number=1, step_position=1)
    assert "someone else must decide" in str(reason)


def test_feedback_is_required_unless_approving(world):
    version = deliver_script(world, brief_with_agency(world))
    for verdict in (Verdict.REQUEST_CHANGES, Verdict.REJECT):
        with pytest.raises(ApprovalRefused, match="feedback"):
            decide(world.people["adviser"], version, verdict, comment="   ")
    assert open_run(version).decisions.count() == 0


def test_every_constraint_must_be_ticked_to_approve(world):
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused, match="Tick every constraint"):
        decide(world.people["adviser"], version, constraints=False)


def test_a_decision_on_a_stale_version_is_refused(world):
    brief = brief_with_agency(world)
    v1 = deliver_script(world, brief)
    run1 = open_run(v1)
    deliver_script(world, brief, text="v2")
    run1.refresh_from_db()
    assert run1.status == RunStatus.CANCELLED
    with pytest.raises(ApprovalRefused, match="newer version"):
        decide(world.people["adviser"], v1)


def test_a_decision_on_a_finished_run_is_refused(world):
    v1 = deliver_script(world, brief_with_agency(world))
    run = open_run(v1)
    decide(world.people["adviser"], v1, Verdict.REJECT, comment="No.")
    from approvals import services

    with pytest.raises(ApprovalRefused, match="already finished"):
        services.decide(
            actor=world.people["adviser"],
            run_id=run.pk,
            version_number=1,
            step_position=1,
            verdict=Verdict.APPROVE,
            checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
        )


def test_deciding_twice_on_a_step_is_refused(world):
    chain = chain_for(world.ministry, "script")
    chain.steps.filter(position=2).update(mode=StepMode.ALL)
    MembershipFactory(organisation=world.ministry, role="team_social")  # a second approver: step stays open
    version = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], version)
    decide(world.people["team_social"], version)
    with pytest.raises(ApprovalRefused, match="already decided"):
        decide(world.people["team_social"], version)


def test_all_mode_waits_for_every_approver(world):
    chain = chain_for(world.ministry, "script")
    chain.steps.filter(position=2).update(mode=StepMode.ALL)
    second = MembershipFactory(organisation=world.ministry, role="team_social").user
    version = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], version)
    decide(world.people["team_social"], version)
    assert open_run(version).status == RunStatus.IN_PROGRESS
    decide(second, version)
    assert open_run(version).status == RunStatus.APPROVED


def test_a_decided_step_refuses_a_late_form(world):
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    decide(world.people["adviser"], version)
    from approvals import services

    with pytest.raises(ApprovalRefused, match="already been decided"):
        services.decide(
            actor=world.people["team_social"],
            run_id=run.pk,
            version_number=1,
            step_position=1,  # the page was loaded while step 1 was current
            verdict=Verdict.APPROVE,
            checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
        )


def test_sensitive_topics_get_the_extra_review_step(world):
    reviewer = world.people["reviewer"]
    version = deliver_script(world, brief_with_agency(world, sensitive=True))
    assert open_run(version).steps.count() == 3
    decide(world.people["adviser"], version)
    decide(world.people["team_social"], version)
    assert open_run(version).status == RunStatus.IN_PROGRESS
    decide(reviewer, version)
    assert open_run(version).status == RunStatus.APPROVED


def test_at_most_one_open_run_per_item_in_the_database(world):
    """A second open run on the same item, otherwise valid in every way, is refused by the partial unique index
    itself (not by another check first)."""
    from content.models import ScriptVersion

    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    other = ScriptVersion.objects.create(
        brief=run.brief, number=99, text="x", duration_target=10, created_by=world.people["agency_member"]
    )
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ApprovalRun.objects.create(brief=run.brief, stage="script", script_version=other, current_position=1)
    message = str(error.value)
    assert "one_open_run_per_item" in message or "UNIQUE constraint failed: approvals_approvalrun.brief_id" in message
    # The same run, finished, is fine: the index holds only for open runs.
    ApprovalRun.objects.create(brief=run.brief, stage="script", script_version=other, status="rejected")


def test_a_run_must_name_the_version_of_its_stage(world):
    run = open_run(deliver_script(world, brief_with_agency(world)))
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ApprovalRun.objects.create(brief=run.brief, stage="script", script_version=None, current_position=1)
    assert "run_version_matches_stage" in str(error.value) or "CHECK constraint failed" in str(error.value)


def test_refused_decisions_are_audited_too(world):
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused):
        decide(world.people["agency_member"], version)
    event = AuditEvent.objects.filter(result="refused").get()
    assert event.actor == world.people["agency_member"]
    assert "Agency members" in event.details["reason"]


def test_refused_decisions_go_into_the_trail_at_most_ten_a_minute_per_person(world):
    version = deliver_script(world, brief_with_agency(world))
    for _ in range(15):
        with pytest.raises(ApprovalRefused):  # every attempt is refused all the same
            decide(world.people["agency_member"], version)
    assert AuditEvent.objects.filter(result="refused", actor=world.people["agency_member"]).count() == 10
    with pytest.raises(ApprovalRefused):
        decide(world.people["management"], version)
    assert AuditEvent.objects.filter(result="refused", actor=world.people["management"]).count() == 1


def test_agency_cannot_use_another_agencys_creator(world):
    brief = brief_with_agency(world)
    with pytest.raises(ValidationError):
        approvals.script_version_add(
            actor=world.people["agency_member"],
            brief=brief,
            text="x",
            shot_list="",
            duration_target=20,
            creators=[CreatorFactory(agency=world.other_agency)],
        )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://vm.tiktok.com/ZMabc/", "bad_url"),
        ("https://www.tiktok.com/@someone_else/video/7077642457847991554", "wrong_channel"),
        ("not a url", "bad_url"),
    ],
)
def test_posting_urls_are_validated(world, url, code):
    brief = _ready_to_post(world)
    with pytest.raises(ValidationError) as error:
        content.posting_record(
            actor=world.people["agency_member"], brief=brief, tiktok_url=url, posted_at=STAGED_AT, now=STAGED_AT
        )
    assert error.value.code == code


def test_the_same_tiktok_video_cannot_be_posted_twice(world):
    url = f"https://www.tiktok.com/@{world.channel.handle}/video/7077642457847991554"
    first = _ready_to_post(world)
    agency = world.people["agency_member"]
    content.posting_record(actor=agency, brief=first, tiktok_url=url, posted_at=STAGED_AT, now=STAGED_AT)
    second = _ready_to_post(world)
    with pytest.raises(ValidationError) as error:
        content.posting_record(
            actor=agency, brief=second, tiktok_url=url + "?lang=nl", posted_at=STAGED_AT, now=STAGED_AT
        )
    assert error.value.code == "duplicate"


def test_a_posting_time_in_the_future_is_refused(world):
    brief = _ready_to_post(world)
    url = f"https://www.tiktok.com/@{world.channel.handle}/video/7077642457847991555"
    with pytest.raises(ValidationError) as error:
        content.posting_record(
            actor=world.people["agency_member"],
            brief=brief,
            tiktok_url=url,
            posted_at=STAGED_AT + timedelta(minutes=6),
            now=STAGED_AT,
        )
    assert error.value.code == "future"
    # A few minutes ahead is a clock that differs, not a post from the future.
    content.posting_record(
        actor=world.people["agency_member"],
        brief=brief,
        tiktok_url=url,
        posted_at=STAGED_AT + timedelta(minutes=4),
        now=STAGED_AT,
    )


def _ready_to_post(world):
    brief = brief_with_agency(world)
    script = deliver_script(world, brief)
    decide(world.people["adviser"], script)
    decide(world.people["team_social"], script)
    video = deliver_video(world, brief, url=f"https://preview.example.org/{brief.pk}")
    decide(world.people["adviser"], video)
    decide(world.people["team_social"], video)
    brief.refresh_from_db()
    return brief


def test_a_new_approver_joining_an_organisation_is_not_an_agency_member(world):
    outsider = UserFactory()
    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused, match="not a member"):
        decide(outsider, version)


def test_a_refused_attempt_is_read_in_the_readers_language(world):
    from django.utils import translation

    version = deliver_script(world, brief_with_agency(world))
    with pytest.raises(ApprovalRefused):
        decide(world.people["adviser"], version, constraints=False)
    with pytest.raises(ApprovalRefused):
        approvals.decide(actor=world.people["adviser"], run_id=open_run(version).pk, version_number=1,
                         step_position=1, verdict="bogus")  # fmt: skip
    first, second = AuditEvent.objects.filter(result="refused").order_by("sequence")
    assert first.details["reason"] == "Tick every constraint of the brief before you approve."
    with translation.override("nl"):
        assert (first.label, first.reason) == (
            "Poging tot goedkeuren geweigerd",
            "Vink elke randvoorwaarde van de briefing aan voordat je goedkeurt.",
        )
        assert second.label == "Beslispoging geweigerd"
