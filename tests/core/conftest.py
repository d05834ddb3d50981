"""Fixtures for the core: a migrated SQLite file, plain fakes for the pipeline, sender and Q&A."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.composition import build_core
from bot.config import Config, parse_config
from bot.core import AnswerView, Caller, Core, Destination, Post, SentMessage
from bot.core.types import EditOutcome
from bot.errors import FetchError, UnsafeURLError
from bot.store import Store
from bot.store.models import ArticleRow, Source, Story, SummaryRow
from summarizer import Article as TextArticle
from summarizer import SummarizerOptions
from summarizer.extractive import ExtractiveSummarizer
from summarizer.qa import Answer, Evidence, QAOptions, Turn
from tests.helpers.postgres import requested_database_url

CONFIG = """
sources:
  - {name: alpha, path: seeds/}
  - {name: beta, path: seeds/, schedule: "1h"}
admins:
  telegram: [100]
delivery:
  summary_count: 2
  digest_max_items: 2
"""

ADMIN = "100"
LONG_TEXT = (
    "أعلنت شركة ناشئة في الرياض عن نموذج لغوي جديد يفهم اللهجات العربية. "
    "وقال مؤسس الشركة إن النموذج درب على ملايين الجمل من وسائل التواصل. "
    "ويتوقع أن يطرح النموذج للمطورين في الربع القادم مجانا للأبحاث. "
    "وأضاف أن الشركة تعمل مع جامعات محلية لتقييم جودة الترجمة. "
)


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Path:
    """One migrated database file, copied per test: migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "khulasa.db"
    Store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def db_path(request: pytest.FixtureRequest, tmp_path, migrated: Path) -> str:
    """A copy of the migrated SQLite file, or `database_url` when the test requests it."""
    url = requested_database_url(request)
    if url is not None:
        return url
    shutil.copyfile(migrated, tmp_path / "khulasa.db")
    return f"sqlite:///{tmp_path / 'khulasa.db'}"


@pytest.fixture
def store(db_path: str) -> Iterator[Store]:
    store = Store(db_path)
    yield store
    store.close()


def now() -> datetime:
    return datetime.now(UTC)


def add_article(
    store: Store,
    source: str,
    title: str,
    *,
    text: str = LONG_TEXT,
    fetched_at: datetime | None = None,
    published_at: datetime | None = None,
    summary: str | None = "ملخص",
    url: str | None = None,
    image_url: str | None = None,
    language: str = "ar",
) -> int:
    """Stores an article (and its source and summary) the way the pipeline would."""
    with store.db.session() as session:
        row = session.query(Source).filter_by(name=source).one_or_none()
        if row is None:
            row = Source(name=source, location="seeds/")
            session.add(row)
            session.flush()
        article = ArticleRow(
            source_id=row.id,
            url=url or f"https://example.org/{title}",
            content_hash=title,
            title=title,
            text=text,
            language=language,
            fetched_at=fetched_at or now() + timedelta(seconds=1),
            published_at=published_at,
            image_url=image_url,
        )
        session.add(article)
        session.flush()
        if summary is not None:
            session.add(
                SummaryRow(
                    article_id=article.id, backend="fake", model="m", text=f"{summary} {title}"
                )
            )
        return article.id


def join_story(store: Store, *article_ids: int) -> int:
    """Puts the articles into one new story, as the story desk would; returns the story's id."""
    with store.db.session() as session:
        story = Story(started_at=now())
        session.add(story)
        session.flush()
        for article in session.query(ArticleRow).filter(ArticleRow.id.in_(article_ids)):
            article.story_id = story.id
        return story.id


