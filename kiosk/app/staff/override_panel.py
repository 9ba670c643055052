"""A supervisor's "Let in anyway…": the inline reason field of a forced check-in.

Shown in the attendee detail for a guest the door rules refuse (waitlisted or
cancelled). Pressing the button opens a small field in place, not a modal
dialog: the desk keeps taking scans. Nothing is recorded until "Let in" is
pressed with a reason; the detail then runs ``ops.force_checkin``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.app import theme
from kiosk.app.staff.style import AMBER_TEXT
from sync import limits


class OverridePanel(QWidget):
    """The "Let in anyway…" button and, once pressed, the reason field with Let in / Cancel."""

    override_requested = Signal(str)  # the reason, trimmed and not empty

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.open_button = QPushButton("Let in anyway…")
        self.open_button.setObjectName("override_button")
        self.open_button.setToolTip("A supervisor's override: let this guest in although the door rules refuse "
                                    "them. The reason is logged and shown to the organizer.")
        self.open_button.setMinimumHeight(40)
        self.hint = QLabel("Why?")
        self.hint.setStyleSheet(f"color: {AMBER_TEXT}; font-weight: bold;")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("override_reason")
        self.reason_edit.setPlaceholderText("Reason (logged for the organizer), e.g. speaker, approved by Jo")
        self.reason_edit.setMaxLength(limits.MAX_OVERRIDE_REASON_CHARS)
        self.reason_edit.setAccessibleName("Reason for letting this guest in anyway")
        self.confirm_button = QPushButton("Let in")
        self.confirm_button.setObjectName("override_confirm")
        self.confirm_button.setStyleSheet(
            f"QPushButton {{ background: {theme.AMBER}; font-weight: bold; }}"
            "QPushButton:disabled { background: #b0bec5; color: #eceff1; }")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("override_cancel")
        for control in (self.reason_edit, self.confirm_button, self.cancel_button):
            control.setMinimumHeight(40)

        # One row, the height of the button it replaces: nothing below it moves much when it opens.
        self.form = QWidget()
        form_row = QHBoxLayout(self.form)
        form_row.setContentsMargins(0, 0, 0, 0)
        form_row.addWidget(self.hint)
        form_row.addWidget(self.reason_edit, 1)
        form_row.addWidget(self.confirm_button)
        form_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.open_button)
        layout.addWidget(self.form)
        self.form.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._available = False
        self._connect()
        self._update()

    def _connect(self) -> None:
        self.open_button.clicked.connect(self.on_open_button_clicked)
        self.confirm_button.clicked.connect(self.on_confirm_button_clicked)
        self.cancel_button.clicked.connect(self.on_cancel_button_clicked)
        self.reason_edit.textChanged.connect(self.on_reason_edit_text_changed)
        self.reason_edit.returnPressed.connect(self.on_confirm_button_clicked)

    # ---- public ---------------------------------------------------------------

    def set_available(self, available: bool) -> None:
        """Offer the override (a refused guest, not inside, nothing running) or take it away."""
        if not available:
            self.close_form()
        self._available = available
        self._update()

    def close_form(self) -> None:
        self.reason_edit.clear()
        self.form.hide()
        self._update()

    def reason(self) -> str:
        return " ".join(self.reason_edit.text().split())

    # ---- slots ----------------------------------------------------------------

    def on_open_button_clicked(self) -> None:
        self.form.show()
        self._update()
        self.reason_edit.setFocus()

    def on_confirm_button_clicked(self) -> None:
        if self._available and self.reason():
            self.override_requested.emit(self.reason())

    def on_cancel_button_clicked(self) -> None:
        self.close_form()

    def on_reason_edit_text_changed(self, _text: str) -> None:
        self._update()

    def _update(self) -> None:
        self.setVisible(self._available)
        self.open_button.setVisible(self._available and self.form.isHidden())
        self.confirm_button.setEnabled(self._available and bool(self.reason()))
