"""Slash commands built from the core's command table: one callback shape, options as data.

discord.py reads a command's options from its callback's signature, so each command gets the
same generic callback with a `__signature__` made from the option list below.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.translator import description
from bot.core import COMMANDS, CommandSpec

Channel = discord.TextChannel | discord.ForumChannel | discord.Thread

# Discord-side option names of the table's free-text argument (the core parses the text).
TEXT_OPTION = {
    "summary": "query",
    "subscribe": "sources",
    "unsubscribe": "sources",
    "ask": "question",
}
DEFAULT_TEXT_OPTION = "text"
# Commands whose core handler accepts a resolved target channel (how a forum gets subscribed).
TARGETED = frozenset({"subscribe", "unsubscribe", "subscriptions", "schedule"})
CHANNEL_OPTION = "channel"
MESSAGE_OPTION = "message"  # /ask: a summary message's link or id (slash commands cannot reply)

Runner = Callable[[discord.Interaction, CommandSpec, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Option:
    """One slash-command option: its name, type, and the catalog key that describes it."""

    name: str
    annotation: Any
    required: bool
    description_key: str


def text_option(spec: CommandSpec) -> str:
    """The option that carries the command's argument text."""
    return TEXT_OPTION.get(spec.name, DEFAULT_TEXT_OPTION)


def options_for(spec: CommandSpec) -> list[Option]:
    """The Discord options of one table command, required ones first."""
    options = []
    if spec.args_key is not None:
        required = spec.name == "ask"
        annotation = str if required else str | None
        options.append(Option(text_option(spec), annotation, required, spec.args_key))
    if spec.name in TARGETED:
        options.append(Option(CHANNEL_OPTION, Channel | None, False, "discord.option.channel"))
    if spec.name == "ask":
        options.append(Option(MESSAGE_OPTION, str | None, False, "discord.option.message"))
    return options


def build_commands(run: Runner, language: str) -> list[app_commands.Command[Any, ..., None]]:
    """Every command of the table, in table order, described in `language` by default."""
    return [_command(spec, run, language) for spec in COMMANDS]


def _command(spec: CommandSpec, run: Runner, language: str) -> app_commands.Command[Any, ..., None]:
    options = options_for(spec)

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await run(interaction, spec, values)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    parameters += [
        inspect.Parameter(
            option.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=option.annotation,
            default=inspect.Parameter.empty if option.required else None,
        )
        for option in options
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = spec.name
    if options:
        descriptions = {o.name: description(o.description_key, language) for o in options}
        callback = app_commands.describe(**descriptions)(callback)
    return app_commands.Command(
        name=spec.name, description=description(spec.help_key, language), callback=callback
    )
