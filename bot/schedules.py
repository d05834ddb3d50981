"""Schedules as admins write them: crontab strings or intervals such as `30m`, `2h`, `1d`.

APScheduler 3's `CronTrigger.from_crontab` numbers weekdays from Monday = 0, unlike crontab's
Sunday = 0; we translate day-of-week fields to names so `0 9 * * 1` means Monday, as in crontab.
"""

from __future__ import annotations

import re
from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_schedule(text: str, timezone: str = "UTC") -> BaseTrigger:
    """Returns the APScheduler trigger; raises ValueError with an admin-readable reason."""
    interval = _INTERVAL.match(text)
    if interval:
        amount = int(interval.group(1))
        if amount <= 0:
            raise ValueError(f"interval must be positive: {text!r}")
        delta = timedelta(**{_UNITS[interval.group(2)]: amount})
        if delta < timedelta(seconds=10):
            raise ValueError(f"interval too short (minimum 10s): {text!r}")
        return IntervalTrigger(seconds=int(delta.total_seconds()), timezone=timezone)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"not a cron string (5 fields) or an interval like 30m: {text!r}")
    minute, hour, day, month, day_of_week = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_day_of_week(day_of_week),
            timezone=timezone,
        )
    except ValueError as error:
        raise ValueError(f"invalid cron string {text!r}: {error}") from None


def _crontab_day_of_week(field: str) -> str:
    """Rewrites crontab's numeric weekdays (0 or 7 = Sunday) as names APScheduler reads unambiguously."""

    def name(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if number > 7:
            raise ValueError(f"day of week out of range: {number}")
        return _CRONTAB_DAYS[number]

    if field.startswith("*/"):  # a step over all days means the same in both numberings
        return field
    return re.sub(r"\d+", name, field)
