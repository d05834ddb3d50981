"""Turning whatever a user or a feed hands over into plain text, and spotting page furniture."""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

from ..errors import InputError
from .tokens import tokenize

# Legacy Arabic encodings, most common first; windows-1256 maps nearly every byte, so it wins.
_FALLBACK_ENCODINGS = ("windows-1256", "iso-8859-6")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_HTML_TAG = re.compile(
    r"<(?:!doctype|html|head|body|p|div|br|span|a|h[1-6]|article|section|li|ul|ol|table|tr|td|"
    r"script|style|strong|em|b|i|img|meta|main|header|footer|nav)\b[^>]*>",
    re.IGNORECASE,
)
_DROPPED_ELEMENTS = ("script", "style", "noscript", "template", "head", "nav", "footer", "form")
_BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 header "
    "hr li main ol p pre section table td th tr ul".split()
)
_INVISIBLE = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# Boilerplate: phrases of comment forms, share bars and footers (normalized); any line holding
# one of these is furniture, however long.
_FURNITURE_PHRASES = tuple(
    " ".join(tokenize(phrase))
    for phrase in (
        "لن يتم نشر عنوان بريدك الإلكتروني",
        "الحقول الإلزامية مشار إليها",
        "جميع الحقوق محفوظة",
        "اضغط هنا",
        "انقر هنا",
        "اقرأ أيضا",
        "اقرأ المزيد",
        "شارك هذا",
        "إضافة تعليق",
        "أضف تعليق",
        "اترك تعليقا",
        "اترك ردا",
        "اشترك في النشرة",
        "your email address will not be published",
        "required fields are marked",
        "leave a comment",
        "leave a reply",
        "all rights reserved",
        "sign up for",
        "subscribe to our",
        "share this",
        "read more",
        "click here",
    )
)
_MIN_WORDS = 4  # fewer words is a menu item, a byline or a button
_HEADING_WORDS = 8  # an unpunctuated line this short is a heading or a link, not a statement
_MIN_LETTER_SHARE = 0.5
_SENTENCE_END = re.compile('[.!?؟؛…:،,"»”)]$')


def decode_bytes(data: bytes) -> str:
    """Text from bytes: UTF-8 (or a BOM's encoding), then the legacy Arabic code pages."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data:
        raise InputError("the input is binary data, not text")
    for encoding in ("utf-8", *_FALLBACK_ENCODINGS):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("the input is neither UTF-8 nor windows-1256 / ISO-8859-6 text")


def strip_html(text: str) -> str:
    """Visible text of HTML pasted as text, block elements on their own lines; plain text as is."""
    if not _HTML_TAG.search(text):
        return text
    try:
        root = lxml.html.fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return text
    for element in list(root.iter(*_DROPPED_ELEMENTS)):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_ELEMENTS:
            element.tail = "\n" + (element.tail or "")
    return root.text_content()


def clean_text(text: str) -> str:
    """HTML stripped, invisible characters dropped, spaces collapsed, paragraphs kept."""
    text = strip_html(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def is_boilerplate(line: str) -> bool:
    """Page furniture: menus, buttons, bylines, comment forms; never worth summarizing."""
    stripped = line.strip()
    words = tokenize(stripped)
    if len(words) < _MIN_WORDS:
        return True
    folded = " ".join(words)
    if any(phrase in folded for phrase in _FURNITURE_PHRASES):
        return True
    visible = [char for char in stripped if not char.isspace()]
    if sum(char.isalpha() for char in visible) < _MIN_LETTER_SHARE * len(visible):
        return True
    return len(words) < _HEADING_WORDS and not _SENTENCE_END.search(stripped)


def parse_article_file(text: str) -> tuple[str | None, str]:
    """(title, body) of a local article: the first non-empty line is the title, minus a "# "."""
    lines = text.strip().split("\n", 1)
    if len(lines) < 2 or not lines[1].strip():
        return None, text.strip()  # a single line is the text itself, not a title without a body
    title = lines[0].strip()
    if title.startswith("# "):
        title = title[2:].strip()
    return title or None, lines[1].strip()
