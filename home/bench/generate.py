"""Data at the pilot's pace, in bulk, for measuring the app at scale (``manage.py generate_data``, ``make bench``).

Per organisation and year: two posts a week (times ``scale``), each a brief that went the whole way (brief,
constraints, a script and a video version, both approved in two steps, a slot, a posting, a cost line, a webcare
task, a comment), TikTok figures every 3 hours for its first week and daily for the rest of a year, the
channel's followers daily, a budget period per year, and the audit trail of it all. A few briefs are still open
(drafts, with the agency, in review), so the inbox and the home pages have something to show.

Rows are written with bulk inserts (PostgreSQL's COPY for the snapshots); dates are set as history, not as
"now". The audit trail is appended by the trail itself (``audit.trail.append``), event by event in
chain order, so ``manage.py verify_audit`` passes on generated data; that is the one shortcut: events are built
here rather than through each service.
"""

from __future__ import annotations

import contextlib
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.text import slugify

from accounts.models import Agency, AgencyEngagement, Channel, Country, Currency, Membership, Organisation, User
from accounts.roles import Role
from approvals.models import ApprovalRun, Decision, RunStatus, RunStep, Stage, StepMode, Verdict
from approvals.services import chain_for
from audit import trail
from audit.actions import AuditAction
from audit.models import AuditEvent
from budget.models import BudgetPeriod, CostLine, CostStatus, PeriodStatus, PostAllocation
from budget.money import allocate, vat_on
from content.models import (
    Brief,
    BriefConstraint,
    BriefStatus,
    Comment,
    Creator,
    Posting,
    ScriptVersion,
    Topic,
    VideoVersion,
    WebcareTask,
    next_brief_numbers,
)
from scheduling.models import Slot
from stats.models import FollowerSnapshot, VideoSnapshot
from stats.selectors import rebuild_latest_figures

PASSWORD = "bench-password-2026"  # noqa: S105 - generated data only; generate_data refuses production
ROLES = {
    "adviser": Role.COMMUNICATION_ADVISER,
    "social": Role.TEAM_SOCIAL,
    "campaign": Role.CAMPAIGN_MANAGER,
    "mt": Role.MANAGEMENT,
    "admin": Role.ORGANISATION_ADMIN,
    "reviewer": Role.REVIEWER,
}
POST_TIMES = [(1, time(16)), (3, time(16))]  # Tuesday and Thursday at 16:00, local time
FEE = Decimal("98.56")
OPEN_BRIEFS = 8
FIRST_VIDEO_ID = 7_200_000_000_000_000_000
BATCH = 5_000


@dataclass
class Generated:
    organisations: list[Organisation] = field(default_factory=list)
    people: dict[int, dict[str, User]] = field(default_factory=dict)  # organisation pk → suffix → user
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number


@contextlib.contextmanager
def history_dates(*models):
    """Let bulk inserts carry their own created/updated dates (auto_now fields would stamp "now")."""
    saved = []
    for model in models:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def generate(*, organisations: int, years: int, scale: int = 1, now: datetime, seed: int = 2026) -> Generated:
    """``organisations`` organisations with ``years`` years of history up to ``now`` each, ``scale`` times the
    pilot's two posts a week."""
    rng = random.Random(seed)  # noqa: S311 - repeatable data, not secrets
    result = Generated()
    start_index = Organisation.objects.filter(slug__startswith="bench-").count()
    for index in range(start_index, start_index + organisations):
        with transaction.atomic():
            _organisation(index, years=years, scale=scale, now=now, rng=rng, result=result)
    return result


