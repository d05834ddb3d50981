"""One typed model of `config/khulasa.yaml`: loaded once by the CLI and passed down.

Unknown keys are rejected so a typo never silently does nothing; errors name the key path
and the YAML line. Secrets never live in the file: tokens come from environment variables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError, TokenError
from bot.schedules import parse_schedule

DEFAULT_CONFIG = Path("config/khulasa.yaml")
CONFIG_ENV = "KHULASA_CONFIG"
# Each platform's bot token lives only in this environment variable.
TOKEN_VARIABLES = {"telegram": "TELEGRAM_BOT_TOKEN", "discord": "DISCORD_BOT_TOKEN"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageConfig(_Model):
    url: str = "sqlite:///data/khulasa.db"


class SummarizerConfig(_Model):
    backend: Literal["auto", "extractive", "transformers", "ct2"] = "auto"
    # Licence: CC BY-NC-SA 4.0 (non-commercial). See README for permissive alternatives.
    model: str = "csebuetnlp/mT5_multilingual_XLSum"
    language_models: dict[str, str] = Field(default_factory=dict)
    output_languages: dict[str, str] = Field(default_factory=dict)
    sentences: int = Field(3, ge=1, le=20)
    max_chars: int | None = Field(None, ge=50)
    num_beams: int = Field(4, ge=1, le=16)
    min_new_tokens: int | None = Field(None, ge=0)
    max_new_tokens: int | None = Field(None, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    quantize: bool = False
    batch_size: int = Field(8, ge=1)
    cuda_batch_size: int = Field(32, ge=1)
    ct2_cpu_batch_size: int = Field(2, ge=1)
    local_files_only: bool = False
    cache_dir: str | None = None
    threads: int | None = Field(None, ge=1)
    inter_threads: int = Field(1, ge=1)
    compute_type: str | None = None
    long_input: Literal["select", "chunks"] = "select"
    output_vocabulary: Literal["trimmed", "full"] = "trimmed"
    # Model backends read at most this much of an article (each 512-token chunk is a model call);
    # null reads everything. The extractive backend always reads the whole text.
    max_input_chars: int | None = Field(50_000, ge=1000)


class LLMConfig(_Model):
    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "KHULASA_LLM_API_KEY"
    timeout: float = Field(30.0, gt=0)


class QAConfig(_Model):
    backend: Literal["retrieval", "transformers", "llm"] = "retrieval"
    model: str = "deepset/xlm-roberta-large-squad2"
    # retrieval: abstain when the best sentences cover less than this share of the question
    min_score: float = Field(0.5, ge=0, le=1)
    max_evidence: int = Field(2, ge=1, le=5)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    local_files_only: bool = False
    llm: LLMConfig = Field(default_factory=LLMConfig)


class SourceConfig(_Model):
    name: str = Field(min_length=1, max_length=64)
    url: str | None = None
    path: str | None = None
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}$")
    schedule: str = "30m"
    enabled: bool = True
    include: list[str] = Field(default_factory=list)  # plain words; an item is kept if any occurs
    exclude: list[str] = Field(default_factory=list)
    full_text: bool = True  # fetch the article page when a feed item is only a teaser

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("a source needs exactly one of 'url' or 'path'")
        if self.url is not None and not re.match(r"^https?://", self.url):
            raise ValueError("'url' must start with http:// or https://")
        return self

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value


class FetchConfig(_Model):
    allow_private_urls: bool = False
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(15.0, gt=0)
    max_bytes: int = Field(5_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(0.5, ge=0)
    backoff_after_failures: int = Field(3, ge=1)
    source_backoff: float = Field(300.0, ge=0)  # seconds; doubles per further failure, max 6 h
    disable_after_failures: int = Field(20, ge=1)
    user_agent: str = "Khulasa/0.1 (+https://github.com/khulasa/khulasa; news summary bot)"


class ChannelConfig(_Model):
    """A channel that receives posts without anyone subscribing it from a chat."""

    chat: str  # Telegram: @channelname or numeric id; Discord: channel id
    sources: list[str] = Field(default_factory=list)  # empty = all sources
    schedule: str = "immediate"  # "immediate" or a cron string / interval for digests

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        if value != "immediate":
            parse_schedule(value)
        return value


class WebhookConfig(_Model):
    enabled: bool = False
    listen: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    url: str | None = None  # public URL Telegram posts to
    secret_token_env: str = "TELEGRAM_WEBHOOK_SECRET"


class TelegramConfig(_Model):
    enabled: bool = False
    base_url: str | None = None
    base_file_url: str | None = None
    channels: list[ChannelConfig] = Field(default_factory=list)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)


class DiscordConfig(_Model):
    enabled: bool = False
    api_base_url: str | None = None
    gateway_url: str | None = None
    sync_guild: int | None = None  # sync slash commands to one guild only (instant, for testing)
    answer_in_thread: bool = False
    channels: list[ChannelConfig] = Field(default_factory=list)


class AdminsConfig(_Model):
    telegram: list[int] = Field(default_factory=list)
    discord: list[int] = Field(default_factory=list)


class DeliveryConfig(_Model):
    language: Literal["ar", "en"] = "ar"  # language of posts to channels and groups
    summary_count: int = Field(5, ge=1, le=20)  # /summary with no argument
    digest_max_items: int = Field(10, ge=1, le=50)


class Config(_Model):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    summarizer: SummarizerConfig = Field(default_factory=SummarizerConfig)
    qa: QAConfig = Field(default_factory=QAConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    admins: AdminsConfig = Field(default_factory=AdminsConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources


def secret_from_env(variable: str, *, what: str) -> SecretStr:
    """Reads a token from the environment; a missing one is a config error (exit 2)."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise TokenError(f"{what} needs a token: set the environment variable {variable}")
    return SecretStr(value)


def resolve_config_path(path: str | os.PathLike[str] | None) -> Path:
    """--config wins, then $KHULASA_CONFIG, then the default file."""
    if path:
        return Path(path)
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Reads and validates the config; every problem becomes one ConfigError line."""
    config_path = resolve_config_path(path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{config_path}: cannot read config: {error}") from None
    return parse_config(text, source=str(config_path))


def parse_config(text: str, *, source: str = "<config>") -> Config:
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{source}:{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of sections")
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = _line_of(node, location)
        where = f" line {line}" if line else ""
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}:{where}: {format_key_path(location)}: {message}") from None


def format_key_path(location: tuple[Any, ...]) -> str:
    """('sources', 2, 'schedule') -> 'sources[2].schedule'."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _line_of(node: yaml.Node | None, location: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest YAML node that the location reaches."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def masked_dump(config: Config) -> str:
    """The effective config as YAML, for check-config; secrets never appear since none are stored."""
    return yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
