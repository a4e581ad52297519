"""Starting approval runs and recording decisions. Every write names its actor.

Concurrency: a decision locks the run row (``select_for_update``) and re-checks every rule under the
lock, so two approvers deciding at once, or a form submitted twice, give exactly one decision and one
state change; the database's unique constraints are the second line of defence.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content import media, planning, states
from content import publication as publication_rules
from content.models import (
    PUBLICATION_FIELDS,
    Brief,
    BriefStatus,
    OnScreenPerson,
    PublicationRules,
    ScriptVersion,
    VideoVersion,
)
from content.permissions import Act, require_act
from core import counters

from . import notifications, rules
from .models import (
    ApprovalChain,
    ApprovalRun,
    Decision,
    RunStatus,
    RunStep,
    Stage,
    StepDefinition,
    StepMode,
    Verdict,
)

# --- A new version, and its review ---------------------------------------------------------------------
# Approvals owns "submit a version and start its review": content knows versions, not how they are reviewed.


def _next_number(versions) -> int:
    return (versions.aggregate(last=Max("number"))["last"] or 0) + 1


@transaction.atomic
def script_version_add(
    *,
    actor,
    brief: Brief,
    text: str,
    shot_list: str,
    duration_target: int,
    creators,
    publication: dict | None = None,
    origin: Origin | None = None,
) -> ScriptVersion:
    """The agency delivers a (new) script version with its draft publication text (``publication``: caption,
    hashtags and the TikTok settings); its review starts, replacing any open one."""
    brief = Brief.objects.select_for_update().select_related("organisation", "topic").get(pk=brief.pk)
    require_act(actor, brief, Act.ADD_SCRIPT)
    _check_creators(brief, creators)
    version = ScriptVersion(
        brief=brief,
        number=_next_number(brief.script_versions),
        text=text,
        shot_list=shot_list,
        duration_target=duration_target,
        created_by=actor,
        **_publication(publication),
    )
    version.full_clean(exclude=["creators"])
    version.save()
    version.creators.set(creators)
    trail.record_about(
        brief, actor=actor, action=AuditAction.SCRIPT_DELIVERED, obj=version, origin=origin, version=version.number
    )
    _run_start(actor=actor, brief=brief, version=version, origin=origin)
    return version


@transaction.atomic
def video_version_add(
    *,
    actor,
    brief: Brief,
    creators,
    has_subtitles: bool,
    file=None,
    info=None,
    preview_url: str = "",
    publication: dict | None = None,
    subtitle_file=None,
    transcript: str = "",
    cover_seconds=None,
    music_source: str = "",
    people: list[dict] | tuple = (),
    same_video_as: VideoVersion | None = None,
    origin: Origin | None = None,
) -> VideoVersion:
    """The agency delivers a (new) video version: an inspected upload (``info``) or a preview link, or the same
    video as an earlier version (``same_video_as``: only what goes out with it changes). With it come its
    publication text, its accessibility package (a checked ``subtitle_file`` and/or burned-in subtitles, the
    transcript) and its consent register (``people``: the people on screen besides the creators, and the music).

    Delivered after the approval (to change the caption, say), it takes the brief back into production: what goes
    out must be approved again, and the calendar's slot waits for it."""
    brief = Brief.objects.select_for_update().select_related("organisation", "topic").get(pk=brief.pk)
    require_act(actor, brief, Act.ADD_VIDEO)
    _check_creators(brief, creators)
    if same_video_as is not None:
        if same_video_as.brief_id != brief.pk or file or preview_url:
            raise ValidationError(_("Upload a video file or give a private preview link (one of the two)."))
    elif bool(file) == bool(preview_url):
        raise ValidationError(_("Upload a video file or give a private preview link (one of the two)."))
    reopened = brief.status == BriefStatus.READY_TO_POST
    version = VideoVersion(
        brief=brief,
        number=_next_number(brief.video_versions),
        preview_url=preview_url,
        has_subtitles=has_subtitles,
        transcript=transcript.strip(),
        cover_seconds=cover_seconds,
        music_source=music_source,
        created_by=actor,
        **_publication(publication),
    )
    if file:
        version.file = file
        version.content_type = info.content_type
        version.size = info.size
        version.duration = info.duration
        version.sha256 = media.sha256(file)
    elif same_video_as is not None:
        for name in ("file", "preview_url", "content_type", "size", "duration", "sha256"):
            setattr(version, name, getattr(same_video_as, name))
        if subtitle_file is None and same_video_as.subtitle_file:
            version.subtitle_file = same_video_as.subtitle_file.name
    if subtitle_file:
        version.subtitle_file = subtitle_file
    version.full_clean(exclude=["creators", "file", "subtitle_file"])
    version.save()
    version.creators.set(creators)
    OnScreenPerson.objects.bulk_create(OnScreenPerson(video_version=version, **person) for person in people)
    publication_rules.register_creators(version)
    if reopened:
        states.apply(brief, states.BriefAction.REOPEN)
        planning.tell("video_reopened", brief=brief, actor=actor, origin=origin)
    trail.record_about(
        brief,
        actor=actor,
        action=AuditAction.VIDEO_DELIVERED,
        obj=version,
        origin=origin,
        version=version.number,
        kind="file" if version.file else "link",
        duration=str(version.duration) if version.duration is not None else None,
        subtitles=has_subtitles,
        subtitle_file=bool(version.subtitle_file),
        sha256=version.sha256 or None,
        same_video_as=same_video_as.number if same_video_as else None,
        reopened=reopened or None,
    )
    _run_start(actor=actor, brief=brief, version=version, origin=origin)
    return version


