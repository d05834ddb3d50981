"""Schedules as admins write them: crontab strings mean what crontab means."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.recurrence import parse_schedule


def test_0_9_star_star_1_fires_on_a_monday():
    sunday = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)
    fire = parse_schedule("0 9 * * 1").get_next_fire_time(None, sunday)
    assert (fire.weekday(), fire.hour, fire.minute, fire.day) == (0, 9, 0, 6)


@pytest.mark.parametrize(
    ("cron", "days"),
    [
        ("0 9 * * */2", "Tue Thu Sat Sun"),  # crontab's step starts on Sunday = 0
        ("0 9 * * 0-4", "Mon Tue Wed Thu Sun"),
        ("0 9 * * 1-5/2", "Mon Wed Fri Mon"),
        ("0 9 * * 5-7", "Fri Sat Sun Fri"),
        ("0 9 * * sat,7", "Sat Sun Sat Sun"),
        ("0 9 1 * 1", "Mon Mon Mon Mon Sat"),  # both day fields set: either matches (Feb 1)
    ],
)
def test_cron_weekdays_mean_what_crontab_means(cron, days):
    moment = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)  # a Sunday, after 09:00
    trigger = parse_schedule(cron)
    fired = []
    for _ in days.split():
        moment = trigger.get_next_fire_time(None, moment)
        fired.append(moment.strftime("%a"))
        moment = moment.replace(hour=12)
    assert " ".join(fired) == days


@pytest.mark.parametrize("cron", ["0 9 * * 8", "0 9 * * 5-1", "0 9 * * */0", "0 9 * * funday"])
def test_bad_weekday_fields_are_rejected(cron):
    with pytest.raises(ValueError, match="invalid cron string"):
        parse_schedule(cron)
