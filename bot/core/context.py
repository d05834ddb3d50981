"""What every core feature shares: collaborators, the DB helper, and who may do what."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.config import Config
from bot.core.types import Caller, Destination
from bot.errors import UserError

P = ParamSpec("P")
T = TypeVar("T")

# reschedule(target_kind, target, schedule): target_kind is "source" (target = source name) or
# "subscription" (target = subscription id); schedule is a cron/interval string or "immediate".
Reschedule = Callable[[str, str, str], Awaitable[None] | None]


class SessionFactory(Protocol):
    """The store as the core uses it: `with store.session() as session`."""

    def session(self) -> Any: ...


@dataclass(slots=True)
class CoreContext:
    """Collaborators built once by the CLI and handed to every feature module."""

    config: Config
    store: SessionFactory
    reschedule: Reschedule | None = None
    inference: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    async def db(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Runs `fn(session, ...)` in one committed transaction on a worker thread."""
        return await asyncio.to_thread(self._in_session, fn, *args, **kwargs)

    def _in_session(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.store.session() as session:
            return fn(session, *args, **kwargs)

    async def notify_scheduler(self, target_kind: str, target: str, schedule: str) -> None:
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
        admins = getattr(self.config.admins, caller.destination.platform, [])
        return caller.is_admin_override or caller.user_id in {str(admin) for admin in admins}

    def require_bot_admin(self, caller: Caller) -> None:
        if not self.is_bot_admin(caller):
            raise UserError("error.admin_only")

    def require_manager(self, caller: Caller, destination: Destination) -> None:
        """Changing what a chat receives: its own private chat, a chat admin, or a bot admin."""
        if destination != caller.destination:
            self.require_bot_admin(caller)
        elif not (
            destination.kind == "private" or caller.can_manage_chat or self.is_bot_admin(caller)
        ):
            raise UserError("error.chat_admin_only")

    def post_language(self, destination: Destination, caller_language: str) -> str:
        """Private chats read in their reader's language; groups and channels in the configured one."""
        if destination.kind == "private":
            return caller_language
        return self.config.delivery.language
