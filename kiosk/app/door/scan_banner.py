"""A strip in the window's bar of faces showing a hand-scanner result while the door screen is hidden.

At the staff desk, a ticket scanned with the hand scanner is still checked in
by the door's rules; this banner says what happened without leaving the desk.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from kiosk.app import theme
from kiosk.app.door.result_panel import HEADLINES
from kiosk.app.elided_label import ElidedLabel
from kiosk.core.results import Decision


class ScanBanner(QFrame):
    def __init__(self, parent: QWidget | None = None, hold_ms: int = 5000):
        super().__init__(parent)
        self.setObjectName("scanBanner")
        self.label = ElidedLabel()  # one line, always the same height: the face below never moves
        self.label.setFont(theme.font(16, bold=True))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 2, 12, 2)
        layout.addWidget(self.label)
        self.setFixedHeight(self.label.fontMetrics().height() + 8)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def reserve_space(self, reserve: bool) -> None:
        """Keep the banner's room while it is hidden, so the buttons below never move when it appears."""
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(reserve)
        self.setSizePolicy(policy)

    def show_decision(self, decision: Decision) -> None:
        background = theme.colour_for(decision.colour)
        self.setStyleSheet(
            f"QFrame#scanBanner {{ background: {background}; }}"
            f"QFrame#scanBanner QLabel {{ color: {theme.text_colour_on(background)}; }}"
        )
        headline = HEADLINES.get(decision.result, decision.result.value)
        name = decision.attendee.full_name if decision.attendee else ""
        self.label.setText(" — ".join(part for part in (headline, name, decision.reason) if part))
        self.show()
        self._timer.start()
