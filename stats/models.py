from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Channel
from content.models import Posting

from . import crypto

REVOKE_FAILED = "revoke_failed"


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    RECONNECT = "reconnect", _("Needs to be connected again")
    DISCONNECTED = "disconnected", _("Disconnected")


class ChannelConnection(models.Model):
    """The channel's TikTok authorisation. Tokens are encrypted at rest."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="tiktok_connection")
    open_id = models.CharField(max_length=100)
    access_token_encrypted = models.TextField(blank=True)
    refresh_token_encrypted = models.TextField(blank=True)
    scopes = models.CharField(max_length=300, blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED)
    status_message = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    connected_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Public videos on the account that no posting in the planner records (from the daily video list):
    # [{"id", "create_time", "title"}], so team social can ask the agency to record them.
    unrecorded_videos = models.JSONField(default=list, blank=True)
    videos_checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.channel} ({self.get_status_display()})"

    @property
    def is_connected(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    @property
    def needs_reconnect(self) -> bool:
        return self.status == ConnectionStatus.RECONNECT

    @property
    def is_disconnected(self) -> bool:
        return self.status == ConnectionStatus.DISCONNECTED

    @property
    def revoke_failed(self) -> bool:
        """Disconnected here, but TikTok did not confirm that it revoked the access (status_message says why)."""
        return self.is_disconnected and self.status_message.startswith(REVOKE_FAILED)

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value)


class Source(models.TextChoices):
    API = "api", _("TikTok API")
    CSV = "csv", _("TikTok Studio export")
    MANUAL = "manual", _("Entered by hand")


class VideoSnapshot(models.Model):
    """One video's figures in one time bucket, from one source. The unique key makes every pull, import
    and entry an idempotent upsert."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="snapshots")
    bucket = models.DateTimeField()
    views = models.PositiveBigIntegerField()
    likes = models.PositiveBigIntegerField()
    comments = models.PositiveBigIntegerField()
    shares = models.PositiveBigIntegerField()
    captured_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)

    class Meta:
        ordering = ["posting", "bucket"]
        # Per source: a day's figures from TikTok Studio or typed in never replace what the API measured.
        constraints = [
            models.UniqueConstraint(fields=["posting", "bucket", "source"], name="one_snapshot_per_video_bucket_source")
        ]
        # "The latest figures per video" is asked on every results page.
        indexes = [models.Index(fields=["posting", "-captured_at"], name="snapshot_latest_first")]

    def __str__(self):
        return f"{self.posting.tiktok_video_id} @ {self.bucket:%Y-%m-%d %H:%M}: {self.views} views"


class LatestFigures(models.Model):
    """Each posted video's latest snapshot (by captured_at, then bucket), kept by every path that writes
    snapshots in the same transaction (``stats.selectors.rebuild_latest_figures``). The results pages and
    dashboards read one row per video here instead of searching millions of snapshots for the latest."""

    # The posting is the key: the database holds at most one row per video.
    posting = models.OneToOneField(Posting, on_delete=models.CASCADE, primary_key=True, related_name="latest_figures")
    views = models.PositiveBigIntegerField()
    likes = models.PositiveBigIntegerField()
    comments = models.PositiveBigIntegerField()
    shares = models.PositiveBigIntegerField()
    measured_at = models.DateTimeField()  # the snapshot's captured_at
    bucket = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices)

    class Meta:
        verbose_name_plural = "latest figures"

    def __str__(self):
        return f"{self.posting_id} @ {self.measured_at:%Y-%m-%d %H:%M}: {self.views} views"


class FollowerSnapshot(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="follower_snapshots")
    day = models.DateField()
    followers = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["channel", "day"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="one_follower_count_per_day")]

    def __str__(self):
        return f"{self.channel} {self.day}: {self.followers}"


class PullStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunKind(models.TextChoices):
    VIDEOS = "videos", _("Video figures")
    FOLLOWERS = "followers", _("Followers")
    CSV_IMPORT = "csv_import", _("TikTok Studio import")