def _publication(values: dict | None) -> dict:
    """The publication text of a new version: only its own fields, the caption's surrounding space trimmed."""
    values = {name: values[name] for name in PUBLICATION_FIELDS if name in (values or {})}
    if "caption" in values:
        values["caption"] = values["caption"].strip()
    return values


def _check_creators(brief: Brief, creators) -> None:
    if not creators:
        raise ValidationError(_("Choose at least one creator."), code="no_creators")
    if any(creator.agency_id != brief.agency_id for creator in creators):
        raise ValidationError(_("Only creators of the brief's agency can be chosen."), code="foreign_creator")


class ApprovalRefused(Exception):
    """A decision that the rules refuse; the message says why, for the person who tried (``reason`` keeps it
    translatable for the audit trail)."""

    def __init__(self, reason: rules.Reason):
        super().__init__(str(reason))
        self.reason = reason


DEFAULT_STEPS = [
    # (name, role, mode, topic_owner_only, sensitive_only)
    ("Communication adviser of the topic", Role.COMMUNICATION_ADVISER, StepMode.ANY, True, False),
    ("Team social", Role.TEAM_SOCIAL, StepMode.ANY, False, False),
    ("Legal or press office (sensitive topics)", Role.REVIEWER, StepMode.ANY, False, True),
]


def chain_for(organisation, stage: str) -> ApprovalChain:
    """The organisation's chain for ``stage``; the default chain if it has not configured one."""
    chain, created = ApprovalChain.objects.get_or_create(organisation=organisation, stage=stage)
    if created:
        StepDefinition.objects.bulk_create(
            StepDefinition(
                chain=chain,
                position=position,
                name=name,
                role=role,
                mode=mode,
                topic_owner_only=owner_only,
                sensitive_only=sensitive_only,
            )
            for position, (name, role, mode, owner_only, sensitive_only) in enumerate(DEFAULT_STEPS, start=1)
        )
    return chain


