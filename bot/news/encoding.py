"""Decoding fetched pages by their declared charset, so windows-1256 Arabic comes out right."""

from __future__ import annotations

import codecs
import re

from summarizer.errors import InputError
from summarizer.text import decode_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_XML_PROLOG = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_SNIFF_BYTES = 4096


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The encoding named by the HTTP header, the XML prolog or an HTML meta tag, if valid."""
    candidates: list[bytes | str] = []
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        candidates.append(match.group(1))
    head = body[:_SNIFF_BYTES]
    for pattern in (_XML_PROLOG, _META_CHARSET):
        if match := pattern.search(head):
            candidates.append(match.group(1))
    for candidate in candidates:
        name = candidate.decode("ascii", "ignore") if isinstance(candidate, bytes) else candidate
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def decode_document(body: bytes, content_type: str | None) -> str:
    """Text of a fetched document: its declared charset, else UTF-8, else the Arabic code pages."""
    charset = declared_charset(body, content_type)
    if charset is not None and not body.startswith(codecs.BOM_UTF8):
        return body.decode(charset, errors="replace")
    try:
        return decode_bytes(body)
    except InputError:
        return body.decode("utf-8", errors="replace")