def _organisation(index: int, *, years: int, scale: int, now: datetime, rng, result: Generated) -> None:
    swedish = index % 2 == 1
    organisation = Organisation.objects.create(
        name=f"{'Bänkkommun' if swedish else 'Gemeente Bank'} {index + 1}",
        slug=f"bench-{index + 1}",
        country=Country.SWEDEN if swedish else Country.NETHERLANDS,
        language="sv" if swedish else "nl",
        time_zone="Europe/Stockholm" if swedish else "Europe/Amsterdam",
        currency=Currency.SEK if swedish else Currency.EUR,
        vat_rate=Decimal("25.00") if swedish else Decimal("21.00"),
    )
    result.organisations.append(organisation)
    zone = ZoneInfo(organisation.time_zone)
    channel = Channel.objects.create(organisation=organisation, handle=f"bench_{index + 1}", display_name="Bench")
    agency = Agency.objects.create(name=f"Bench Agency {index + 1}")
    first_day = (now - timedelta(days=365 * years)).date()
    AgencyEngagement.objects.create(agency=agency, organisation=organisation, since=first_day)
    people = _people(organisation, agency, index)
    result.people[organisation.pk] = people
    topics = Topic.objects.bulk_create(
        Topic(organisation=organisation, name=f"Topic {n + 1}", owner=people["adviser"], is_sensitive=n == 0)
        for n in range(12)
    )
    Creator.objects.bulk_create(
        Creator(agency=agency, handle=f"creator_{index + 1}_{n}", display_name=f"Creator {n}") for n in range(6)
    )
    for stage in Stage.values:
        chain_for(organisation, stage)
    moments = _post_moments(first_day, now, zone, scale)
    posted = _posted_briefs(organisation, channel, agency, people, topics, moments, now, rng, result)
    _open_briefs(organisation, channel, agency, people, topics, now, result)
    _budget(organisation, channel, people, posted, first_day, now, result)
    _followers(channel, first_day, now, rng, result)
    _audit_trail(organisation, people, posted, result)


def _people(organisation, agency, index: int) -> dict[str, User]:
    from django.contrib.auth.hashers import make_password

    password = make_password(PASSWORD)
    people = {}
    for suffix, role in {**ROLES, "agency": Role.AGENCY_MEMBER}.items():
        username = f"bench{index + 1}-{suffix}"
        user = User.objects.create(
            username=username,
            first_name=suffix.capitalize(),
            last_name=f"Bench{index + 1}",
            email=f"{username}@example.org",
            password=password,
        )
        Membership.objects.create(
            user=user, organisation=organisation, role=role, agency=agency if role == Role.AGENCY_MEMBER else None
        )
        people[suffix] = user
    return people


def _post_moments(first_day: date, now: datetime, zone, scale: int) -> list[datetime]:
    moments = []
    day = first_day - timedelta(days=first_day.weekday())
    while day <= now.date():
        for weekday, at in POST_TIMES:
            for extra in range(scale):
                moment = datetime.combine(day + timedelta(days=weekday), at, zone) + timedelta(minutes=7 * extra)
                if first_day <= moment.date() and moment < now - timedelta(hours=1):
                    moments.append(moment.astimezone(UTC))
        day += timedelta(days=7)
    return moments


@dataclass
class Post:
    brief: Brief
    posting: Posting
    script: ScriptVersion
    video: VideoVersion
    views: int


def _posted_briefs(organisation, channel, agency, people, topics, moments, now, rng, result) -> list[Post]:
    adviser, social, member = people["adviser"], people["social"], people["agency"]
    numbers = next_brief_numbers(organisation.pk, len(moments))  # the organisation is being made: no one else adds
    with history_dates(Brief, ScriptVersion, VideoVersion, Posting, Comment, Slot, WebcareTask):
        briefs = Brief.objects.bulk_create(
            Brief(
                number=numbers[n],
                organisation=organisation,
                channel=channel,
                agency=agency,
                topic=topics[n % len(topics)],
                title=f"Video {n + 1}: {topics[n % len(topics)].name}",
                key_message="Get the facts from the source.",
                target_audience="16-24",
                status=BriefStatus.POSTED,
                created_by=adviser,
                created_at=moment - timedelta(days=21),
                updated_at=moment,
            )
            for n, moment in enumerate(moments)
        )
        BriefConstraint.objects.bulk_create(
            BriefConstraint(brief=brief, position=position, text=text)
            for brief in briefs
            for position, text in enumerate(("At most 60 seconds", "Subtitles"), start=1)
        )
        scripts = ScriptVersion.objects.bulk_create(
            ScriptVersion(
                brief=brief, number=1, text="Scene 1: the creator explains.", duration_target=30, created_by=member,
                created_at=moment - timedelta(days=14),
            )
            for brief, moment in zip(briefs, moments, strict=True)
        )  # fmt: skip
        videos = VideoVersion.objects.bulk_create(
            VideoVersion(
                brief=brief, number=1, preview_url="https://preview.example.org/bench", content_type="video/mp4",
                size=4_000_000, duration=30, has_subtitles=True, created_by=member,
                created_at=moment - timedelta(days=7),
            )
            for brief, moment in zip(briefs, moments, strict=True)
        )  # fmt: skip
        for brief, video in zip(briefs, videos, strict=True):
            brief.approved_video = video
        Brief.objects.bulk_update(briefs, ["approved_video"], batch_size=BATCH)
        first_id = FIRST_VIDEO_ID + organisation.pk * 1_000_000
        postings = Posting.objects.bulk_create(
            Posting(
                brief=brief, video_version=video, tiktok_video_id=str(first_id + n),
                tiktok_url=f"https://www.tiktok.com/@{channel.handle}/video/{first_id + n}", posted_at=moment,
                recorded_by=member, recorded_at=moment + timedelta(minutes=5),
            )
            for n, (brief, video, moment) in enumerate(zip(briefs, videos, moments, strict=True))
        )  # fmt: skip
        Slot.objects.bulk_create(
            Slot(channel=channel, starts_at=moment, brief=brief, video_version=video, created_at=moment)
            for brief, video, moment in zip(briefs, videos, moments, strict=True)
        )
        WebcareTask.objects.bulk_create(
            WebcareTask(
                posting=posting, assignee=social, starts_at=posting.posted_at,
                ends_at=posting.posted_at + timedelta(hours=48), notes="Answered the questions.",
                done_at=posting.posted_at + timedelta(hours=48), done_by=social,
            )
            for posting in postings
        )  # fmt: skip
        Comment.objects.bulk_create(
            Comment(brief=brief, script_version=script, author=social, text="Nice pace.", created_at=script.created_at)
            for brief, script in zip(briefs, scripts, strict=True)
        )
    _runs(briefs, scripts, videos, people)
    posts = [
        Post(brief, posting, script, video, int(rng.lognormvariate(11.9, 0.45)))
        for brief, posting, script, video in zip(briefs, postings, scripts, videos, strict=True)
    ]
    _snapshots(posts, now, rng, result)
    result.add("posted briefs", len(briefs))
    return posts


