"""A fake Bot API server on 127.0.0.1: real python-telegram-bot traffic, recorded and checked.

It answers with Telegram's JSON envelopes, checks every HTML message and caption the way
Telegram does (photos are sent by URL; `refuse_photo` makes Telegram's fetch of one fail),
serves updates pushed by a test through long-polled getUpdates (a getUpdates arriving while a
long poll waits ends that one with 409 Conflict, as Telegram does), and injects failures
(429, 400, 403, dropped connections before or after the work is done, slow answers) for the
next calls of a method, or goes offline altogether (connections refused).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from tests.helpers.telegram_faults import (
    BAD_REQUEST,
    BLOCKED,
    CONFLICT,
    EDIT_NOT_FOUND,
    KICKED,
    NOT_MODIFIED,
    PHOTO_UNREACHABLE,
    WRONG_PHOTO_URL,
    Delay,
    Drop,
    Fail,
    Fault,
    migrated_to,
    retry_after,
)
from tests.helpers.telegram_html import (
    MAX_CAPTION_UTF16,
    MAX_TEXT_UTF16,
    TextRejected,
    check_message,
)

LONG_POLL_CAP_S = 0.2  # getUpdates never holds a test longer than this
BOT_ID = 777000
BOT_USERNAME = "khulasa_test_bot"
# Form fields that PTB JSON-encodes; every other field arrives as a plain string.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "entities",
        "allowed_updates",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_paid_broadcast",
    }
)
_MEMBER_RIGHTS = (
    "can_be_edited can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
    "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
    "can_delete_stories can_post_messages can_edit_messages"
).split()


@dataclass
class Call:
    """One request the client made: method, decoded params, when, and what it got back."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    result: Any = None


@dataclass
class _Poll:
    """The getUpdates long poll now waiting; a newer getUpdates marks it superseded."""

    superseded: bool = False


