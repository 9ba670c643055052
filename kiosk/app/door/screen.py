"""The door screen: camera preview, big result panel, entry/exit toggle and status line.

Every scan — from the camera, a hand scanner or the code field — goes through
:meth:`DoorScreen.scan_code`: the decision and its durable commit run on the
DbWorker (``CheckinDesk.scan``), and the result reaches the panel through the
worker's signal, only after it is committed. The GUI thread never waits.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.door.code_entry import CodeEntry
from kiosk.app.door.preview import CameraView
from kiosk.app.door.result_panel import EXIT_BACKGROUND, ResultPanel
from kiosk.app.door.status_line import StatusLine
from kiosk.app.elided_label import ElidedLabel
from kiosk.app.services import Services
from kiosk.core.desk import ENTRY, EXIT
from kiosk.core.results import Decision
from sync.changes import Changes

log = logging.getLogger(__name__)

NO_CAMERA_HINT = "Use the hand scanner, or type the code or the name below."
CAMERA_RETRY_MS = 10_000  # a camera plugged in (again) is picked up without touching the kiosk
READ_TOGETHER_SECONDS = 0.2  # camera codes first read this close together (a few frames) were in view together


class DoorScreen(QWidget):
    """The face door staff see all day."""

    decision_shown = Signal(object)  # a Decision is on the panel
    scan_failed = Signal(str)  # a scan could not be recorded; the message is on the panel
    staff_requested = Signal()  # the discreet "Staff" button: the window asks for the PIN
    direction_change_requested = Signal(str)  # Entry/Exit pressed on a locked kiosk: the window asks for the PIN

    def __init__(self, services: Services, *, camera=None, sounds=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("face")
        self.services = services
        self.camera = camera
        self.sounds = sounds
        self.direction = ENTRY
        self.direction_locked = False  # a locked kiosk: Entry/Exit change only after the staff PIN
        self.scans_in_flight = 0
        self._last_camera_frame: float | None = None  # when the camera's last code was read (perf_counter)

        # Header: event and door on the left, entry/exit and Staff on the right.
        self.event_label = ElidedLabel()
        self.event_label.setObjectName("eventName")
        self.event_label.setFont(theme.font(20, bold=True))
        self.entry_button = QPushButton("Entry")
        self.exit_button = QPushButton("Exit")
        for button, checked_colour in ((self.entry_button, theme.GREEN), (self.exit_button, EXIT_BACKGROUND)):
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the code field and the scanner
            button.setMinimumSize(140, 44)
            button.setFont(theme.font(16, bold=True))
            # Set once: which way people are scanned must be obvious from across the door.
            button.setStyleSheet(
                f"QPushButton {{ background: #ffffff; color: {theme.NEUTRAL}; border: 2px solid #b0bec5;"
                f" border-radius: 8px; }}"
                f"QPushButton:checked {{ background: {checked_colour}; color: #ffffff;"
                f" border-color: {checked_colour}; }}"
            )
        self.entry_button.setChecked(True)
        self.direction_group = QButtonGroup(self)
        self.direction_group.setExclusive(True)
        self.direction_group.addButton(self.entry_button)
        self.direction_group.addButton(self.exit_button)
        self.staff_button = QPushButton("Staff…")
        self.staff_button.setObjectName("staffButton")
        self.staff_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.staff_button.setMinimumHeight(44)
        self.staff_button.setFont(theme.font(14))
        self.staff_button.clicked.connect(self.staff_requested)
        header = QHBoxLayout()
        header.addWidget(self.event_label, 1)
        header.addWidget(self.entry_button)
        header.addWidget(self.exit_button)
        header.addSpacing(24)
        header.addWidget(self.staff_button)

        # Left: what the camera sees, and a field for codes typed by hand.
        self.camera_view = CameraView()
        self.code_entry = CodeEntry(services)  # a code checks in; a name offers the matches
        self.code_field = self.code_entry.field
        self.input_hint = QLabel("Hand scanner ready")
        self.input_hint.setStyleSheet(f"color: {theme.MUTED};")
        left = QVBoxLayout()
        left.addWidget(self.camera_view, 1)
        left.addWidget(self.code_entry)
        left.addWidget(self.input_hint)

        # Right: the result, as big as the screen allows.
        self.result_panel = ResultPanel()
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.result_panel, 3)

        self.status_line = StatusLine()
        self.status_line.set_door(services.settings.door_name if services.settings else "")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 4)
        layout.addLayout(header)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_line)

        self._camera_retry = QTimer(self)
        self._camera_retry.setSingleShot(True)
        self._camera_retry.setInterval(CAMERA_RETRY_MS)
        self._camera_retry.timeout.connect(self.on_camera_retry_timeout)

        self.set_event(services.event)
        self.show_sync_status()
        self._connect()
        ops.warm_up().failure(lambda _exc: None).run(services.ops, self)  # a cold replica only costs time

    def _connect(self) -> None:
        self.services.ops.changes.connect(self.on_ops_changes)
        self.code_entry.connect_signals()
        self.code_entry.code_entered.connect(self.on_code_entry_code_entered)
        self.code_entry.attendee_chosen.connect(self.on_code_entry_attendee_chosen)
        self.code_entry.matches_toggled.connect(self.on_code_entry_matches_toggled)
        self.entry_button.clicked.connect(self.on_entry_button_clicked)
        self.exit_button.clicked.connect(self.on_exit_button_clicked)
        self.result_panel.decision_shown.connect(self.on_result_panel_decision_shown)
        self._connect_camera()

    def set_event(self, event) -> None:
        """The current event changed (enrolled, roster imported)."""
        door = self.services.settings.door_name if self.services.settings else ""
        name = event.name or "No event loaded: open the staff desk to import a roster or enroll"
        self.event_label.setText(f"{name}  ·  {door}" if door else name)
        self.result_panel.set_event_loaded(event.loaded)

    # ---- the camera ----------------------------------------------------------

    def _connect_camera(self) -> None:
        if self.camera is None:
            self.on_camera_failed("No camera is set up on this kiosk.")
            return
        self.camera.frame_previewed.connect(self.camera_view.show_frame)
        self.camera_view.frame_painted.connect(self.camera.preview_shown)
        self.camera.code_detected.connect(self.on_camera_code_detected)
        self.camera.camera_failed.connect(self.on_camera_failed)
        self.camera.camera_started.connect(self.on_camera_started)

    def start_camera(self) -> None:
        self._camera_retry.stop()
        if self.camera is not None:
            self.camera.start()

    def stop_camera(self) -> None:
        self._camera_retry.stop()
        if self.camera is not None:
            self.camera.stop()

    @Slot()
    def on_camera_retry_timeout(self) -> None:
        if self.camera is not None and self.isVisible() and not self.camera.running:
            self.start_camera()

    @Slot(str)
    def on_camera_started(self, description: str) -> None:
        self.result_panel.set_ready_hint("Hold the QR code up to the camera")
        self.input_hint.setText(f"Reading {description} · hand scanner ready")

    @Slot(str)
    def on_camera_failed(self, message: str) -> None:
        self.camera_view.show_message(f"{message}\n\n{NO_CAMERA_HINT}")
        self.result_panel.set_ready_hint("Scan the ticket with the hand scanner")
        self.input_hint.setText("No camera · hand scanner and code field work")
        if self.camera is not None:
            self._camera_retry.start()

    @Slot(str, float)
    def on_camera_code_detected(self, code: str, frame_time: float) -> None:
        last, self._last_camera_frame = self._last_camera_frame, frame_time
        together = last is not None and abs(frame_time - last) <= READ_TOGETHER_SECONDS
        self.scan_code(code, started_at=frame_time, together=together)

    # ---- scanning ------------------------------------------------------------

    def scan_code(self, code: str, started_at: float | None = None, together: bool = False) -> None:
        """Decide on a scanned code on the DbWorker; the result arrives in :meth:`on_scan_decided`.

        ``together``: read with the previous code (two tickets in view): its result waits its turn on the panel.
        """
        started_at = time.perf_counter() if started_at is None else started_at
        self.scans_in_flight += 1
        (ops.scan(code, self.direction)
         .success(partial(self.on_scan_decided, started_at=started_at, together=together))
         .failure(self.on_scan_failed)
         .run(self.services.ops, self))

    def on_scan_decided(self, decision: Decision, started_at: float | None = None, together: bool = False) -> None:
        self.scans_in_flight -= 1
        self.show_decision(decision, started_at, together)

    def show_decision(self, decision: Decision, started_at: float | None = None, together: bool = False) -> None:
        """Put a decision made elsewhere (a name picked from the matches) or here on the panel."""
        self.result_panel.show_decision(decision, started_at, together)

    def on_result_panel_decision_shown(self, decision: Decision) -> None:
        # At the moment it is on screen (a result read together with another waits its turn): sound, banner.
        if self.sounds is not None:
            self.sounds.play(decision.colour)
        self.decision_shown.emit(decision)

    def on_scan_failed(self, error: Exception) -> None:
        self.scans_in_flight -= 1
        from kiosk.crash import report_unexpected
        from sync.replica.database import ReplicaError

        if isinstance(error, ReplicaError):
            message = f"{error} This scan was not recorded: scan the ticket again."
        else:
            message = f"This scan was not recorded ({report_unexpected(error)}). Scan the ticket again."
        self.result_panel.show_message("Not recorded", message, "red")
        if self.sounds is not None:
            self.sounds.play("red")
        self.scan_failed.emit(message)

    def on_code_entry_code_entered(self, code: str) -> None:
        self.scan_code(code)

    def on_code_entry_attendee_chosen(self, view) -> None:
        """A typed name's match, picked: checked in by the door's rules, as a scan is."""
        self.scans_in_flight += 1
        (ops.checkin_attendee(view.id, self.direction)
         .success(partial(self.on_scan_decided, started_at=time.perf_counter()))
         .failure(self.on_scan_failed)
         .run(self.services.ops, self))

    def on_code_entry_matches_toggled(self, shown: bool) -> None:
        self.camera_view.setVisible(not shown)  # the matches take the camera's room while they are up

    # ---- entry / exit ----------------------------------------------------------

    @Slot()
    def on_entry_button_clicked(self) -> None:
        self.request_direction(ENTRY)

    @Slot()
    def on_exit_button_clicked(self) -> None:
        self.request_direction(EXIT)

    def request_direction(self, direction: str) -> None:
        """Entry or Exit pressed: at once, or on a locked kiosk only after the staff PIN."""
        if direction == self.direction or not self.direction_locked:
            self.set_direction(direction)
            return
        self.set_direction(self.direction)  # the pressed button does not stay down before the PIN
        self.direction_change_requested.emit(direction)

    def set_direction_locked(self, locked: bool) -> None:
        self.direction_locked = locked

    def set_direction(self, direction: str) -> None:
        if direction not in (ENTRY, EXIT):
            raise ValueError(direction)
        self.direction = direction
        button = self.entry_button if direction == ENTRY else self.exit_button
        if not button.isChecked():
            button.setChecked(True)
        self.result_panel.set_direction(direction)

    # ---- what changed elsewhere -----------------------------------------------------

    def on_ops_changes(self, changes: Changes, _initiator) -> None:
        if changes.event or changes.settings:
            self.set_event(self.services.event)
            self.status_line.set_door(self.services.settings.door_name)
        if changes.sync_status:
            self.show_sync_status()

    def show_sync_status(self) -> None:
        """The status line from the sync state kept in memory (never a read of the replica)."""
        self.status_line.show_status(self.services.sync_status.status)

    def show_error(self, message: str) -> None:
        """A background job failed: say so on the panel; the kiosk keeps working."""
        self.result_panel.show_message("Something went wrong", f"{message}. The kiosk keeps working; scan again.",
                                       "amber")

    def shutdown(self) -> None:
        self._camera_retry.stop()
        self.stop_camera()
