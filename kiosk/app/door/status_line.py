"""The discreet status line: online or offline, check-ins waiting to sync, last sync, and why not online.

The words are ``kiosk.core.status_words``'s, the same ``kiosk status`` prints.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.app import theme
from kiosk.core.status_words import DEGRADED, NOT_ENROLLED, OFFLINE, ONLINE, SyncStatus, describe_status, parse_utc

CONNECTIVITY_COLOURS = {
    ONLINE: theme.ONLINE,
    OFFLINE: theme.OFFLINE,
    DEGRADED: theme.OFFLINE,
    NOT_ENROLLED: theme.MUTED,
}


def _set_text_colour(label: QLabel, colour: str) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette)


class StatusLine(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = SyncStatus()
        self.dot = QLabel("●")
        self.text = QLabel()
        self.text.setObjectName("syncStatus")
        self.text.setWordWrap(True)  # the reason, with its fix, must fit on a narrow kiosk screen
        self.door = QLabel()  # the door's name, for screens that do not show it elsewhere
        self.door.setObjectName("doorName")
        self.door.hide()
        for label, colour in ((self.dot, theme.MUTED), (self.text, theme.NEUTRAL), (self.door, theme.MUTED)):
            label.setFont(theme.font(theme.STATUS_PT))
            _set_text_colour(label, colour)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(self.dot)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.door)
        self._render()

    @property
    def connectivity(self) -> str:
        return self.status.connectivity

    @property
    def waiting(self) -> int:
        return self.status.waiting_to_sync

    @property
    def last_sync(self) -> datetime | None:
        return self.status.last_sync

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self._render()

    def set_status(self, connectivity: str | None = None, waiting: int | None = None,
                   last_sync: datetime | str | None = None) -> None:
        """Change some of what is shown (screenshots and tests set it by hand)."""
        changed = {"connectivity": connectivity, "waiting_to_sync": waiting, "last_sync": parse_utc(last_sync)}
        self.show_status(dataclasses.replace(self.status, **{k: v for k, v in changed.items() if v is not None}))

    def set_door(self, text: str) -> None:
        self.door.setText(text)

    def _render(self) -> None:
        _set_text_colour(self.dot, CONNECTIVITY_COLOURS.get(self.connectivity, theme.MUTED))
        self.text.setText(describe_status(self.status))
        self.text.setToolTip(self.status.last_error or "")
