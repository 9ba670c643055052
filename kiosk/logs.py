"""Logging: a rotating file under the platform's log folder, with secrets redacted.

Every handler installed here carries :class:`RedactSecrets`, and the file's formatter
redacts the formatted text again (tracebacks included), so that a bearer token, an
enrollment code or a PIN that slips into a message never reaches the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kiosk.config import Settings

LOG_FILENAME = "kiosk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
REDACTED = "[redacted]"

# "Bearer abc.def", "Authorization: Basic xyz", "token=abc", '"device_token": "abc"', "pin: 1234", ...
_SECRET_PATTERNS = [
    re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\b(Basic)(\s+)[A-Za-z0-9+/=]{8,}"),
    re.compile(
        r"(?i)\b([\w-]*(?:token|secret|password|passwd|api[_-]?key|enrol(?:l)?ment[_-]?code|pin))"
        r"""(["']?\s*[=:]\s*["']?)([^\s"'&,;}]+)"""
    ),
]

_OURS = "_checkin_kiosk_handler"  # marks the handlers installed here, to replace them on a second call


def redact(text: str) -> str:
    """``text`` with anything that looks like a credential replaced by ``[redacted]``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with its secrets redacted (arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, including an exception's traceback text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _mark(handler: logging.Handler) -> logging.Handler:
    setattr(handler, _OURS, True)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(RedactingFormatter(FORMAT))
    return handler


def setup_logging(settings: Settings, *, verbose: bool = False, stderr_fallback: bool = True,
                  capture_warnings: bool = True) -> Path | None:
    """Send the app's logs to ``<log_dir>/kiosk.log`` (rotated); return that path.

    ``verbose`` adds debug detail and a copy on stderr. When the log folder cannot
    be created, logs go to stderr only (or, without ``stderr_fallback``, nowhere)
    and the return value is ``None``: logging must never be the reason the app
    does not start.
    """
    root = logging.getLogger()
    remove_logging()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries that log every request or job at INFO: only their problems, unless asked.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "PIL", "urllib3", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    if capture_warnings:
        logging.captureWarnings(True)

    path: Path | None = Path(settings.log_dir) / LOG_FILENAME
    problem = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
        # delay=True opens on the first record; check now that the file can be written.
        with open(path, "a", encoding="utf-8"):
            pass
        root.addHandler(_mark(file_handler))
    except OSError as exc:
        problem = f"cannot write the log file {path} ({exc.strerror}); logging to the terminal only"
        path = None
    if verbose or (path is None and stderr_fallback):
        console = _mark(logging.StreamHandler(sys.stderr))
        console.setLevel(logging.DEBUG if verbose else logging.WARNING)
        root.addHandler(console)
    elif path is None:
        root.addHandler(_mark(logging.NullHandler()))  # not Python's last resort, which prints on stderr
    if problem and (verbose or stderr_fallback):
        logging.getLogger("kiosk").warning(problem)
    return path


def remove_logging() -> None:
    """Remove (and close) the handlers :func:`setup_logging` installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()


def log_file() -> Path | None:
    """The file this process logs to, when :func:`setup_logging` could open one."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OURS, False) and isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


@contextmanager
def command_logging(settings: Settings, *, verbose: bool = False) -> Iterator[Path | None]:
    """Logging for one command of the command line: the rotating file (with ``verbose``, a copy
    on stderr too, else nothing on the terminal), as it was before once the command is done."""
    root = logging.getLogger()
    level = root.level
    try:
        yield setup_logging(settings, verbose=verbose, stderr_fallback=False, capture_warnings=False)
    finally:
        remove_logging()
        root.setLevel(level)
