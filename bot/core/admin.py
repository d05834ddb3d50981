"""Bot-admin commands: source health, schedules, status, and pausing posting per platform."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.context import CoreContext
from bot.core.delivery import paused_key
from bot.core.subscriptions import snapshot
from bot.core.types import Caller, Destination, Reply
from bot.errors import UserError
from bot.i18n import t
from bot.schedules import parse_schedule
from bot.store import deliveries, overrides, settings
from bot.store import subscriptions as store
from bot.store.models import Source

log = logging.getLogger(__name__)

CHAT_TARGETS = ("chat", "here", "هنا")


@dataclass(frozen=True, slots=True)
class Health:
    """A source's fetch health, detached from the session."""

    name: str
    last_fetch: datetime | None
    last_success: datetime | None
    failures: int
    disabled: bool
    last_error: str | None


class Admin:
    """The commands that change or inspect the whole bot; permission checks happen in Core."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context

    async def sources(self, caller: Caller) -> Reply:
        health = await self.context.db(_health)
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
                    failures=state.failures if state else 0,
                    disabled=t(
                        "common.yes" if state and state.disabled else "common.no", caller.language
                    ),
                )
            )
        return Reply(text="\n".join(lines))

    async def status(self, caller: Caller) -> Reply:
        platform = caller.destination.platform
        paused = await self.context.db(settings.get_setting, paused_key(platform)) == "1"
        queue = await self.context.db(_queue, platform)
        health = await self.context.db(_health)
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
        await self.context.db(settings.set_setting, paused_key(platform), "1" if paused else "0")
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
        await self.context.db(
            overrides.set_override,
            "source",
            name,
            schedule,
            file_value=source.schedule,
            set_by=caller.user_id,
        )
        await self.context.notify_scheduler("source", name, schedule)
        log.info("source %s rescheduled to %r by user %s", name, schedule, caller.user_id)
        return Reply(
            text=t("schedule.source_done", caller.language, source=name, schedule=schedule)
        )

    async def _schedule_chat(self, caller: Caller, schedule: str, dest: Destination) -> Reply:
        self.context.require_manager(caller, dest)
        _validate(schedule, allow_immediate=True)
        subscription_id = await self.context.db(_set_chat_schedule, dest, schedule, caller.user_id)
        if subscription_id is None:
            raise UserError("error.not_subscribed")
        await self.context.notify_scheduler("subscription", str(subscription_id), schedule)
        log.info(
            "subscription %s rescheduled to %r by user %s",
            subscription_id,
            schedule,
            caller.user_id,
        )
        key = "schedule.chat_immediate" if schedule == store.IMMEDIATE else "schedule.chat_done"
        return Reply(text=t(key, caller.language, schedule=schedule))


def _validate(schedule: str, *, allow_immediate: bool) -> None:
    if allow_immediate and schedule == store.IMMEDIATE:
        return
    try:
        parse_schedule(schedule)
    except ValueError:
        raise UserError("error.bad_schedule", schedule=schedule) from None


def _when(moment: datetime | None, language: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else t("common.never", language)


def _health(session: Session) -> dict[str, Health]:
    return {
        row.name: Health(
            row.name,
            row.last_fetch_at,
            row.last_success_at,
            row.consecutive_failures,
            row.disabled,
            row.last_error,
        )
        for row in session.scalars(select(Source).order_by(Source.name))
    }


def _queue(session: Session, platform: str) -> int:
    """Summaries due to active subscriptions of the platform and not yet delivered."""
    total = 0
    for row in store.active_subscriptions(session, platform):
        view = snapshot(row)
        dest = view.destination
        total += len(
            deliveries.pending_summaries(
                session,
                dest.platform,
                dest.chat_id,
                dest.thread_id,
                since=view.since,
                sources=view.sources,
            )
        )
    return total


def _set_chat_schedule(
    session: Session, dest: Destination, schedule: str, user_id: str
) -> int | None:
    """Persists the chat's schedule; for a config channel also as an override the file can undo."""
    row = store.find_subscription(session, dest)
    if row is None or not row.active:
        return None
    if row.origin == "config":
        earlier = store.override_of(session, row.id)
        # the file's value is what the last sync wrote, unless an override already replaced it
        file_value = earlier.file_value if earlier is not None else row.schedule
        overrides.set_override(
            session, "subscription", str(row.id), schedule, file_value=file_value, set_by=user_id
        )
    row.schedule = schedule
    return row.id
