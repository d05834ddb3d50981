"""The `telegram:` config section; light, so loading a config never imports the Telegram library."""

from __future__ import annotations

from pydantic import Field

from bot.sections import PlatformSection, PlatformSpec, SectionModel

# A few more than the store's threads (`bot.store.db.STORE_THREADS`): while some handlers wait
# for the database, others render and send, and none waits long for a connection.
DEFAULT_CONCURRENT_UPDATES = 16


class WebhookConfig(SectionModel):
    enabled: bool = False
    listen: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    url: str | None = None  # public URL Telegram posts to
    secret_token_env: str = "TELEGRAM_WEBHOOK_SECRET"


class TelegramConfig(PlatformSection):
    base_url: str | None = None
    base_file_url: str | None = None
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    # Telegram's paid broadcasts: up to 1000 posts/s for 0.1 Star each; posts only, not replies
    allow_paid_broadcast: bool = False
    # Updates handled at once by this process; a burst beyond it queues, untimed (ADR 015)
    concurrent_updates: int = Field(DEFAULT_CONCURRENT_UPDATES, ge=1, le=64)


def _secret_variables(section: PlatformSection) -> list[str]:
    assert isinstance(section, TelegramConfig)
    return [section.webhook.secret_token_env]


PLATFORM = PlatformSpec(
    name="telegram",
    section=TelegramConfig,
    token_variable="TELEGRAM_BOT_TOKEN",
    module="bot.adapters.telegram.adapter",
    secret_variables=_secret_variables,
)
