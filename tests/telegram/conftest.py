"""A whole bot per test: fake Bot API server, real PTB, real Core over a tmp SQLite file and pipeline."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.adapters.telegram.adapter import RequestTimeouts, TelegramAdapter
from bot.adapters.telegram.errors import RetryPolicy
from bot.config import Config
from bot.errors import KhulasaError
from bot.i18n import t
from bot.render import rtl_paragraph
from bot.store import Store
from tests.helpers.bot_stack import CoreStack, start_core, with_database, write_article
from tests.helpers.fake_telegram import Call, FakeTelegram, user
from tests.helpers.postgres import requested_database_url

ADMIN_ID = 100
READER_ID = 200
GROUP_ID = -1001
CHANNEL_ID = -100555
CHANNEL_NAME = "khulasa_news"

ADMIN = user(ADMIN_ID, "ar", "Admin")
READER_AR = user(READER_ID, "ar-SA", "Reader")
READER_EN = user(300, "en", "Reader")

ARTICLE_AR = (
    "# 2025: Google تطلق نموذج Gemini الجديد بدعم أفضل للغة العربية\n\n"
    "أعلنت شركة Google اليوم عن إطلاق نموذج جديد من عائلة Gemini يدعم اللغة العربية بشكل أفضل. "
    "وقالت الشركة إن النموذج تدرب على بيانات عربية أكثر بثلاث مرات من الإصدار السابق. "
    "ويتوقع أن يصل النموذج إلى المطورين في الشرق الأوسط خلال الربع القادم من العام. "
    "وأضافت الشركة أن الأسعار ستنخفض بنسبة 40 في المئة للمؤسسات الصغيرة والناشئة. "
    "ويرى محللون أن المنافسة مع OpenAI وDeepSeek ستشتد في السوق العربية خلال الأشهر المقبلة.\n"
)
ARTICLE_EN = (
    "# Chipmaker ships a 2nm processor <b>early</b> & cheaper\n\n"
    "A major chipmaker said on Monday that its first 2nm processors are shipping months ahead of plan. "
    "The company expects the new chips to cut power use in phones by nearly a third. "
    "Analysts said the early launch puts pressure on rivals that planned similar parts for next year. "
    "The firm also said prices would stay close to the current generation for large customers.\n"
)


def said(key: str, language: str, **params: Any) -> str:
    """A catalog string as the reader sees it in Telegram (Arabic lines marked right-to-left)."""
    return rtl_paragraph(t(key, language, **params))


def make_config(tmp_path: Path, fake: FakeTelegram, **extra: Any) -> Config:
    """Extractive summaries, one local source, the fake as the Bot API server."""
    telegram = {"enabled": True, "base_url": fake.base_url, **extra.pop("telegram", {})}
    return Config.model_validate(
        {
            "storage": {"url": f"sqlite:///{tmp_path / 'khulasa.db'}"},
            "summarizer": {"backend": "extractive", "sentences": 2},
            "sources": [{"name": "local", "path": str(tmp_path / "news"), "language": "ar"}],
            "fetch": {"allow_private_urls": True, "retries": 0},
            "telegram": telegram,
            "admins": {"telegram": [ADMIN_ID]},
            **extra,
        }
    )


@dataclass
class BotStack(CoreStack):
    """One running bot: what a test drives (the fake) and what it inspects (core, store).

    `fatal` holds what the adapter reported to stop the run (`khulasa run` would stop).
    """

    fake: FakeTelegram
    adapter: TelegramAdapter
    fatal: list[KhulasaError] = field(default_factory=list)

    async def say(
        self,
        chat_id: int,
        sender: dict[str, Any],
        text: str,
        *,
        reply_to: int | None = None,
        expect: int = 1,
    ) -> list[Call]:
        """Pushes a message and waits for `expect` new bot messages in that chat."""
        before = len(self.fake.calls_of("sendMessage", chat_id=chat_id))
        self.fake.push_message(chat_id, sender, text, reply_to=reply_to)
        return await self.replies(chat_id, before, expect)

    async def replies(self, chat_id: int, before: int, expect: int = 1) -> list[Call]:
        """The bot messages in a chat after the first `before` ones, once there are `expect`."""
        await self.fake.wait_for(
            lambda: len(self.fake.calls_of("sendMessage", chat_id=chat_id)) >= before + expect
        )
        return self.fake.calls_of("sendMessage", chat_id=chat_id)[before:]


StackFactory = Callable[..., Awaitable[BotStack]]


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test copies it instead of running every migration again."""
    path = tmp_path_factory.mktemp("template") / "khulasa.db"
    Store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    server.add_chat(GROUP_ID, "supergroup", title="Tech group")
    server.add_chat(CHANNEL_ID, "channel", title="Khulasa news", username=CHANNEL_NAME)
    yield server
    await server.close()
    assert not server.rejected, f"Telegram would have refused: {server.rejected}"
    unwanted = [call.params for call in server.calls_of("sendMessage") if not _preview_ok(call)]
    assert not unwanted, f"link previews other than the article's: {unwanted}"


def _preview_ok(call: Call) -> bool:
    """Every message says how to preview: not at all, only the article its button links, or a
    post's picture, large and above the text (ADR 017)."""
    preview = call.params.get("link_preview_options")
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    links = [button["url"] for row in rows for button in row if "url" in button]
    if preview == {"is_disabled": True}:
        return True
    if preview and preview.get("prefer_large_media") and preview.get("show_above_text"):
        return preview.get("url", "").startswith("https://") and preview["url"] not in links
    return bool(links) and preview == {"url": links[0]}


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    write_article(folder, "gemini.md", ARTICLE_AR)
    return folder


@pytest.fixture
async def start_bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake: FakeTelegram,
    news_dir: Path,
    migrated_db: Path,
) -> AsyncIterator[StackFactory]:
    """Starts a bot (again, for restarts) over the same database; all stopped at the end.

    The database is a SQLite file, or `database_url` when the test requests it (then the test
    runs on SQLite and on PostgreSQL).
    """
    stacks: list[BotStack] = []
    database = tmp_path / "khulasa.db"  # where make_config puts it
    database_url = requested_database_url(request)

    async def start(config: Config | None = None, **adapter_options: Any) -> BotStack:
        config = config or make_config(tmp_path, fake)
        config = with_database(config, database_url)
        if database_url is None and not database.exists():
            shutil.copyfile(migrated_db, database)
        store, pipeline, core, closers = await start_core(config)
        options = {
            "timeouts": RequestTimeouts(connect=2, read=2, write=2, pool=2, poll=1),
            "retry": RetryPolicy(attempts=3, backoff_s=0.01),
            **adapter_options,
        }
        fatal: list[KhulasaError] = []
        adapter = TelegramAdapter(config, core, SecretStr(fake.token), fatal.append, **options)
        stack = BotStack(
            config, store, pipeline, core, closers, fake=fake, adapter=adapter, fatal=fatal
        )
        stacks.append(stack)  # closed at teardown even if the adapter fails to start
        await adapter.start()
        stack.closers.append(adapter.stop)
        return stack

    yield start
    for stack in reversed(stacks):
        await stack.stop()


@pytest.fixture
async def bot(start_bot: StackFactory) -> BotStack:
    """The usual bot with the sample article fetched and summarized."""
    stack = await start_bot()
    assert await stack.fetch()
    return stack
