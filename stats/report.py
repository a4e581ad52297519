"""The results page and the "results to date" report share one context: the same figures, the same
SVG charts and the same data tables, in the page and in the PDF. Sections from apps above (the budget's use
for those who may see it) come through the ``results_panels`` hook."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from core import charts, hooks

from .selectors import PILOT_BANDS, channel_results, results_version

logger = logging.getLogger(__name__)
RESULTS_CACHE_SECONDS = 600  # a bound for what no version catches (a topic renamed in the platform's admin)


def results_context(channel, start, end, membership, *, today) -> dict:
    """The figures, charts and panels of a channel's period, computed once per version of the data they come
    from (``results_version``): the results page, the report and the MT's view of them are read far more often
    than a pull or a hand changes the data, and computing them is most of their time. The key holds everything
    else they depend on: the period, today, the language (labels) and the role (the budget's panel)."""
    version = results_version(channel)
    key = (
        "results:"
        + hashlib.sha256(
            repr(
                (channel.pk, start, end, today, translation.get_language(), getattr(membership, "role", None), version)
            ).encode()
        ).hexdigest()
    )
    context = _cache_get(key)
    if context is None:
        context = _results_context(channel, start, end, membership, today=today)
        _cache_set(key, context)
    # The rendered figures are cached under the same key (report_body.html), none without one.
    return context | {"results_key": key}


def _cache_get(key):
    # The cache (Redis in production) may be down: the page then computes its figures, as without a cache.
    try:
        return cache.get(key)
    except (RedisError, OSError) as error:
        logger.warning("Results: the cache can't be read (%s); computing the figures", error)
        return None


def _cache_set(key, context) -> None:
    try:
        cache.set(key, context, RESULTS_CACHE_SECONDS)
    except (RedisError, OSError) as error:
        logger.warning("Results: the cache can't be written (%s)", error)


def _results_context(channel, start, end, membership, *, today) -> dict:
    results = channel_results(channel, start, end, today=today)
    context = {
        "channel": channel,
        "results": results,
        "start": start,
        "end": end,
        "bands": PILOT_BANDS,
        "follower_chart": charts.line([(row.day, row.followers) for row in results.follower_points]),
        "weeks_chart": charts.columns([(row["label"], row["posts"]) for row in results.posts_per_week]),
        "topic_chart": charts.bars([(row.name, row.median_views) for row in results.topics]),
        # Apps above stats add sections (budget: its use per budget period) through the results_panels hook.
        "panels": [panel for hook in hooks.get("results_panels") if (panel := hook(channel, start, end, membership))],
    }
    return context


def render_pdf(context: dict, request) -> bytes:
    """The report as PDF: WeasyPrint lays out the same HTML and SVG as the page."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango, a system library, is missing
        raise PdfUnavailable(_("PDF output needs the Pango library on the server.")) from error
    html = render_to_string("stats/report_pdf.html", context, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url, *args, **kwargs):
    """The report is self-contained (inline SVG and CSS): WeasyPrint never fetches anything."""
    raise ValueError(f"The PDF report does not load {url}")


class PdfUnavailable(Exception):
    pass
