"""Telegram updates → core calls → rendered replies; every decision stays in the core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot, Message, Update
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram.formatting import plain_messages
from bot.adapters.telegram.replies import ChatReplies
from bot.adapters.telegram.sender import ASK_PREFIX, PLATFORM, TelegramSender, chat_ref
from bot.core import Caller, ChatKind, CommandSpec, Core, Destination, RepliedMessage
from bot.errors import UserError
from bot.i18n import normalize_language, t

log = logging.getLogger(__name__)

TYPING_REFRESH_S = 4.0  # Telegram shows "typing…" for 5 s
_CHANNEL_REF = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d+)$")
_MANAGERS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
_KINDS = {ChatType.PRIVATE: ChatKind.PRIVATE, ChatType.CHANNEL: ChatKind.CHANNEL}

Context = ContextTypes.DEFAULT_TYPE


def destination_of(message: Message) -> Destination:
    """The chat (and forum topic) a message came from, as the core names it."""
    chat = message.chat
    thread = (
        str(message.message_thread_id)
        if message.is_topic_message and message.message_thread_id
        else ""
    )
    kind = _KINDS.get(chat.type, ChatKind.FORUM if thread else ChatKind.GROUP)
    return Destination(PLATFORM, str(chat.id), thread, kind)


def language_of(update: Update) -> str:
    """The reader's language: English unless Telegram says the app is Arabic (Arabic when unknown)."""
    user = update.effective_user
    code = user.language_code if user else None
    return "ar" if code is None else normalize_language(code)


def replied_of(message: Message, bot_id: int) -> RepliedMessage | None:
    target = message.reply_to_message
    if target is None:
        return None
    from_bot = target.from_user is not None and target.from_user.id == bot_id
    return RepliedMessage(str(target.message_id), target.text or target.caption or "", from_bot)


@asynccontextmanager
async def typing(bot: Bot, dest: Destination) -> AsyncIterator[None]:
    """Shows "typing…" in the chat while the body runs, refreshed before Telegram hides it."""

    async def show() -> None:
        try:
            await bot.send_chat_action(
                chat_ref(dest.chat_id),
                ChatAction.TYPING,
                message_thread_id=int(dest.thread_id) if dest.thread_id else None,
            )
        except TelegramError as error:  # cosmetic: never let it fail the command
            log.debug("typing action in %s failed: %s", dest.chat_id, error)

    async def keep_typing() -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH_S)
            await show()

    await show()
    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class TelegramHandlers:
    """The callbacks PTB invokes; each translates, calls the core once, and renders its reply."""

    def __init__(self, core: Core, sender: TelegramSender) -> None:
        self._core = core
        self._sender = sender

    async def command(self, spec: CommandSpec, update: Update, context: Context) -> None:
        """Any command of the core's table: `/name args`, maybe replying to a message."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        caller = await self._caller(update, context.bot)
        args = _after_command(message.text)
        target, args = await self._channel_target(spec, caller, args, context.bot)
        replied = replied_of(message, context.bot.id)
        out = self._replies(caller, message.message_id)
        if spec.slow:  # show typing while the core fetches, summarizes or answers
            async with typing(context.bot, caller.destination):
                await self._core.handle(spec.name, caller, args, replied, target=target, out=out)
        else:
            await self._core.handle(spec.name, caller, args, replied, target=target, out=out)

    async def follow_up(self, update: Update, context: Context) -> None:
        """A plain-text reply to one of the bot's messages is a question about its article."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        replied = replied_of(message, context.bot.id)
        if replied is None or not replied.from_bot:
            return
        caller = await self._caller(update, context.bot)
        async with typing(context.bot, caller.destination):
            await self._core.ask(
                caller, message.text, replied, self._replies(caller, message.message_id)
            )

    async def ask_button(self, update: Update, context: Context) -> None:
        """«اسأل» under a post: a force-reply prompt tied to the post's article."""
        query = update.callback_query
        if query is None or query.data is None or not isinstance(query.message, Message):
            return
        await query.answer()
        article_id = int(query.data.removeprefix(ASK_PREFIX))
        post = query.message
        caller = await self._caller(update, context.bot, post)
        await self._core.prompt(
            caller,
            article_id,
            RepliedMessage(str(post.message_id), from_bot=True),
            self._replies(caller, post.message_id),
        )

    async def on_error(self, update: object, context: Context) -> None:
        """Logged with its traceback first; the reader gets a localized line, never the exception."""
        error = context.error
        if isinstance(error, UserError):
            log.info("user error %s in update %s", error.key, getattr(update, "update_id", None))
        else:
            log.error("update %s failed", getattr(update, "update_id", None), exc_info=error)
        if not isinstance(update, Update) or update.effective_message is None:
            return
        language = language_of(update)
        text = (
            t(error.key, language, **error.params)
            if isinstance(error, UserError)
            else t("error.generic", language)
        )
        try:
            await self._sender.send_pages(
                destination_of(update.effective_message),
                plain_messages(text),
                reply_to=update.effective_message.message_id,
            )
        except TelegramError:
            log.warning("could not tell the reader about the failed update", exc_info=True)

    # -- translation helpers ---------------------------------------------------------------

    async def _caller(self, update: Update, bot: Bot, message: Message | None = None) -> Caller:
        message = message or update.effective_message
        assert message is not None
        user = update.effective_user
        dest = destination_of(message)
        return Caller(
            user_id=str(user.id) if user else "",
            destination=dest,
            language=language_of(update),
            can_manage_chat=await self._can_manage(bot, message, user.id if user else None),
        )

    async def _can_manage(self, bot: Bot, message: Message, user_id: int | None) -> bool:
        """Private chat: yes. Group: a Telegram admin of it (or the group itself, posting anonymously)."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
            return True
        if user_id is None:
            return False
        member = await bot.get_chat_member(message.chat.id, user_id)
        return member.status in _MANAGERS

    async def _channel_target(
        self, spec: CommandSpec, caller: Caller, args: str, bot: Bot
    ) -> tuple[Destination | None, str]:
        """`/subscribe @channel …` from a private chat: resolve the channel and check the bot may post."""
        first, _, rest = args.partition(" ")
        if (
            not spec.targets_chat
            or caller.destination.kind != ChatKind.PRIVATE
            or not _CHANNEL_REF.match(first)
        ):
            return None, args
        try:
            chat = await bot.get_chat(chat_ref(first))
            if chat.type != ChatType.CHANNEL:
                raise UserError("error.channel_not_channel", channel=first)
            member = await bot.get_chat_member(chat.id, bot.id)
        except (BadRequest, Forbidden):
            raise UserError("error.channel_not_found", channel=first) from None
        if member.status != ChatMemberStatus.ADMINISTRATOR or not getattr(
            member, "can_post_messages", False
        ):
            raise UserError("error.bot_not_channel_admin", channel=first)
        rest = rest.strip()
        if spec.target_keyword:
            rest = f"{spec.target_keyword} {rest}"
        return Destination(PLATFORM, str(chat.id), kind=ChatKind.CHANNEL), rest

    def _replies(self, caller: Caller, reply_to: int) -> ChatReplies:
        return ChatReplies(self._sender, caller.destination, caller.language, reply_to)


def _after_command(text: str) -> str:
    """Everything after `/name` (or `/name@bot`), newlines kept for `/summary <long text>`."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
