"""What approvals adds to the brief page (through the ``brief_panels`` hook): every script and video version
with its review, and a decision form on each run the viewer may decide now."""

from django.db.models import Prefetch

from core.hooks import Panel

from . import rules
from .forms import DecisionForm
from .models import ApprovalRun, Decision, Stage


def versions_panel(request, brief, membership, forms) -> Panel:
    user = request.user
    runs = list(
        ApprovalRun.objects.filter(brief=brief)
        .select_related("script_version", "video_version")
        .prefetch_related("steps", Prefetch("decisions", Decision.objects.select_related("actor", "step")))
    )
    run_by_version = {(r.stage, r.version.number): r for r in runs}
    # One query for "which of these may I decide now", the same rules as rules.may_decide (a test keeps the
    # two in step).
    decidable = set(rules.runs_awaiting(user, brief.organisation).filter(brief=brief).values_list("pk", flat=True))
    decision_forms = {}
    for run in runs:
        if run.pk in decidable:
            form = forms.get("decision_form")
            if form is None or form.run.pk != run.pk:
                form = DecisionForm(run=run)
            decision_forms[run.pk] = form
    scripts = brief.script_versions.select_related("created_by").prefetch_related("creators").order_by("-number")
    videos = brief.video_versions.select_related("created_by").prefetch_related("creators").order_by("-number")
    return Panel(
        "approvals/panels/versions.html",
        "versions",
        {
            "scripts": [(v, run_by_version.get((Stage.SCRIPT, v.number))) for v in scripts],
            "videos": [(v, run_by_version.get((Stage.VIDEO, v.number))) for v in videos],
            "decision_forms": decision_forms,
        },
    )
