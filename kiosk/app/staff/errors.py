"""One line for the screen from a failed background job."""

from __future__ import annotations


def message_for(exc: BaseException, doing: str, expected: tuple[type[BaseException], ...] = ()) -> str:
    """``doing`` says what failed ("Search failed"); ``expected`` errors already read well.

    Anything else goes through the crash reporter, which logs the traceback of a bug.
    """
    if expected and isinstance(exc, expected):
        return f"{doing}: {exc}"
    from kiosk.crash import report_unexpected

    return f"{doing}: {report_unexpected(exc)}"
