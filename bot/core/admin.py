"""Bot-admin commands: source health, schedules, status, and pausing posting per platform."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.context import CoreContext
from bot.core.types import Caller, Destination, Reply
from bot.errors import UserError
from bot.i18n import t
from bot.recurrence import parse_schedule
from bot.store import IMMEDIATE, ScheduleTarget

log = logging.getLogger(__name__)

CHAT_TARGETS = ("chat", "here", "هنا")


class Admin:
    """The commands that change or inspect the whole bot; permission checks happen in Core."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context

    async def sources(self, caller: Caller) -> Reply:
        health = await self.context.store.sources.states()
        lines = [t("sources.header", caller.language)]
        for source in self.context.config.sources:
            state = health.get(source.name)
            lines.append(
                t(
                    "sources.line",
                    caller.language,
                    name=source.name,
                    enabled=t("common.yes" if source.enabled else "common.no", caller.language),
                    last_fetch=_when(state.last_fetch if state else None, caller.language),
                    last_success=_when(state.last_success if state else None, caller.language),
                    failures=state.consecutive_failures if state else 0,
                    disabled=t(
                        "common.yes" if state and state.disabled else "common.no", caller.language
                    ),
                )
            )
        return Reply(text="\n".join(lines))

    async def status(self, caller: Caller) -> Reply:
        platform = caller.destination.platform
        paused = await self.context.store.settings.is_paused(platform)
        queue = await self.context.store.deliveries.queue_size(platform)
        health = await self.context.store.sources.states()
        lines = [
            t("status.header", caller.language, platform=platform),
            t("status.paused" if paused else "status.running", caller.language),
            t("status.queue", caller.language, count=queue),
        ]
        for name, state in health.items():
            lines.append(
                t(
                    "status.source",
                    caller.language,
                    name=name,
                    last_fetch=_when(state.last_fetch, caller.language),
                    error=state.last_error or t("common.none", caller.language),
                )
            )
        return Reply(text="\n".join(lines))

    async def set_paused(self, caller: Caller, paused: bool) -> Reply:
        platform = caller.destination.platform
        await self.context.store.settings.set_paused(platform, paused)
        log.info(
            "posting on %s %s by user %s",
            platform,
            "paused" if paused else "resumed",
            caller.user_id,
        )
        return Reply(text=t("pause.done" if paused else "resume.done", caller.language))

    async def schedule(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        """`/schedule chat CRON` (chat managers) or `/schedule SOURCE CRON` (bot admins)."""
        name, _, schedule = args.strip().partition(" ")
        schedule = schedule.strip()
        if not name or not schedule:
            raise UserError("error.schedule_usage")
        if name in CHAT_TARGETS:
            return await self._schedule_chat(caller, schedule, target or caller.destination)
        if name not in self.context.source_names():
            raise UserError(
                "error.unknown_target",
                target=name,
                valid=", ".join([CHAT_TARGETS[0], *self.context.source_names()]),
            )
        self.context.require_bot_admin(caller)
        _validate(schedule, allow_immediate=False)
        source = next(source for source in self.context.config.sources if source.name == name)
        await self.context.store.schedules.set_override(
            ScheduleTarget.SOURCE, name, schedule, file_value=source.schedule, set_by=caller.user_id
        )
        await self.context.notify_scheduler(ScheduleTarget.SOURCE, name, schedule)
        log.info("source %s rescheduled to %r by user %s", name, schedule, caller.user_id)
        return Reply(
            text=t("schedule.source_done", caller.language, source=name, schedule=schedule)
        )

    async def _schedule_chat(self, caller: Caller, schedule: str, dest: Destination) -> Reply:
        self.context.require_manager(caller, dest)
        _validate(schedule, allow_immediate=True)
        subscription_id = await self.context.store.subscriptions.set_schedule(
            dest, schedule, caller.user_id
        )
        if subscription_id is None:
            raise UserError("error.not_subscribed")
        await self.context.notify_scheduler(
            ScheduleTarget.SUBSCRIPTION, str(subscription_id), schedule
        )
        log.info(
            "subscription %s rescheduled to %r by user %s",
            subscription_id,
            schedule,
            caller.user_id,
        )
        key = "schedule.chat_immediate" if schedule == IMMEDIATE else "schedule.chat_done"
        return Reply(text=t(key, caller.language, schedule=schedule))


def _validate(schedule: str, *, allow_immediate: bool) -> None:
    if allow_immediate and schedule == IMMEDIATE:
        return
    try:
        parse_schedule(schedule)
    except ValueError:
        raise UserError("error.bad_schedule", schedule=schedule) from None


def _when(moment: datetime | None, language: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else t("common.never", language)
