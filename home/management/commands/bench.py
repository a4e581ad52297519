"""``make bench``: the app at 1x, 4x and 16x one organisation's five years, in one run.

1. Queries: every main page renders with the same number of queries at 1x and 4x data.
2. Time: the median of each page over interleaved rounds, against the Django admin changelist of the same rows
   (list pages) or one raw SQL query giving the same figures (dashboards), at 16x data; printed as ratios.
3. Load: gunicorn as the README runs it, 50 logged-in users mixing the main pages for 60 s, against the same
   server answering a bare view.

One line per figure: ``ratio <name> <value>`` (and ``queries``/``time``/``load`` lines with the raw numbers); the
exit status is 1 when a target is missed. ``--small`` (CI) checks only the query counts, on little data.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

LOAD_TURNS = 3
TARGETS = {"list_vs_admin": 1.5, "dashboard_vs_sql": 3.0, "load_vs_hello": 0.10, "load_p95_seconds": 1.0}


class Command(BaseCommand):
    help = "Measure the main pages at 1x, 4x and 16x data against the admin and raw SQL, then under load."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="query counts only, on one year (CI)")
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--rounds", type=int, default=10)
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--keep", action="store_true", help="keep the bench database (its name is printed)")
        parser.add_argument("--in-place", action="store_true", help="use the configured database, don't make one")

    def handle(self, *args, small, years, rounds, users, seconds, keep, in_place, **options):
        if settings.PRODUCTION:
            raise CommandError("bench generates data with a published password; it never runs in production.")
        if connection.vendor != "postgresql" and not small:
            raise CommandError("make bench measures PostgreSQL: set DATABASE_URL=postgres://… (the README says how).")
        self.failures = []
        database = None if (in_place or small) else self._fresh_database()
        try:
            self._bench(small=small, years=1 if small else years, rounds=rounds, users=users, seconds=seconds)
        finally:
            if database and not keep:
                self._drop(database)
            elif database:
                self.stdout.write(f"bench database kept: {database}")
        if self.failures:
            raise CommandError("missed: " + "; ".join(self.failures))  # exit status 1
        self.stdout.write("every target met")

    # --- the run -------------------------------------------------------------------------------------------
    def _bench(self, *, small, years, rounds, users, seconds):
        from home.bench.generate import generate

        now = timezone.now()
        # (years, posts per week x): the 4x data has twice the years at twice the pace, so a page whose queries
        # grow with the budget periods (one per year) shows it as surely as one that grows with the rows.
        sizes = {"1x": (years, 1), "4x": (2 * years, 2)}
        if not small:
            sizes["16x"] = (years, 16)
        organisations = {}
        for name, (data_years, scale) in sizes.items():
            started = time.monotonic()
            result = generate(organisations=1, years=data_years, scale=scale, now=now, seed=len(organisations) + 1)
            organisations[name] = result.organisations[0]
            snapshots = result.counts.get("video snapshots", 0)
            self.stdout.write(
                f"data {name}: {result.counts['posted briefs']} posted videos, {snapshots} snapshots, "
                f"{result.counts['audit events']} audit events ({time.monotonic() - started:.0f} s)"
            )
        if connection.vendor == "postgresql":
            # As a running database is: statistics current and the freshly loaded tables vacuumed, so
            # autovacuum doesn't start on millions of new rows in the middle of the timings and the load.
            # (VACUUM can't run in a transaction: the small version inside a test analyses only.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        # A cache of this process's own, which the timings may clear (results are cached per data version, and the
        # page is measured as computed too) without touching a shared Redis or file cache.
        locmem = "django.core.cache.backends.locmem.LocMemCache"
        private = {"default": {"BACKEND": locmem, "LOCATION": uuid.uuid4().hex}}
        with override_settings(CACHES=private):
            self._queries(organisations["1x"], organisations["4x"])
            if small:
                return
            self._times(organisations["16x"], rounds)
        self._load(organisations["1x"], users, seconds)

    def _queries(self, one, four):
        from home.bench.pages import client_for, pages_for

        for page_one, page_four in zip(pages_for(one), pages_for(four), strict=True):
            counts = []
            for organisation, page in ((one, page_one), (four, page_four)):
                client = client_for(organisation, page.persona)
                client.get(page.url)  # warm: sessions, the first render of each template
                cache.clear()  # the queries of computing the page (results are cached per data version)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(page.url)
                if response.status_code != 200:
                    raise CommandError(f"{page.name} answered {response.status_code} at {page.url}")
                counts.append(len(queries))
            self.stdout.write(f"queries {page_one.name} 1x={counts[0]} 4x={counts[1]}")
            if counts[0] != counts[1]:
                self.failures.append(f"queries {page_one.name} grow with the data ({counts[0]} → {counts[1]})")
        self._woo_queries(one, four)

    def _woo_queries(self, one, four):
        """The disclosure package of a year of briefs: as many queries for 4x the documents."""
        # The package follows each organisation's law (names replaced under the Woo, kept in Sweden): both are
        # measured under the same one, the Woo's, whose redaction costs the most.
        laws = {organisation.pk: organisation.jurisdiction for organisation in (one, four)}
        type(one).objects.filter(pk__in=laws).update(jurisdiction="NL")
        try:
            counts = self._woo_counts(one, four)
        finally:
            for pk, law in laws.items():
                type(one).objects.filter(pk=pk).update(jurisdiction=law)
        self.stdout.write(f"queries woo_zip 12_briefs={counts[0]} 48_briefs={counts[1]}")
        if counts[0] != counts[1]:
            self.failures.append(f"queries woo_zip grow with the documents ({counts[0]} → {counts[1]})")

    def _woo_counts(self, one, four) -> list[int]:
        from content.models import Brief
        from disclosure import package

        counts = []
        for organisation in (one, four):
            actor = organisation.memberships.get(role="team_social").user
            briefs = list(
                Brief.objects.filter(organisation=organisation, status="posted")
                .select_related("organisation", "agency", "topic", "channel")
                .order_by("-created_at")[: 12 * (1 if organisation is one else 4)]
            )
            with CaptureQueriesContext(connection) as queries:
                package.build_for_briefs(briefs, actor=actor, title="bench", now=timezone.now()).close()
            counts.append(len(queries))
        return counts

    def _times(self, organisation, rounds):
        from django.urls import clear_url_caches

        from home.bench.pages import admin_changelists, client_for, pages_for, superuser_client

        pages = pages_for(organisation)
        clients = {page.name: client_for(organisation, page.persona) for page in pages}
        admin_urls = admin_changelists(pages)
        admin = superuser_client()
        timings = {page.name: {"page": [], "floor": [], "computed": []} for page in pages}
        # The admin answers through the same stack as our pages (middleware, session, second factor), so the
        # ratio compares the pages themselves.
        with override_settings(ROOT_URLCONF="tiktokplanner.bench_urls"):
            clear_url_caches()
            for name, url in admin_urls.items():
                if admin.get(url).status_code != 200:
                    raise CommandError(f"the admin changelist of {name} did not answer 200 at {url}")
            for _round in range(rounds):
                for page in pages:  # interleaved: every page and its floor in each round, so drift hits all alike
                    get = lambda page=page: clients[page.name].get(page.url)  # noqa: E731
                    if page.kind == "dashboard":
                        # Computed, as after a pull or a change (the cached results would flatter the ratio), then
                        # read again from the cache.
                        cache.clear()
                        timings[page.name]["computed"].append(_timed(get))
                    timings[page.name]["page"].append(_timed(get))
                    if page.admin_model:
                        floor = lambda url=admin_urls[page.name]: admin.get(url)  # noqa: E731
                    else:
                        floor = _raw(page.raw_sql, page.raw_params)
                    timings[page.name]["floor"].append(_timed(floor))
        clear_url_caches()
        for page in pages:
            page_ms = statistics.median(timings[page.name]["page"]) * 1000
            floor_ms = statistics.median(timings[page.name]["floor"]) * 1000
            floor = "admin" if page.admin_model else "sql"
            computed = ""
            if timings[page.name]["computed"]:
                # A dashboard meets its floor as computed, not as read from the cache (shown too).
                computed = f" cached={page_ms:.1f}ms"
                page_ms = statistics.median(timings[page.name]["computed"]) * 1000
            ratio = page_ms / floor_ms if floor_ms else 0.0
            self.stdout.write(f"time {page.name} page={page_ms:.1f}ms {floor}={floor_ms:.1f}ms{computed}")
            name = f"{page.name}_vs_{floor}"
            self.stdout.write(f"ratio {name} {ratio:.2f}")
            if page.kind == "page":
                continue  # one brief, one month, one export: no floor to meet, only its constant queries
            target = TARGETS["list_vs_admin" if page.kind == "list" else "dashboard_vs_sql"]
            if ratio > target:
                self.failures.append(f"{name} {ratio:.2f} > {target}")

    def _load(self, organisation, users, seconds):
        from home.bench.load import Gunicorn, LoadResult, run_load
        from home.bench.pages import client_for, pages_for

        pages = pages_for(organisation)
        sessions = []
        # Each person cycles through their own main pages; the agency through the pages it may open.
        agency_pages = {"home", "brief_list", "inbox"}
        for persona in ("adviser", "social", "mt", "agency"):
            urls = [
                page.url
                for page in pages
                if (page.name in agency_pages if persona == "agency" else page.persona == persona)
                and "xlsx" not in page.url
            ]
            client = client_for(organisation, persona)
            sessions.append((client.cookies[settings.SESSION_COOKIE_NAME].value, urls))
        env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "tiktokplanner.settings"}
        hello_seconds = max(10, seconds // 4)
        with Gunicorn(env) as server:
            run_load(server.url, [("", ["/health/live/"])], users=users, seconds=5)  # warm up
            # In turns (hello, mixed, three times), so a drift of the machine (another process, the cache warming)
            # falls on both sides of the ratio alike.
            turns = [
                (
                    run_load(server.url, [("", ["/health/live/"])], users=users, seconds=hello_seconds / LOAD_TURNS),
                    run_load(server.url, sessions, users=users, seconds=seconds / LOAD_TURNS),
                )
                for _turn in range(LOAD_TURNS)
            ]
            hello = LoadResult.combined([turn[0] for turn in turns])
            mixed = LoadResult.combined([turn[1] for turn in turns])
        for name, result in (("hello", hello), ("mixed", mixed)):
            self.stdout.write(
                f"load {name} users={users} requests={result.requests} errors={result.errors} "
                f"per_second={result.per_second:.1f} p50={result.median * 1000:.0f}ms "
                f"p95={result.percentile(0.95) * 1000:.0f}ms"
            )
        ratio = mixed.per_second / hello.per_second if hello.per_second else 0.0
        self.stdout.write(f"ratio load_vs_hello {ratio:.3f}")
        self.stdout.write(f"ratio load_p95_seconds {mixed.percentile(0.95):.3f}")
        self.stdout.write(f"ratio load_errors {mixed.errors}")
        if ratio < TARGETS["load_vs_hello"]:
            self.failures.append(f"load_vs_hello {ratio:.3f} < {TARGETS['load_vs_hello']}")
        if mixed.percentile(0.95) > TARGETS["load_p95_seconds"]:
            self.failures.append(f"load_p95_seconds {mixed.percentile(0.95):.3f} > {TARGETS['load_p95_seconds']}")
        if mixed.errors:
            self.failures.append(f"load_errors {mixed.errors}")

    # --- the database --------------------------------------------------------------------------------------
    def _fresh_database(self) -> str:
        import psycopg

        name = f"tiktokplanner_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_server_url("postgres"), autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        connections.close_all()
        connections.databases["default"]["NAME"] = name
        for alias in ("default",):
            connections[alias].settings_dict["NAME"] = name
        self.stdout.write(f"bench database {name}: migrating …")
        call_command("migrate", verbosity=0)
        return name

    def _drop(self, name: str) -> None:
        import psycopg

        connections.close_all()
        with psycopg.connect(_server_url("postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _timed(render) -> float:
    started = time.perf_counter()
    render()
    return time.perf_counter() - started


def _raw(sql: str, params: tuple):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def _server_url(database: str) -> str:
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{database}"


def _database_url() -> str:
    config = connection.settings_dict
    return _server_url(config["NAME"]).replace("postgresql://", "postgres://", 1)
