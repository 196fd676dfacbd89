"""When a seed's schedule is next due: a schedule word or cron expression in a time zone.

Times are UTC, naive (like every DateTime column of the catalogue). The cron expression is
read in the seed's own time zone, so ``daily`` in Asia/Shanghai is due at 18:00 UTC, and in a
zone with daylight saving time a daily crawl keeps its local hour across the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from diancang.seeds.schema import DEFAULT_TIMEZONE, ONCE, SCHEDULE_WORDS


def cron_of(schedule: str) -> str | None:
    """The cron expression of ``schedule`` (a word of ``SCHEDULE_WORDS`` or cron itself);
    None for ``once``."""
    return SCHEDULE_WORDS.get(schedule, schedule)


def next_due(
    schedule: str, timezone: str | None, after: datetime, last_due: datetime | None = None
) -> datetime | None:
    """The first due time of ``schedule`` later than ``after`` (UTC, naive).

    ``once`` is due at ``after`` itself until it has been queued (``last_due`` set), then
    never again."""
    if schedule == ONCE:
        return after if last_due is None else None
    zone = ZoneInfo(timezone or DEFAULT_TIMEZONE)
    local = after.replace(tzinfo=UTC).astimezone(zone)
    due = croniter(cron_of(schedule), local).get_next(datetime)
    return due.astimezone(UTC).replace(tzinfo=None)
