"""Demo statistics within the seed's ranges: each pilot TikTok reached 105,000-225,000 people, with
2,500-9,500 likes and 16-850 comments; the channel grew to about 14,500 followers by March 2021.
Nykvarn's first video had about 600 views in its first two days. The recent posts have the snapshots
measured up to ``now``; the pulls that `make run` starts add to them. Deterministic (a fixed seed)."""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from content.models import Posting
from stats.models import FollowerSnapshot, VideoSnapshot
from stats.selectors import rebuild_latest_figures
from stats.services import bucket_for
from stats.simulator import DEMO_RECENT_FIGURES, DEMO_RECENT_VIDEO_IDS

# When, after posting, the history has a snapshot, and how much of the final count it had reached.
CURVE = [
    (timedelta(days=1), 0.35),
    (timedelta(days=3), 0.65),
    (timedelta(days=7), 0.85),
    (timedelta(days=14), 0.95),
    (timedelta(days=30), 1.0),
]


def _history(posting, final: dict, now: datetime) -> list[VideoSnapshot]:
    return [
        VideoSnapshot(
            posting=posting,
            bucket=bucket_for(posting.posted_at + after),
            captured_at=posting.posted_at + after,
            **{key: round(value * share) for key, value in final.items()},
        )
        for after, share in CURVE
        if posting.posted_at + after <= now
    ]


def _final_figures(rng) -> dict:
    return {
        "views": rng.randint(105_000, 225_000),
        "likes": rng.randint(2_500, 9_500),
        "comments": rng.randint(16, 850),
        "shares": rng.randint(40, 900),
    }


@transaction.atomic
def seed_demo_stats(*, now: datetime) -> None:
    if VideoSnapshot.objects.exists():
        return
    rng = random.Random(2021)  # noqa: S311 - demo figures, not security
    vws = Organisation.objects.get(slug="vws")
    snapshots = []
    # The recent posts climb towards what the demo's TikTok (the simulator) has for them now, so the first
    # pull after connecting continues their history instead of jumping back.
    now_at_tiktok = {
        str(video_id): figures for video_id, figures in zip(DEMO_RECENT_VIDEO_IDS, DEMO_RECENT_FIGURES, strict=True)
    }
    for posting in Posting.objects.filter(brief__organisation=vws).order_by("posted_at"):
        final = _final_figures(rng)
        if posting.tiktok_video_id in now_at_tiktok:
            final = dict(
                zip(("views", "likes", "comments", "shares"), now_at_tiktok[posting.tiktok_video_id], strict=True)
            )
        snapshots += _history(posting, final, now)
    nykvarn = Posting.objects.filter(brief__organisation__slug="nykvarn").first()
    if nykvarn is not None:
        for after, views in ((timedelta(days=1), 310), (timedelta(days=2), 600)):
            snapshots.append(
                VideoSnapshot(
                    posting=nykvarn,
                    bucket=bucket_for(nykvarn.posted_at + after),
                    captured_at=nykvarn.posted_at + after,
                    views=views,
                    likes=views // 12,
                    comments=views // 60,
                    shares=views // 100,
                )
            )
    VideoSnapshot.objects.bulk_create(snapshots)
    rebuild_latest_figures({snapshot.posting_id for snapshot in snapshots})  # in this transaction too
    channel = vws.channels.order_by("pk").first()
    start, end = date(2020, 11, 1), date(2021, 3, 30)
    days = (end - start).days
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(
            channel=channel, day=start + timedelta(days=n), followers=2_100 + round(12_400 * (n / days) ** 1.2)
        )
        for n in range(days + 1)
    )
    # The last four weeks' follower counts, up to yesterday: the demo simulator answers 14,500 today.
    today = timezone.localdate(now, vws.zone)
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(channel=channel, day=today - timedelta(days=n), followers=14_500 - 9 * n) for n in range(1, 29)
    )