def _run_start(*, actor, brief: Brief, version, origin: Origin | None = None) -> ApprovalRun:
    """Start reviewing ``version``; an open run on an older version of the same item is cancelled."""
    stage = Stage.SCRIPT if version._meta.model_name == "scriptversion" else Stage.VIDEO
    now = timezone.now()
    with transaction.atomic():
        for old in ApprovalRun.objects.select_for_update().filter(
            brief=brief, stage=stage, status=RunStatus.IN_PROGRESS
        ):
            old.status = RunStatus.CANCELLED
            old.current_position = None
            old.finished_at = now
            old.save(update_fields=["status", "current_position", "finished_at"])
            trail.record_about(
                brief,
                actor=actor,
                action=AuditAction.APPROVAL_CANCELLED,
                obj=old,
                origin=origin,
                version=old.version.number,
                reason="new version",
            )
        definitions = [
            d
            for d in chain_for(brief.organisation, stage).steps.order_by("position")
            if not d.sensitive_only or brief.topic.is_sensitive
        ]
        run = ApprovalRun.objects.create(
            brief=brief,
            stage=stage,
            script_version=version if stage == Stage.SCRIPT else None,
            video_version=version if stage == Stage.VIDEO else None,
            current_position=1,
            step_started_at=now,
        )
        RunStep.objects.bulk_create(
            RunStep(run=run, position=i, name=d.name, role=d.role, mode=d.mode, topic_owner_only=d.topic_owner_only)
            for i, d in enumerate(definitions, start=1)
        )
        trail.record_about(
            brief,
            actor=actor,
            action=AuditAction.APPROVAL_STARTED,
            obj=run,
            origin=origin,
            stage=stage,
            version=version.number,
            steps=[d.name for d in definitions],
        )
        notifications.approvers_waiting(run)
    return run


def decide(
    *,
    actor,
    run_id: int,
    version_number: int,
    step_position: int,
    verdict: str,
    comment: str = "",
    checked_constraint_ids: list[int] | tuple[int, ...] = (),
    checked_checks: list[str] | tuple[str, ...] = (),
    at_seconds: int | None = None,
    today: date | None = None,
    origin: Origin | None = None,
) -> Decision:
    """Record ``actor``'s decision on the current step of a run and move the run (and brief) on. ``at_seconds``:
    the moment of the video the feedback is about; ``today``: the organisation's date, against which the rights of
    people on screen must not have ended (not looked at without it)."""
    comment = (comment or "").strip()
    try:
        with transaction.atomic():
            run = (
                ApprovalRun.objects.select_for_update()
                .select_related("brief__topic", "brief__organisation")
                .get(pk=run_id)
            )
            reason = rules.refusal_reason(actor, run, version_number=version_number, step_position=step_position)
            if reason is None and verdict not in Verdict.values:
                reason = rules.Reason(gettext_noop("Choose approve, request changes or reject."))
            if reason is None and verdict != Verdict.APPROVE and not comment:
                reason = rules.Reason(gettext_noop("Write feedback for the agency: it is required unless you approve."))
            if reason is None and verdict == Verdict.APPROVE:
                required = {c.pk: c.text for c in run.brief.constraints.all()}
                if not set(required) <= set(checked_constraint_ids):
                    reason = rules.Reason(gettext_noop("Tick every constraint of the brief before you approve."))
            if reason is None and verdict == Verdict.APPROVE:
                reason, checks = _publication_refusal(run, checked_checks, today)
            if reason is not None:
                raise ApprovalRefused(reason)
            step = run.current_step()
            checked = [required[pk] for pk in sorted(required)] + checks if verdict == Verdict.APPROVE else []
            decision = Decision.objects.create(
                run=run,
                step=step,
                actor=actor,
                verdict=verdict,
                comment=comment,
                checked_constraints=checked,
                at_seconds=at_seconds if run.stage == Stage.VIDEO else None,
            )
            trail.record_about(
                run.brief,
                actor=actor,
                action=f"decision.{verdict}",
                obj=decision,
                origin=origin,
                stage=run.stage,
                version=run.version.number,
                step=step.name,
            )
            _advance(run, step, verdict, actor=actor, origin=origin)
    except ApprovalRefused as refusal:
        run = ApprovalRun.objects.select_related("brief__organisation").filter(pk=run_id).first()
        if run is not None:
            _record_refusal(run, actor, verdict, refusal.reason, origin)
        raise
    except IntegrityError as error:
        # The unique constraint caught a concurrent duplicate that slipped past the lock.
        raise ApprovalRefused(rules.Reason(gettext_noop("You have already decided on this step."))) from error
    return decision


