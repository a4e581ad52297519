"""Dates and times for the calendar: the organisation's zone, public holidays, working days."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

# The holidays library names holidays in these languages; otherwise English.
_HOLIDAY_LANGUAGES = {"nl": "nl", "sv": "sv", "en": "en_US"}


@lru_cache(maxsize=64)
def _country_holidays(country: str, year: int, language: str) -> dict[date, str]:
    calendar = holiday_calendars.country_holidays(country, years=year, language=language)
    return dict(calendar.items())


def holidays_between(country: str, start: date, end: date, language: str = "en") -> dict[date, str]:
    """Public holidays of ``country`` from ``start`` to ``end`` (inclusive), named in ``language``."""
    lang = _HOLIDAY_LANGUAGES.get(language, "en_US")
    found = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _country_holidays(country, year, lang).items() if start <= d <= end})
    return found


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in holidays_between(country, day, day)


def working_days_before(day: date, count: int, country: str) -> date:
    """The date ``count`` working days before ``day`` (weekends and public holidays skipped)."""
    current = day
    remaining = count
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current, country):
            remaining -= 1
    return current


def local_datetime(day: date, at: time, zone: str) -> datetime:
    """``day`` at local ``at`` in ``zone``, as an aware datetime (the right offset on either side of DST)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


def iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