def _runs(briefs, scripts, videos, people) -> None:
    """Both reviews of every posted brief: two steps, each approved."""
    steps = [("Communication adviser of the topic", Role.COMMUNICATION_ADVISER, people["adviser"]),
             ("Team social", Role.TEAM_SOCIAL, people["social"])]  # fmt: skip
    runs = []
    for brief, script, video in zip(briefs, scripts, videos, strict=True):
        for stage, version in ((Stage.SCRIPT, script), (Stage.VIDEO, video)):
            started = version.created_at + timedelta(hours=2)
            runs.append(
                ApprovalRun(
                    brief=brief, stage=stage, script_version=script if stage == Stage.SCRIPT else None,
                    video_version=video if stage == Stage.VIDEO else None, status=RunStatus.APPROVED,
                    current_position=None, step_started_at=started + timedelta(days=1), finished_at=started
                    + timedelta(days=2),
                )
            )  # fmt: skip
    with history_dates(ApprovalRun, Decision):
        for run in runs:
            run.started_at = (run.script_version or run.video_version).created_at + timedelta(hours=2)
        runs = ApprovalRun.objects.bulk_create(runs, batch_size=BATCH)
        run_steps = RunStep.objects.bulk_create(
            (
                RunStep(run=run, position=position, name=name, role=role, mode=StepMode.ANY,
                        completed_at=run.started_at + timedelta(days=position))
                for run in runs
                for position, (name, role, _actor) in enumerate(steps, start=1)
            ),
            batch_size=BATCH,
        )  # fmt: skip
        Decision.objects.bulk_create(
            (
                Decision(run=step.run, step=step, actor=steps[step.position - 1][2], verdict=Verdict.APPROVE,
                         comment="", checked_constraints=["At most 60 seconds", "Subtitles"],
                         decided_at=step.completed_at)
                for step in run_steps
            ),
            batch_size=BATCH,
        )  # fmt: skip


def _snapshots(posts: list[Post], now: datetime, rng, result: Generated) -> None:
    """Every 3 hours for the first week, then daily for the rest of the year (or up to now)."""
    rows = []
    for post in posts:
        posted = post.posting.posted_at
        moments = [posted + timedelta(hours=3 * n) for n in range(1, 57)]
        day = posted + timedelta(days=8)
        while day < min(posted + timedelta(days=365), now):
            moments.append(day)
            day += timedelta(days=1)
        moments = [moment for moment in moments if moment < now]
        likes_rate, comment_rate = rng.uniform(0.02, 0.04), rng.uniform(0.0002, 0.004)
        for moment in moments:
            age = (moment - posted).total_seconds() / 86_400
            views = int(post.views * (1 - 0.6 ** (age + 0.2)))
            bucket = moment.replace(minute=0, second=0, microsecond=0, hour=moment.hour - moment.hour % 3)
            rows.append((post.posting.pk, bucket, views, int(views * likes_rate), int(views * comment_rate),
                         int(views * 0.004), moment))  # fmt: skip
    _copy_snapshots(rows)
    result.add("video snapshots", len(rows))
    _latest_figures([post.posting.pk for post in posts])