def _publication_refusal(run: ApprovalRun, checked_checks, today) -> tuple[rules.Reason | None, list[str]]:
    """Why what goes out can't be approved (the first reason; the review page lists them all), and the ticks of
    what the reviewer checked by eye, as they are kept on the decision (in the organisation's language)."""
    version, organisation = run.version, run.brief.organisation
    publication = PublicationRules.of(organisation)
    found = publication_rules.problems(version, publication, today)
    if found:
        return rules.Reason(found[0].message, found[0].params), []
    required = publication_rules.required_checks(version, publication)
    if not set(required) <= set(checked_checks):
        return rules.Reason(gettext_noop("Tick what you checked in the video itself before you approve.")), []
    with override(organisation.language):
        return None, [gettext(publication_rules.CHECK_LABELS[key]) for key in required]


def _advance(run: ApprovalRun, step: RunStep, verdict: str, *, actor, origin) -> None:
    now = timezone.now()
    if verdict != Verdict.APPROVE:
        run.status = RunStatus.CHANGES_REQUESTED if verdict == Verdict.REQUEST_CHANGES else RunStatus.REJECTED
        run.current_position = None
        run.finished_at = now
        run.save(update_fields=["status", "current_position", "finished_at"])
        notifications.feedback_for_agency(run)
        return
    if step.mode == StepMode.ALL:
        approved = set(step.decisions.filter(verdict=Verdict.APPROVE).values_list("actor_id", flat=True))
        if not set(rules.approvers_for(run, step).values_list("pk", flat=True)) <= approved:
            return  # wait for the other approvers of this step
    step.completed_at = now
    step.save(update_fields=["completed_at"])
    following = run.steps.filter(position__gt=step.position).order_by("position").first()
    if following is not None:
        run.current_position = following.position
        run.step_started_at = now
        run.save(update_fields=["current_position", "step_started_at"])
        notifications.approvers_waiting(run)
        return
    run.status = RunStatus.APPROVED
    run.current_position = None
    run.finished_at = now
    run.save(update_fields=["status", "current_position", "finished_at"])
    action = states.BriefAction.SCRIPT_APPROVED if run.stage == Stage.SCRIPT else states.BriefAction.VIDEO_APPROVED
    states.apply(run.brief, action)
    if run.stage == Stage.VIDEO:
        # What is approved is what scheduling and posting read from now on.
        Brief.objects.filter(pk=run.brief_id).update(approved_video=run.video_version)
        run.brief.approved_video = run.video_version
        # A slot reserved for the brief takes the video by itself (the calendar listens).
        planning.tell("video_approved", brief=run.brief, video=run.video_version, actor=actor, now=now, origin=origin)
    trail.record_about(
        run.brief,
        actor=actor,
        action=f"brief.{action}",
        obj=run.brief,
        origin=origin,
        status=run.brief.status,
        version=run.version.number,
    )
    notifications.feedback_for_agency(run)


REFUSALS_RECORDED_PER_MINUTE = 10


def _record_refusal(run: ApprovalRun, actor, verdict: str, reason: rules.Reason, origin) -> None:
    """A refused attempt goes into the trail, up to ten a minute per person: a script or a stuck button
    resubmitting the form must not flood the chain (the attempts themselves are refused all the same)."""
    if counters.over(f"audit-refusals-{getattr(actor, 'pk', 'anonymous')}", REFUSALS_RECORDED_PER_MINUTE, 60):
        return
    trail.record(
        organisation=run.brief.organisation,
        actor=actor,
        action=f"decision.{verdict}" if verdict in Verdict.values else AuditAction.DECISION_ATTEMPT,
        obj=run,
        subject=run.brief,
        result="refused",
        origin=origin,
        details={"reason": reason.message, "reason_params": reason.params},
    )
