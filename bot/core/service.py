"""The `Core`: the one place that decides commands, subscriptions, delivery and Q&A for all platforms.

A thin dispatcher: permissions from the command table, the work in the feature modules.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bot.config import Config
from bot.core.admin import Admin
from bot.core.commands import COMMANDS, find_command
from bot.core.context import CoreContext
from bot.core.delivery import Deliverer, Sender
from bot.core.outbox import Outbox, respond
from bot.core.qa import QuestionAnswering
from bot.core.story_edits import StoryEdits
from bot.core.subscriptions import SubscriptionCommands
from bot.core.summary_command import SummaryCommand
from bot.core.types import Caller, Destination, RepliedMessage, Reply
from bot.errors import DatabaseUnavailable, UserError
from bot.i18n import t
from bot.sections import ChannelConfig
from bot.store import DueStory

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Request:
    """One command as the handlers see it: who, the argument text, the replied message, the target."""

    caller: Caller
    args: str
    replied: RepliedMessage | None
    target: Destination | None


Handler = Callable[[Request], Awaitable[Reply]]


class Core:
    """Commands, subscriptions, exactly-once delivery and follow-up Q&A, shared by every adapter."""

    def __init__(
        self,
        context: CoreContext,
        *,
        subscriptions: SubscriptionCommands,
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
        self.story_edits = StoryEdits(context)
        self._handlers: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "subscriptions": self._subscriptions,
            "pictures": self._pictures,
            "summary": self._summary,
            "ask": self._ask,
            "schedule": self._schedule,
            "sources": self._sources,
            "status": self._status,
            "pause": self._pause,
            "resume": self._resume,
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
        out: Outbox | None = None,
    ) -> Reply:
        """Runs one command and sends its reply through `out`, recording what was said.

        `target` is a channel the adapter resolved (and checked rights in); without `out` the
        reply is only returned (the console subscribing itself at start).
        """
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
        with _outage_as_reader_error():
            reply = await self._handlers[spec.name](Request(caller, args, replied, target))
            await self._send(reply, out, replied)
        return reply

    async def ask(
        self,
        caller: Caller,
        question: str,
        replied: RepliedMessage | None,
        out: Outbox | None = None,
    ) -> Reply:
        """A follow-up question replying to a post or an earlier answer, answered through `out`."""
        with _outage_as_reader_error():
            reply = await self.qa.ask(caller, question, replied)
            await self._send(reply, out, replied)
        return reply

    async def prompt(
        self, caller: Caller, article_id: int, post: RepliedMessage, out: Outbox
    ) -> None:
        """The «ask» button under a post: asks the reader to type a question on its article."""
        with _outage_as_reader_error():
            await self._send(self.qa.prompt(caller, article_id), out, post)

    async def _send(self, reply: Reply, out: Outbox | None, replied: RepliedMessage | None) -> None:
        if out is not None:
            await respond(self.context.store.messages, reply, out, replied)

    async def deliver_new(self, sender: Sender) -> int:
        """Immediate subscriptions of `sender.platform` get their new summaries; returns posts sent."""
        return await self.delivery.deliver_new(sender)

    async def deliver_digest(self, sender: Sender, subscription_id: int) -> int:
        """A digest subscription gets its pending stories (capped, most sources first)."""
        return await self.delivery.deliver_digest(sender, subscription_id)

    async def deliver_backlog(
        self, sender: Sender, dest: Destination, language: str, limit: int | None
    ) -> int:
        """Every story not yet delivered to `dest`, oldest first (`khulasa digest`'s console)."""
        return await self.delivery.deliver_backlog(sender, dest, language, limit)

    async def every_story(self, dest: Destination, limit: int | None) -> list[DueStory]:
        """Every stored story as `dest` would first get it, recording nothing (`--all`)."""
        return await self.delivery.stories(dest, limit)

    async def edit_stories(self, sender: Sender) -> int:
        """Sent posts of `sender.platform` whose story gained sources list them; returns how many."""
        return await self.story_edits.edit_grown(sender)

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

    # -- the command table's handlers: one request in, one reply out ---------------------------

    async def _start(self, request: Request) -> Reply:
        language = request.caller.language
        return Reply(text=t("start.welcome", language) + "\n\n" + self.help_text(request.caller))

    async def _help(self, request: Request) -> Reply:
        return Reply(text=self.help_text(request.caller))

    async def _subscribe(self, request: Request) -> Reply:
        return await self.subscriptions.subscribe(request.caller, request.args, request.target)

    async def _unsubscribe(self, request: Request) -> Reply:
        return await self.subscriptions.unsubscribe(request.caller, request.args, request.target)

    async def _subscriptions(self, request: Request) -> Reply:
        return await self.subscriptions.list(request.caller, request.target)

    async def _pictures(self, request: Request) -> Reply:
        return await self.subscriptions.pictures(request.caller, request.args, request.target)

    async def _summary(self, request: Request) -> Reply:
        return await self.summary.run(request.caller, request.args, request.replied)

    async def _ask(self, request: Request) -> Reply:
        return await self.qa.ask(request.caller, request.args, request.replied)

    async def _schedule(self, request: Request) -> Reply:
        return await self.admin.schedule(request.caller, request.args, request.target)

    async def _sources(self, request: Request) -> Reply:
        return await self.admin.sources(request.caller)

    async def _status(self, request: Request) -> Reply:
        return await self.admin.status(request.caller)

    async def _pause(self, request: Request) -> Reply:
        return await self.admin.set_paused(request.caller, True)

    async def _resume(self, request: Request) -> Reply:
        return await self.admin.set_paused(request.caller, False)


@contextmanager
def _outage_as_reader_error() -> Iterator[None]:
    """A store outage while answering becomes a short localized reply, not an apology."""
    try:
        yield
    except DatabaseUnavailable:
        raise UserError("error.store_unavailable") from None
