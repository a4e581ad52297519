"""Benchmark: pull TikTok stats for N posted videos from the in-process TikTok simulator.

A benchmark, not a timed test: it prints how long ``services.pull_video_stats`` takes and how many
requests and SQL statements it needs, and fails only on the counts (requests, snapshots), which must
not depend on the machine. Everything it writes is rolled back, so it can run against any database.

    python manage.py benchmark_pull --videos 1000 --videos 10000
"""

import math
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Agency, AgencyEngagement, Channel, Country, Currency, Organisation, User
from content.models import Brief, BriefStatus, Posting, Topic, VideoVersion
from stats import services
from stats.client import MAX_QUERY_IDS, OAuthClient
from stats.models import ChannelConnection, PullStatus, VideoSnapshot
from stats.ratelimit import Allowance
from stats.simulator import Simulator, serve

DEFAULT_SIZES = [1000, 10_000]
TIKTOK_LIMIT_PER_MINUTE = 600  # TikTok's documented limit per endpoint per token
# High enough that every request of the benchmark fits in the bucket's burst: we time our code, not
# the limiter's deliberate wait (which is computed and printed separately).
BENCHMARK_LIMIT_PER_MINUTE = 10_000_000
OPEN_ID = "open-benchmark"
FIRST_VIDEO_ID = 8_000_000_000_000_000_000  # far from the demo data's 7_000_… ids
BATCH = 1000
SQL_WIDTH = 150  # a bulk insert of hundreds of rows is long: print the start of each statement only


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Time pulling TikTok stats for N posted videos from the local simulator (all writes rolled back)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--videos",
            type=positive,
            action="append",
            help="Number of posted videos; repeat for several runs (default: 1000 and 10000).",
        )

    def handle(self, *args, videos=None, **options):
        real = Allowance(TIKTOK_LIMIT_PER_MINUTE)
        self.stdout.write(
            f"benchmark_pull: services.pull_video_stats against the in-process TikTok simulator, "
            f"database {connection.vendor}, every run rolled back"
        )
        self.stdout.write(
            f"TIKTOK_RATE_LIMIT_PER_MINUTE raised to {BENCHMARK_LIMIT_PER_MINUTE} for the benchmark, so it measures "
            f"our code, not the deliberate wait; at TikTok's {TIKTOK_LIMIT_PER_MINUTE}/min the limiter allows a "
            f"burst of {real.capacity:g}, then {real.refill_per_second:g} requests/s"
        )
        problems = []
        for n in videos or DEFAULT_SIZES:
            problems += self._run(n, real)
        if problems:
            raise CommandError("; ".join(problems))

    def _run(self, n: int, real: Allowance) -> list[str]:
        simulator = Simulator()
        server, url = serve(simulator)
        try:
            overrides = override_settings(
                TIKTOK_API_BASE_URL=url,
                TIKTOK_CLIENT_KEY=simulator.client_key,
                TIKTOK_CLIENT_SECRET=simulator.client_secret,
                TIKTOK_RATE_LIMIT_PER_MINUTE=BENCHMARK_LIMIT_PER_MINUTE,
            )
            with overrides, transaction.atomic():
                try:
                    return self._measure(n, real, simulator, url)
                finally:
                    # Set at the end, not the start: a transaction marked for rollback refuses queries.
                    transaction.set_rollback(True)
        finally:
            server.shutdown()
            server.server_close()

    def _measure(self, n: int, real: Allowance, simulator: Simulator, url: str) -> list[str]:
        started = time.perf_counter()
        channel = self._posted_videos(n, simulator, url)
        setup_seconds = time.perf_counter() - started

        # The pull itself, and nothing else, is timed and its SQL counted.
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run = services.pull_video_stats(channel, now=timezone.now())
            seconds = time.perf_counter() - started

        # Requests as the simulator saw them: a miscount in our client can't hide a wasted request.
        requests = simulator.requests.count("/v2/video/query/")
        minimum = math.ceil(n / MAX_QUERY_IDS)
        snapshots = VideoSnapshot.objects.filter(posting__brief__channel=channel).count()
        self.stdout.write(
            f"videos={n} requests={requests} (minimum ceil(N/{MAX_QUERY_IDS})={minimum}) snapshots={snapshots} "
            f"sql_statements={len(queries)} seconds={seconds:.3f} setup_seconds={setup_seconds:.3f}"
        )
        # The first `capacity` requests go at once, each further one waits 1/refill seconds.
        wait = max(0.0, minimum - real.capacity) / real.refill_per_second
        self.stdout.write(
            f"  at {TIKTOK_LIMIT_PER_MINUTE}/min the {minimum} requests take at least {wait:.1f} s of paced waiting"
        )
        self.stdout.write("  SQL of the pull:")
        statements = enumerate((" ".join(query["sql"].split()) for query in queries.captured_queries), 1)
        # Consecutive batches of one bulk insert differ only in their values: one line for the lot.
        for _, group in groupby(statements, key=lambda statement: statement[1].split(" VALUES ")[0]):
            (first, sql), *rest = group
            numbers = f"{first}-{rest[-1][0]}" if rest else str(first)
            batches = f"  [{len(rest) + 1} statements like this]" if rest else ""
            self.stdout.write(f"    {numbers:>7}. {sql[:SQL_WIDTH]}{'…' if len(sql) > SQL_WIDTH else ''}{batches}")

        problems = []
        if run.status != PullStatus.SUCCEEDED:
            problems.append(f"videos={n}: the pull ended {run.status}: {run.error}")
        if requests != minimum or run.requests_made != requests:
            problems.append(
                f"videos={n}: {requests} requests at the simulator, {run.requests_made} on record, expected {minimum}"
            )
        if snapshots != n or run.snapshots_written != n:
            problems.append(
                f"videos={n}: {snapshots} snapshots stored, {run.snapshots_written} on record, expected {n}"
            )
        return problems

    def _posted_videos(self, n: int, simulator: Simulator, url: str) -> Channel:
        """A throwaway organisation whose channel has ``n`` posted videos, known to the simulator, and
        the channel connected through a real OAuth code exchange. Bulk inserts keep 10,000 videos quick."""
        now = timezone.now()
        suffix = uuid.uuid4().hex[:8]  # names are unique: never collide with data already there
        organisation = Organisation.objects.create(
            name=f"Benchmark {suffix}",
            slug=f"benchmark-{suffix}",
            country=Country.NETHERLANDS,
            language="nl",
            time_zone="Europe/Amsterdam",
            currency=Currency.EUR,
            vat_rate=Decimal("21.00"),
        )
        channel = Channel.objects.create(
            organisation=organisation, handle=f"benchmark_{suffix}", display_name="Benchmark"
        )
        agency = Agency.objects.create(name=f"Benchmark agency {suffix}")
        AgencyEngagement.objects.create(agency=agency, organisation=organisation, since=now.date())
        topic = Topic.objects.create(organisation=organisation, name="Benchmark")
        user = User.objects.create_user(f"benchmark-{suffix}")  # no password: nobody can log in as it

        briefs = Brief.objects.bulk_create(
            [
                Brief(
                    organisation=organisation,
                    channel=channel,
                    agency=agency,
                    topic=topic,
                    title=f"Benchmark video {i}",
                    key_message="Benchmark",
                    status=BriefStatus.POSTED,
                    created_by=user,
                    number=i + 1,  # the organisation is new: its briefs are numbered from 1
                )
                for i in range(n)
            ],
            batch_size=BATCH,
        )
        versions = VideoVersion.objects.bulk_create(
            [
                # A preview link rather than a file: exactly one of the two is required.
                VideoVersion(brief=brief, number=1, preview_url=f"https://example.org/{i}", created_by=user)
                for i, brief in enumerate(briefs)
            ],
            batch_size=BATCH,
        )
        video_ids = [str(FIRST_VIDEO_ID + i) for i in range(n)]
        Posting.objects.bulk_create(
            [
                Posting(
                    brief=brief,
                    video_version=version,
                    tiktok_url=f"https://www.tiktok.com/@{channel.handle}/video/{video_id}",
                    tiktok_video_id=video_id,
                    # Spread over the last three days: all well within the year the pull covers.
                    posted_at=now - timedelta(minutes=1 + i % (3 * 24 * 60)),
                    recorded_by=user,
                )
                for i, (brief, version, video_id) in enumerate(zip(briefs, versions, video_ids, strict=True))
            ],
            batch_size=BATCH,
        )

        simulator.add_account(OPEN_ID, "Benchmark", follower_count=1_000)
        for video_id in video_ids:
            simulator.add_video(OPEN_ID, video_id)
        oauth = OAuthClient(url, simulator.client_key, simulator.client_secret)
        try:
            tokens = oauth.exchange_code(simulator.authorization_code(OPEN_ID), "http://localhost/callback")
        finally:
            oauth.http.close()
        connection_row = ChannelConnection(
            channel=channel, open_id=tokens.open_id, scopes=tokens.scope, connected_by=user
        )
        connection_row.access_token = tokens.access_token
        connection_row.refresh_token = tokens.refresh_token
        connection_row.access_expires_at = now + timedelta(seconds=tokens.expires_in)
        connection_row.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
        connection_row.save()
        return channel
