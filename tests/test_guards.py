"""Every state-changing service guards itself: called directly (by a task, a command, a view that forgot), it
refuses a person whose role lacks the capability, and writes nothing. A new service with an ``actor`` that
has no case here fails the suite."""

import inspect
from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from administration import services as administration
from approvals import services as approvals
from approvals.services import ApprovalRefused
from archive import destruction, retention
from archive import services as archive
from archive.models import ArchivePackage, DestructionItem, DestructionList
from audit.models import AuditEvent
from audit.trail import Origin
from budget import services as budget
from content import services as content
from content.models import FollowUp, ReplyTemplate, WebcareEscalation
from disclosure import package, requests
from disclosure.exports import Period
from scheduling import services as scheduling
from stats import imports
from stats import services as stats
from stats.models import ChannelConnection
from tests.world import STAGED_AT

from .factories import CreatorFactory
from .workflow import open_run

pytestmark = pytest.mark.django_db

SERVICE_MODULES = [
    content, approvals, scheduling, budget, stats, imports, package, requests, administration, archive, retention,
    destruction,
]  # fmt: skip


def _tokens():
    return SimpleNamespace(
        open_id="open-x", access_token="act.x", refresh_token="rft.x", scope="video.list", expires_in=3600,
        refresh_expires_in=86400,
    )  # fmt: skip


def _escalation(world, stages):
    return WebcareEscalation.objects.create(
        task=stages.webcare, role="reviewer", question="May we answer this?", asked_by=world.person("team_social"),
        asked_at=STAGED_AT)  # fmt: skip


def _request(world):
    """A disclosure request of the ministry, about the staged posted brief."""
    from disclosure.models import DisclosureRequest

    request, _ = DisclosureRequest.objects.get_or_create(
        organisation=world.ministry, reference="2026-0001",
        defaults={"jurisdiction": "NL", "requester": "A journalist", "received_on": STAGED_AT.date(),
                  "subject": "The videos", "period_start": STAGED_AT.date(), "period_end": STAGED_AT.date(),
                  "registered_by": world.people["team_social"], "registered_at": STAGED_AT},
    )  # fmt: skip
    request.briefs.add(world.stages.posted)
    return request


def _masked(world):
    from disclosure.models import Masking

    return Masking.objects.create(
        request=_request(world),
        passage="x",
        provision="5.2 Woo",
        reason="y",
        added_by=world.people["team_social"],
        added_at=STAGED_AT,
    )


def _member(world, persona):
    return world.people[persona].memberships.get(organisation=world.ministry)


def _newcomer(world, *, ended=False):
    """A ministry person who has not chosen a password yet (or, ``ended``, who left and whose account is off)."""
    from accounts.models import Membership

    from .factories import UserFactory

    person = UserFactory(is_active=not ended)
    person.set_unusable_password()
    person.save()
    return Membership.objects.create(user=person, organisation=world.ministry, role="adviser", is_active=not ended,
                                     ended_on=STAGED_AT.date() if ended else None)  # fmt: skip


def _failed_mail(world):
    from core import outbox
    from core.models import MailStatus, OutgoingMail

    mail = outbox.queue(kind="calendar.at_risk", to="a@example.org", subject="x", body="y", organisation=world.ministry)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, attempts=outbox.MAX_ATTEMPTS)
    return OutgoingMail.objects.get(pk=mail.pk)


def _connection(world):
    return ChannelConnection.objects.create(channel=world.channel, open_id="open-x", scopes="video.list")


def _failed_package(world):
    return ArchivePackage.objects.create(
        organisation=world.ministry, topic=world.stages.posted.topic, reason="on_demand", status="failed",
        requested_at=STAGED_AT)  # fmt: skip


def _packaged(world):
    """The posted video's post with its archive package made: its records are then due for destruction in time."""
    ArchivePackage.objects.create(
        organisation=world.ministry, posting=world.stages.posting, reason="on_demand", status="done",
        file="archive/x.zip", sha256="0" * 64, requested_at=STAGED_AT, made_at=STAGED_AT)  # fmt: skip
    return world.ministry


