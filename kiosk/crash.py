"""Turning an unexpected exception into one clear line, with the details in a log file."""

from __future__ import annotations

import logging
import traceback

from sync.replica.database import ReplicaError

log = logging.getLogger("kiosk")


def report_unexpected(exc: BaseException) -> str:
    """Log the traceback; return what to tell the user."""
    if isinstance(exc, ReplicaError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    log.error("unexpected error\n%s", "".join(traceback.format_exception(exc)))
    return f"unexpected error ({type(exc).__name__}: {exc}); details are in the log file"
