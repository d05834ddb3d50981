"""One typed model of `config/khulasa.yaml`: loaded once by the CLI and passed down.

Unknown keys are rejected so a typo never silently does nothing; errors name the key path
and the YAML line. Secrets never live in the file: tokens come from environment variables.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, get_type_hints

import yaml
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError, TokenError
from bot.platforms import PLATFORMS
from bot.recurrence import parse_schedule
from bot.sections import PlatformSection
from bot.sections import SectionModel as _Model
from summarizer.qa.types import QABackendName, QAOptions
from summarizer.stories.types import EmbeddingBackendName, EmbeddingOptions
from summarizer.types import GenerationSettings, SummarizerOptions

DEFAULT_CONFIG = Path("config/khulasa.yaml")
CONFIG_ENV = "KHULASA_CONFIG"
# Each platform's bot token lives only in this environment variable.
TOKEN_VARIABLES = {platform.name: platform.token_variable for platform in PLATFORMS}

# The libraries' own defaults: the config never writes a model id or a variable name twice.
_QA = QAOptions()
_EMBEDDINGS = EmbeddingOptions()


class StorageConfig(_Model):
    url: str = "sqlite:///data/khulasa.db"


# The `summarizer:` section is the library's `SummarizerOptions`, derived field by field so the
# two never drift (a new option is a new key, with the library's default); the config only adds
# bounds and narrower types. `generation` is flattened: these of its settings are keys too.
GENERATION_KEYS = ("num_beams", "min_new_tokens", "max_new_tokens")
_SUMMARIZER_BOUNDS: dict[str, dict[str, int]] = {
    "sentences": {"ge": 1, "le": 20},
    "max_chars": {"ge": 50},
    # Model backends read at most this much of an article (each 512-token chunk is a model
    # call); null reads everything. The extractive backend always reads the whole text.
    "max_input_chars": {"ge": 1000},
    "num_beams": {"ge": 1, "le": 16},
    "min_new_tokens": {"ge": 0},
    "max_new_tokens": {"ge": 1},
    "batch_size": {"ge": 1},
    "cuda_batch_size": {"ge": 1},
    "ct2_cpu_batch_size": {"ge": 1},
    "threads": {"ge": 1},
    "inter_threads": {"ge": 1},
}
_SUMMARIZER_TYPES: dict[str, Any] = {"device": Literal["auto", "cpu", "cuda"]}


def _option_keys(options: type, only: Collection[str] | None = None) -> dict[str, Any]:
    """A dataclass's fields as pydantic field definitions: its type and default, the bounds."""
    hints = get_type_hints(options)
    keys: dict[str, Any] = {}
    for option in dataclasses.fields(options):
        if only is not None and option.name not in only:
            continue
        default: dict[str, Any] = (
            {"default_factory": option.default_factory}
            if option.default is dataclasses.MISSING
            else {"default": option.default}
        )
        annotation = _SUMMARIZER_TYPES.get(option.name, hints[option.name])
        keys[option.name] = (
            annotation,
            Field(**default, **_SUMMARIZER_BOUNDS.get(option.name, {})),
        )
    return keys


def _summarizer_keys() -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for name, definition in _option_keys(SummarizerOptions).items():
        if name == "generation":
            keys.update(_option_keys(GenerationSettings, GENERATION_KEYS))
        else:
            keys[name] = definition
    return keys


class _SummarizerSection(_Model):
    def to_options(self) -> SummarizerOptions:
        """The library's options with the same meaning; generation keys go to their own object."""
        values = self.model_dump()
        generation = GenerationSettings(**{key: values.pop(key) for key in GENERATION_KEYS})
        return SummarizerOptions(**values, generation=generation)


SummarizerConfig = create_model(
    "SummarizerConfig",
    __base__=_SummarizerSection,
    __doc__="The `summarizer:` section: the library's `SummarizerOptions`, key for key.",
    **_summarizer_keys(),
)


class LLMConfig(_Model):
    base_url: str | None = _QA.llm_base_url
    model: str | None = _QA.llm_model
    api_key_env: str = _QA.llm_api_key_env
    timeout: float = Field(_QA.llm_timeout, gt=0)


class QAConfig(_Model):
    """The `qa:` section: the library's `QAOptions`; `llm.x` is its `llm_x`."""

    backend: QABackendName = _QA.backend
    model: str = _QA.model
    # retrieval: abstain when the reader's probability that its best sentence answers is under
    # this; null keeps the threshold calibrated with the shipped weights
    min_score: float | None = Field(_QA.min_score, ge=0, le=1)
    max_evidence: int = Field(_QA.max_evidence, ge=1, le=5)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    local_files_only: bool = _QA.local_files_only
    llm: LLMConfig = Field(default_factory=LLMConfig)

    def to_options(self) -> QAOptions:
        values = self.model_dump()
        llm = values.pop("llm")
        return QAOptions(**values, **{f"llm_{key}": value for key, value in llm.items()})


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


class _Admins(_Model):
    """`admins.<platform>`: user ids of the bot's admins on each platform."""

    def of(self, platform: str) -> list[int]:
        return list(getattr(self, platform, ()))


