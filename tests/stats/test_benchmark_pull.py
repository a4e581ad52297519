"""The pull benchmark (manage.py benchmark_pull) as a check: its counts, not its timings.

It runs the real pull against the real simulator over loopback HTTP; only the numbers it prints are
read back.
"""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from content.models import Posting
from stats.models import ChannelConnection, PullRun, VideoSnapshot

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^videos=(?P<videos>\d+) requests=(?P<requests>\d+) \(minimum ceil\(N/20\)=(?P<minimum>\d+)\) "
    r"snapshots=(?P<snapshots>\d+) sql_statements=(?P<sql>\d+) seconds=",
    re.MULTILINE,
)


def run_benchmark(*sizes: int) -> dict[int, dict[str, int]]:
    out = io.StringIO()
    call_command("benchmark_pull", *[f"--videos={n}" for n in sizes], stdout=out)
    return {
        int(match["videos"]): {key: int(value) for key, value in match.groupdict().items()}
        for match in LINE.finditer(out.getvalue())
    }


def test_benchmark_counts_requests_snapshots_and_sql_and_leaves_no_rows():
    organisations = Organisation.objects.count()

    figures = run_benchmark(45, 90)

    assert set(figures) == {45, 90}
    assert figures[45]["requests"] == 3
    assert figures[45]["minimum"] == 3
    assert figures[45]["snapshots"] == 45
    assert figures[90]["requests"] == 5
    assert figures[90]["minimum"] == 5
    assert figures[90]["snapshots"] == 90
    # A handful of statements for the whole pull, not one (or more) per video.
    assert 0 < figures[45]["sql"] <= 10
    assert figures[90]["sql"] == figures[45]["sql"]
    # Everything the benchmark wrote was rolled back.
    assert not Posting.objects.exists()
    assert not PullRun.objects.exists()
    assert not VideoSnapshot.objects.exists()
    assert not ChannelConnection.objects.exists()
    assert Organisation.objects.count() == organisations


def test_benchmark_prints_the_pulls_own_sql_and_the_wait_at_tiktoks_limit():
    out = io.StringIO()
    call_command("benchmark_pull", "--videos=45", stdout=out)
    text = out.getvalue()

    assert "TIKTOK_RATE_LIMIT_PER_MINUTE raised" in text
    assert "at 600/min the 3 requests take at least 0.0 s of paced waiting" in text
    # Listed as "  n. SQL" or, for the batches of one bulk insert, "  n-m. SQL": every statement once.
    listed = re.findall(r"^ +(\d+)(?:-(\d+))?\. (.*)$", text, re.MULTILINE)
    numbers = [n for first, last, _ in listed for n in range(int(first), int(last or first) + 1)]
    assert numbers == list(range(1, int(LINE.search(text)["sql"]) + 1))
    assert any('INSERT INTO "stats_videosnapshot"' in sql for *_, sql in listed)
    # The setup's bulk inserts are not counted as part of the pull.
    assert not any('INSERT INTO "content_posting"' in sql for *_, sql in listed)
