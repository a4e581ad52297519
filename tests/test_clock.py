"""Nothing below a view, a task or a command reads the clock: where a result depends on the date, the moment
is an argument (``now=`` / ``today=``), so tests can say when they run and the suite passes on any date.

What may read the clock below them is listed here with its reason: the moment a record is written (its
own stamp, like ``auto_now``) and the rate limit's wall clock, which measures elapsed time, not dates.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [*sorted(path.parent.name for path in ROOT.glob("*/apps.py")), "tiktokplanner"]
ENTRY_POINTS = (
    "views.py",
    "context_processors.py",
    "admin.py",
    "tasks.py",
    "middleware.py",
    "management/commands/",
    "celery.py",
    "settings.py",
)
OUTSIDE_WORLD = {"stats/simulator.py"}  # the stand-in for TikTok's servers keeps its own time, as they do

# (module, function) → why it may read the clock.
STAMPS = {
    ("audit/trail.py", "record"): "an audit event is stamped with the moment it is written",
    ("approvals/services.py", "_run_start"): "the moment a cancelled run finished",
    ("approvals/services.py", "_advance"): "the moment a run finished",
    ("budget/services.py", "period_approve"): "the moment the MT approved",
    ("budget/services.py", "_date_steps"): "a cost's step without a date given is dated the day it is recorded",
    ("content/states.py", "apply"): "the brief's updated_at, as auto_now would",
    ("scheduling/services.py", "feed_token_regenerate"): "the moment the old address was revoked",
    ("scheduling/services.py", "feed_token_revoke"): "the moment the address was revoked",
    ("scheduling/services.py", "feed_tokens_of_leaver_revoke"): "the moment a leaver's addresses were revoked",
    ("stats/imports.py", "import_studio_csv"): "the moment the import run finished",
    ("stats/services.py", "pull_video_stats"): "the moment the pull run finished",
    ("stats/services.py", "pull_followers"): "the moment the pull run finished",
    ("stats/ratelimit.py", "_take_in_cache"): "the token bucket measures elapsed wall time",
    ("core/templatetags/planner.py", "waiting"): "a page says how long an item has waited, as Django's timesince does",
}

CLOCK_CALLS = {
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
}


def _reads_clock(call: ast.Call) -> bool:
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return False
    if (func.value.id, func.attr) not in CLOCK_CALLS:
        return False
    if func.attr in ("localdate", "localtime"):
        # timezone.localdate(value, zone) converts a given moment; only without one does it read the clock.
        return not call.args and not any(keyword.arg == "value" for keyword in call.keywords)
    return True


def _clock_reads(path: Path) -> list[tuple[str, int]]:
    """(function, line) of every clock read in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call) and _reads_clock(child):
                found.append((function, child.lineno))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in OUTSIDE_WORLD:
                continue
            if relative.endswith(ENTRY_POINTS[:2]) or any(part in relative for part in ENTRY_POINTS[2:]):
                continue
            yield relative, path


def test_nothing_below_a_view_task_or_command_reads_the_clock():
    unexpected, used = [], set()
    for relative, path in _modules():
        for function, line in _clock_reads(path):
            if (relative, function) in STAMPS:
                used.add((relative, function))
            else:
                unexpected.append(f"{relative}:{line} in {function}()")
    assert unexpected == [], "Pass the moment in (now= / today=) instead of reading the clock:\n" + "\n".join(
        unexpected
    )
    assert set(STAMPS) - used == set(), "A stamp listed here no longer reads the clock: drop it from STAMPS"


@pytest.mark.parametrize(
    ("source", "reads"),
    [
        ("timezone.now()", True),
        ("timezone.localdate()", True),
        ("timezone.localdate(timezone=zone)", True),
        ("timezone.localdate(now, zone)", False),
        ("date.today()", True),
        ("time.time()", True),
        ("time.monotonic()", False),
        ("now.date()", False),
    ],
)
def test_the_check_tells_a_clock_read_from_a_conversion(tmp_path, source, reads):
    module = tmp_path / "module.py"
    module.write_text(f"def f(now, zone):\n    return {source}\n")
    assert bool(_clock_reads(module)) is reads


def test_the_clock_stands_where_the_run_moved_it(request):
    """In `make test`'s runs with --clock, the tests really run on that date (and it ticks on from there)."""
    import time
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    moment = request.config.getoption("--clock")
    if not moment:
        pytest.skip("runs in make test's clock-shifted runs (--clock)")
    moved = datetime.fromisoformat(moment)
    assert moved <= timezone.now() < moved + timedelta(hours=1)
    assert abs(time.time() - moved.timestamp()) < 3600
    assert abs(datetime.now(UTC) - moved) < timedelta(hours=1)
