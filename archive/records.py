"""What a post's archive package says about it, read from the app's own records: the post, its final figures and
their series, the approval chain, the audit extract and the webcare record. Plain data (JSON-ready, times in UTC as
ISO 8601), so the package reads without this app; the writers (``bag``, ``mdto``, ``mets``) only lay it out."""

from __future__ import annotations

import csv
import io
from datetime import UTC

from approvals.models import ApprovalRun, Decision, RunStatus
from audit.actions import label_for
from audit.timeline import timelines_for
from content.models import Posting, WebcareTask
from stats.models import LatestFigures, VideoSnapshot


def moment(value) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def post(posting: Posting) -> dict:
    """The post as it went live: where, when, which approved version, and what went with it."""
    brief, version = posting.brief, posting.video_version
    return {
        "tiktok_video_id": posting.tiktok_video_id,
        "tiktok_url": posting.tiktok_url,
        "posted_at": moment(posting.posted_at),
        "channel": f"@{brief.channel.handle}",
        "organisation": brief.organisation.name,
        "brief": {
            "reference": brief.reference,
            "title": brief.title,
            "key_message": brief.key_message,
            "topic": brief.topic.name,
            "agency": brief.agency.name,
            "created_at": moment(brief.created_at),
        },
        "video_version": {
            "number": version.number,
            "sha256": version.sha256,
            "duration_seconds": str(version.duration) if version.duration is not None else None,
            "content_type": version.content_type,
            "caption": version.full_caption,
            "settings": {
                name: getattr(version, name)
                for name in ("paid_partnership", "promotional_content", "allow_comments", "allow_duet", "allow_stitch")
            },
            "subtitles_burned_in": version.has_subtitles,
        },
    }


def final_figures(posting: Posting) -> dict | None:
    """The figures TikTok last gave for the post (a year after posting it stops changing them)."""
    figures = LatestFigures.objects.filter(posting=posting).first()
    if figures is None:
        return None
    return {
        "views": figures.views,
        "likes": figures.likes,
        "comments": figures.comments,
        "shares": figures.shares,
        "measured_at": moment(figures.measured_at),
        "source": figures.source,
    }


SERIES_COLUMNS = ["bucket", "captured_at", "source", "views", "likes", "comments", "shares"]


def figures_series(posting: Posting) -> str:
    """Every snapshot of the post's figures, oldest first, as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SERIES_COLUMNS)
    for snapshot in VideoSnapshot.objects.filter(posting=posting).order_by("bucket", "source", "pk"):
        writer.writerow(
            [
                moment(snapshot.bucket),
                moment(snapshot.captured_at),
                snapshot.source,
                snapshot.views,
                snapshot.likes,
                snapshot.comments,
                snapshot.shares,
            ]
        )
    return out.getvalue()


def approval_chain(posting: Posting) -> dict:
    """Every review of the brief's script and video versions: who decided what, when, in which role, on which
    version; the run that approved the posted version is marked."""
    runs = (
        ApprovalRun.objects.filter(brief=posting.brief)
        .select_related("script_version", "video_version")
        .prefetch_related("steps")
        .order_by("started_at", "pk")
    )
    decisions = (
        Decision.objects.filter(run__brief=posting.brief).select_related("actor", "step").order_by("decided_at", "pk")
    )
    by_run: dict[int, list] = {}
    for decision in decisions:
        by_run.setdefault(decision.run_id, []).append(decision)
    return {
        "brief": posting.brief.reference,
        "posted_video_version": posting.video_version.number,
        "runs": [
            {
                "stage": run.stage,
                "version": run.version.number,
                "status": run.status,
                "approved_the_posted_version": run.video_version_id == posting.video_version_id
                and run.status == RunStatus.APPROVED,
                "started_at": moment(run.started_at),
                "finished_at": moment(run.finished_at),
                "steps": [
                    {"position": step.position, "name": step.name, "role": step.role, "mode": step.mode}
                    for step in run.steps.all()
                ],
                "decisions": [
                    {
                        "step": decision.step.position,
                        "step_name": decision.step.name,
                        "role": decision.step.role,
                        "role_label": decision.step.get_role_display(),
                        "name": person(decision.actor),
                        "verdict": decision.verdict,
                        "comment": decision.comment,
                        "at_seconds": decision.at_seconds,
                        "constraints_checked": decision.checked_constraints,
                        "decided_at": moment(decision.decided_at),
                    }
                    for decision in by_run.get(run.pk, [])
                ],
            }
            for run in runs
        ],
    }


def audit_extract(posting: Posting) -> dict:
    """The brief's timeline from the audit trail, with each event's sequence, hash and previous hash: checked
    against the organisation's chain (``manage.py verify_audit``) they show the extract is whole and unchanged."""
    events = timelines_for([posting.brief])[posting.brief]
    return {
        "brief": posting.brief.reference,
        "chain": posting.brief.organisation.name,
        "events": [
            {
                "sequence": event.sequence,
                "created_at": moment(event.created_at),
                "action": event.action,
                "label": label_for(event.action, event.result, event.details),
                "actor": person(event.actor),
                "actor_role": event.actor_role,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "result": event.result,
                "origin": event.origin,
                "details": event.details,
                "hash_version": event.hash_version,
                "previous_hash": event.previous_hash,
                "hash": event.hash,
            }
            for event in events
        ],
    }


def webcare(posting: Posting) -> dict:
    """The moderation under the post: each webcare task and the questions put to other roles, with their answers."""
    tasks = (
        WebcareTask.objects.filter(posting=posting)
        .select_related("assignee", "done_by")
        .prefetch_related("escalations__asked_by", "escalations__answered_by")
        .order_by("starts_at", "pk")
    )
    return {
        "post": posting.tiktok_video_id,
        "tasks": [
            {
                "assignee": person(task.assignee),
                "from": moment(task.starts_at),
                "until": moment(task.ends_at),
                "notes": task.notes,
                "done_at": moment(task.done_at),
                "done_by": person(task.done_by),
                "questions": [
                    {
                        "to_role": escalation.get_role_display(),
                        "question": escalation.question,
                        "comment_url": escalation.comment_url,
                        "asked_by": person(escalation.asked_by),
                        "asked_at": moment(escalation.asked_at),
                        "answer": escalation.answer,
                        "answered_by": person(escalation.answered_by),
                        "answered_at": moment(escalation.answered_at),
                    }
                    for escalation in task.escalations.all()
                ],
            }
            for task in tasks
        ],
    }
