"""What ``make bench`` measures: each main page as its user sees it, the Django admin changelist of the same rows
(for list pages) and one raw SQL query that gives the same figures (for dashboards), the floor nothing can beat."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, User
from approvals.models import ApprovalRun
from budget.models import BudgetPeriod, CostLine
from content.models import Brief, Posting, WebcareTask


@dataclass(frozen=True)
class Page:
    name: str
    persona: str  # generated user suffix: adviser, social, mt, agency
    url: str
    # "list": compared with the admin changelist; "dashboard": with the raw SQL that computes its figures from the
    # recorded data; "page": a page of one thing (a brief, a week) or an export, timed, its queries checked
    kind: str
    admin_model: type | None = None
    admin_columns: tuple = ()
    admin_filter: tuple = ()  # (lookup, value) pairs: the same rows as the page
    raw_sql: str = ""
    raw_params: tuple = ()


def pages_for(organisation: Organisation) -> list[Page]:
    """The main pages of one generated organisation, with their admin and SQL counterparts."""
    channel = organisation.channels.get()
    period = BudgetPeriod.objects.filter(organisation=organisation).order_by("-starts_on").first()
    posting = Posting.objects.filter(brief__organisation=organisation).order_by("posted_at").first()
    brief = posting.brief
    org, channel_id = organisation.pk, channel.pk
    return [
        Page("home", "social", reverse("home"), "page",
             raw_sql="SELECT count(*) FILTER (WHERE status = 'posted'), count(*) FROM content_brief "
                     "WHERE organisation_id = %s", raw_params=(org,)),
        Page("brief_list", "adviser", reverse("brief_list"), "list", Brief,
             ("reference", "title", "topic", "status", "posting_window_start", "updated_at"),
             (("organisation", org),)),
        Page("brief_page", "social", reverse("brief_detail", args=[brief.pk]), "page",
             raw_sql="SELECT b.title, (SELECT count(*) FROM approvals_approvalrun r WHERE r.brief_id = b.id), "
                     "(SELECT count(*) FROM content_comment c WHERE c.brief_id = b.id) FROM content_brief b "
                     "WHERE b.id = %s", raw_params=(brief.pk,)),
        Page("inbox", "adviser", reverse("inbox"), "list", ApprovalRun, ("brief", "stage", "status", "step_started_at"),
             (("brief__organisation", org), ("status", "in_progress"))),
        Page("webcare", "social", reverse("webcare_list"), "list", WebcareTask,
             ("posting", "assignee", "starts_at", "ends_at", "done_at"), (("posting__brief__organisation", org),)),
        Page("cost_lines", "social", reverse("budget_costs", args=[period.pk]), "list", CostLine,
             ("brief", "kind", "supplier", "status", "amount_excl_vat", "invoice_date"), (("period", period.pk),)),
        Page("calendar", "social", reverse("calendar_month"), "page",
             raw_sql="SELECT count(*) FROM scheduling_slot WHERE channel_id = %s AND starts_at >= "
                     "date_trunc('month', now()) AND starts_at < date_trunc('month', now()) + interval '1 month'",
             raw_params=(channel_id,)),
        Page("results_all_time", "adviser", reverse("stats_channel", args=[channel_id]) + "?start=&end=", "dashboard",
             raw_sql=LATEST_SQL, raw_params=(channel_id,)),
        Page("results_all_time_mt", "mt", reverse("stats_channel", args=[channel_id]) + "?start=&end=", "dashboard",
             raw_sql=LATEST_SQL, raw_params=(channel_id,)),
        Page("video_page", "adviser", reverse("stats_video", args=[posting.pk]), "dashboard",
             raw_sql=VIDEO_SQL, raw_params=(channel_id, posting.pk)),
        Page("budget_dashboard", "mt", reverse("budget_dashboard") + f"?period={period.pk}", "dashboard",
             raw_sql=BUDGET_SQL, raw_params=(period.pk, period.pk)),
        Page("results_report", "mt", reverse("stats_report", args=[channel_id]) + "?start=&end=", "dashboard",
             raw_sql=LATEST_SQL, raw_params=(channel_id,)),
        Page("budget_xlsx", "mt", reverse("budget_export_xlsx", args=[period.pk]), "page",
             raw_sql="SELECT * FROM budget_costline WHERE period_id = %s ORDER BY created_at", raw_params=(period.pk,)),
    ]  # fmt: skip


# The figures of the results page from the snapshots themselves: each video's latest measurement, summed, with
# the median views, in one statement (PostgreSQL).
LATEST_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (s.posting_id) s.posting_id, s.views, s.likes, s.comments, s.shares
    FROM stats_videosnapshot s JOIN content_posting p ON p.id = s.posting_id
    JOIN content_brief b ON b.id = p.brief_id
    WHERE b.channel_id = %s
    ORDER BY s.posting_id, s.captured_at DESC
)
SELECT count(*), sum(views), sum(likes), sum(comments), sum(shares),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY views)
FROM latest
"""