@dataclass
class FakeTelegram:
    """Serves `/bot<token>/<method>`; state lives in plain attributes the tests read."""

    token: str = "123456:TEST-TOKEN"
    long_poll_cap_s: float = LONG_POLL_CAP_S
    calls: list[Call] = field(default_factory=list)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)  # (chat, user) -> status
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    rejected: list[Call] = field(default_factory=list)  # 400s for bad text: tests assert none
    refused_photos: dict[str, Fail] = field(default_factory=dict)  # photo URL -> Telegram's 400
    photos: dict[tuple[int, int], str] = field(default_factory=dict)  # message -> photo URL

    def __post_init__(self) -> None:
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._callback_ids = itertools.count(1)
        self._faults: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._poll: _Poll | None = None  # one token is served, so one poll at a time
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Khulasa",
            "username": BOT_USERNAME,
        }

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await self._serve(port=0)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def go_offline(self) -> None:
        """Closes the port and every open connection: the client's next connect is refused."""
        await self.close()

    async def come_back(self) -> None:
        """Serves again on the same port, state intact."""
        await self._serve(port=self.port)

    async def _serve(self, port: int) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- test controls ---------------------------------------------------------------------

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        """The next `times` calls of `method` get `fault` instead of their answer."""
        self._faults[method].extend([fault] * times)

    def refuse_photo(self, url: str, fail: Fail = PHOTO_UNREACHABLE) -> None:
        """Telegram will not use this photo URL: sendPhoto with it answers `fail`."""
        self.refused_photos[url] = fail

    def add_chat(
        self, chat_id: int, kind: str, *, title: str | None = None, username: str | None = None
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = title or "Reader"
        else:
            chat["title"] = title or f"{kind} {chat_id}"
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        return chat

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """status: creator | administrator | member | left | kicked."""
        self.members[(chat_id, user_id)] = status

    def push_message(
        self, chat_id: int, user: dict[str, Any], text: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """A user's message arrives; a leading /command gets its bot_command entity."""
        message = self._new_message(chat_id, user, text)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self.messages[(chat_id, reply_to)]
        self._push({"message": message})
        return message

    def push_callback(self, chat_id: int, message_id: int, user: dict[str, Any], data: str) -> str:
        """A user presses an inline button under the bot's message; returns the query id."""
        query_id = str(next(self._callback_ids))
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{chat_id}",
            "message": self.messages[(chat_id, message_id)],
            "data": data,
        }
        self._push({"callback_query": query})
        return query_id

    def calls_of(self, method: str, **where: Any) -> list[Call]:
        """Successful calls of a method whose params match `where` (chat_id compared as str)."""
        return [
            call
            for call in self.calls
            if call.method == method
            and call.ok
            and all(str(call.params.get(k)) == str(v) for k, v in where.items())
        ]

    @property
    def polling(self) -> bool:
        """A getUpdates long poll is waiting (the next getUpdates would end it with 409)."""
        return self._poll is not None

    def sent_texts(self, chat_id: int) -> list[str]:
        """Plain texts of the bot's messages in a chat, oldest first."""
        return [call.result["text"] for call in self.calls_of("sendMessage", chat_id=chat_id)]

    def sent_photos(self, chat_id: int) -> list[tuple[str, str]]:
        """(photo URL, plain caption) of the bot's photos in a chat, oldest first."""
        return [
            (call.params["photo"], call.result.get("caption", ""))
            for call in self.calls_of("sendPhoto", chat_id=chat_id)
        ]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        """Waits until predicate() is truthy (re-checked after every call); returns its value."""
        async with asyncio.timeout(within):
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value

    # -- serving ---------------------------------------------------------------------------

    def _push(self, payload: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **payload})
        self._notify_soon()

    def _notify_soon(self) -> None:
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _new_message(self, chat_id: int, sender: dict[str, Any], text: str) -> dict[str, Any]:
        chat = self.chats.get(chat_id) or self.add_chat(
            chat_id, "private" if chat_id > 0 else "group"
        )
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": chat,
            "text": text,
        }
        if chat["type"] != "channel":
            message["from"] = sender
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = _decode(await request.post())
        call = Call(method, params, time.monotonic())
        faults = self._faults[method]
        fault = faults.popleft() if faults else None
        if isinstance(fault, Drop):
            sent = fault.after_sending
            self._record(call, ok=sent, result=self._answer(method, params) if sent else None)
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if isinstance(fault, Delay):
            await asyncio.sleep(fault.seconds)
        try:
            if isinstance(fault, Fail):
                raise _Failure(fault)
            result = (
                await self._api_getUpdates(params)
                if method == "getUpdates"
                else self._answer(method, params)
            )
        except _Failure as failure:
            self._record(call, ok=False, result=failure.fail)
            body = {
                "ok": False,
                "error_code": failure.fail.error_code,
                "description": failure.fail.description,
            }
            if failure.fail.parameters:
                body["parameters"] = failure.fail.parameters
            return web.json_response(body, status=failure.fail.error_code)
        self._record(call, ok=True, result=result)
        return web.json_response({"ok": True, "result": result})

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise _Failure(Fail(404, "Not Found: method not found"))
        return handler(params)

    def _record(self, call: Call, *, ok: bool, result: Any = None) -> None:
        call.ok, call.result = ok, result
        if call.method == "getUpdates" and ok and not result:
            return  # empty long polls would drown the record
        self.calls.append(call)
        self._notify_soon()

    # -- Bot API methods -------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        for command in params["commands"]:
            name, description = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and name.islower() and name.replace("_", "").isalnum()):
                raise _Failure(Fail(400, "Bad Request: BOT_COMMAND_INVALID"))
            if not 1 <= len(description) <= 256:
                raise _Failure(Fail(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"))
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params["chat_id"])
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        plain = self._checked("sendMessage", params, "text", MAX_TEXT_UTF16)
        message = self._new_message(chat["id"], self.bot_user, plain)
        self._echo(message, params)
        return message

    def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        photo = params.get("photo")
        if isinstance(photo, FileField):
            source = f"upload:{photo.filename}"
        elif isinstance(photo, str) and photo.startswith(("http://", "https://")):
            source = photo
        else:  # neither a URL nor a file id this bot was ever given
            raise _Failure(WRONG_PHOTO_URL)
        if source in self.refused_photos:
            raise _Failure(self.refused_photos[source])
        caption = self._caption("sendPhoto", params)
        message = self._new_message(chat["id"], self.bot_user, "")
        del message["text"]
        message["photo"] = [_photo_size(message["message_id"], side) for side in (90, 800)]
        if caption:
            message["caption"] = caption
        self.photos[(chat["id"], message["message_id"])] = source
        self._echo(message, params)
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        if "text" not in message:
            raise _Failure(Fail(400, "Bad Request: there is no text in the message to edit"))
        plain = self._checked("editMessageText", params, "text", MAX_TEXT_UTF16)
        preview = params.get("link_preview_options")
        if (plain, preview) == (message["text"], message.get("link_preview_options")):
            self._unchanged(message, params)
        message["text"] = plain
        message.pop("link_preview_options", None)
        return self._touched(message, params)

    def _api_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        if "photo" not in message:
            raise _Failure(Fail(400, "Bad Request: there is no caption in the message to edit"))
        caption = self._caption("editMessageCaption", params)
        if caption == message.get("caption", ""):
            self._unchanged(message, params)
        message.pop("caption", None)
        if caption:
            message["caption"] = caption
        return self._touched(message, params)

    def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self._chat(params["chat_id"]),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        user_id = int(params["user_id"])
        status = self.members.get((chat["id"], user_id), "left")
        user = (
            self.bot_user
            if user_id == BOT_ID
            else {"id": user_id, "is_bot": False, "first_name": "User"}
        )
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member |= dict.fromkeys(_MEMBER_RIGHTS, True) | {"is_anonymous": False}
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._poll is not None:  # Telegram ends the older request, not the newer one
            self._poll.superseded = True
            self._poll = None
            self._notify_soon()
        offset = int(params.get("offset", 0))
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        wait = min(float(params.get("timeout", 0)), self.long_poll_cap_s)
        if not self._updates and wait > 0:
            poll = self._poll = _Poll()
            self._notify_soon()  # for tests waiting on `polling`
            try:
                await self.wait_for(lambda: self._updates or poll.superseded, within=wait)
            except TimeoutError:
                return []
            finally:
                if self._poll is poll:
                    self._poll = None
            if poll.superseded:
                raise _Failure(CONFLICT)
        return list(self._updates)

    # -- helpers ---------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        text = str(chat_id)
        if text.startswith("@"):
            found = next(
                (
                    c
                    for c in self.chats.values()
                    if c.get("username", "").lower() == text[1:].lower()
                ),
                None,
            )
        else:
            found = self.chats.get(int(text))
            if found is None and int(text) > 0:
                found = self.add_chat(int(text), "private")
        if found is None:
            raise _Failure(BAD_REQUEST)
        return found

    def _checked(self, method: str, params: dict[str, Any], name: str, limit: int) -> str:
        """The plain text of a message's text or caption, or Telegram's 400 for it."""
        html_mode = str(params.get("parse_mode", "")).upper() == "HTML"
        what = "message caption" if name == "caption" else "message"
        try:
            return check_message(params.get(name, ""), html_mode=html_mode, limit=limit, what=what)
        except TextRejected as error:
            self.rejected.append(Call(method, params, time.monotonic(), ok=False))
            raise _Failure(Fail(400, str(error))) from None

    def _caption(self, method: str, params: dict[str, Any]) -> str:
        """A caption is optional; one that is there is checked as strictly as a text."""
        if not params.get("caption"):
            return ""
        return self._checked(method, params, "caption", MAX_CAPTION_UTF16)

    def _echo(self, message: dict[str, Any], params: dict[str, Any]) -> None:
        """What Telegram echoes of a send: inline keyboards, the reply, the preview options."""
        if "inline_keyboard" in params.get("reply_markup", {}):
            message["reply_markup"] = params["reply_markup"]
        reply = params.get("reply_parameters") or {}
        if "message_id" in reply:
            key = (message["chat"]["id"], int(reply["message_id"]))
            message["reply_to_message"] = self.messages.get(key)
        if "link_preview_options" in params:
            message["link_preview_options"] = params["link_preview_options"]

    def _edited(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot message an edit names, or Telegram's 400."""
        chat = self._chat(params["chat_id"])
        message = self.messages.get((chat["id"], int(params["message_id"])))
        if message is None or message.get("from", self.bot_user) != self.bot_user:
            raise _Failure(EDIT_NOT_FOUND)
        return message

    @staticmethod
    def _unchanged(message: dict[str, Any], params: dict[str, Any]) -> None:
        """An edit to the same content and keyboard: Telegram's "message is not modified".

        An edit without `reply_markup` removes the inline keyboard, as on Telegram.
        """
        if params.get("reply_markup") == message.get("reply_markup"):
            raise _Failure(NOT_MODIFIED)

    def _touched(self, message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """An edited message as Telegram returns it: new keyboard and preview, an edit date."""
        message.pop("reply_markup", None)
        self._echo(message, {k: v for k, v in params.items() if k != "reply_parameters"})
        message["edit_date"] = int(time.time())
        return message


class _Failure(Exception):
    def __init__(self, fail: Fail) -> None:
        super().__init__(fail.description)
        self.fail = fail


def _photo_size(message_id: int, side: int) -> dict[str, Any]:
    """One of the sizes Telegram stores a sent photo in."""
    return {
        "file_id": f"photo-{message_id}-{side}",
        "file_unique_id": f"p{message_id}x{side}",
        "width": side,
        "height": side * 9 // 16,
    }


def _decode(form: Any) -> dict[str, Any]:
    """PTB posts form fields; complex ones are JSON-encoded strings."""
    return {key: json.loads(value) if key in _JSON_FIELDS else value for key, value in form.items()}


def user(user_id: int, language_code: str | None = "ar", name: str = "Reader") -> dict[str, Any]:
    """A Telegram User object for pushed updates."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if language_code:
        data["language_code"] = language_code
    return data


__all__ = [  # the faults are re-exported: tests import them from here
    "BAD_REQUEST",
    "BLOCKED",
    "BOT_ID",
    "BOT_USERNAME",
    "CONFLICT",
    "Call",
    "Delay",
    "Drop",
    "EDIT_NOT_FOUND",
    "Fail",
    "FakeTelegram",
    "Fault",
    "KICKED",
    "LONG_POLL_CAP_S",
    "NOT_MODIFIED",
    "PHOTO_UNREACHABLE",
    "WRONG_PHOTO_URL",
    "migrated_to",
    "retry_after",
    "user",
]
