"""What every core feature shares: collaborators, and who may do what."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.config import Config
from bot.core.types import Caller, ChatKind, Destination
from bot.errors import UserError
from bot.store import ScheduleTarget, Store

# reschedule(target_kind, target, schedule): for SOURCE the target is the source name, for
# SUBSCRIPTION the subscription id; schedule is a cron/interval string or "immediate".
Reschedule = Callable[[ScheduleTarget, str, str], Awaitable[None] | None]


@dataclass(slots=True)
class CoreContext:
    """Collaborators built once by the composition root and handed to every feature module."""

    config: Config
    store: Store
    reschedule: Reschedule | None = None
    inference: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    async def notify_scheduler(
        self, target_kind: ScheduleTarget, target: str, schedule: str
    ) -> None:
        """Tells the scheduler a job's schedule changed (sync or async callback)."""
        if self.reschedule is None:
            return
        result = self.reschedule(target_kind, target, schedule)
        if inspect.isawaitable(result):
            await result

    def source_names(self) -> list[str]:
        """Configured source names, in config order."""
        return [source.name for source in self.config.sources]

    def is_bot_admin(self, caller: Caller) -> bool:
        """Listed in config.admins.<platform>, or granted by the platform (adapter's flag)."""
        admins = self.config.admins.of(caller.destination.platform)
        return caller.is_admin_override or caller.user_id in {str(admin) for admin in admins}

    def require_bot_admin(self, caller: Caller) -> None:
        if not self.is_bot_admin(caller):
            raise UserError("error.admin_only")

    def require_manager(self, caller: Caller, destination: Destination) -> None:
        """Changing what a chat receives: its own private chat, a chat admin, or a bot admin."""
        if destination != caller.destination:
            self.require_bot_admin(caller)
        elif not (
            destination.kind == ChatKind.PRIVATE
            or caller.can_manage_chat
            or self.is_bot_admin(caller)
        ):
            raise UserError("error.chat_admin_only")

    def post_language(self, destination: Destination, caller_language: str) -> str:
        """Private chats read in their reader's language; groups and channels in the configured one."""
        if destination.kind == ChatKind.PRIVATE:
            return caller_language
        return self.config.delivery.language
