"""Approval chains (the definition), and runs with their steps and decisions.

The chain an organisation configures is copied into a run's steps when the run starts, so changing
the configuration later never changes what an ongoing or finished run required. Every decision is a
new row bound to the exact version decided on. State changes go through ``approvals.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.roles import Role
from content.models import Brief, ScriptVersion, VideoVersion


class Stage(models.TextChoices):
    SCRIPT = "script", _("Script")
    VIDEO = "video", _("Video")


class StepMode(models.TextChoices):
    ANY = "any", _("Any one of the approvers")
    ALL = "all", _("All of the approvers")


class ApprovalChain(models.Model):
    """The ordered approval steps an organisation requires for one stage."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="approval_chains", verbose_name=_("organisation")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        constraints = [models.UniqueConstraint(fields=["organisation", "stage"], name="one_chain_per_stage")]

    def __str__(self):
        return f"{self.organisation} · {self.get_stage_display()}"


class StepDefinition(models.Model):
    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("approvers' role"), max_length=32, choices=Role.choices)
    mode = models.CharField(_("who must approve"), max_length=3, choices=StepMode.choices, default=StepMode.ANY)
    topic_owner_only = models.BooleanField(
        _("only the topic's owner"), default=False, help_text=_("Only the communication adviser who owns the topic.")
    )
    sensitive_only = models.BooleanField(
        _("only for sensitive topics"), default=False, help_text=_("E.g. legal or press office for drugs, sex.")
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="step_position_unique"),
            # Agency members never approve.
            models.CheckConstraint(condition=~Q(role=Role.AGENCY_MEMBER), name="step_role_not_agency"),
            models.CheckConstraint(condition=~Q(role=Role.MANAGEMENT), name="step_role_not_management"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def label(self) -> str:
        """The name in the reader's language (``step_label``)."""
        return step_label(self.name)


class RunStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Replaced by a newer version")


class ApprovalRun(models.Model):
    """One pass of one fixed script or video version through the chain."""

    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="approval_runs")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    script_version = models.OneToOneField(
        ScriptVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="approval_run"
    )
    video_version = models.OneToOneField(
        VideoVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="approval_run"
    )
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.IN_PROGRESS)
    current_position = models.PositiveSmallIntegerField(_("current step"), null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval run")
        verbose_name_plural = _("approval runs")
        ordering = ["-started_at"]
        constraints = [
            # At most one open run per item (the brief's script, the brief's video).
            models.UniqueConstraint(
                fields=["brief", "stage"], condition=Q(status=RunStatus.IN_PROGRESS), name="one_open_run_per_item"
            ),
            models.CheckConstraint(
                condition=(Q(stage="script") & Q(script_version__isnull=False) & Q(video_version__isnull=True))
                | (Q(stage="video") & Q(video_version__isnull=False) & Q(script_version__isnull=True)),
                name="run_version_matches_stage",
            ),
            models.CheckConstraint(
                condition=Q(status=RunStatus.IN_PROGRESS, current_position__isnull=False)
                | (~Q(status=RunStatus.IN_PROGRESS) & Q(current_position__isnull=True)),
                name="run_open_iff_current_step",
            ),
        ]

    def __str__(self):
        return f"{self.version} · {self.get_status_display()}"

    @property
    def version(self):
        return self.script_version if self.stage == Stage.SCRIPT else self.video_version

    @property
    def is_open(self) -> bool:
        return self.status == RunStatus.IN_PROGRESS

    def current_step(self):
        if self.current_position is None:
            return None
        return next((s for s in self.steps.all() if s.position == self.current_position), None)


# The names of the default chain's steps (approvals.services.DEFAULT_STEPS). They are stored as written here and
# shown in the reader's language (pages, mails, the Woo export); a name an organisation gave its own step is shown
# as it was typed.
DEFAULT_STEP_NAMES = frozenset(
    {
        gettext_noop("Communication adviser of the topic"),
        gettext_noop("Team social"),
        gettext_noop("Legal or press office (sensitive topics)"),
    }
)


def step_label(name: str) -> str:
    return gettext(name) if name in DEFAULT_STEP_NAMES else name


def current_step_labels(runs) -> dict[int, str]:
    """The label of each run's current step, in one query (the inbox and the briefs' statuses list many runs)."""
    positions = {run.pk: run.current_position for run in runs}
    steps = RunStep.objects.filter(run__in=list(positions)).only("run_id", "position", "name")
    return {step.run_id: step.label for step in steps if positions[step.run_id] == step.position}


class RunStep(models.Model):
    """A step as it was defined when the run started."""

    run = models.ForeignKey(ApprovalRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=32, choices=Role.choices)
    mode = models.CharField(max_length=3, choices=StepMode.choices)
    topic_owner_only = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="run_step_position_unique")]

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def label(self) -> str:
        """The name in the reader's language (``step_label``)."""
        return step_label(self.name)


class Verdict(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


# A decision as what came of it ("Approved"), for lists of decisions; the verdict's own label ("Approve") is the
# button that makes it.
VERDICT_OUTCOMES = {
    Verdict.APPROVE: _("Approved"),
    Verdict.REQUEST_CHANGES: _("Changes requested"),
    Verdict.REJECT: _("Rejected"),
}


class Decision(models.Model):
    """One approver's decision on one step of one run: never changed, never deleted."""

    run = models.ForeignKey(ApprovalRun, on_delete=models.PROTECT, related_name="decisions")
    step = models.ForeignKey(RunStep, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    verdict = models.CharField(_("decision"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("feedback"), blank=True)
    # Feedback on a moment of the video ("at 0:03 a bottle is visible"): the review page's player jumps there.
    at_seconds = models.PositiveIntegerField(_("at (seconds into the video)"), null=True, blank=True)
    checked_constraints = models.JSONField(
        _("constraints checked"), default=list, help_text=_("The constraint texts the approver ticked.")
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at"]
        constraints = [
            # One decision per person per step: a double-submitted form can't count twice.
            models.UniqueConstraint(fields=["step", "actor"], name="one_decision_per_approver_per_step"),
            models.CheckConstraint(
                condition=Q(verdict="approve") | ~Q(comment=""), name="decision_feedback_unless_approve"
            ),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()} · {self.actor}"

    @property
    def outcome(self) -> str:
        return VERDICT_OUTCOMES[self.verdict]