AdminsConfig = create_model(
    "AdminsConfig",
    __base__=_Admins,
    **{platform.name: (list[int], Field(default_factory=list)) for platform in PLATFORMS},
)


class DeliveryConfig(_Model):
    language: Literal["ar", "en"] = "ar"  # language of posts to channels and groups
    summary_count: int = Field(5, ge=1, le=20)  # /summary with no argument
    digest_max_items: int = Field(10, ge=1, le=50)
    # with external workers, /summary <url> waits this long for the workers' summary; past it
    # the reader is told it will be posted in the chat when stored
    summary_wait: float = Field(20.0, ge=0, le=300)


class PostsConfig(_Model):
    """`posts:` how summaries look wherever they are posted; a platform section may override."""

    images: bool = True  # the article's lead picture with its post (Telegram/Discord fetch it)


class WorkersConfig(_Model):
    """`workers:` fetch and summarize jobs on `khulasa worker` processes (PostgreSQL only)."""

    external: bool = False  # true: `khulasa worker` fetches and summarizes; `run` serves chats
    # how often the one scheduler tick checks source and digest schedules; divides 60
    tick_seconds: int = Field(60, ge=1, le=60)
    # a summarize worker batches the jobs that arrive within this wait, up to
    # summarizer.batch_size, into one model call
    batch_wait: float = Field(0.5, ge=0, le=30)
    # a job whose worker sent no heartbeat for this long is retried by another worker
    stalled_after: float = Field(60.0, ge=5)

    @field_validator("tick_seconds")
    @classmethod
    def _divides_a_minute(cls, value: int) -> int:
        if 60 % value:
            raise ValueError(
                "tick_seconds must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)"
            )
        return value


class MetricsConfig(_Model):
    listen: str | None = None  # HOST:PORT serving Prometheus /metrics and /healthz; null: off

    @field_validator("listen")
    @classmethod
    def _valid_listen(cls, value: str | None) -> str | None:
        if value is not None:
            split_listen(value)
        return value


def split_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:9464' or '[::1]:9464' -> (host, port); a bad address is a ValueError."""
    host, _, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(value: str) -> timedelta:
    """'3d', '24h', '90m', '30s' -> timedelta; anything else is a ValueError."""
    match = _DURATION.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a duration such as 3d, 24h or 90m, got {value!r}")
    return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


class StoriesConfig(_Model):
    """Grouping articles that report one event into one story, posted once."""

    enabled: bool = True
    window: str = "3d"  # how far back (publication time) an article may join a story
    edit_within: str = "24h"  # a story's posts are edited to list new sources until then
    max_listed_sources: int = Field(5, ge=1, le=20)  # "+N more" past it

    @field_validator("window", "edit_within")
    @classmethod
    def _valid_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    def window_delta(self) -> timedelta:
        return parse_duration(self.window)

    def edit_within_delta(self) -> timedelta:
        return parse_duration(self.edit_within)


class EmbeddingsConfig(_Model):
    """The sentence vectors stories compare; `none` groups within one language only."""

    backend: EmbeddingBackendName = _EMBEDDINGS.backend
    model: str | None = _EMBEDDINGS.model  # sentence-transformers hub id or dir; openai model
    base_url: str | None = _EMBEDDINGS.base_url  # openai-compatible endpoint
    api_key_env: str = _EMBEDDINGS.api_key_env
    batch_size: int = Field(_EMBEDDINGS.batch_size, ge=1, le=1024)
    timeout: float = Field(_EMBEDDINGS.timeout, gt=0)
    device: Literal["cpu", "cuda"] = "cpu"
    local_files_only: bool = _EMBEDDINGS.local_files_only

    def to_options(self) -> EmbeddingOptions:
        return EmbeddingOptions(**self.model_dump())


class _Config(_Model):
    """The sections every install has; `Config` adds one section per registered platform."""

    storage: StorageConfig = Field(default_factory=StorageConfig)
    summarizer: SummarizerConfig = Field(default_factory=SummarizerConfig)  # type: ignore[valid-type]
    qa: QAConfig = Field(default_factory=QAConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    admins: AdminsConfig = Field(default_factory=AdminsConfig)  # type: ignore[valid-type]
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    posts: PostsConfig = Field(default_factory=PostsConfig)
    workers: WorkersConfig = Field(default_factory=WorkersConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    stories: StoriesConfig = Field(default_factory=StoriesConfig)
    embeddings: EmbeddingsConfig = Field(default_factory=EmbeddingsConfig)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources

    def platform(self, name: str) -> PlatformSection:
        """A registered platform's section (`telegram:`, `discord:`)."""
        return getattr(self, name)

    def post_images(self, platform: str) -> bool:
        """Whether posts on a platform carry pictures: `<platform>.images`, else `posts.images`."""
        override = self.platform(platform).images
        return self.posts.images if override is None else override

    def enabled_platforms(self) -> list[str]:
        """Names of the platforms switched on, in registry order."""
        return [spec.name for spec in PLATFORMS if self.platform(spec.name).enabled]


Config = create_model(
    "Config",
    __base__=_Config,
    **{spec.name: (spec.section, Field(default_factory=spec.section)) for spec in PLATFORMS},
)


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
