"""An attendee's badge on screen, with Print and Save as PDF."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.app import theme
from kiosk.app.badge import BadgeContent, BadgeError, badge_image, print_badge, write_badge_pdf
from kiosk.app.staff.dialogs import Dialogs
from kiosk.core.results import AttendeeView

SCREEN_DPI = 150


class BadgePanel(QWidget):
    """Shows one badge; Print sends it to a printer, or to a PDF file when there is none."""

    badge_printed = Signal(str)  # the ticket code
    badge_saved = Signal(object)  # the Path of the PDF written

    def __init__(self, services, dialogs: Dialogs | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.dialogs = dialogs or Dialogs()
        self._badge: BadgeContent | None = None

        self.image_label = QLabel()
        self.image_label.setObjectName("badge_image")
        self.image_label.setAlignment(Qt.AlignCenter)
        self.image_label.setMinimumSize(QSize(420, 315))
        self.print_button = QPushButton("Print badge")
        self.print_button.setObjectName("print_badge_button")
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.setObjectName("save_badge_pdf_button")
        self.message_label = QLabel("")
        self.message_label.setObjectName("badge_message")
        self.message_label.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.print_button, self.pdf_button):
            button.setMinimumHeight(48)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image_label, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        self.print_button.clicked.connect(self.on_print_button_clicked)
        self.pdf_button.clicked.connect(self.on_pdf_button_clicked)

    def show_badge(self, attendee: AttendeeView) -> None:
        self._badge = BadgeContent.of(attendee, self.services.event.name)
        self.image = badge_image(self._badge, dpi=SCREEN_DPI)
        pixmap = QPixmap.fromImage(self.image)
        self.image_label.setPixmap(
            pixmap.scaled(self.image_label.minimumSize(), Qt.KeepAspectRatio, Qt.SmoothTransformation)
        )
        self.message_label.setText("")
        self.print_button.setToolTip("" if self.dialogs.has_printer()
                                     else "No printer is installed: the badge will be saved as a PDF.")

    def badge(self) -> BadgeContent | None:
        return self._badge

    # ---- slots ------------------------------------------------------------------

    def on_print_button_clicked(self) -> None:
        if self._badge is None:
            return
        if not self.dialogs.has_printer():
            self._say("No printer is installed here; save the badge as a PDF and print it elsewhere.")
            self.on_pdf_button_clicked()
            return
        printer = self.dialogs.printer(self, "Print badge")
        if printer is None:
            return
        try:
            print_badge(self._badge, printer)
        except BadgeError as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"Badge {self._badge.ticket_code} sent to the printer.")
        self.badge_printed.emit(self._badge.ticket_code)

    def on_pdf_button_clicked(self) -> None:
        if self._badge is None:
            return
        suggested = f"badge-{_safe_name(self._badge.full_name)}-{_safe_name(self._badge.ticket_code)}.pdf"
        path = self.dialogs.save_path(self, "Save badge as PDF", suggested, "PDF files (*.pdf)")
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            written = write_badge_pdf(self._badge, path)
        except BadgeError as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"Badge saved to {written}.")
        self.badge_saved.emit(Path(written))

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet(f"color: {theme.RED};" if error else "")
        self.message_label.setText(text)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "badge"
