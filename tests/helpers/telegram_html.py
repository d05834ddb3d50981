"""Telegram's `parse_mode=HTML` rules, as the fake Bot API server enforces them on every message."""

from __future__ import annotations

import html
import re

MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024

# Tag name -> attributes it may carry (Bot API "HTML style"); an `a` needs its href.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
}

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class EntityError(ValueError):
    """The text would make Telegram answer 400 "can't parse entities"."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for `text`, or EntityError where Telegram refuses it."""
    plain: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise EntityError(f"Unsupported start tag at byte offset {position}")
            _check_tag(match, stack)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise EntityError(f"Unsupported HTML entity at byte offset {position}")
            plain.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            raise EntityError(f"Unexpected end of tag at byte offset {position}")
        else:
            plain.append(char)
            position += 1
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(plain)


def _check_tag(match: re.Match[str], stack: list[str]) -> None:
    closing, name, raw_attrs = match.group(1), match.group(2).lower(), match.group(3)
    if name not in ALLOWED_TAGS:
        raise EntityError(f'Unsupported start tag "{name}"')
    if closing:
        if not stack or stack[-1] != name:
            raise EntityError(f'Unmatched end tag "{name}"')
        stack.pop()
        return
    attrs = {key.lower(): (value or "").strip("\"'") for key, value in _ATTR.findall(raw_attrs)}
    unknown = set(attrs) - ALLOWED_TAGS[name]
    if unknown:
        raise EntityError(f'Unsupported attribute "{sorted(unknown)[0]}" in tag "{name}"')
    if name == "a" and not attrs.get("href"):
        raise EntityError('Tag "a" must have attribute "href"')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityError('Tag "span" must have class "tg-spoiler"')
    stack.append(name)


class TextRejected(ValueError):
    """Telegram's 400 description for a message text it refuses."""


def check_message(
    text: str, *, html_mode: bool, limit: int = MAX_TEXT_UTF16, what: str = "message"
) -> str:
    """Parses and measures the text as sendMessage does; returns the plain text or raises.

    `what` names the part in the length error: "message", or "message caption" for captions.
    """
    try:
        plain = parse_html(text) if html_mode else text
    except EntityError as error:
        raise TextRejected(f"Bad Request: can't parse entities: {error}") from None
    if not plain.strip():
        raise TextRejected("Bad Request: message text is empty")
    if utf16_len(plain) > limit:
        raise TextRejected(f"Bad Request: {what} is too long")
    return plain