class PullRun(models.Model):
    """Every pull is on record: what was asked, what was written, how many requests, what went wrong."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="pull_runs")
    kind = models.CharField(max_length=20, choices=RunKind.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=PullStatus.choices, default=PullStatus.RUNNING)
    videos_asked = models.PositiveIntegerField(default=0)
    snapshots_written = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # TikTok ids asked for but absent from TikTok's answer: deleted, or made private.
    missing_videos = models.JSONField(default=list, blank=True)
    # TikTok ids TikTok's answer held more than once: no figures were stored for them from this run.
    duplicate_videos = models.JSONField(default=list, blank=True)
    # What happens after a failure, as the task decided it: a retry queued for retry_at, or it gave up after its
    # last retry (then the next scheduled pull tries again). Neither: nothing was queued for this run.
    retry_at = models.DateTimeField(null=True, blank=True)
    gave_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.kind} {self.channel} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def failed(self) -> bool:
        return self.status == PullStatus.FAILED

    @property
    def error_code(self) -> str:
        return self.error.split(":", 1)[0].strip()

    @property
    def problem(self) -> str:
        """What went wrong and what happens next, in the reader's language (the stored error is the technical
        record). "Tried again" only when the task has really queued a retry."""
        if not self.error:
            return ""
        for codes, text, passing in RUN_PROBLEMS:
            if self.error_code in codes:
                return f"{text} {self.next_attempt}" if passing else str(text)
        return str(_("Something went wrong; the details are on record for the administrator."))

    @property
    def next_attempt(self) -> str:
        if self.retry_at is not None:
            return str(_("The pull will be tried again in a few minutes."))
        if self.gave_up:
            return str(_("The pull gave up after several attempts; the next scheduled pull will try again."))
        return str(_("The next scheduled pull will try again."))


# (codes, what went wrong, whether it passes: then the text says what happens next)
RUN_PROBLEMS = [
    ({"rate_limit_exceeded", "rate_limited"}, _("TikTok's rate limit was reached."), True),
    (
        {"access_token_invalid", "invalid_grant", "not_connected"},
        _("TikTok does not accept this channel's authorisation: connect the channel again."),
        False,
    ),
    (
        {"token_refused_after_refresh"},
        _("TikTok refused the access token it had just renewed; the connection itself is fine."),
        True,
    ),
    ({"internal_error", "server_error", "network_error"}, _("TikTok could not be reached."), True),
    ({"bad_response"}, _("TikTok sent an answer that could not be read; nothing was stored from it."), True),
    (
        {"incomplete_figures"},
        _("TikTok sent no valid figures for some videos; they are asked for again in the next pull."),
        False,
    ),
    ({"refresh_busy", "rate_limiter_unavailable", "database_unavailable"}, _("A passing problem on our side."), True),
    ({"scope_not_authorized"}, _("The channel did not give the permission this needs: connect it again."), False),
    ({"worker_lost"}, _("The worker stopped during this pull."), True),
]


class MissingVideo(models.Model):
    """A posted video TikTok stopped returning (deleted, or made private): its last figures are stale. Removed
    when TikTok returns the video again."""

    posting = models.OneToOneField(Posting, on_delete=models.CASCADE, related_name="missing_at_tiktok")
    since = models.DateTimeField()  # the first pull that missed it
    last_run = models.ForeignKey(PullRun, on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self):
        return f"{self.posting.tiktok_video_id} not returned since {self.since:%Y-%m-%d %H:%M}"


class CheckOutcome(models.TextChoices):
    MATCHES = "matches", _("Matches its approval")
    DIFFERS = "differs", _("Differs from its approval")
    FAILED = "failed", _("Could not be checked")


class PostCheck(models.Model):
    """One comparison of a live post with what was approved (``stats.postcheck``): what TikTok showed and what
    differed. Made when the agency records the post and again after the first stats pull; a check that could not
    be made is kept as failed and tried again."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField()
    trigger = models.CharField(max_length=20)  # "recorded", "first_pull", "retry", "manual"
    outcome = models.CharField(_("outcome"), max_length=10, choices=CheckOutcome.choices)
    live_caption = models.TextField(blank=True)
    live_duration = models.PositiveIntegerField(null=True, blank=True)
    live_created_at = models.DateTimeField(null=True, blank=True)
    share_url = models.URLField(blank=True)
    # [{"code", "expected", "found"}]: the messages are made when shown, in the reader's language.
    differences = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("post check")
        verbose_name_plural = _("post checks")
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["posting", "-checked_at"], name="post_check_latest")]

    def __str__(self):
        return f"{self.posting} · {self.get_outcome_display()}"
