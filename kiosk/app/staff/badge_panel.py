"""An attendee's badge on screen, with Print and Save as PDF."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.app import theme
from kiosk.app.badge import BADGE_ASPECT, BadgeContent, BadgeError, paint_badge, print_badge, write_badge_pdf
from kiosk.app.staff.dialogs import Dialogs
from kiosk.app.staff.style import use_base_font
from kiosk.core.results import AttendeeView

MAX_BADGE_WIDTH = 640  # on screen, in pixels


class BadgeView(QWidget):
    """The badge painted as it prints (vectors), as large as the space allows, sitting on its bottom edge."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("badge_view")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(QSize(320, 240))
        self.badge: BadgeContent | None = None

    def set_badge(self, badge: BadgeContent | None) -> None:
        self.badge = badge
        self.update()

    def badge_rect(self) -> QRectF:
        width = min(self.width() - 2, (self.height() - 2) * BADGE_ASPECT, MAX_BADGE_WIDTH)
        height = width / BADGE_ASPECT
        return QRectF((self.width() - width) / 2, self.height() - height - 1, width, height)

    def paintEvent(self, _event) -> None:  # noqa: N802
        if self.badge is None:
            return
        painter = QPainter(self)
        try:
            paint_badge(painter, self.badge_rect(), self.badge)
        finally:
            painter.end()


class BadgePanel(QWidget):
    """Shows one badge; Print sends it to a printer, or to a PDF file when there is none."""

    badge_printed = Signal(str)  # the ticket code
    badge_saved = Signal(object)  # the Path of the PDF written

    def __init__(self, services, dialogs: Dialogs | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.dialogs = dialogs or Dialogs()
        self._badge: BadgeContent | None = None

        self.badge_view = BadgeView()
        self.print_button = QPushButton("Print badge")
        self.print_button.setObjectName("print_badge_button")
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.setObjectName("save_badge_pdf_button")
        self.message_label = QLabel("")
        self.message_label.setObjectName("badge_message")
        self.message_label.setWordWrap(True)

        self.print_button.setFont(theme.font(13, bold=True))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.print_button, self.pdf_button):
            button.setMinimumHeight(48)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.badge_view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        self.print_button.clicked.connect(self.on_print_button_clicked)
        self.pdf_button.clicked.connect(self.on_pdf_button_clicked)
        use_base_font(self)  # last: every child built above gets it

    def show_badge(self, attendee: AttendeeView) -> None:
        self._badge = BadgeContent.of(attendee, self.services.event.name)
        self.badge_view.set_badge(self._badge)
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