# One video's page: its own history and the channel's median views (the latest measurement of each video).
VIDEO_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (s.posting_id) s.posting_id, s.views
    FROM stats_videosnapshot s JOIN content_posting p ON p.id = s.posting_id
    JOIN content_brief b ON b.id = p.brief_id
    WHERE b.channel_id = %s
    ORDER BY s.posting_id, s.captured_at DESC
)
SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY views) FROM latest), h.*
FROM (SELECT bucket, views, likes, comments, shares FROM stats_videosnapshot WHERE posting_id = %s) h
ORDER BY h.bucket
"""

# The MT's budget dashboard: the period's costs per status and its value for money (costs against the latest
# views and engagements of the videos posted in the period).
BUDGET_SQL = """
WITH period AS (SELECT * FROM budget_budgetperiod WHERE id = %s),
costs AS (
    SELECT status, sum(amount_excl_vat) AS amount, sum(vat_amount) AS vat, count(*) AS lines
    FROM budget_costline WHERE period_id = %s GROUP BY status
),
reach AS (
    SELECT DISTINCT ON (s.posting_id) s.views, s.likes + s.comments + s.shares AS engagements
    FROM stats_videosnapshot s JOIN content_posting p ON p.id = s.posting_id
    JOIN content_brief b ON b.id = p.brief_id, period
    WHERE b.organisation_id = period.organisation_id
      AND p.posted_at >= period.starts_on AND p.posted_at < period.ends_on + 1
    ORDER BY s.posting_id, s.captured_at DESC
)
SELECT (SELECT json_agg(costs) FROM costs), (SELECT sum(views) FROM reach), (SELECT sum(engagements) FROM reach)
"""


def client_for(organisation: Organisation, persona: str) -> Client:
    """A test client logged in as the generated person, past both steps (as after a right code)."""
    user = User.objects.get(username=f"bench{organisation.slug.removeprefix('bench-')}-{persona}")
    return _verified_client(user)


def _verified_client(user) -> Client:
    """A test client logged in as ``user``, past both steps (as after a right code)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class BenchAdminSite(admin.AdminSite):
    """A private admin site, routed only while ``make bench`` times it (``tiktokplanner.bench_urls``): its
    changelists show the same rows as our list pages, through the same middleware, sessions and second factor."""


bench_admin_site = BenchAdminSite(name="bench")


def admin_changelists(pages: list[Page]) -> dict[str, str]:
    """Register a changelist per list page on the bench site (the page's columns, its rows, 50 a page, as our
    lists); returns page name → the changelist's URL under /bench-admin/. Call before ``tiktokplanner.bench_urls`` is
    first imported (the site's URLs are read from its registry then)."""
    urls = {}
    for page in pages:
        if page.admin_model is None:
            continue
        if bench_admin_site.is_registered(page.admin_model):
            bench_admin_site.unregister(page.admin_model)

        class Changelist(admin.ModelAdmin):
            list_display = page.admin_columns
            list_per_page = 50
            list_select_related = True
            rows = dict(page.admin_filter)

            def get_queryset(self, request):
                return super().get_queryset(request).filter(**self.rows)

        bench_admin_site.register(page.admin_model, Changelist)
        meta = page.admin_model._meta
        urls[page.name] = f"/bench-admin/{meta.app_label}/{meta.model_name}/"
    return urls


def superuser_client() -> Client:
    """A client logged in as the bench's superuser, past both steps (the admin needs no membership)."""
    user, _ = User.objects.update_or_create(
        username="bench-superuser", defaults={"is_superuser": True, "is_staff": True, "email": "bench@example.org"}
    )
    return _verified_client(user)
