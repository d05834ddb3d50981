"""The command table: names, help and menus in both languages, /start and /help."""

from __future__ import annotations

from bot.core import COMMANDS, command_menu, find_command
from bot.i18n import LANGUAGES, catalog
from tests.core.conftest import ADMIN, private


def test_names_are_unique_lowercase_and_menu_safe():
    names = [spec.name for spec in COMMANDS]
    assert len(names) == len(set(names))
    assert all(name.isascii() and name.islower() and 1 <= len(name) <= 32 for name in names)


def test_every_help_and_args_key_exists_in_every_language():
    keys = [spec.help_key for spec in COMMANDS] + [
        spec.args_key for spec in COMMANDS if spec.args_key
    ]
    for language in LANGUAGES:
        missing = [key for key in keys if key not in catalog(language)]
        assert missing == [], (language, missing)


def test_menu_descriptions_fit_telegram_and_discord_limits():
    for language in LANGUAGES:
        for _, description in command_menu(language):
            assert 3 <= len(description) <= 100


def test_menu_is_localized_and_can_hide_admin_commands():
    arabic = dict(command_menu("ar"))
    english = dict(command_menu("en-GB"))
    assert arabic["summary"] != english["summary"]
    public = [name for name, _ in command_menu("en", include_admin=False)]
    assert "pause" not in public and "subscribe" in public


def test_find_command_ignores_slash_and_case():
    assert find_command("/Summary").name == "summary"
    assert find_command("nope") is None


async def test_start_explains_the_bot_in_arabic(core):
    text = (await core.handle("start", private())).text
    assert "خلاصة" in text and "/subscribe" in text


async def test_help_is_english_for_other_languages_and_hides_admin_commands(core):
    text = (await core.handle("help", private(language="fr"))).text
    assert text.startswith("Commands:") and "/summary [count | url | text]" in text
    assert "/pause" not in text
    assert "/pause" in (await core.handle("help", private(ADMIN, "en"))).text
