"""Helpers that walk a brief through the workflow with the real services (no shortcuts)."""

from datetime import date

from approvals import services as approvals
from approvals.models import ApprovalRun, Verdict
from content import publication as publication_rules
from content import services as content
from content.models import PublicationRules
from content.states import BriefAction

from .factories import CreatorFactory, TopicFactory

CONSTRAINTS = ["Subtitles on", "Refers to Rijksoverheid.nl", "No alcohol shown"]


def new_brief(world, *, sensitive=False, author=None):
    author = author or world.people["adviser"]
    topic = TopicFactory(organisation=world.ministry, owner=world.people["adviser"], is_sensitive=sensitive)
    return content.brief_create(
        actor=author,
        organisation=world.ministry,
        fields={
            "channel": world.channel,
            "agency": world.agency,
            "topic": topic,
            "title": "Get your booster",
            "key_message": "Boosters protect you and others; book via Rijksoverheid.nl.",
            "posting_window_start": date(2026, 12, 1),
            "posting_window_end": date(2026, 12, 15),
        },
        constraints=CONSTRAINTS,
    )


def brief_with_agency(world, **kwargs):
    brief = new_brief(world, **kwargs)
    content.brief_transition(actor=brief.created_by, brief=brief, action=BriefAction.SUBMIT)
    content.brief_transition(actor=world.people["team_social"], brief=brief, action=BriefAction.SEND)
    return brief


def publication(brief, text="Boosters protect you. Book yours via Rijksoverheid.nl.") -> dict:
    """A caption that meets the organisation's rules: its disclosure first (the creators are paid influencers)."""
    disclosure = PublicationRules.of(brief.organisation).disclosure_text
    return {"caption": f"{disclosure} {text}", "hashtags": "#booster #gezond", "paid_partnership": True}


TRANSCRIPT = "[music] Creator: Get your booster, book it via Rijksoverheid.nl. [laughter]"


def deliver_script(world, brief, text="Scene 1: creator dances at a distance."):
    creator = CreatorFactory(agency=world.agency)
    return approvals.script_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        text=text,
        shot_list="1. Opening\n2. Dance",
        duration_target=30,
        creators=[creator],
        publication=publication(brief),
    )


def open_run(version) -> ApprovalRun:
    return ApprovalRun.objects.get(pk=version.approval_run.pk)


def decide(actor, version, verdict=Verdict.APPROVE, comment="", constraints=True):
    """``constraints``: tick the brief's constraints and what the reviewer checks in the video itself."""
    run = open_run(version)
    ids = list(run.brief.constraints.values_list("pk", flat=True)) if constraints else []
    rules = PublicationRules.of(run.brief.organisation)
    checks = publication_rules.required_checks(run.version, rules) if constraints else []
    return approvals.decide(
        actor=actor,
        run_id=run.pk,
        version_number=version.number,
        step_position=run.current_position,
        verdict=verdict,
        comment=comment,
        checked_constraint_ids=ids,
        checked_checks=checks,
    )


MEDIA_DIR = __import__("pathlib").Path(__file__).parent / "fixtures" / "videos"


def uploaded_video(name="valid_5s.mp4"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, (MEDIA_DIR / name).read_bytes(), content_type="video/mp4")


def deliver_video_file(world, brief, name="valid_5s.mp4"):
    from decimal import Decimal

    from content.media import inspect_video

    upload = uploaded_video(name)
    info = inspect_video(upload, max_bytes=10_000_000, min_seconds=Decimal(3), max_seconds=Decimal(60))
    return approvals.video_version_add(
        actor=world.people["agency_member"],
        brief=brief,
        creators=[CreatorFactory(agency=world.agency)],
        has_subtitles=True,
        file=upload,
        info=info,
        publication=publication(brief),
        transcript=TRANSCRIPT,
        music_source="commercial_library",
    )


def approve_all(world, version):
    decide(world.people["adviser"], version)
    decide(world.people["team_social"], version)


class Stages:
    """Briefs of the ministry in every stage, made with the real services at ``now`` (the posted video was
    posted an hour before; the cadence starts that day)."""

    def __init__(self, world, *, now):
        from datetime import timedelta

        from django.utils import timezone

        self.now = now
        self.draft = new_brief(world)
        self.with_agency = brief_with_agency(world)
        self.script = deliver_script(world, self.with_agency)
        self.run = open_run(self.script)
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.attachment = content.attachment_add(
            actor=world.people["adviser"],
            brief=self.with_agency,
            file=SimpleUploadedFile("tone-of-voice.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf"),
            content_type="application/pdf",
        )
        self.in_production = brief_with_agency(world)
        approve_all(world, deliver_script(world, self.in_production))
        self.video = deliver_video_file(world, self.in_production)
        self.ready = brief_with_agency(world)
        approve_all(world, deliver_script(world, self.ready))
        approve_all(world, deliver_video_file(world, self.ready))
        self.posted = brief_with_agency(world)
        approve_all(world, deliver_script(world, self.posted))
        approve_all(world, deliver_video_file(world, self.posted))
        self.posting = content.posting_record(
            actor=world.people["agency_member"],
            brief=self.posted,
            tiktok_url=f"https://www.tiktok.com/@{world.channel.handle}/video/7077642457847991554",
            posted_at=now - timedelta(hours=1),
            now=now,
        )
        self.webcare = self.posting.webcare_tasks.get()
        from datetime import time

        from scheduling import services as scheduling

        scheduling.cadence_save(
            actor=world.people["team_social"],
            channel=world.channel,
            weekdays=[1, 3],
            local_time=time(16),
            min_posts_per_week=2,
            valid_from=timezone.localdate(now, world.ministry.zone),
            now=now,
        )
        self.slot = scheduling.slot_fill(
            actor=world.people["team_social"],
            slot=world.channel.slots.filter(starts_at__gt=now, brief__isnull=True).order_by("starts_at").first(),
            brief=self.ready,
            now=now,
            window_reason="Its first free slot, whatever the window",
        )
        self.feed = scheduling.feed_token_regenerate(actor=world.people["team_social"], channel=world.channel)
        from datetime import date
        from decimal import Decimal

        from budget import services as budget

        self.period = budget.period_create(
            actor=world.people["team_social"],
            organisation=world.ministry,
            fields={
                "channel": world.channel,
                "name": "TikTok H2",
                "starts_on": date(2026, 7, 1),
                "ends_on": date(2026, 12, 31),
                "amount_excl_vat": Decimal("5125.00"),
                "vat_rate": Decimal("21.00"),
                "planned_posts": 52,
            },
        )
        self.cost_line = budget.cost_line_create(
            actor=world.people["team_social"],
            period=self.period,
            fields={
                "brief": self.posted,
                "agency": world.agency,
                "kind": "agency_fee",
                "supplier": world.agency.name,
                "amount_excl_vat": Decimal("98.56"),
            },
        )
