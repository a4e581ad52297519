"""What approvals adds to the brief page (through the ``brief_panels`` hook): every script and video version
with its review, and at the top a jump to the review page of each version the viewer may decide now (the
decision is made there, built for a phone, not 2,000 pixels down the brief)."""

from django.db.models import Count, F, Prefetch, Q
from django.utils.translation import gettext as _

from core.hooks import Panel

from . import rules
from .models import ApprovalRun, Decision, RunStatus, Stage, current_step_labels


def versions_panel(request, brief, membership, forms) -> Panel:
    user = request.user
    runs = list(
        ApprovalRun.objects.filter(brief=brief)
        .select_related("script_version", "video_version")
        .prefetch_related("steps", Prefetch("decisions", Decision.objects.select_related("actor", "step")))
    )
    run_by_version = {(r.stage, r.version.number): r for r in runs}
    decidable = _decidable(user, brief)
    scripts = brief.script_versions.select_related("created_by").prefetch_related("creators").order_by("-number")
    videos = brief.video_versions.select_related("created_by").prefetch_related("creators").order_by("-number")
    return Panel(
        "approvals/panels/versions.html",
        "versions",
        {
            "scripts": [(v, run_by_version.get((Stage.SCRIPT, v.number))) for v in scripts],
            "videos": [(v, run_by_version.get((Stage.VIDEO, v.number))) for v in videos],
            "decidable": decidable,
        },
    )


def _decidable(user, brief) -> set[int]:
    """One query for "which of these may I decide now", the same rules as rules.may_decide (a test keeps the two
    in step)."""
    return set(rules.runs_awaiting(user, brief.organisation).filter(brief=brief).values_list("pk", flat=True))


def review_jump_panel(request, brief, membership, forms) -> Panel | None:
    """At the top of the brief: the versions waiting for the viewer's decision, each a link to its review page."""
    decidable = _decidable(request.user, brief)
    if not decidable:
        return None
    runs = ApprovalRun.objects.filter(pk__in=decidable).select_related("script_version", "video_version")
    return Panel("approvals/panels/review_jump.html", "actions", {"runs": list(runs.order_by("pk"))})


def whereabouts(brief_ids) -> dict[int, str]:
    """For ``content.progress``: "Under review: video version 2, step 2 of 3 (Team social)" for each brief with a
    version in review. One query."""
    runs = (
        ApprovalRun.objects.filter(brief_id__in=brief_ids, status=RunStatus.IN_PROGRESS)
        .select_related("script_version", "video_version")
        .annotate(
            total=Count("steps", distinct=True),
            position=Count("steps", filter=Q(steps__position__lte=F("current_position")), distinct=True),
        )
    )
    runs = list(runs)
    names = current_step_labels(runs)
    return {
        run.brief_id: _("Under review: %(stage)s version %(number)s, step %(position)s of %(total)s: %(step)s")
        % {
            "stage": run.get_stage_display().lower(),
            "number": run.version.number,
            "position": run.position,
            "total": run.total,
            "step": names.get(run.pk, ""),
        }
        for run in runs
    }


def briefs_in_review():
    return ApprovalRun.objects.filter(status=RunStatus.IN_PROGRESS).values("brief_id")