class FakePipeline:
    """The pipeline seam: URLs map to stored article ids; unknown hosts fail like the real one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.urls: dict[str, int] = {}
        self.fetched: list[tuple[str, bool]] = []
        self.summarized = 0

    async def fetch_url(self, url: str, *, untrusted: bool) -> int:
        self.fetched.append((url, untrusted))
        if "127.0.0.1" in url:
            raise UnsafeURLError(url)
        if url not in self.urls:
            raise FetchError(url)
        return self.urls[url]

    async def summarize_articles(self, article_ids: Sequence[int]) -> list[int]:
        self.summarized += 1
        created = []
        with self.store.db.session() as session:
            for article in session.query(ArticleRow).filter(ArticleRow.id.in_(article_ids)).all():
                if not session.query(SummaryRow).filter_by(article_id=article.id).count():
                    summary = SummaryRow(
                        article_id=article.id, backend="fake", model="m", text="ملخص جديد"
                    )
                    session.add(summary)
                    session.flush()
                    created.append(summary.id)
        return created


@dataclass
class FakeSender:
    """The adapter seam: records sends and edits; `failures[chat_id]` lists exceptions to raise
    in turn on sends, `edit_outcomes[message_id]` outcomes (or exceptions) of edits in turn."""

    platform: str = "telegram"
    sent: list[tuple[Destination, Post, str]] = field(default_factory=list)
    edits: list[tuple[Destination, str, Post, str]] = field(default_factory=list)
    edit_outcomes: dict[str, list[EditOutcome | BaseException]] = field(default_factory=dict)
    texts: list[tuple[Destination, str]] = field(default_factory=list)
    admin_notices: list[str] = field(default_factory=list)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    counter: int = 0

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        queued = self.failures.get(dest.chat_id)
        if queued:
            raise queued.pop(0)
        self.counter += 1
        self.sent.append((dest, post, language))
        return str(self.counter)

    async def send_text(self, dest: Destination, text: str) -> str:
        self.counter += 1
        self.texts.append((dest, text))
        return str(self.counter)

    async def edit_post(
        self, dest: Destination, message_id: str, post: Post, language: str
    ) -> EditOutcome:
        queued = self.edit_outcomes.get(message_id)
        outcome = queued.pop(0) if queued else EditOutcome.EDITED
        if isinstance(outcome, BaseException):
            raise outcome
        self.edits.append((dest, message_id, post, language))
        return outcome

    async def notify_admins(self, text: str) -> None:
        self.admin_notices.append(text)

    def titles(self, chat_id: str | None = None) -> list[str]:
        return [post.title for dest, post, _ in self.sent if chat_id in (None, dest.chat_id)]


@dataclass
class FakeOutbox:
    """The reply seam: what the core sent into one chat; message ids count up from 100."""

    dest: Destination
    texts: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    posts: dict[str, Post] = field(default_factory=dict)  # message id -> post
    answers: dict[str, AnswerView] = field(default_factory=dict)  # message id -> answer
    counter: int = 99

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def send_prompt(self, text: str) -> list[SentMessage]:
        self.prompts.append(text)
        return [self._next()]

    async def send_post(self, post: Post) -> SentMessage:
        sent = self._next()
        self.posts[sent.message_id] = post
        return sent

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        sent = self._next()
        self.answers[sent.message_id] = answer
        return [sent]

    def last_id(self) -> str:
        return str(self.counter)

    def _next(self) -> SentMessage:
        self.counter += 1
        return SentMessage(self.dest, str(self.counter))


@dataclass
class FakeAnswerer:
    """The Q&A seam: abstains unless the question names a word of the article; records history.

    The score is the share of the question's words the article holds.
    """

    calls: list[tuple[str, tuple[Turn, ...]]] = field(default_factory=list)

    def __call__(
        self, question: str, article: TextArticle, history: Sequence[Turn], options: QAOptions
    ) -> Answer:
        self.calls.append((question, tuple(history)))
        words = [word for word in question.split() if word in article.text]
        if not words:
            return Answer("", (), 0.0, True, "fake")
        start = article.text.index(words[0])
        evidence = Evidence(article.text[start : start + 20], 0, start, start + 20)
        score = len(words) / len(question.split())
        return Answer(f"answer: {words[0]}", (evidence,), score, False, "fake")


@dataclass
class Rescheduled:
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    async def __call__(self, kind: str, target: str, schedule: str) -> None:
        self.calls.append((kind, target, schedule))


@pytest.fixture
def pipeline(store: Store) -> FakePipeline:
    return FakePipeline(store)


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def rescheduled() -> Rescheduled:
    return Rescheduled()


@pytest.fixture
def make_core(
    config: Config, pipeline: FakePipeline, answerer: FakeAnswerer, rescheduled: Rescheduled
):
    """Builds a Core over a given store (a new one per call simulates a restart)."""

    async def summarize_now(article_id: int) -> bool:
        await pipeline.summarize_articles([article_id])
        return True

    def build(store: Store) -> Core:
        summarizer = ExtractiveSummarizer(SummarizerOptions(backend="extractive"))
        return build_core(
            config,
            store,
            pipeline,
            summarizer,
            summarize_now,
            answerer=answerer,
            reschedule=rescheduled,
        )

    return build


@pytest.fixture
def core(make_core, store: Store) -> Core:
    return make_core(store)


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


def private(user: str = "7", language: str = "ar") -> Caller:
    return Caller(user, Destination("telegram", user, "", "private"), language=language)


def group(
    user: str = "7", *, manager: bool = False, chat: str = "-500", language: str = "ar"
) -> Caller:
    return Caller(
        user, Destination("telegram", chat, "", "group"), language=language, can_manage_chat=manager
    )
