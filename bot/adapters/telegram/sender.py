"""The core's `Sender` on Telegram: posts with buttons, plain texts, admin notices, and replies.

A post with a picture is a photo captioned with the post when the post fits a caption, else
the whole text with the picture as a large preview above it; a picture Telegram refuses leaves
the post as text in the same send, so one post is always one message (ADR 017). A story's
post is edited in place as sources join: `editMessageCaption` for a photo, `editMessageText`
for a text, never a new message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache, partial

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.adapters.telegram.errors import (
    RetryPolicy,
    delivery_errors,
    not_modified,
    other_kind,
    picture_refused,
    with_retries,
)
from bot.adapters.telegram.formatting import (
    MAX_CAPTION,
    MAX_MESSAGE,
    fits_caption,
    is_web_url,
    plain_messages,
    post_html,
)
from bot.adapters.telegram.settings import PLATFORM as SPEC
from bot.core.delivery import TransientDeliveryError
from bot.core.types import Destination, EditOutcome, Post
from bot.errors import DeliveryError
from bot.i18n import t

log = logging.getLogger(__name__)

PLATFORM = SPEC.name
ASK_PREFIX = "ask:"  # callback data of the «اسأل» button: ask:<article id>
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

ReplyMarkup = InlineKeyboardMarkup | ForceReply
# Posts whose HTML, buttons and preview are kept: a round sends one post to a thousand chats,
# and rendering it for each cost 0.08 ms a send (1 µs from the cache). Posts are frozen and
# PTB's objects immutable, so one rendering serves every chat (and every edit of a story).
RENDERED = 256


def chat_ref(chat_id: str) -> int | str:
    """Numeric ids as ints; `@channelname` stays a string (the Bot API accepts both)."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


@lru_cache(maxsize=RENDERED)
def post_keyboard(post: Post, language: str) -> InlineKeyboardMarkup:
    """The article link (when it is a web page) and the «اسأل» button under each post."""
    row = [
        InlineKeyboardButton(
            t("post.ask", language), callback_data=f"{ASK_PREFIX}{post.article_id}"
        )
    ]
    if is_web_url(post.url):
        row.insert(0, InlineKeyboardButton(t("post.read_more", language), url=post.url))
    return InlineKeyboardMarkup([row])


@lru_cache(maxsize=RENDERED)
def post_preview(post: Post, picture: str | None) -> LinkPreviewOptions:
    """A picture as a large preview above the text; else the article's page; else none."""
    if picture:
        return LinkPreviewOptions(url=picture, prefer_large_media=True, show_above_text=True)
    return LinkPreviewOptions(url=post.url) if is_web_url(post.url) else NO_PREVIEW


_post_html = lru_cache(maxsize=RENDERED)(post_html)
_fits_caption = lru_cache(maxsize=RENDERED)(fits_caption)


