"""An optional JSON log format: one object per line, for log shippers (Loki, journald, ELK).

Chosen with `khulasa --log-format json COMMAND`. Each line holds `time` (UTC, ISO 8601 with
milliseconds), `level`, `logger` and `message`; `exc_info` (the formatted traceback) and
`stack_info` appear only when the record has them. Non-ASCII text stays readable (Arabic
titles in messages are not escaped).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(root: logging.Logger | None = None) -> None:
    """Gives every handler of the root logger the JSON formatter."""
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(JsonFormatter())
