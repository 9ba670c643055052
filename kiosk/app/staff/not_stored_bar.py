"""A bar the staff desk shows while scans recorded here were refused by the server.

They are not in the organizer's figures: the bar says how many and why (the
door's own words), and resends them once the cause is fixed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from kiosk.app import ops, theme
from kiosk.app.staff.errors import message_for
from kiosk.core.status_words import not_stored_words
from sync.changes import Changes


class NotStoredBar(QWidget):
    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("notStoredBar")
        self.services = services
        self.message = QLabel()
        self.message.setObjectName("notStoredMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.RED}; font-weight: bold;")
        self.resend_button = QPushButton("Resend")
        self.resend_button.setObjectName("resendButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.resend_button)
        self.hide()
        self._connect()

    def _connect(self) -> None:
        self.resend_button.clicked.connect(self.on_resend_button_clicked)
        self.services.ops.changes.connect(self.on_ops_changes)
        self.show_count(self.services.sync_status.status.not_stored)

    def on_ops_changes(self, changes: Changes, _initiator) -> None:
        if changes.sync_status:
            self.show_count(self.services.sync_status.status.not_stored)

    def show_count(self, count: int) -> None:
        self.message.setText(not_stored_words(count).replace("resend from the staff desk", "fix the cause, then"))
        self.setVisible(count > 0)

    def on_resend_button_clicked(self) -> None:
        self.resend_button.setEnabled(False)
        ops.resend_not_stored().success(self._on_resent).failure(self._on_failed).run(self.services.ops, self)

    def _on_resent(self, _count: int) -> None:
        self.resend_button.setEnabled(True)
        self.services.sync_status.read()

    def _on_failed(self, exc: Exception) -> None:
        self.resend_button.setEnabled(True)
        self.message.setText(message_for(exc, "Not resent"))
