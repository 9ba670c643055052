"""The discreet status line: online or offline, check-ins waiting to sync, last sync."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.app import theme
from sync import clock

CONNECTIVITY_WORDS = {
    "online": ("Online", theme.ONLINE),
    "offline": ("Offline", theme.OFFLINE),
    "degraded": ("Server trouble", theme.OFFLINE),
    "not_enrolled": ("No server (this kiosk works alone)", theme.MUTED),
}


def parse_utc(value) -> datetime | None:
    """A stored UTC time (ISO text, with or without Z, or a naive UTC datetime) as an aware datetime."""
    moment = value if isinstance(value, datetime) else clock.parse_utc(value)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def describe_status(connectivity: str, waiting: int, last_sync: datetime | None) -> str:
    """The status line's words, e.g. "Offline — 212 check-ins waiting to sync · last sync 09:14"."""
    words, _ = CONNECTIVITY_WORDS.get(connectivity, (connectivity.capitalize(), theme.MUTED))
    if connectivity == "not_enrolled":
        queue = f"{waiting} check-in{'s' if waiting != 1 else ''} recorded here" if waiting else ""
    elif waiting:
        queue = f"{waiting} check-in{'s' if waiting != 1 else ''} waiting to sync"
    else:
        queue = "everything synced"
    parts = [words + (f" — {queue}" if queue else "")]
    if connectivity != "not_enrolled":
        parts.append(f"last sync {last_sync.astimezone():%H:%M}" if last_sync else "never synced")
    return " · ".join(parts)


def _set_text_colour(label: QLabel, colour: str) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette)


class StatusLine(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.connectivity = "not_enrolled"
        self.waiting = 0
        self.last_sync: datetime | None = None
        self.dot = QLabel("●")
        self.text = QLabel()
        self.text.setObjectName("syncStatus")
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

    def set_status(self, connectivity: str | None = None, waiting: int | None = None,
                   last_sync: datetime | str | None = None) -> None:
        if connectivity is not None:
            self.connectivity = connectivity
        if waiting is not None:
            self.waiting = waiting
        if last_sync is not None:
            self.last_sync = parse_utc(last_sync)
        self._render()

    def set_door(self, text: str) -> None:
        self.door.setText(text)

    def _render(self) -> None:
        _, colour = CONNECTIVITY_WORDS.get(self.connectivity, ("", theme.MUTED))
        _set_text_colour(self.dot, colour)
        self.text.setText(describe_status(self.connectivity, self.waiting, self.last_sync))
