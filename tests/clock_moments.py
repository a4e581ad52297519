"""The moments `make test` runs the non-browser tests at again (one ISO date-time a line), from today's date:

- the next New Year's night in The Hague, 00:30 (still 31 December in UTC: local and UTC dates differ), and
- 19 months ahead at noon UTC, on the same day of the month (the 28th at most): past a year end.

CLOCK_MOMENTS (space-separated ISO date-times) replaces them, e.g. to reproduce a failure.
"""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def moments(today: date) -> list[str]:
    new_year = datetime(today.year + 1, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    month = today.year * 12 + today.month - 1 + 19
    later = datetime(month // 12, month % 12 + 1, min(today.day, 28), 12, tzinfo=UTC)
    return [new_year.isoformat(), later.isoformat()]


if __name__ == "__main__":
    chosen = os.environ.get("CLOCK_MOMENTS", "").split() or moments(datetime.now(UTC).date())
    print("\n".join(chosen))
