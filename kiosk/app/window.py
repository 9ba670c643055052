"""The main window: the door screen, the staff desk and the dashboard, one at a time.

In kiosk mode the window is full screen and locked on the door screen: opening
the staff desk or the dashboard, leaving kiosk mode and quitting all need the
staff PIN. Once unlocked, going back to the door screen, or two minutes without
a touch, locks it again. Outside kiosk mode a bar of buttons switches faces and
turns full screen on and off (F11 too).

The window opens at the screen's available size. Every face fits a 1024x600
screen: the door always; the desk and the dashboard scroll, rather than push
the window taller than the screen, on anything shorter.

A hand scanner works on every face: its scans are checked in by the door
screen's pipeline, and when the door screen is hidden a banner shows the result;
at the staff desk a scan selects the person instead (the ``desk_scan_checks_in``
setting makes it check in there too).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import theme
from kiosk.app.door.scan_banner import ScanBanner
from kiosk.app.door.screen import DoorScreen
from kiosk.app.pin import PinGate
from kiosk.app.scrolling import scroll_area
from kiosk.app.services import Services

log = logging.getLogger(__name__)

DOOR, DESK, DASHBOARD = "door", "desk", "dashboard"
FACE_TITLES = {DOOR: "Door", DESK: "Staff desk", DASHBOARD: "Dashboard"}
SMALLEST_SCREEN = QSize(1024, 600)  # a kiosk tablet: every face fits it
RELOCK_AFTER_MS = 120_000  # an unlocked kiosk left alone goes back to the locked door screen


class _ActivityWatcher(QObject):
    """Restarts a timer on every key press or click anywhere in the application."""

    def __init__(self, timer: QTimer, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = timer

    def eventFilter(self, _obj, event) -> bool:
        if self._timer.isActive() and event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self._timer.start()
        return False


class MainWindow(QMainWindow):
    face_changed = Signal(str)
    kiosk_mode_changed = Signal(bool)
    lock_changed = Signal(bool)

    def __init__(
        self,
        services: Services,
        door: DoorScreen,
        desk: QWidget | None,
        dashboard: QWidget | None,
        pin_gate: PinGate,
        *,
        kiosk_mode: bool = False,
        scanner_filter=None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.services = services
        self.door, self.desk, self.dashboard = door, desk, dashboard
        self.pin_gate = pin_gate
        self.kiosk_mode = False
        self.locked = False
        self._quitting = False
        self.update_title()
        self.setStyleSheet(theme.APP_STYLESHEET)

        self.faces = QStackedWidget()
        self._face_widgets: dict[str, QWidget] = {DOOR: door}
        self._face_pages: dict[str, QWidget] = {DOOR: door}  # what the stack shows: the face, or its scroller
        self.faces.addWidget(door)
        for name, widget in ((DESK, desk), (DASHBOARD, dashboard)):
            if widget is not None:
                self._face_widgets[name] = widget
                # On a screen shorter than the face needs it scrolls, instead of making the window taller.
                self._face_pages[name] = scroll_area(widget)
                self.faces.addWidget(self._face_pages[name])

        # The bar of faces, hidden while the kiosk is locked.
        self.nav_bar = QWidget()
        self.nav_bar.setObjectName("navBar")
        nav = QHBoxLayout(self.nav_bar)
        nav.setContentsMargins(8, 4, 8, 4)
        self.face_buttons: dict[str, QPushButton] = {}
        for name in self._face_widgets:
            button = QPushButton(FACE_TITLES[name])
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, n=name: self.request_face(n))
            self.face_buttons[name] = button
            nav.addWidget(button)
        # A scan's result while the door is hidden shows in the bar's free middle: no room taken from the
        # face, and its room is kept while it is hidden, so nothing moves when it appears.
        self.banner = ScanBanner()
        self.banner.reserve_space(True)
        nav.addWidget(self.banner, 1)
        self.kiosk_button = QPushButton("Kiosk mode")
        self.kiosk_button.setObjectName("kioskButton")
        self.kiosk_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.kiosk_button.setToolTip("Full screen, locked on the door screen; the staff PIN unlocks it")
        self.kiosk_button.clicked.connect(self.on_kiosk_button_clicked)
        self.fullscreen_button = QPushButton("Full screen")
        self.fullscreen_button.setObjectName("fullscreenButton")
        self.fullscreen_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fullscreen_button.setToolTip("Full screen without locking the kiosk (F11)")
        self.fullscreen_button.clicked.connect(self.on_fullscreen_button_clicked)
        nav.addWidget(self.fullscreen_button)
        nav.addWidget(self.kiosk_button)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.nav_bar)
        column.addWidget(self.faces, 1)
        self.setCentralWidget(central)

        door.staff_requested.connect(self.on_door_staff_requested)
        door.decision_shown.connect(self.on_door_decision_shown)
        door.direction_change_requested.connect(self.on_door_direction_change_requested)
        if scanner_filter is not None:
            scanner_filter.code_scanned.connect(self.on_hand_scanner_code_scanned)

        self._relock_timer = QTimer(self)
        self._relock_timer.setSingleShot(True)
        self._relock_timer.setInterval(RELOCK_AFTER_MS)
        self._relock_timer.timeout.connect(self.lock)
        self._activity = _ActivityWatcher(self._relock_timer, self)
        QApplication.instance().installEventFilter(self._activity)

        QShortcut(QKeySequence("Ctrl+Shift+K"), self, self.on_kiosk_button_clicked)
        QShortcut(QKeySequence("Ctrl+Q"), self, self.close)
        QShortcut(QKeySequence("F11"), self, self.on_fullscreen_button_clicked)

        self.current_face = DOOR
        self.show_face(DOOR)
        self.set_kiosk_mode(kiosk_mode)

    def update_title(self) -> None:
        event_name = self.services.event.name or "No event loaded"
        self.setWindowTitle(f"checkin-kiosk — {event_name} — {self.services.settings.door_name}")

    # ---- faces ------------------------------------------------------------------

    def request_face(self, name: str) -> None:
        """Show a face; from the locked kiosk, only after the staff PIN."""
        if name not in self._face_widgets:
            return
        if name == DOOR:
            self.show_face(DOOR)
            if self.kiosk_mode:
                self.lock()
            return
        if self.locked:
            self.pin_gate.request(f"Staff PIN to open the {FACE_TITLES[name].lower()}",
                                  lambda: (self.unlock(), self.show_face(name)), self)
            self._sync_face_buttons()  # a click on a face button does not count until the PIN is right
            return
        self.show_face(name)

    def show_face(self, name: str) -> None:
        previous, self.current_face = self.current_face, name
        self.faces.setCurrentWidget(self._face_pages[name])
        self._sync_face_buttons()
        # The dashboard counts on the DbWorker every few seconds: only while it is on screen,
        # so that a count never holds up a scan at the door.
        if self.dashboard is not None and previous == DASHBOARD and name != DASHBOARD:
            self.dashboard.stop()
        if self.dashboard is not None and name == DASHBOARD and previous != DASHBOARD:
            self.dashboard.start()
        self.banner.hide()  # the door has its own panel; another face's banner is about an earlier scan
        if name != DOOR:
            self.door.stop_camera()  # the desk's enrollment page may need the same camera
        elif previous != DOOR or not (self.door.camera and self.door.camera.running):
            self.door.start_camera()
        self.face_changed.emit(name)

    def _sync_face_buttons(self) -> None:
        for face, button in self.face_buttons.items():
            button.setChecked(face == self.current_face)

    # ---- kiosk mode and the lock ------------------------------------------------

    def set_kiosk_mode(self, on: bool) -> None:
        self.kiosk_mode = on
        self.kiosk_button.setText("Leave kiosk mode" if on else "Kiosk mode")
        if on:
            self.lock()
        else:
            self._relock_timer.stop()
            self._set_locked(False)
        if self.isVisible():
            self.present()
        self.kiosk_mode_changed.emit(on)

    def present(self) -> None:
        """Show the window: full screen in kiosk mode, else as large as the screen's available area."""
        if self.kiosk_mode:
            self._show_full_screen()
        elif self.isFullScreen() or not self.isVisible():
            self.setGeometry(self.screen().availableGeometry())  # where no window manager maximizes it
            self.showMaximized()
        else:
            self.show()
        self._sync_fullscreen_button()

    def _show_full_screen(self) -> None:
        self.setGeometry(self.screen().geometry())  # where no window manager makes it full screen
        self.showFullScreen()

    def _sync_fullscreen_button(self) -> None:
        self.fullscreen_button.setText("Leave full screen" if self.isFullScreen() else "Full screen")
        self.fullscreen_button.setEnabled(not self.kiosk_mode)  # kiosk mode stays full screen

    def lock(self) -> None:
        """Back to the door screen, and the PIN is needed for anything else."""
        if not self.kiosk_mode:
            return
        self._relock_timer.stop()
        if self.current_face != DOOR:
            self.show_face(DOOR)
        self._set_locked(True)

    def unlock(self) -> None:
        self._set_locked(False)
        if self.kiosk_mode:
            self._relock_timer.start()

    def _set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.nav_bar.setVisible(not locked)
        self.door.set_direction_locked(locked)
        self.lock_changed.emit(locked)

    def request_leave_kiosk_mode(self) -> None:
        if not self.kiosk_mode:
            return
        if self.locked:
            self.pin_gate.request("Staff PIN to leave kiosk mode", lambda: self.set_kiosk_mode(False), self)
        else:
            self.set_kiosk_mode(False)

    def on_kiosk_button_clicked(self) -> None:
        if self.kiosk_mode:
            self.request_leave_kiosk_mode()
        else:
            self.set_kiosk_mode(True)

    def on_fullscreen_button_clicked(self) -> None:
        if self.kiosk_mode:
            return  # kiosk mode stays full screen
        if self.isFullScreen():
            self.present()
        else:
            self._show_full_screen()
            self._sync_fullscreen_button()

    def keyPressEvent(self, event) -> None:
        if self.locked and event.key() == Qt.Key.Key_Escape:
            return  # Escape never leaves the locked kiosk
        super().keyPressEvent(event)

    # ---- what happens elsewhere ---------------------------------------------------

    def on_door_staff_requested(self) -> None:
        self.request_face(DESK if DESK in self._face_widgets else DASHBOARD)

    def on_door_direction_change_requested(self, direction: str) -> None:
        # The kiosk stays locked: only the door's direction changes.
        self.pin_gate.request(f"Staff PIN to switch this door to {direction.capitalize()}",
                              lambda: self.door.set_direction(direction), self)

    def on_hand_scanner_code_scanned(self, code: str) -> None:
        if self.current_face == DESK and self.desk is not None and not self.services.settings.desk_scan_checks_in:
            self.desk.look_up_scan(code)  # at the desk a scan selects the person (a setting makes it check in)
            return
        self.door.scan_code(code)

    def on_door_decision_shown(self, decision) -> None:
        if self.current_face != DOOR:
            self.banner.show_decision(decision)  # the face on screen refreshes itself from the changes

    def face_of(self, widget) -> QWidget | None:
        """The face (door, desk, dashboard) that holds ``widget``, or None."""
        while isinstance(widget, QWidget):
            if widget in self._face_widgets.values():
                return widget
            widget = widget.parentWidget()
        return None

    # ---- closing ------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked and not self._quitting:
            event.ignore()
            self.pin_gate.request("Staff PIN to quit the kiosk", self._quit_granted, self)
            return
        self.dispose()
        super().closeEvent(event)

    def dispose(self) -> None:
        """Take the window's application-wide hooks away (also when it is torn down without closing)."""
        self._relock_timer.stop()
        QApplication.instance().removeEventFilter(self._activity)
        self.door.shutdown()

    def _quit_granted(self) -> None:
        self._quitting = True
        self.close()
