"""Demo statistics within the seed's ranges: each pilot TikTok reached 105,000-225,000 people, with
2,500-9,500 likes and 16-850 comments; the channel grew to about 14,500 followers by March 2021.
Nykvarn's first video had about 600 views in its first two days. Deterministic (a fixed seed)."""

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import Organisation
from content.models import Posting

from .models import FollowerSnapshot, VideoSnapshot
from .services import bucket_for

# When, after posting, the history has a snapshot, and how much of the final count it had reached.
CURVE = [
    (timedelta(days=1), 0.35),
    (timedelta(days=3), 0.65),
    (timedelta(days=7), 0.85),
    (timedelta(days=14), 0.95),
    (timedelta(days=30), 1.0),
]


def _history(posting, final: dict) -> list[VideoSnapshot]:
    return [
        VideoSnapshot(
            posting=posting,
            bucket=bucket_for(posting.posted_at + after),
            captured_at=posting.posted_at + after,
            **{key: round(value * share) for key, value in final.items()},
        )
        for after, share in CURVE
    ]


@transaction.atomic
def seed_demo_stats() -> None:
    if VideoSnapshot.objects.exists():
        return
    rng = random.Random(2021)  # noqa: S311 - demo figures, not security
    vws = Organisation.objects.get(slug="vws")
    snapshots = []
    pilot = Posting.objects.filter(brief__organisation=vws, posted_at__date__lt=date(2021, 6, 1))
    for posting in pilot.order_by("posted_at"):
        final = {
            "views": rng.randint(105_000, 225_000),
            "likes": rng.randint(2_500, 9_500),
            "comments": rng.randint(16, 850),
            "shares": rng.randint(40, 900),
        }
        snapshots += _history(posting, final)
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
    channel = vws.channels.order_by("pk").first()
    start, end = date(2020, 11, 1), date(2021, 3, 30)
    days = (end - start).days
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(
            channel=channel, day=start + timedelta(days=n), followers=2_100 + round(12_400 * (n / days) ** 1.2)
        )
        for n in range(days + 1)
    )
