"""Logging: the rotating file lands in the log folder and never holds a secret."""

from __future__ import annotations

import logging

import pytest

from kiosk.config import Settings
from kiosk.logs import LOG_FILENAME, redact, setup_logging


@pytest.fixture
def restore_root_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.J9xyz-_1", "eyJhbGciOi.J9xyz-_1"),
        ("GET https://hub.example/api/v1/x?token=abc123&page=2", "abc123"),
        ('{"device_token": "s3cr3t-value", "n": 1}', "s3cr3t-value"),
        ("enrollment_code: ABCD-EFGH-IJKL", "ABCD-EFGH-IJKL"),
        ("pin=4711", "4711"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ],
)
def test_redact_removes_credentials(text, secret):
    out = redact(text)
    assert secret not in out
    assert "[redacted]" in out


def test_redact_leaves_ordinary_text_alone():
    text = "pushed 12 check-ins; basic checks passed; token bucket refilled; Door 2 checkin ok"
    assert redact(text) == text


def test_setup_logging_writes_a_redacted_file(tmp_path, restore_root_logging):
    settings = Settings(log_dir=tmp_path / "logs", data_dir=tmp_path / "data")
    path = setup_logging(settings)
    assert path == tmp_path / "logs" / LOG_FILENAME
    log = logging.getLogger("kiosk.test")
    log.info("enrolled with %s", "Bearer abc.def.ghi")
    try:
        raise RuntimeError("server said token=zzz-top-secret")
    except RuntimeError:
        log.exception("sync failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "enrolled with Bearer [redacted]" in text
    assert "sync failed" in text and "RuntimeError" in text
    assert "abc.def.ghi" not in text and "zzz-top-secret" not in text


def test_setup_logging_twice_does_not_duplicate_lines(tmp_path, restore_root_logging):
    settings = Settings(log_dir=tmp_path, data_dir=tmp_path)
    setup_logging(settings)
    path = setup_logging(settings)
    logging.getLogger("kiosk.test").warning("only once")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert path.read_text(encoding="utf-8").count("only once") == 1


def test_unwritable_log_folder_falls_back_to_stderr(tmp_path, restore_root_logging, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert setup_logging(Settings(log_dir=blocker / "logs", data_dir=tmp_path)) is None
    assert "cannot write the log file" in capsys.readouterr().err


def test_a_command_logs_to_the_file_and_leaves_logging_as_it_found_it(tmp_path, restore_root_logging, capsys):
    from kiosk.logs import command_logging, log_file

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with command_logging(Settings(log_dir=tmp_path / "logs", data_dir=tmp_path)) as path:
        assert path == log_file() == tmp_path / "logs" / LOG_FILENAME
        logging.getLogger("kiosk.test").error("went wrong with token=abc123")
    assert log_file() is None and root.handlers == handlers and root.level == level
    text = path.read_text(encoding="utf-8")
    assert "went wrong with token=[redacted]" in text
    assert capsys.readouterr().err == ""  # nothing on the terminal without --verbose


def test_a_command_with_an_unwritable_log_folder_prints_nothing(tmp_path, restore_root_logging, capsys):
    from kiosk.crash import report_unexpected
    from kiosk.logs import command_logging

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with command_logging(Settings(log_dir=blocker / "logs", data_dir=tmp_path)) as path:
        assert path is None
        message = report_unexpected(RuntimeError("a bug"))
    assert message == ("unexpected error (RuntimeError: a bug); "
                       "no log file could be written (--verbose shows the details)")
    assert capsys.readouterr().err == ""
