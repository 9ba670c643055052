"""The staff PIN: asked before leaving kiosk mode, opening the staff desk there, or quitting.

The PIN is checked against the salted scrypt hash in the settings
(``kiosk.config.check_pin``), on a worker thread because scrypt is slow on
purpose. Five wrong PINs in a row lock the dialog for a while; the lock is kept
by the :class:`PinGate`, so closing and reopening the dialog does not reset it.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.app import theme

MAX_WRONG = 5
LOCKOUT_SECONDS = 30


class PinGate(QObject):
    """Asks for the staff PIN; runs the granted action only after a correct one."""

    pin_rejected = Signal()
    pin_accepted = Signal()

    def __init__(self, pin_hash: Callable[[], str], worker, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self._pin_hash = pin_hash  # read at each check: a PIN changed in the settings applies at once
        self.worker = worker
        self.clock = clock
        self.wrong_in_a_row = 0
        self.locked_until = 0.0
        self.dialog: PinDialog | None = None

    def request(self, reason: str, on_granted: Callable[[], None], parent: QWidget | None = None) -> "PinDialog":
        """Show the PIN dialog (not blocking); ``on_granted`` runs once the PIN is right."""
        if self.dialog is not None:
            self.dialog.reject()
        dialog = PinDialog(self, reason, parent)
        dialog.granted.connect(on_granted)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        dialog.pin_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return dialog

    def _forget(self, dialog: "PinDialog") -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def seconds_locked(self) -> int:
        return max(0, int(self.locked_until - self.clock() + 0.999))

    def check(self, pin: str, on_result: Callable[[bool], None]) -> None:
        from kiosk.config import check_pin

        self.worker.submit(check_pin, self._pin_hash(), pin, on_done=lambda ok: self._checked(ok, on_result),
                           on_error=lambda _exc: self._checked(False, on_result))

    def _checked(self, ok: bool, on_result: Callable[[bool], None]) -> None:
        if ok:
            self.wrong_in_a_row = 0
            self.pin_accepted.emit()
        else:
            self.wrong_in_a_row += 1
            if self.wrong_in_a_row >= MAX_WRONG:
                self.wrong_in_a_row = 0
                self.locked_until = self.clock() + LOCKOUT_SECONDS
            self.pin_rejected.emit()
        on_result(ok)


class PinDialog(QDialog):
    granted = Signal()

    def __init__(self, gate: PinGate, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.gate = gate
        self.setWindowTitle("Staff PIN")
        self.setModal(True)
        self.reason_label = QLabel(reason)
        self.reason_label.setFont(theme.font(16, bold=True))
        self.reason_label.setWordWrap(True)
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("pinEdit")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setFont(theme.font(22))
        self.pin_edit.setMaxLength(64)
        # A hand scanner's burst here is a scan (HandScannerFilter), never PIN characters.
        self.message = QLabel("")
        self.message.setObjectName("pinMessage")
        self.message.setStyleSheet(f"color: {theme.RED};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock")
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(1000)
        self._lock_timer.timeout.connect(self._show_lock)
        self._checking = False
        self._show_lock()

    def on_buttons_accepted(self) -> None:
        if self._checking or self.gate.seconds_locked():
            return
        pin = self.pin_edit.text()
        if not pin:
            self.message.setText("Type the staff PIN.")
            return
        self._checking = True
        self.pin_edit.setEnabled(False)
        self.message.setText("Checking…")
        self.gate.check(pin, self.on_gate_checked)

    def on_gate_checked(self, ok: bool) -> None:
        self._checking = False
        if ok:
            self.accept()
            self.granted.emit()
            return
        self.pin_edit.setEnabled(True)
        self.pin_edit.clear()
        self.pin_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.message.setText("Wrong PIN.")
        self._show_lock()

    def _show_lock(self) -> None:
        seconds = self.gate.seconds_locked()
        locked = seconds > 0
        self.pin_edit.setEnabled(not locked and not self._checking)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not locked)
        if locked:
            self.message.setText(f"Too many wrong PINs: try again in {seconds} s.")
            self._lock_timer.start()
        else:
            self._lock_timer.stop()
            if self.message.text().startswith("Too many"):
                self.message.setText("")
                self.pin_edit.setFocus(Qt.FocusReason.OtherFocusReason)
