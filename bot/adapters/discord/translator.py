"""Slash-command descriptions in the community's language, others from the i18n catalogs.

Discord has no Arabic client locale (`discord.Locale` lists none), so Arabic cannot be a
localization: the command texts Discord shows by default are written in the configured
`delivery.language`, and this Translator adds the catalog's other languages for the client
locales that have one (English).
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import catalog, t
from bot.render import truncate_at_sentence

DESCRIPTION_MAX = 100  # Discord's limit for command and option descriptions

LOCALE_LANGUAGES = {
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}


def description(key: str, language: str) -> app_commands.locale_str:
    """A command or option description in `language`, carrying its catalog key for the Translator."""
    return app_commands.locale_str(truncate_at_sentence(t(key, language), DESCRIPTION_MAX), key=key)


class CatalogTranslator(app_commands.Translator):
    """Looks a description's catalog key up for the client locale; None keeps the default text."""

    def __init__(self, base_language: str) -> None:
        self.base_language = base_language

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LOCALE_LANGUAGES.get(locale)
        key = string.extras.get("key")
        if language is None or language == self.base_language or key is None:
            return None
        text = catalog(language).get(key)
        return truncate_at_sentence(text, DESCRIPTION_MAX) if text else None
