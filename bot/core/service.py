"""The `Core`: the one place that decides commands, subscriptions, delivery and Q&A for all platforms.

A thin dispatcher: permissions from the command table, the work in the feature modules.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.config import Config
from bot.core.admin import Admin
from bot.core.commands import COMMANDS, find_command
from bot.core.context import CoreContext
from bot.core.delivery import Deliverer, Sender
from bot.core.qa import QuestionAnswering
from bot.core.subscriptions import Subscriptions
from bot.core.summary import SummaryCommand
from bot.core.types import AnswerView, Caller, Destination, RepliedMessage, Reply
from bot.errors import DatabaseUnavailable, UserError
from bot.i18n import t
from bot.sections import ChannelConfig

log = logging.getLogger(__name__)

Handler = Callable[[Caller, str, RepliedMessage | None, Destination | None], Awaitable[Reply]]


class Core:
    """Commands, subscriptions, exactly-once delivery and follow-up Q&A, shared by every adapter."""

    def __init__(
        self,
        context: CoreContext,
        *,
        subscriptions: Subscriptions,
        delivery: Deliverer,
        summary: SummaryCommand,
        qa: QuestionAnswering,
        admin: Admin,
    ) -> None:
        self.context = context
        self.subscriptions = subscriptions
        self.delivery = delivery
        self.summary = summary
        self.qa = qa
        self.admin = admin
        self._handlers: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "subscribe": lambda c, a, r, d: self.subscriptions.subscribe(c, a, d),
            "unsubscribe": lambda c, a, r, d: self.subscriptions.unsubscribe(c, a, d),
            "subscriptions": lambda c, a, r, d: self.subscriptions.list(c, d),
            "summary": lambda c, a, r, d: self.summary.run(c, a, r),
            "ask": lambda c, a, r, d: self.qa.ask(c, a, r),
            "schedule": lambda c, a, r, d: self.admin.schedule(c, a, d),
            "sources": lambda c, a, r, d: self.admin.sources(c),
            "status": lambda c, a, r, d: self.admin.status(c),
            "pause": lambda c, a, r, d: self.admin.set_paused(c, True),
            "resume": lambda c, a, r, d: self.admin.set_paused(c, False),
        }
        missing = {spec.name for spec in COMMANDS} ^ set(self._handlers)
        if missing:
            raise RuntimeError(f"command table and handlers disagree: {sorted(missing)}")

    def update_config(self, config: Config) -> None:
        """Takes a reloaded config: sources, limits and Q&A settings apply from the next command."""
        self.context.config = config
        self.qa.options = config.qa.to_options()

    async def start(self) -> int:
        """Call once before delivering: rows a crash left `sending` become `unknown` (never re-sent)."""
        return await self.delivery.recover()

    async def handle(
        self,
        name: str,
        caller: Caller,
        args: str = "",
        replied: RepliedMessage | None = None,
        *,
        target: Destination | None = None,
    ) -> Reply:
        """Runs one command; `target` is a channel the adapter resolved (and checked rights in)."""
        spec = find_command(name)
        if spec is None:
            raise UserError("error.unknown_command", command=name)
        if spec.admin_only:
            self.context.require_bot_admin(caller)
        log.debug(
            "command %s from user %s in %s:%s",
            spec.name,
            caller.user_id,
            caller.destination.platform,
            caller.destination.chat_id,
        )
        try:
            return await self._handlers[spec.name](caller, args, replied, target)
        except DatabaseUnavailable:
            raise UserError("error.store_unavailable") from None

    async def ask(self, caller: Caller, question: str, replied: RepliedMessage | None) -> Reply:
        """A follow-up question replying to a post or an earlier answer."""
        try:
            return await self.qa.ask(caller, question, replied)
        except DatabaseUnavailable:
            raise UserError("error.store_unavailable") from None

    async def record_message(
        self,
        dest: Destination,
        message_id: str,
        article_id: int,
        parent_message_id: str | None = None,
        question: str | None = None,
        answer: str | None = None,
    ) -> None:
        """Adapters call this after sending a post or an answer, so replies to it find the article."""
        await self.context.store.messages.record(
            dest,
            str(message_id),
            article_id,
            parent_message_id=None if parent_message_id is None else str(parent_message_id),
            question=question,
            answer=answer,
        )

    async def record_answer(
        self, dest: Destination, message_id: str, answer: AnswerView, replied: RepliedMessage | None
    ) -> None:
        """A message carrying this turn of the conversation: replies to it continue from here."""
        await self.record_message(
            dest,
            message_id,
            answer.article_id,
            parent_message_id=replied.message_id if replied else None,
            question=answer.question,
            answer=answer.answer,
        )

    async def deliver_new(self, sender: Sender) -> int:
        """Immediate subscriptions of `sender.platform` get their new summaries; returns posts sent."""
        return await self.delivery.deliver_new(sender)

    async def deliver_digest(self, sender: Sender, subscription_id: int) -> int:
        """A digest subscription gets its pending summaries (capped, oldest first)."""
        return await self.delivery.deliver_digest(sender, subscription_id)

    async def sync_config_channels(
        self, platform: str, channels: Sequence[ChannelConfig]
    ) -> list[int]:
        """Config channels become config subscriptions (at start and on reload)."""
        return await self.subscriptions.sync_config_channels(platform, channels)

    def help_text(self, caller: Caller) -> str:
        """Every command with its arguments and description; admin ones only for bot admins."""
        language = caller.language
        admin = self.context.is_bot_admin(caller)
        lines = [t("help.header", language)]
        for spec in COMMANDS:
            if spec.admin_only and not admin:
                continue
            usage = (
                f"/{spec.name} {t(spec.args_key, language)}" if spec.args_key else f"/{spec.name}"
            )
            lines.append(
                t("help.line", language, usage=usage, description=t(spec.help_key, language))
            )
        lines.append(t("help.footer", language))
        return "\n".join(lines)

    async def _start(
        self, caller: Caller, args: str, replied: RepliedMessage | None, target: Destination | None
    ) -> Reply:
        return Reply(text=t("start.welcome", caller.language) + "\n\n" + self.help_text(caller))

    async def _help(
        self, caller: Caller, args: str, replied: RepliedMessage | None, target: Destination | None
    ) -> Reply:
        return Reply(text=self.help_text(caller))