def _destruction_list(world, *, approved=False):
    """A list proposed by a second organisation admin (so the ministry's own may decide on it)."""
    from .factories import MembershipFactory

    proposer = MembershipFactory(organisation=world.ministry, role="org_admin").user
    decided = {"status": "approved", "decided_by": world.people["org_admin"], "decided_at": STAGED_AT}
    listed = DestructionList.objects.create(
        organisation=world.ministry, proposed_by=proposer, proposed_at=STAGED_AT, **(decided if approved else {})
    )
    DestructionItem.objects.create(destruction_list=listed, kind="statistics", brief=world.stages.posted,
                                   posting=world.stages.posting, label="B", cutoff=STAGED_AT)  # fmt: skip
    return listed


ELEVEN_YEARS_ON = STAGED_AT.replace(year=STAGED_AT.year + 11)

# service name → (who lacks the capability, how to call it with that actor)
CASES = {
    # content
    "brief_create": ("management", lambda w, s, a: content.brief_create(
        actor=a, organisation=w.ministry, fields={"channel": w.channel, "agency": w.agency, "topic": s.draft.topic,
        "title": "x", "key_message": "y"}, constraints=["z"])),
    "brief_update": ("management", lambda w, s, a: content.brief_update(
        actor=a, brief=s.draft, fields={"title": "changed"}, constraints=["z"])),
    "brief_transition": ("management", lambda w, s, a: content.brief_transition(
        actor=a, brief=s.draft, action="submit")),
    "comment_add": ("org_admin", lambda w, s, a: content.comment_add(actor=a, brief=s.with_agency, text="hello")),
    "posting_record": ("team_social", lambda w, s, a: content.posting_record(
        actor=a, brief=s.ready, tiktok_url=f"https://www.tiktok.com/@{w.channel.handle}/video/7077642457847991999",
        posted_at=STAGED_AT, now=STAGED_AT)),
    "webcare_update": ("management", lambda w, s, a: content.webcare_update(
        actor=a, task=s.webcare, assignee=None, notes="x", done=True, now=STAGED_AT)),
    "webcare_escalate": ("management", lambda w, s, a: content.webcare_escalate(
        actor=a, task=s.webcare, role="reviewer", question="May we answer this?", now=STAGED_AT)),
    "webcare_answer": ("team_social", lambda w, s, a: content.webcare_answer(
        actor=a, escalation=_escalation(w, s), answer="Yes.", now=STAGED_AT)),
    "reply_template_save": ("management", lambda w, s, a: content.reply_template_save(
        actor=a, organisation=w.ministry, template=None, title="Thanks", text="Thank you!")),
    "reply_template_remove": ("management", lambda w, s, a: content.reply_template_remove(
        actor=a, template=ReplyTemplate.objects.create(organisation=w.ministry, title="Thanks", text="Thank you!"))),
    "attachment_add": ("management", lambda w, s, a: content.attachment_add(
        actor=a, brief=s.with_agency, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"), content_type="application/pdf")),
    "focus_group_record": ("management", lambda w, s, a: content.focus_group_record(
        actor=a, brief=s.with_agency, tested_on=STAGED_AT.date(), group_description="x", participants=3, outcome="y")),
    "topic_create": ("management", lambda w, s, a: content.topic_create(
        actor=a, organisation=w.ministry, fields={"name": "New topic", "theme": "other"})),
    "follow_up_close": ("agency_member", lambda w, s, a: content.follow_up_close(
        actor=a, follow_up=FollowUp.objects.create(organisation=w.ministry, kind="posted_without_approval",
        tiktok_video_id="7200000000000000001", due_at=STAGED_AT, created_at=STAGED_AT), note="Recorded",
        now=STAGED_AT)),
    "creator_create": ("team_social", lambda w, s, a: content.creator_create(
        actor=a, organisation=w.ministry, fields={"handle": "new.creator", "display_name": "New"})),
    # approvals
    "script_version_add": ("management", lambda w, s, a: approvals.script_version_add(
        actor=a, brief=s.with_agency, text="x", shot_list="", duration_target=20,
        creators=[CreatorFactory(agency=w.agency)])),
    "video_version_add": ("management", lambda w, s, a: approvals.video_version_add(
        actor=a, brief=s.in_production, creators=[CreatorFactory(agency=w.agency)], has_subtitles=True,
        preview_url="https://preview.example.org/x")),
    "decide": ("management", lambda w, s, a: approvals.decide(
        actor=a, run_id=s.run.pk, version_number=s.script.number, step_position=open_run(s.script).current_position,
        verdict="approve", checked_constraint_ids=list(s.with_agency.constraints.values_list("pk", flat=True)))),
    # scheduling
    "cadence_save": ("management", lambda w, s, a: scheduling.cadence_save(
        actor=a, channel=w.channel, weekdays=[0], local_time=time(10), min_posts_per_week=1,
        valid_from=STAGED_AT.date(), now=STAGED_AT)),
    "slot_add": ("management", lambda w, s, a: scheduling.slot_add(
        actor=a, channel=w.channel, starts_at=STAGED_AT + timedelta(days=3, hours=1), now=STAGED_AT)),
    "slot_fill": ("agency_member", lambda w, s, a: scheduling.slot_fill(
        actor=a, slot=w.channel.slots.filter(brief__isnull=True).order_by("starts_at").first(), brief=s.in_production,
        now=STAGED_AT, window_reason="Any slot will do here")),
    "slot_attach_approved_video": ("agency_member", lambda w, s, a: scheduling.slot_attach_approved_video(
        actor=a, slot=s.slot, now=STAGED_AT)),
    "slot_clear": ("agency_member", lambda w, s, a: scheduling.slot_clear(actor=a, slot=s.slot, now=STAGED_AT)),
    "slot_move": ("agency_member", lambda w, s, a: scheduling.slot_move(
        actor=a, slot=s.slot, target=w.channel.slots.filter(brief__isnull=True).order_by("starts_at").first(),
        now=STAGED_AT, window_reason="Any slot will do here")),
    "feed_token_regenerate": ("management", lambda w, s, a: scheduling.feed_token_regenerate(
        actor=a, channel=w.channel)),
    "feed_token_revoke": ("management", lambda w, s, a: scheduling.feed_token_revoke(actor=a, channel=w.channel)),
    # budget
    "period_create": ("management", lambda w, s, a: budget.period_create(
        actor=a, organisation=w.ministry, fields={"name": "x", "starts_on": STAGED_AT.date(),
        "ends_on": STAGED_AT.date(), "amount_excl_vat": Decimal(1), "planned_posts": 1})),
    "period_update": ("management", lambda w, s, a: budget.period_update(
        actor=a, period=s.period, fields={"name": "y"})),
    "allocation_override": ("management", lambda w, s, a: budget.allocation_override(
        actor=a, allocation=s.period.allocations.first(), amount=Decimal(1))),
    "period_approve": ("team_social", lambda w, s, a: budget.period_approve(actor=a, period=s.period)),
    "period_close": ("management", lambda w, s, a: budget.period_close(actor=a, period=s.period)),
    "cost_line_create": ("management", lambda w, s, a: budget.cost_line_create(
        actor=a, period=s.period, fields={"kind": "other", "supplier": "x", "amount_excl_vat": Decimal(1)})),
    "cost_line_advance": ("management", lambda w, s, a: budget.cost_line_advance(
        actor=a, line=s.cost_line, status="committed")),
    "cost_line_approve_overrun": ("team_social", lambda w, s, a: budget.cost_line_approve_overrun(
        actor=a, line=s.cost_line)),
    # results
    "connection_save": ("adviser", lambda w, s, a: stats.connection_save(
        actor=a, channel=w.channel, tokens=_tokens(), now=STAGED_AT)),
    "connection_revoke": ("adviser", lambda w, s, a: stats.connection_revoke(actor=a, connection=_connection(w))),
    "import_studio_csv": ("adviser", lambda w, s, a: imports.import_studio_csv(
        w.channel, f"Video ID,Views,Likes,Comments,Shares\n{s.posting.tiktok_video_id},1,1,1,1\n".encode(), actor=a,
        captured_at=STAGED_AT)),
    "record_figures": ("adviser", lambda w, s, a: imports.record_figures(
        s.posting, actor=a, captured_at=STAGED_AT, views=1, likes=1, comments=1, shares=1)),
    # disclosure
    "build_for_briefs": ("adviser", lambda w, s, a: package.build_for_briefs(
        [s.posted], actor=a, title="x", now=STAGED_AT)),
    "register_request": ("adviser", lambda w, s, a: requests.register_request(
        actor=a, organisation=w.ministry, requester="A journalist", requester_contact="", received_on=STAGED_AT.date(),
        subject="The videos", period=Period(date(2000, 1, 1), date(2099, 12, 31)), origin=Origin(), now=STAGED_AT)),
    "mask_passage": ("adviser", lambda w, s, a: requests.mask_passage(
        actor=a, request=_request(w), passage=s.posted.title, provision="5.2 Woo", reason="Internal views",
        origin=Origin(), now=STAGED_AT)),
    "release_passage": ("adviser", lambda w, s, a: requests.release_passage(
        actor=a, masked=_masked(w), origin=Origin())),
    "package_request": ("adviser", lambda w, s, a: requests.package_request(
        actor=a, request=_request(w), language="en", origin=Origin(), now=STAGED_AT)),
    "record_decision": ("adviser", lambda w, s, a: requests.record_decision(
        actor=a, request=_request(w), note="Sent", origin=Origin(), now=STAGED_AT)),
}  # fmt: skip

# the organisation's settings (administration): only its organisation admins may
ADMINISTRATION_CASES = {
    "person_add": ("team_social", lambda w, s, a: administration.person_add(
        actor=a, organisation=w.ministry, username="new-person", first_name="Nina", last_name="Nieuw",
        email="nina@example.org", language="", role="adviser")),
    "person_send_password_mail": ("team_social", lambda w, s, a: administration.person_send_password_mail(
        actor=a, membership=_newcomer(w))),
    "membership_change_role": ("team_social", lambda w, s, a: administration.membership_change_role(
        actor=a, membership=_member(w, "reviewer"), role="campaign_manager")),
    "membership_end": ("team_social", lambda w, s, a: administration.membership_end(
        actor=a, membership=_member(w, "reviewer"), today=STAGED_AT.date())),
    "membership_reactivate": ("team_social", lambda w, s, a: administration.membership_reactivate(
        actor=a, membership=_newcomer(w, ended=True))),
    "person_reset_second_factor": ("team_social", lambda w, s, a: administration.person_reset_second_factor(
        actor=a, membership=_member(w, "reviewer"))),
    "channel_add": ("team_social", lambda w, s, a: administration.channel_add(
        actor=a, organisation=w.ministry, fields={"handle": "second_channel", "display_name": "Second"})),
    "channel_update": ("team_social", lambda w, s, a: administration.channel_update(
        actor=a, channel=w.channel, fields={"display_name": "Renamed"})),
    "agency_engage": ("team_social", lambda w, s, a: administration.agency_engage(
        actor=a, organisation=w.ministry, name="Brand New Agency", since=STAGED_AT.date())),
    "engagement_end": ("team_social", lambda w, s, a: administration.engagement_end(
        actor=a, engagement=w.ministry.agencyengagement_set.get(agency=w.agency))),
    "engagement_resume": ("team_social", lambda w, s, a: administration.engagement_resume(
        actor=a, engagement=w.ministry.agencyengagement_set.create(
            agency=w.other_agency, since=STAGED_AT.date(), is_active=False))),
    "approval_chain_save": ("team_social", lambda w, s, a: administration.approval_chain_save(
        actor=a, organisation=w.ministry, stage="video", steps=[{"name": "Team social", "role": "team_social",
        "mode": "any", "topic_owner_only": False, "sensitive_only": False}])),
    "publication_rules_save": ("team_social", lambda w, s, a: administration.publication_rules_save(
        actor=a, organisation=w.ministry, fields={"post_day_tolerance": 1})),
    "mail_send_again": ("team_social", lambda w, s, a: administration.mail_send_again(
        actor=a, mail=_failed_mail(w), now=STAGED_AT)),
}  # fmt: skip
CASES |= ADMINISTRATION_CASES

# the archive: packages for those who may disclose; retention and destruction for the organisation admins
ARCHIVE_CASES = {
    "archive_package_request": ("adviser", lambda w, s, a: archive.archive_package_request(
        actor=a, organisation=w.ministry, posting=s.posting, now=STAGED_AT)),
    "archive_package_retry": ("adviser", lambda w, s, a: archive.archive_package_retry(
        actor=a, package=_failed_package(w), now=STAGED_AT)),
    "retention_save": ("team_social", lambda w, s, a: retention.retention_save(
        actor=a, organisation=w.ministry, terms={"statistics": 3})),
    "destruction_propose": ("team_social", lambda w, s, a: destruction.destruction_propose(
        actor=a, organisation=_packaged(w), now=ELEVEN_YEARS_ON)),
    "destruction_decide": ("team_social", lambda w, s, a: destruction.destruction_decide(
        actor=a, destruction=_destruction_list(w), approve=True, now=STAGED_AT)),
    "destruction_carry_out": ("team_social", lambda w, s, a: destruction.destruction_carry_out(
        actor=a, destruction=_destruction_list(w, approved=True), now=STAGED_AT)),
}  # fmt: skip
CASES |= ARCHIVE_CASES


# Who may: the same call succeeds for them and leaves a done event, so a refusal above is the role's, not a
# broken call's.
MAY = dict.fromkeys(CASES, "team_social") | {
    "brief_create": "adviser",
    "comment_add": "adviser",
    "posting_record": "agency_member",
    "creator_create": "agency_member",
    "script_version_add": "agency_member",
    "video_version_add": "agency_member",
    "decide": "adviser",
    "period_approve": "management",
    "connection_save": "org_admin",
    "import_studio_csv": "org_admin",
    "build_for_briefs": "org_admin",
    "webcare_answer": "reviewer",
}
MAY |= dict.fromkeys(ADMINISTRATION_CASES, "org_admin")  # the organisation's settings are its admins'
ARCHIVE_ADMINISTRATION = ["retention_save", "destruction_propose", "destruction_decide", "destruction_carry_out"]
MAY |= dict.fromkeys(ARCHIVE_ADMINISTRATION, "org_admin")  # retention and destruction are the organisation admins'
# Refused for a reason of its own when nothing is over budget; connecting to TikTok needs its stand-in.
# A request's package is put on record by the worker that makes it (tests/disclosure/test_requests.py).
NO_POSITIVE_CASE = {"cost_line_approve_overrun", "connection_revoke", "connection_save", "package_request"}


def _services_with_an_actor():
    found = {}
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            ours = function.__module__ == module.__name__ and not name.startswith("_")
            if ours and "actor" in inspect.signature(function).parameters:
                found[name] = module.__name__
    return found


def test_every_service_with_an_actor_has_a_case_here():
    assert set(_services_with_an_actor()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("who", ["lacks_capability", "other_organisation", "no_membership"])
def test_a_service_refuses_an_actor_without_the_capability(staged_world, name, who):
    world = staged_world
    persona, call = CASES[name]
    actor = {
        "lacks_capability": world.person(persona),
        "other_organisation": world.other_admin,
        "no_membership": world.no_membership,
    }[who]
    done_before = AuditEvent.objects.filter(result="ok").count()
    with pytest.raises((PermissionDenied, ApprovalRefused)):
        call(world, world.stages, actor)
    assert AuditEvent.objects.filter(result="ok").count() == done_before  # nothing was done on record


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_POSITIVE_CASE))
def test_the_same_call_works_for_a_role_with_the_capability(staged_world, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    world = staged_world
    _, call = CASES[name]
    done_before = AuditEvent.objects.filter(result="ok").count()
    call(world, world.stages, world.person(MAY[name]))
    assert AuditEvent.objects.filter(result="ok").count() > done_before
