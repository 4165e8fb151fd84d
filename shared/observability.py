"""Structured JSON logs, one line per event, carrying the function name and correlation id.

Log fields are chosen by the caller (`extra=`); personal and financial data (incomes,
scores, passwords, tokens) is never passed to a logger.
"""

import json
import logging
import sys
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, function: str) -> None:
        super().__init__()
        self.function = function

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "function": self.function,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(function: str, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return  # several functions share one process locally: configure once
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(function))
    root.addHandler(handler)
    root.setLevel(level)
