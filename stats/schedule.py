"""The stats jobs' schedule, read from the beat schedule in settings so the page never disagrees with it."""

from dataclasses import dataclass
from datetime import timedelta

from celery.schedules import crontab
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

JOBS = {
    "pull-fresh-video-stats": _("Figures of videos posted in the last 7 days"),
    "pull-all-video-stats": _("Figures of every video posted in the last 365 days"),
    "pull-followers": _("Follower count of each connected channel"),
    "reap-stuck-pull-runs": _("Pulls a stopped worker left unfinished: closed and done again"),
    "warn-expiring-tiktok-connections": _("Warning to team social 14 days before a channel's TikTok access expires"),
}


@dataclass(frozen=True)
class Job:
    label: str
    when: str


def _when(schedule) -> str:
    if isinstance(schedule, timedelta) and schedule < timedelta(hours=1):
        minutes = int(schedule.total_seconds() // 60)
        return ngettext("every minute", "every %(minutes)d minutes", minutes) % {"minutes": minutes}
    if isinstance(schedule, timedelta):
        hours = int(schedule.total_seconds() // 3600)
        return ngettext("every hour", "every %(hours)d hours", hours) % {"hours": hours}
    if isinstance(schedule, crontab) and len(schedule.hour) == 1 and len(schedule.minute) == 1:
        time = f"{next(iter(schedule.hour)):02d}:{next(iter(schedule.minute)):02d}"
        return _("daily at %(time)s (%(zone)s)") % {"time": time, "zone": settings.CELERY_TIMEZONE}
    return str(schedule)


def stats_jobs() -> list[Job]:
    entries = settings.CELERY_BEAT_SCHEDULE
    return [Job(str(label), _when(entries[name]["schedule"])) for name, label in JOBS.items() if name in entries]
