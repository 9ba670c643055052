"""Enrolling this kiosk: paste the one-time code, or scan the QR on the organizer's screen.

A USB hand scanner types the QR's text into the code box like a keyboard; the
webcam reads it through the same camera pipeline as the door; a screenshot of
the QR can be read from a file. The exchange runs on the NetWorker; the token
goes to the OS keyring and is never shown.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.scrolling import scrolling_layout
from kiosk.app.staff.dialogs import Dialogs
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.style import section, use_base_font
from kiosk.scanner.decoders import DecoderUnavailable
from kiosk.scanner.sources import SourceError

log = logging.getLogger(__name__)

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.webp);;All files (*)"
# The environment's faults when reading a QR code: no camera, no decoder library, a bad image.
_SCANNER_ERRORS = (DecoderUnavailable, SourceError, OSError)
PHASE_WORDS = {"roster": "Downloading the roster", "checkins": "Downloading check-ins", "push": "Sending check-ins"}


def normalise_code_text(text: str) -> str:
    """A code typed or read aloud in groups ("ABCD EFGH", "abcd-efgh ") is one word: spaces go.

    An enrollment QR's text (a URI) only loses the spaces around it.
    """
    from sync.enrollment import ENROLL_URI_PREFIX

    text = text.strip()
    if text.lower().startswith(ENROLL_URI_PREFIX):
        return text
    return "".join(text.split())


class EnrollmentPage(QWidget):
    """Exchange an enrollment code for this kiosk's device token."""

    device_enrolled = Signal(object)  # sync.enrollment.Enrollment (the token is in the keyring)
    settings_saved = Signal(object)  # kiosk.config.Settings: the enrollment code's door became this kiosk's

    def __init__(self, services, dialogs: Dialogs | None = None, camera_factory=None,
                 parent: QWidget | None = None):
        """``camera_factory()`` -> a started-on-demand CameraPipeline; by default the settings' camera."""
        super().__init__(parent)
        self.services = services
        self.dialogs = dialogs or Dialogs()
        self._camera_factory = camera_factory or self._settings_camera
        self._camera = None
        self._busy = False

        box, box_layout = section("Enroll this kiosk")
        intro = QLabel(
            "On the organizer's screen, create an enrollment code for this door. Then scan its QR code "
            "with a hand scanner (into the box below) or with the camera, or paste the code."
        )
        intro.setWordWrap(True)
        self.server_edit = QLineEdit(services.settings.server_url)
        self.server_edit.setObjectName("enroll_server")
        self.server_edit.setPlaceholderText("http://192.168.1.10:8000 (filled in by the QR code)")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("enroll_code")
        self.code_edit.setPlaceholderText("enrollment code, or the QR code's text")
        self.code_edit.setFont(theme.font(16))
        self.code_edit.setMinimumHeight(44)
        form = QFormLayout()
        form.addRow("Server", self.server_edit)
        form.addRow("Code", self.code_edit)

        self.enroll_button = QPushButton("Enroll")
        self.enroll_button.setObjectName("enroll_button")
        self.camera_button = QPushButton("Scan with the camera")
        self.camera_button.setObjectName("enroll_camera_button")
        self.image_button = QPushButton("Read a QR image…")
        self.image_button.setObjectName("enroll_image_button")
        buttons = QHBoxLayout()
        for button in (self.enroll_button, self.camera_button, self.image_button):
            button.setMinimumHeight(48)
            buttons.addWidget(button)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("enroll_preview")
        self.preview_label.setAlignment(Qt.AlignCenter)
        self.preview_label.hide()
        self.message_label = QLabel("")
        self.message_label.setObjectName("enroll_message")
        self.message_label.setWordWrap(True)
        self.message_label.setFont(theme.font(15, bold=True))
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("enroll_progress")
        self.progress_bar.hide()

        box_layout.addWidget(intro)
        box_layout.addLayout(form)
        box_layout.addLayout(buttons)
        box_layout.addWidget(self.preview_label)
        box_layout.addWidget(self.message_label)
        box_layout.addWidget(self.progress_bar)
        layout = scrolling_layout(self)  # the camera's preview makes it long: a short screen scrolls it
        layout.addWidget(box)
        layout.addStretch(1)

        self.code_edit.textChanged.connect(self.on_code_edit_text_changed)
        self.code_edit.returnPressed.connect(self.on_enroll_button_clicked)
        self.enroll_button.clicked.connect(self.on_enroll_button_clicked)
        self.camera_button.clicked.connect(self.on_camera_button_clicked)
        self.image_button.clicked.connect(self.on_image_button_clicked)
        if services.sync_bridge is not None:
            services.sync_bridge.sync_progressed.connect(self.on_sync_bridge_sync_progressed)
            services.sync_bridge.sync_finished.connect(self.on_sync_bridge_sync_finished)
        use_base_font(self)  # last: every child built above gets it

    # ---- public -----------------------------------------------------------------

    def enroll(self) -> None:
        if self._busy:
            return
        from sync.client import SyncError
        from sync.enrollment import parse_enrollment

        text = normalise_code_text(self.code_edit.text())
        server = self.server_edit.text().strip() or None
        try:
            parsed = parse_enrollment(text, server)  # pure: a typo or a bad address is caught before any network
        except SyncError as exc:
            self._say(str(exc), theme.RED)
            return
        if parsed.server is None:
            self._say("Which server? Type its address (e.g. http://192.168.1.10:8000), or scan the QR code.",
                      theme.RED)
            self.server_edit.setFocus(Qt.OtherFocusReason)
            return
        from kiosk import __version__

        self._set_busy(True)
        self._say("Contacting the server…", theme.MUTED)
        (ops.enroll(text, server, __version__)
         .success(self._on_enroll_done)
         .failure(self._on_enroll_failed)
         .run(self.services.ops, self))

    def stop_camera(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
            self._camera = None
        self.preview_label.hide()
        self.camera_button.setText("Scan with the camera")

    # ---- slots ----------------------------------------------------------------------

    def on_code_edit_text_changed(self, text: str) -> None:
        """A scanned enrollment QR carries the server: show it in the server box."""
        from sync.client import SyncError
        from sync.enrollment import ENROLL_URI_PREFIX, parse_enrollment

        if not text.strip().lower().startswith(ENROLL_URI_PREFIX):
            return
        try:
            parsed = parse_enrollment(text)
        except SyncError:
            return  # half-typed: the Enroll button will say what is wrong
        if parsed.server:
            self.server_edit.setText(parsed.server)

    def on_enroll_button_clicked(self) -> None:
        self.enroll()

    def on_camera_button_clicked(self) -> None:
        if self._camera is not None:
            self.stop_camera()
            return
        try:
            self._camera = self._camera_factory()
        except _SCANNER_ERRORS as exc:  # no camera, no decoder library: say so
            self._say(message_for(exc, "The camera cannot be used", _SCANNER_ERRORS), theme.RED)
            return
        self._camera.setParent(self)
        self._camera.code_detected.connect(self.on_camera_code_detected)
        self._camera.camera_failed.connect(self.on_camera_camera_failed)
        self._camera.frame_previewed.connect(self.on_camera_frame_previewed)
        self.camera_button.setText("Stop the camera")
        self.preview_label.show()
        self._say("Hold the enrollment QR code in front of the camera.", theme.MUTED)
        self._camera.start()

    def on_camera_code_detected(self, text: str, _frame_time: float) -> None:
        self.stop_camera()
        self.code_edit.setText(text)
        self.enroll()

    def on_camera_camera_failed(self, message: str) -> None:
        self.stop_camera()
        self._say(message, theme.RED)

    def on_camera_frame_previewed(self, image) -> None:
        self.preview_label.setPixmap(QPixmap.fromImage(image).scaledToWidth(320))
        if self._camera is not None:
            self._camera.preview_shown()

    def on_image_button_clicked(self) -> None:
        path = self.dialogs.open_path(self, "Read an enrollment QR code", IMAGE_FILTER)
        if path is None:
            return
        self._say(f"Reading {path.name}…", theme.MUTED)
        (ops.decode_image(path)
         .success(lambda codes: self._on_image_decoded(path, codes))
         .failure(lambda exc: self._say(message_for(exc, f"{path.name} could not be read", _SCANNER_ERRORS),
                                        theme.RED))
         .run(self.services.ops, self))

    def on_sync_bridge_sync_progressed(self, phase: str, done: int, total: int) -> None:
        if not self.progress_bar.isVisible():
            return
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(min(done, max(total, 1)))
        self.progress_bar.setFormat(f"{PHASE_WORDS.get(phase, phase)}: %v of %m")

    def on_sync_bridge_sync_finished(self, report) -> None:
        if not self.progress_bar.isVisible():
            return
        if report.ok:
            self.progress_bar.setValue(self.progress_bar.maximum())
            self._say("This kiosk is enrolled and up to date.", theme.GREEN)
            return
        # Never "up to date" after a round that failed: say why, in the words the door's status line uses.
        from kiosk.core.status_words import SyncStatus, describe_status

        status = SyncStatus(connectivity=report.connectivity, waiting_to_sync=report.waiting_to_sync,
                            last_error=report.error)
        self._say(f"Enrolled, but the last sync did not go through: {describe_status(status)}.", theme.RED)

    # ---- outcomes ------------------------------------------------------------------------

    def _on_image_decoded(self, path: Path, codes: list) -> None:
        if not codes:
            self._say(f"No QR code was found in {path.name}.", theme.RED)
            return
        self.code_edit.setText(codes[0].text)
        self._say("Code read from the image; press Enroll.", theme.MUTED)
        self.enroll_button.setFocus(Qt.OtherFocusReason)

    def _on_enroll_done(self, enrollment) -> None:
        self._set_busy(False)
        if enrollment.door and enrollment.door == self.services.settings.door_name:
            self.settings_saved.emit(self.services.settings)  # the code's door is this kiosk's now
        self.code_edit.clear()  # a one-time code: spent now, and not left on screen
        door = f" as “{enrollment.door}”" if enrollment.door else ""
        self._say(
            f"Enrolled{door} on {enrollment.server} for event {enrollment.event_id}. "
            f"The device key is kept in {enrollment.token_stored_in}.",
            theme.GREEN,
        )
        if self.services.sync_bridge is not None:
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat("Waiting for the first sync…")
            self.progress_bar.show()
        self.device_enrolled.emit(enrollment)  # the operation's changes make the engine sync now

    def _on_enroll_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        from sync.client import SyncError

        self._say(message_for(exc, "Not enrolled", (SyncError,)), theme.RED)

    # ---- helpers ---------------------------------------------------------------------------

    def _settings_camera(self):
        from kiosk.app.camera import CameraPipeline
        from kiosk.scanner.decoders import make_decoder
        from kiosk.scanner.sources import open_source

        settings = self.services.settings
        decoder = make_decoder(settings.decoder)
        return CameraPipeline(lambda: open_source(settings.camera), decoder)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.enroll_button.setEnabled(not busy)

    def _say(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(text)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._busy:
            # The box has the keys when the page is shown: a hand scanner's QR lands in it without a click.
            self.code_edit.setFocus(Qt.OtherFocusReason)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.stop_camera()  # the camera is not left running behind another page
        super().hideEvent(event)

