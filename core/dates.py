"""Dates and times as each language writes them (Babel's CLDR data): "dinsdag 8 december 2026, 16:00",
"tisdag 8 december 2026, 16:00", "Tuesday 8 December 2026, 16:00" (English as en-GB, day first, 24 hours).

Django's ``date`` filter capitalises abbreviated months ("8 Dec") and Dutch weekdays ("Dinsdag") whatever the
language; CLDR doesn't. A moment is shown in the current time zone (the organisation's, in a request or a mail).
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from django.utils import timezone, translation

PATTERNS = {
    "long": "EEEE d MMMM y, HH:mm",  # Tuesday 8 December 2026, 16:00
    "day": "EEEE d MMMM y",  # Tuesday 8 December 2026
    "weekday": "EEEE d MMMM, HH:mm",  # Tuesday 8 December, 16:00
    "short": "EEE d MMM, HH:mm",  # Tue 8 Dec, 16:00
    "date": "d MMMM y",  # 8 December 2026
}
LOCALES = {"en": "en_GB", "nl": "nl_NL", "sv": "sv_SE"}


def locale() -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return LOCALES.get(language, "en_GB")


def moment(value: datetime | date | None, style: str = "long", zone=None) -> str:
    """``value`` in ``style`` (a key of PATTERNS) for the active language, in ``zone`` (default: the current
    time zone); "" for None."""
    cldr = PATTERNS[style]
    return pattern(value, cldr if isinstance(value, datetime) else cldr.split(",")[0], zone)


def pattern(value: datetime | date | None, cldr: str, zone=None) -> str:
    """``value`` in a CLDR pattern of one's own ("LLL": the month's stand-alone abbreviation, "nov", "okt")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, zone)
        return format_datetime(value, cldr, locale=locale())
    return format_date(value, cldr, locale=locale())
