"""USB hand scanners: they type the code like a keyboard, very fast, and press Enter.

:class:`HandScannerFilter` is installed on the whole application, so a scan
works whatever has the keyboard focus — the door screen, the staff desk's
search box, the PIN dialog. It holds back printable keystrokes while they come
quickly, and when Enter ends the burst it judges the *whole* burst, as scanner
drivers do:

- its length (at least ``min_length`` characters, prefix and suffix excluded);
- its timing: no gap over ``max_gap_ms`` and, on average, at most
  ``max_mean_gap_ms`` per key — a scanner types a whole code at a few
  milliseconds a key; a fast typist manages a few quick keys in a row, never a
  whole word at that pace;
- the ``prefix`` and ``suffix`` the scanner is set to send around each code,
  when the kiosk is told them (settings ``scanner_prefix``/``scanner_suffix``):
  then a burst without them is never a scan.

A scan's held keys are dropped and ``code_scanned`` is emitted: a scan is
always a scan, also in the PIN box, whose text it never touches. Anything else
(a person typing) is delivered, in order, to the widget it was meant for, so
typing works as usual, only ``max_gap_ms`` later.

Gaps are measured with the keyboard events' own timestamps when the platform
provides them, so a person's keystrokes that queued up while the GUI was busy
are not mistaken for a scanner. An enrollment QR code scanned anywhere is
typed where the focus is (the enrollment page's code box has it).
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# A scanner presses Shift for capitals, as a keyboard does: these keys neither type nor end a burst.
MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
                 Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock}
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def _copy(event: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(
        event.type(), event.key(), event.modifiers(), event.nativeScanCode(), event.nativeVirtualKey(),
        event.nativeModifiers(), event.text(), event.isAutoRepeat(), event.count(),
    )


class HandScannerFilter(QObject):
    """An application-wide event filter that turns fast keystrokes + Enter into ``code_scanned``."""

    code_scanned = Signal(str)

    def __init__(self, max_gap_ms: int = 50, min_length: int = 4, *, max_mean_gap_ms: float = 25.0,
                 prefix: str = "", suffix: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.max_mean_gap_ms = max_mean_gap_ms
        self.min_length = min_length
        self.prefix, self.suffix = prefix, suffix
        self._held: list[tuple[QWidget, QKeyEvent]] = []
        self._chars: list[str] = []
        self._first_key_at: float | None = None  # ms
        self._last_key_at: float | None = None  # ms
        self._replaying = False
        self._swallow_release: int | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(max_gap_ms)
        self._flush_timer.timeout.connect(self.flush)

    @staticmethod
    def is_door_scan(text: str) -> bool:
        """An enrollment QR code is never a ticket: it goes to the box that has the focus."""
        from sync.enrollment import ENROLL_URI_PREFIX

        return not text.lower().startswith(ENROLL_URI_PREFIX)

    # ---- the filter -------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and self._held:
            self.flush()  # a click (Unlock, Search) comes after what was typed before it
            return False
        if self._replaying or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not isinstance(obj, QWidget):
            return False  # the window sees the key before its focus widget; act once, at the widget
        if kind == QEvent.Type.KeyRelease:
            return self._on_release(obj, event)
        return self._on_press(obj, event)

    def _on_press(self, obj: QWidget, event: QKeyEvent) -> bool:
        now = self._event_ms(event)
        fast = self._last_key_at is not None and now - self._last_key_at <= self.max_gap_ms
        if event.key() in ENTER_KEYS and not (event.modifiers() & ~_TYPING_MODIFIERS):
            code = self._scanned_code(now) if fast else None
            if code is not None:
                if not self.is_door_scan(code):
                    self.flush()  # typed into the focused box as scanned; the Enter follows
                    return False
                self._discard()
                self._swallow_release = event.key()
                self.code_scanned.emit(code)
                return True
            self.flush()
            return False
        if event.key() in MODIFIER_KEYS and not event.text():
            return False
        if not self._is_typing(event):
            self.flush()
            return False
        if self._held and (not fast or self._held[0][0] is not obj):
            self.flush()  # a slow keystroke, or focus moved: what was held was typed by a person
        if not self._held:
            self._first_key_at = now
        self._held.append((obj, _copy(event)))
        self._chars.append(event.text())
        self._last_key_at = now
        self._flush_timer.start()
        return True

    def _on_release(self, obj: QWidget, event: QKeyEvent) -> bool:
        if self._swallow_release is not None and event.key() == self._swallow_release:
            self._swallow_release = None
            return True
        if self._held and self._held[0][0] is obj:
            self._held.append((obj, _copy(event)))  # keep press/release order for the replay
            return True
        return False

    def _scanned_code(self, enter_at: float) -> str | None:
        """The code, when the burst that Enter ends is a scanner's (see the module's words); else None."""
        text = "".join(self._chars)
        if not text or self._first_key_at is None:
            return None
        if self.prefix:
            if not text.startswith(self.prefix):
                return None
            text = text[len(self.prefix):]
        if self.suffix:
            if not text.endswith(self.suffix):
                return None
            text = text[: -len(self.suffix)]
        if len(text) < self.min_length:
            return None
        mean_gap = (enter_at - self._first_key_at) / len(self._chars)
        return text if mean_gap <= self.max_mean_gap_ms else None

    @staticmethod
    def _is_typing(event: QKeyEvent) -> bool:
        text = event.text()
        return (
            bool(text)
            and text.isprintable()
            and not event.isAutoRepeat()
            and not (event.modifiers() & ~_TYPING_MODIFIERS)
        )

    @staticmethod
    def _event_ms(event: QKeyEvent) -> float:
        # Platform timestamps are milliseconds of input time; synthetic events carry 0.
        stamp = event.timestamp()
        return float(stamp) if stamp else time.perf_counter() * 1000.0

    # ---- giving held keys back --------------------------------------------

    def flush(self) -> None:
        """Deliver the held keystrokes, in order, to the widgets they were meant for."""
        held = self._held
        self._discard()
        if not held:
            return
        from PySide6.QtWidgets import QApplication

        self._replaying = True
        try:
            for receiver, event in held:
                if shiboken6.isValid(receiver):
                    QApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False

    def _discard(self) -> None:
        self._flush_timer.stop()
        self._held = []
        self._chars = []
        self._first_key_at = self._last_key_at = None
