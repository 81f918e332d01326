"""Log lines are JSON objects the server's collector reads field by field, and an exception is
written without its message, which may quote the value of a row."""

import json
import logging
import sys

from config.logging import JsonFormatter


def _line(record: logging.LogRecord) -> dict:
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_one_json_object_with_its_ids():
    record = logging.makeLogRecord(
        {"name": "reperes.registry", "levelname": "INFO", "levelno": 20, "msg": "import %s done", "args": (42,)}
    )
    record.import_id = 42  # as `extra={"import_id": 42}` passes it
    line = _line(record)
    assert line["message"] == "import 42 done" and line["level"] == "INFO" and line["logger"] == "reperes.registry"
    assert line["import_id"] == 42 and line["time"].endswith("+00:00")


def test_an_exception_is_logged_by_its_class_and_stack_never_its_message():
    try:
        raise ValueError("Key (email)=(ines.martin@exemple.fr) already exists")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /jeunes/", (), sys.exc_info()
        )
    text = JsonFormatter().format(record)
    assert "ines.martin" not in text
    line = json.loads(text)
    assert line["exception"] == "builtins.ValueError"
    assert any("test_an_exception_is_logged" in frame for frame in line["stack"])
