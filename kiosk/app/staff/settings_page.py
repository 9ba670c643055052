"""This kiosk's settings (door, camera, decoder, sounds, what a scan at the desk does, the hand scanner's
prefix and suffix) and the staff PIN, saved through kiosk.config."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.scrolling import scroll_area
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.style import section, use_base_font
from kiosk.config import DECODERS, ConfigError, PinChangeError

MIN_PIN_DIGITS = 4
CAMERA_CHOICES = ("0", "1", "2")




class SettingsPage(QWidget):
    """Edit and save the settings a door needs; change the staff PIN."""

    settings_saved = Signal(object)  # the new kiosk.config.Settings, already on disk

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self._busy = False

        door_box, door_layout = section("This kiosk")
        self.door_edit = QLineEdit()
        self.door_edit.setObjectName("settings_door_name")
        self.door_edit.setMaxLength(100)
        self.operator_edit = QLineEdit()
        self.operator_edit.setObjectName("settings_operator")
        self.operator_edit.setMaxLength(100)
        self.operator_edit.setPlaceholderText("who is at this door (optional, recorded with each scan)")
        self.camera_combo = QComboBox()
        self.camera_combo.setObjectName("settings_camera")
        self.camera_combo.setEditable(True)
        self.camera_combo.addItems(CAMERA_CHOICES)
        self.camera_combo.setToolTip("A camera number (0 = the first camera), or a video file for a demo")
        self.decoder_combo = QComboBox()
        self.decoder_combo.setObjectName("settings_decoder")
        self.decoder_combo.addItems(DECODERS)
        self.sounds_check = QCheckBox("Play a sound for each result")
        self.sounds_check.setObjectName("settings_sounds")
        self.desk_scan_check = QCheckBox("A scan at the staff desk checks in (else: looks up)")
        self.desk_scan_check.setObjectName("settings_desk_scan_checks_in")
        self.scanner_prefix_edit = QLineEdit()
        self.scanner_prefix_edit.setObjectName("settings_scanner_prefix")
        self.scanner_prefix_edit.setMaxLength(8)
        self.scanner_prefix_edit.setMaximumWidth(90)
        self.scanner_prefix_edit.setPlaceholderText("none")
        self.scanner_prefix_edit.setToolTip("What the hand scanner is set to send before each code (its manual)")
        self.scanner_suffix_edit = QLineEdit()
        self.scanner_suffix_edit.setObjectName("settings_scanner_suffix")
        self.scanner_suffix_edit.setMaxLength(8)
        self.scanner_suffix_edit.setMaximumWidth(90)
        self.scanner_suffix_edit.setPlaceholderText("none")
        self.scanner_suffix_edit.setToolTip("What the hand scanner is set to send after each code, before Enter")
        form = QFormLayout()
        door_layout.addLayout(form)
        form.addRow("Door name", self.door_edit)
        form.addRow("Operator", self.operator_edit)
        form.addRow("Camera", self.camera_combo)
        # Two settings a row: the desk fits a 1024x600 screen.
        decoder_row = QHBoxLayout()
        decoder_row.addWidget(self.decoder_combo, 1)
        decoder_row.addSpacing(16)
        decoder_row.addWidget(QLabel("Hand scanner prefix"))
        decoder_row.addWidget(self.scanner_prefix_edit)
        decoder_row.addWidget(QLabel("suffix"))
        decoder_row.addWidget(self.scanner_suffix_edit)
        checks_row = QHBoxLayout()
        checks_row.addWidget(self.sounds_check)
        checks_row.addSpacing(16)
        checks_row.addWidget(self.desk_scan_check, 1)
        form.addRow("QR decoder", decoder_row)
        form.addRow("", checks_row)

        pin_box, pin_layout = section("Staff PIN (to leave the door screen)")
        self.pin_edits: dict[str, QLineEdit] = {}
        pin_form = QFormLayout()
        pin_layout.addLayout(pin_form)
        for name, label in (("current", "Current PIN"), ("new", "New PIN"), ("repeat", "New PIN again")):
            edit = QLineEdit()
            edit.setObjectName(f"settings_pin_{name}")
            edit.setEchoMode(QLineEdit.Password)
            edit.setMaxLength(32)
            pin_form.addRow(label, edit)
            self.pin_edits[name] = edit
        pin_hint = QLabel(f"Leave empty to keep the PIN. At least {MIN_PIN_DIGITS} characters.")
        pin_hint.setStyleSheet(f"color: {theme.MUTED};")
        pin_form.addRow("", pin_hint)

        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("settings_save")
        self.save_button.setMinimumHeight(48)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.setObjectName("settings_revert")
        self.revert_button.setMinimumHeight(48)
        self.message_label = QLabel("")
        self.message_label.setObjectName("settings_message")
        self.message_label.setWordWrap(True)
        self.message_label.setFont(theme.font(15, bold=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)

        # The sections scroll on a short screen; the buttons and what they answer stay in view.
        sections = QWidget()
        column = QVBoxLayout(sections)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(door_box)
        column.addWidget(pin_box)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_area(sections), 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.revert_button.clicked.connect(self.on_revert_button_clicked)
        for edit in self.pin_edits.values():
            edit.returnPressed.connect(self.on_save_button_clicked)
        self.load()
        use_base_font(self)  # last: every child built above gets it

    # ---- public ----------------------------------------------------------------------

    def load(self) -> None:
        """Show the settings in force."""
        settings = self.services.settings
        self.door_edit.setText(settings.door_name)
        self.operator_edit.setText(settings.operator)
        self.camera_combo.setCurrentText(str(settings.camera))
        self.decoder_combo.setCurrentText(settings.decoder)
        self.sounds_check.setChecked(settings.sounds)
        self.desk_scan_check.setChecked(settings.desk_scan_checks_in)
        self.scanner_prefix_edit.setText(settings.scanner_prefix)
        self.scanner_suffix_edit.setText(settings.scanner_suffix)
        for edit in self.pin_edits.values():
            edit.clear()

    def changes(self) -> dict:
        """The settings edited here that differ from those in force."""
        settings = self.services.settings
        camera_text = self.camera_combo.currentText().strip()
        wanted = {
            "door_name": self.door_edit.text().strip(),
            "operator": self.operator_edit.text().strip(),
            "camera": int(camera_text) if camera_text.isdigit() else camera_text,
            "decoder": self.decoder_combo.currentText(),
            "sounds": self.sounds_check.isChecked(),
            "desk_scan_checks_in": self.desk_scan_check.isChecked(),
            "scanner_prefix": self.scanner_prefix_edit.text(),  # as typed: a prefix may be a space
            "scanner_suffix": self.scanner_suffix_edit.text(),
        }
        return {name: value for name, value in wanted.items() if getattr(settings, name) != value}

    def save(self) -> None:
        if self._busy:
            return
        changes = self.changes()
        if "door_name" in changes and not changes["door_name"]:
            self._say("The door needs a name (it is recorded with every scan).", theme.RED)
            return
        pins = {name: edit.text() for name, edit in self.pin_edits.items()}
        if any(pins.values()):
            problem = _pin_problem(pins["new"], pins["repeat"])
            if problem:
                self._say(problem, theme.RED)
                return
        elif not changes:
            self._say("Nothing to save: no setting was changed.", theme.MUTED)
            return
        self._set_busy(True)
        self._say("Saving…", theme.MUTED)
        # Off the GUI thread: it writes a file, and checking and hashing a PIN takes scrypt's time.
        (ops.save_settings(changes, pins if any(pins.values()) else None)
         .success(self._on_save_done)
         .failure(self._on_save_failed)
         .run(self.services.ops, self))

    # ---- slots -------------------------------------------------------------------------

    def on_save_button_clicked(self) -> None:
        self.save()

    def on_revert_button_clicked(self) -> None:
        self.load()
        self._say("", theme.MUTED)

    # ---- outcomes --------------------------------------------------------------------------

    def _on_save_done(self, saved) -> None:
        self._set_busy(False)
        settings, pin_changed = saved
        for edit in self.pin_edits.values():
            edit.clear()
        self._say("Settings saved." + (" The new PIN is in force." if pin_changed else ""), theme.GREEN)
        self.settings_saved.emit(settings)

    def _on_save_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self._say(message_for(exc, "Not saved", (ConfigError, PinChangeError)), theme.RED)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)

    def _say(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(text)


def _pin_problem(new: str, repeat: str) -> str | None:
    if len(new) < MIN_PIN_DIGITS:
        return f"The new PIN needs at least {MIN_PIN_DIGITS} characters."
    if new != repeat:
        return "The two new PINs differ; type the same PIN twice."
    return None