def _copy_snapshots(rows) -> None:
    columns = ["posting_id", "bucket", "views", "likes", "comments", "shares", "captured_at", "source"]
    if connection.vendor == "postgresql":
        table = VideoSnapshot._meta.db_table
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, "api"))
        return
    VideoSnapshot.objects.bulk_create(
        (
            VideoSnapshot(posting_id=p, bucket=b, views=v, likes=lk, comments=c, shares=s, captured_at=at)
            for p, b, v, lk, c, s, at in rows
        ),
        batch_size=BATCH,
    )


def _latest_figures(posting_ids: list[int]) -> None:
    """Each video's latest figures, which the stats app keeps besides the snapshots, rebuilt for these."""
    rebuild_latest_figures(posting_ids, deleted=False)  # every one of them just got its snapshots


def _open_briefs(organisation, channel, agency, people, topics, now, result: Generated) -> None:
    """Work in progress: drafts, briefs with the agency, and scripts waiting for review."""
    statuses = [BriefStatus.DRAFT, BriefStatus.SUBMITTED, BriefStatus.SENT_TO_AGENCY, BriefStatus.IN_PRODUCTION]
    numbers = next_brief_numbers(organisation.pk, OPEN_BRIEFS)
    with history_dates(Brief, ScriptVersion, ApprovalRun):
        briefs = Brief.objects.bulk_create(
            Brief(
                number=numbers[n],
                organisation=organisation, channel=channel, agency=agency, topic=topics[n % len(topics)],
                title=f"Open brief {n + 1}", key_message="Coming soon.", status=statuses[n % len(statuses)],
                created_by=people["adviser"], created_at=now - timedelta(days=10 - n), updated_at=now
                - timedelta(days=5 - n % 5),
            )
            for n in range(OPEN_BRIEFS)
        )  # fmt: skip
        waiting = [brief for brief in briefs if brief.status == BriefStatus.SENT_TO_AGENCY]
        scripts = ScriptVersion.objects.bulk_create(
            ScriptVersion(brief=brief, number=1, text="Draft script.", duration_target=30,
                          created_by=people["agency"], created_at=now - timedelta(days=2))
            for brief in waiting
        )  # fmt: skip
        runs = ApprovalRun.objects.bulk_create(
            ApprovalRun(brief=script.brief, stage=Stage.SCRIPT, script_version=script, status=RunStatus.IN_PROGRESS,
                        current_position=1, started_at=script.created_at, step_started_at=script.created_at)
            for script in scripts
        )  # fmt: skip
        RunStep.objects.bulk_create(
            RunStep(run=run, position=position, name=name, role=role, mode=StepMode.ANY)
            for run in runs
            for position, (name, role) in enumerate(
                (("Communication adviser of the topic", Role.COMMUNICATION_ADVISER), ("Team social", Role.TEAM_SOCIAL)),
                start=1,
            )
        )
    result.add("open briefs", len(briefs))


def _budget(organisation, channel, people, posts: list[Post], first_day: date, now: datetime, result) -> None:
    """A budget period per calendar year, its planned posts, and a paid agency fee per posted video."""
    by_year: dict[int, list[Post]] = {}
    for post in posts:
        by_year.setdefault(post.posting.posted_at.year, []).append(post)
    with history_dates(CostLine):
        for year in range(first_day.year, now.year + 1):
            year_posts = by_year.get(year, [])
            planned = max(len(year_posts), 104)
            amount = FEE * planned
            period = BudgetPeriod.objects.create(
                organisation=organisation, channel=channel, name=f"TikTok {year}", starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31), amount_excl_vat=amount, currency=organisation.currency,
                vat_rate=organisation.vat_rate, planned_posts=planned, owner=people["social"],
                status=PeriodStatus.APPROVED if year < now.year else PeriodStatus.PROPOSED,
                approved_by=people["mt"] if year < now.year else None,
            )  # fmt: skip
            shares = allocate(amount, planned)
            PostAllocation.objects.bulk_create(
                PostAllocation(period=period, position=n + 1, amount=share,
                               brief=year_posts[n].brief if n < len(year_posts) else None)
                for n, share in enumerate(shares)
            )  # fmt: skip
            CostLine.objects.bulk_create(
                (
                    CostLine(
                        period=period, brief=post.brief, agency=post.brief.agency, kind="agency_fee",
                        supplier=post.brief.agency.name, description="Production", amount_excl_vat=FEE,
                        vat_rate=organisation.vat_rate, vat_amount=vat_on(FEE, organisation.vat_rate),
                        status=CostStatus.PAID, invoice_number=f"F-{post.brief.pk}",
                        invoice_date=post.posting.posted_at.date(), committed_on=post.posting.posted_at.date(),
                        paid_on=post.posting.posted_at.date(), created_by=people["social"],
                        created_at=post.posting.posted_at, updated_at=post.posting.posted_at,
                    )
                    for post in year_posts
                ),
                batch_size=BATCH,
            )  # fmt: skip
            result.add("budget periods", 1)
            result.add("cost lines", len(year_posts))


