"""The platforms the bot can serve, in start order: a new platform is a folder plus one line.

Each line names a platform's light settings module, whose `PLATFORM` describes it.
"""

from __future__ import annotations

import importlib

from bot.sections import PlatformSpec

SETTINGS_MODULES = (
    "bot.adapters.telegram.settings",
    "bot.adapters.discord.settings",
)

PLATFORMS: tuple[PlatformSpec, ...] = tuple(
    importlib.import_module(module).PLATFORM for module in SETTINGS_MODULES
)
