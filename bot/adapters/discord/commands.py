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


def options_for(spec: CommandSpec) -> list[Option]:
    """The Discord options of one table command, required ones first."""
    options = []
    if spec.arg is not None and spec.args_key is not None:
        annotation = str if spec.arg_required else str | None
        options.append(Option(spec.arg, annotation, spec.arg_required, spec.args_key))
    if spec.targets_chat:
        options.append(Option(CHANNEL_OPTION, Channel | None, False, "discord.option.channel"))
    if spec.about_message:
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