def _followers(channel, first_day: date, now: datetime, rng, result: Generated) -> None:
    followers, rows, day = 1_000, [], first_day
    while day <= now.date():
        followers += rng.randint(0, 40)
        rows.append(FollowerSnapshot(channel=channel, day=day, followers=followers))
        day += timedelta(days=1)
    FollowerSnapshot.objects.bulk_create(rows, batch_size=BATCH)
    result.add("follower snapshots", len(rows))


AUDIT_STEPS = [
    # (action, days before posting, who, object)
    (AuditAction.BRIEF_CREATED, 21, "adviser", "brief"),
    (AuditAction.BRIEF_SUBMIT, 20, "adviser", "brief"),
    (AuditAction.BRIEF_SEND, 19, "social", "brief"),
    (AuditAction.SCRIPT_DELIVERED, 14, "agency", "script"),
    (AuditAction.APPROVAL_STARTED, 14, "agency", "script"),
    (AuditAction.COMMENT_ADDED, 13, "social", "brief"),
    (AuditAction.DECISION_APPROVE, 13, "adviser", "script"),
    (AuditAction.DECISION_APPROVE, 12, "social", "script"),
    (AuditAction.BRIEF_SCRIPT_APPROVED, 12, "social", "brief"),
    (AuditAction.VIDEO_DELIVERED, 7, "agency", "video"),
    (AuditAction.APPROVAL_STARTED, 7, "agency", "video"),
    (AuditAction.DECISION_APPROVE, 6, "adviser", "video"),
    (AuditAction.DECISION_APPROVE, 5, "social", "video"),
    (AuditAction.BRIEF_VIDEO_APPROVED, 5, "social", "brief"),
    (AuditAction.SLOT_SCHEDULED, 4, "social", "brief"),
    (AuditAction.BUDGET_COST_ADDED, 4, "social", "brief"),
    (AuditAction.BRIEF_POSTED, 0, "agency", "brief"),
    (AuditAction.WEBCARE_CREATED, 0, "social", "brief"),
    (AuditAction.WEBCARE_UPDATED, -2, "social", "brief"),
]


def _audit_trail(organisation, people, posts: list[Post], result: Generated) -> None:
    """The organisation's chain for the generated history, in time order, hashed as ``audit.trail`` does."""
    planned = []
    for post in posts:
        objects = {"brief": post.brief, "script": post.script, "video": post.video}
        for action, days, who, what in AUDIT_STEPS:
            planned.append((post.posting.posted_at - timedelta(days=days), action, people[who], objects[what], post))
    planned.sort(key=lambda item: item[0])
    roles = {user.pk: role for role, user in zip(ROLES.values(), (people[s] for s in ROLES), strict=True)}
    roles[people["agency"].pk] = Role.AGENCY_MEMBER
    events = [
        AuditEvent(
            actor=actor,
            actor_role=roles[actor.pk],
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            subject_type="content.brief",
            subject_id=str(post.brief.pk),
            origin="192.0.2.1",
            created_at=moment,
            details={},
        )
        for moment, action, actor, obj, post in planned
    ]
    trail.append(organisation, events, batch_size=BATCH)  # numbered and hashed by the trail itself
    result.add("audit events", len(events))


def describe(result: Generated) -> str:
    out = io.StringIO()
    out.write(f"organisations={len(result.organisations)}")
    for name, number in result.counts.items():
        out.write(f" {slugify(name).replace('-', '_')}={number}")
    return out.getvalue()
