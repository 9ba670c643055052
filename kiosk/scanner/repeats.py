"""Not scanning the same ticket twice while it is still held in front of the camera.

A code held up to the camera is decoded in every frame. It counts as a new
scan only when it has been out of sight for ``hold_seconds``: while it stays in
view, or comes back within that time, it is ignored. A different code is a new
scan at once, so the next attendee never waits.
"""

from __future__ import annotations

import time
from typing import Callable


class RepeatFilter:
    def __init__(self, hold_seconds: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def is_new(self, text: str) -> bool:
        """Record a sighting of ``text``; True when it should be scanned."""
        now = self._clock()
        last = self._last_seen.get(text)
        self._last_seen[text] = now
        if len(self._last_seen) > 64:  # forget codes long gone
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t <= self.hold_seconds}
        return last is None or now - last > self.hold_seconds

    def forget(self) -> None:
        self._last_seen.clear()
