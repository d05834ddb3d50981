"""Schedules as admins write them: crontab strings or intervals such as `30m`, `2h`, `1d`.

Cron strings mean what crontab means. APScheduler 3 numbers weekdays from Monday = 0 (crontab:
Sunday = 0) and requires both day fields to match (crontab: either, when both are restricted), so
the day-of-week field is expanded to day names and such a pair becomes an OrTrigger.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

# The store keeps schedules in VARCHAR(64) columns, which PostgreSQL enforces (SQLite does not).
MAX_SCHEDULE_CHARS = 64
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: Sunday = 0


def parse_schedule(text: str, timezone: str = "UTC") -> BaseTrigger:
    """Returns the APScheduler trigger; raises ValueError with an admin-readable reason."""
    if len(text) > MAX_SCHEDULE_CHARS:
        raise ValueError(f"schedule longer than {MAX_SCHEDULE_CHARS} characters: {text!r}")
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
        days = _crontab_day_of_week(day_of_week)
        cron = {"minute": minute, "hour": hour, "month": month, "timezone": timezone}
        if not day.startswith("*") and not day_of_week.startswith("*"):
            # Crontab: when both day fields are restricted, either one matching is enough.
            return OrTrigger(
                [
                    CronTrigger(day=day, day_of_week="*", **cron),
                    CronTrigger(day="*", day_of_week=days, **cron),
                ]
            )
        return CronTrigger(day=day, day_of_week=days, **cron)
    except ValueError as error:
        raise ValueError(f"invalid cron string {text!r}: {error}") from None


def _crontab_day_of_week(field: str) -> str:
    """Crontab's weekday field (0 or 7 = Sunday, names, ranges, steps) as explicit day names.

    APScheduler 3 numbers weekdays from Monday = 0 and ignores a step after a named range, so the
    field is expanded here into the days crontab means: `*/2` is Sun, Tue, Thu, Sat.
    """
    days: set[int] = set()
    for item in field.lower().split(","):
        part, slash, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() else 0 if slash else 1
        if step < 1:
            raise ValueError(f"bad step in day of week: {item!r}")
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            low, high = part.split("-", 1)
            first, last = _crontab_day(low), _crontab_day(high)
        else:
            first = _crontab_day(part)
            last = 6 if slash else first
        if first > last:
            raise ValueError(f"day-of-week range runs backwards: {item!r}")
        days.update(number % 7 for number in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(_DAY_NAMES[number] for number in sorted(days))


def _crontab_day(text: str) -> int:
    """0-7 (0 and 7 are Sunday) or a three-letter day name, as crontab's number."""
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text in _DAY_NAMES:
        return _DAY_NAMES.index(text)
    raise ValueError(f"not a day of week: {text!r}")


def fired_between(schedule: str, after: datetime, until: datetime) -> bool:
    """Whether the schedule fires in (after, until]: the question one scheduler tick asks.

    Intervals are aligned to the epoch (`30m` fires at :00 and :30), so every process that asks
    gets the same answer without remembering when it started.
    """
    trigger = parse_schedule(schedule)
    if isinstance(trigger, IntervalTrigger):
        seconds = trigger.interval.total_seconds()
        return int(until.timestamp() // seconds) > int(after.timestamp() // seconds)
    upcoming = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return upcoming is not None and upcoming <= until
