"""Log lines as JSON objects, one per line, for the log collector of the server or the PaaS
(docs/deployment.md). Logs carry ids, never personal data (STYLE.md §8); an exception is
written as its class and its stack, not its message, which may quote a value (a database error
repeats the row it refused)."""

import json
import logging
import traceback
from datetime import UTC, datetime

# What a record holds beyond the standard attributes is passed on (`extra=`), if it is a scalar.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, stack = record.exc_info
            entry["exception"] = f"{kind.__module__}.{kind.__qualname__}"
            entry["stack"] = [f"{frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_tb(stack)]
        return json.dumps(entry, ensure_ascii=False)