class TelegramSender:
    """Sends rendered HTML; every Telegram refusal leaves as one of the core's delivery errors."""

    platform = PLATFORM

    def __init__(
        self,
        bot: Bot,
        admins: Sequence[int],
        retry: RetryPolicy,
        *,
        paid_broadcast: bool = False,
        images: bool = True,
        max_listed: int | None = None,
    ) -> None:
        self._bot = bot
        self._admins = tuple(admins)
        self._retry = retry
        self._paid_broadcast = paid_broadcast  # telegram.allow_paid_broadcast: posts only
        self._images = images  # telegram.images, else posts.images
        self._max_listed = max_listed  # stories.max_listed_sources; None: as many as fit

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        """One message per post (never split, so exactly-once stays one message); its id."""
        with delivery_errors():
            message = await self._post(dest, post, language)
        return str(message.message_id)

    def _html(self, post: Post, language: str, limit: int) -> str:
        return _post_html(post, language, limit, self._max_listed)

    def _picture(self, post: Post, language: str) -> str | None:
        """The picture a post is sent as a photo with: it has one, and its text fits a caption."""
        picture = post.image_url if self._images else None
        return picture if picture and _fits_caption(post, language) else None

    async def _post(self, dest: Destination, post: Post, language: str) -> Message:
        """The photo when the post fits its caption; otherwise, or when refused, the text."""
        markup = post_keyboard(post, language)
        picture = post.image_url if self._images else None
        if photo := self._picture(post, language):
            try:
                return await self._send_photo(
                    dest, photo, self._html(post, language, MAX_CAPTION), markup
                )
            except BadRequest as error:  # a 400: nothing was posted, so the text cannot double
                if not picture_refused(error):
                    raise
                log.warning(
                    "Telegram refused picture %s of article %s in chat %s (%s); posting text",
                    picture,
                    post.article_id,
                    dest.chat_id,
                    error.message,
                )
                picture = None
        elif picture:
            log.info(
                "article %s is longer than a caption; its picture is previewed above the text",
                post.article_id,
            )
        return await self.send_html(
            dest,
            self._html(post, language, MAX_MESSAGE),
            markup=markup,
            preview=post_preview(post, picture),
            paid_broadcast=self._paid_broadcast,
        )

    async def edit_post(
        self, dest: Destination, message_id: str, post: Post, language: str
    ) -> EditOutcome:
        """Makes a sent post show `post` now (its story's sources); one log line per outcome.

        Whether the post went out as a photo was decided at send time (the picture may have
        been refused), so the likely kind is edited first and the other once when Telegram
        says the message has no caption (or no text). "Not modified" is success; a message
        deleted, too old or refused is gone; 429 and network failures are retried later (an
        edit is idempotent, so even an unanswered one may be tried again).
        """
        where = (message_id, dest.chat_id, post.story_id, len(post.also))
        try:
            method = await self._edit(dest, int(message_id), post, language)
        except BadRequest as error:  # before NetworkError: PTB derives it from that
            if not_modified(error):
                log.info("post %s in chat %s already shows story %s (%d other sources)", *where)
                return EditOutcome.UNCHANGED
            log.warning(
                "post %s in chat %s of story %s (%d other sources) cannot be edited (%s); dropped",
                *where,
                error.message,
            )
            return EditOutcome.GONE
        except (Forbidden, ChatMigrated) as error:
            log.warning(
                "post %s in chat %s of story %s (%d other sources) is out of reach (%s); dropped",
                *where,
                error,
            )
            return EditOutcome.GONE
        except (RetryAfter, NetworkError) as error:
            log.warning(
                "edit of post %s in chat %s of story %s (%d other sources) failed for now (%s)",
                *where,
                error,
            )
            raise TransientDeliveryError(str(error)) from error
        log.info("edited post %s in chat %s of story %s: %d other sources (%s)", *where, method)
        return EditOutcome.EDITED

    async def _edit(self, dest: Destination, message_id: int, post: Post, language: str) -> str:
        """The likely kind of edit, then the other once if the message is not of it; the method."""
        picture = post.image_url if self._images else None
        caption = partial(self._edit_caption, dest, message_id, post, language)
        if self._picture(post, language):  # sent as a photo, unless the picture was refused
            kinds = (caption, partial(self._edit_text, dest, message_id, post, language, None))
        else:  # sent as text: no picture, or too long for a caption and the picture previewed
            kinds = (partial(self._edit_text, dest, message_id, post, language, picture), caption)
        try:
            return await kinds[0]()
        except BadRequest as error:
            if not other_kind(error):
                raise
        return await kinds[1]()

    async def _edit_caption(
        self, dest: Destination, message_id: int, post: Post, language: str
    ) -> str:
        """editMessageCaption with the post's caption and buttons; the method's name."""
        await with_retries(
            lambda: self._bot.edit_message_caption(
                chat_id=chat_ref(dest.chat_id),
                message_id=message_id,
                caption=self._html(post, language, MAX_CAPTION),
                parse_mode=ParseMode.HTML,
                reply_markup=post_keyboard(post, language),
            ),
            self._retry,
        )
        return "editMessageCaption"

    async def _edit_text(
        self, dest: Destination, message_id: int, post: Post, language: str, picture: str | None
    ) -> str:
        """editMessageText with the post's text, buttons and the preview it was sent with."""
        await with_retries(
            lambda: self._bot.edit_message_text(
                self._html(post, language, MAX_MESSAGE),
                chat_id=chat_ref(dest.chat_id),
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=post_preview(post, picture),
                reply_markup=post_keyboard(post, language),
            ),
            self._retry,
        )
        return "editMessageText"

    async def _send_photo(
        self, dest: Destination, picture: str, caption: str, markup: InlineKeyboardMarkup
    ) -> Message:
        """sendPhoto by URL (Telegram fetches it), the post as its HTML caption, buttons kept."""
        return await with_retries(
            lambda: self._bot.send_photo(
                chat_id=chat_ref(dest.chat_id),
                photo=picture,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                message_thread_id=int(dest.thread_id) if dest.thread_id else None,
                allow_paid_broadcast=True if self._paid_broadcast else None,
            ),
            self._retry,
        )

    async def send_text(self, dest: Destination, text: str) -> str:
        """Plain text, escaped and split; the id of the first message."""
        with delivery_errors():
            sent = await self.send_pages(dest, plain_messages(text))
        return str(sent[0].message_id)

    async def notify_admins(self, text: str) -> None:
        """Each admin in `admins.telegram` in a private chat; one unreachable admin skips only himself."""
        for admin_id in self._admins:
            try:
                await self.send_text(Destination(PLATFORM, str(admin_id)), text)
            except DeliveryError as error:
                log.warning("could not notify Telegram admin %s: %s", admin_id, error)

    async def send_pages(
        self,
        dest: Destination,
        pages: Sequence[str],
        *,
        markup: ReplyMarkup | None = None,
        reply_to: int | None = None,
    ) -> list[Message]:
        """Sends HTML pages in order; the markup goes under the last one, the reply on the first."""
        sent: list[Message] = []
        for index, page in enumerate(pages):
            last = index == len(pages) - 1
            sent.append(
                await self.send_html(
                    dest,
                    page,
                    markup=markup if last else None,
                    reply_to=reply_to if index == 0 else None,
                )
            )
        return sent

    async def send_html(
        self,
        dest: Destination,
        text: str,
        *,
        markup: ReplyMarkup | None = None,
        preview: LinkPreviewOptions = NO_PREVIEW,
        reply_to: int | None = None,
        paid_broadcast: bool = False,
    ) -> Message:
        """The one place that calls sendMessage: HTML mode, explicit preview, resent only if never sent.

        `paid_broadcast` asks Telegram to lift the 30 messages/s broadcast limit for a fee; when
        false the parameter is not sent at all.
        """
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        return await with_retries(
            lambda: self._bot.send_message(
                chat_id=chat_ref(dest.chat_id),
                text=text,
                parse_mode=ParseMode.HTML,
                link_preview_options=preview,
                reply_markup=markup,
                reply_parameters=reply,
                message_thread_id=int(dest.thread_id) if dest.thread_id else None,
                allow_paid_broadcast=True if paid_broadcast else None,
            ),
            self._retry,
        )
