"""Discord events in, the core's replies out: slash commands, reply follow-ups, error handlers."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any, TypeGuard

import discord
from discord import app_commands

from bot.adapters.discord.commands import CHANNEL_OPTION, MESSAGE_OPTION
from bot.adapters.discord.embeds import NO_MENTIONS, escape
from bot.adapters.discord.replies import MessageReplies, SlashReplies
from bot.adapters.discord.sender import PLATFORM, destination_of
from bot.config import Config
from bot.core import Caller, CommandSpec, Core, Destination, RepliedMessage
from bot.errors import UserError
from bot.i18n import t

log = logging.getLogger(__name__)

MESSAGE_LINK = re.compile(
    r"(?:https?://)?(?:\w+\.)?discord(?:app)?\.com/channels/(?:\d+|@me)/(\d+)/(\d+)/?"
)
MESSAGE_ID = re.compile(r"\d{15,22}")


class DiscordHandlers:
    """Translates interactions and messages for the core and renders what it answers."""

    def __init__(self, client: discord.Client, core: Core, config: Config) -> None:
        self.client = client
        self.core = core
        # Not the interaction's `locale`: Discord has no Arabic client locale, so an Arabic
        # reader's client says en-US like an English reader's; the community's language it is.
        self.language = config.delivery.language
        self.answer_in_thread = config.discord.answer_in_thread

    async def run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, values: dict[str, Any]
    ) -> None:
        """Defers at once (summaries and answers take a while), then answers with followups."""
        await interaction.response.defer(thinking=True, ephemeral=spec.admin_only)
        here = destination_of(interaction.channel)
        caller = self._caller(str(interaction.user.id), here, interaction.permissions)
        channel = values.get(CHANNEL_OPTION)
        target = destination_of(channel) if channel is not None else None
        replied = None
        if spec.about_message:
            caller, replied = self._asked_about(
                caller, values.get(MESSAGE_OPTION) or "", interaction.channel
            )
        args = values.get(spec.arg or "") or ""
        channel_here = interaction.channel
        out = SlashReplies(
            interaction.followup.send,
            here,
            self.language,
            channel_here if self._threads_answers(channel_here) else None,
        )
        await self.core.handle(spec.name, caller, args, replied, target=target, out=out)

    async def on_message(self, message: discord.Message) -> None:
        """A reply to one of the bot's posts or answers is a question about that article."""
        referenced = message.reference.resolved if message.reference else None
        user = self.client.user
        if message.author.bot or not isinstance(referenced, discord.Message) or user is None:
            return
        if referenced.author.id != user.id:
            return
        here = destination_of(message.channel)
        caller = self._caller(str(message.author.id), here, None)
        replied = RepliedMessage(str(referenced.id), referenced.content, from_bot=True)
        out = MessageReplies(
            message, here, self.language, threads=self._threads_answers(message.channel)
        )
        try:
            await self.core.ask(caller, message.content, replied, out)
        except UserError as error:
            await message.reply(
                self._user_text(error), allowed_mentions=NO_MENTIONS, mention_author=False
            )

    async def on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """UserError → its localized text; anything else is logged and gets an apology."""
        original = getattr(error, "original", error)
        if isinstance(original, UserError):
            text = self._user_text(original)
        else:
            name = interaction.command.name if interaction.command else "?"
            log.error(
                "slash command %s from user %s failed", name, interaction.user.id, exc_info=original
            )
            text = t("error.generic", self.language)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning(
                "could not tell user %s about the failure", interaction.user.id, exc_info=True
            )

    async def on_event_error(self, event: str, args: tuple[Any, ...], error: BaseException) -> None:
        """A gateway event handler failed: log it; a reader whose message caused it gets an apology."""
        log.error("Discord event %s failed", event, exc_info=error)
        message = args[0] if args else None
        if event == "on_message" and isinstance(message, discord.Message):
            try:
                await message.reply(
                    t("error.generic", self.language),
                    allowed_mentions=NO_MENTIONS,
                    mention_author=False,
                )
            except discord.HTTPException:
                log.warning("could not apologize in channel %s", message.channel.id, exc_info=True)

    def _caller(
        self, user_id: str, here: Destination, permissions: discord.Permissions | None
    ) -> Caller:
        manage_guild = bool(permissions and permissions.manage_guild)
        return Caller(
            user_id=user_id,
            destination=here,
            language=self.language,
            can_manage_chat=manage_guild or bool(permissions and permissions.manage_channels),
            is_admin_override=manage_guild,
        )

    def _asked_about(
        self, caller: Caller, reference: str, channel: Any
    ) -> tuple[Caller, RepliedMessage | None]:
        """What `/ask` is about: the message option (a link, whose channel may differ, or a bare id
        here), else the thread it is used in. A slash command cannot reply, so a forum post's or an
        answer's thread is its reply context: a thread's id is its starter message's."""
        if not reference.strip() and isinstance(channel, discord.Thread):
            return caller, RepliedMessage(str(channel.id), from_bot=True)
        link = MESSAGE_LINK.fullmatch(reference.strip())
        if link:
            channel = self.client.get_channel(int(link.group(1)))
            where = (
                destination_of(channel)
                if channel is not None
                else Destination(PLATFORM, link.group(1))
            )
            return replace(caller, destination=where), RepliedMessage(link.group(2), from_bot=True)
        if MESSAGE_ID.fullmatch(reference.strip()):
            return caller, RepliedMessage(reference.strip(), from_bot=True)
        return caller, None

    def _threads_answers(self, channel: Any) -> TypeGuard[discord.TextChannel]:
        """Answers open a thread when configured, unless they already are in one (or a DM)."""
        return self.answer_in_thread and isinstance(channel, discord.TextChannel)

    def _user_text(self, error: UserError) -> str:
        return escape(t(error.key, self.language, **error.params))
