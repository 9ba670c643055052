"""The app's long-lived objects, wired explicitly: the kiosk session, the workers, the screens.

Nothing is found through globals: :class:`KioskApp` builds the session, the
workers, the sync engine and the screens, and hands each screen what it needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.app.main import EXIT_ERROR, EXIT_OK


def _make_engine(session):
    """On the DbWorker: the sync engine, once the replica knows a server (it reads the replica)."""
    from kiosk import __version__

    return session.make_engine(app_version=__version__)


class KioskApp:
    """Every long-lived object of the app, wired explicitly. Tests build one too."""

    def __init__(self, app, settings, *, extras: dict | None = None, camera_source_factory=None,
                 sounds_enabled: bool | None = None, config_sources=None):
        from kiosk.app.door.hand_scanner import HandScannerFilter
        from kiosk.app.services import Services
        from kiosk.app.sounds import SoundPlayer
        from kiosk.app.sync_bridge import SyncBridge
        from kiosk.app.workers import SerialWorker
        from kiosk.session import KioskSession

        self.app = app
        self.screenshot_status = EXIT_OK
        self.session = KioskSession(settings, config_sources=config_sources)  # None: the user's files
        self.replica = self.session.replica
        self.pin_worker = SerialWorker("pin")
        # The bridge is always there, so screens connect once; the engine attaches when there is one.
        self.services = Services(self.session, sync_bridge=SyncBridge(), extras=extras)
        self.db_worker, self.net_worker = self.services.db_worker, self.services.net_worker
        self._attach_engine(_make_engine(self.session))
        self.camera = self._build_camera(camera_source_factory)
        self.sounds = SoundPlayer(settings.sounds if sounds_enabled is None else sounds_enabled)
        self.scanner_filter = HandScannerFilter(prefix=settings.scanner_prefix, suffix=settings.scanner_suffix)
        app.installEventFilter(self.scanner_filter)
        self._build_faces(settings)
        self._connect()

    # ---- parts ---------------------------------------------------------------------

    def _build_camera(self, camera_source_factory):
        from kiosk.app.camera import CameraPipeline
        from kiosk.scanner.decoders import DecoderUnavailable, make_decoder
        from kiosk.scanner.sources import open_source

        settings = self.session.settings
        try:
            decoder = make_decoder(settings.decoder)
        except DecoderUnavailable as exc:
            self.camera_problem = str(exc)
            return None
        self.camera_problem = None
        source_factory = camera_source_factory or (lambda: open_source(settings.camera, loop=True))
        return CameraPipeline(source_factory, decoder)

    def _build_faces(self, settings) -> None:
        from kiosk.app.dashboard.dashboard import Dashboard
        from kiosk.app.door.screen import DoorScreen
        from kiosk.app.pin import PinGate
        from kiosk.app.staff.staff_desk import StaffDesk
        from kiosk.app.window import MainWindow

        self.door = DoorScreen(self.services, camera=self.camera, sounds=self.sounds)
        if self.camera_problem:
            self.door.on_camera_failed(self.camera_problem)
        self.desk_face = StaffDesk(self.services, camera_factory=self._desk_camera)
        self.dashboard = Dashboard(self.services)
        self.pin_gate = PinGate(lambda: self.services.settings.pin_hash, self.pin_worker)
        self.window = MainWindow(self.services, self.door, self.desk_face, self.dashboard, self.pin_gate,
                                 kiosk_mode=settings.kiosk_mode, scanner_filter=self.scanner_filter)

    def _desk_camera(self):
        """The staff desk's enrollment page borrows the same camera the door uses."""
        from kiosk.app.camera import CameraPipeline
        from kiosk.scanner.decoders import make_decoder
        from kiosk.scanner.sources import open_source

        settings = self.services.settings
        return CameraPipeline(lambda: open_source(settings.camera), make_decoder(settings.decoder))

    def _connect(self) -> None:
        self.services.ops.changes.connect(self.on_ops_changes)
        self.services.ops.operation_failed.connect(self.on_ops_operation_failed)

    def _attach_engine(self, engine) -> None:
        """The engine made for a replica that knows a server: its events reach the screens."""
        if engine is None or self.services.sync_bridge.engine is engine:
            return
        self.services.sync_bridge.attach(engine)
        if getattr(self, "window", None) is not None:  # made after start-up (just enrolled): run it now
            engine.start()
            engine.trigger(force=True)

    # ---- life ---------------------------------------------------------------------

    def start(self) -> None:
        self.window.present()
        if self.session.engine is not None:
            self.session.engine.start()
        # The dashboard starts counting when its face is shown (see MainWindow.show_face).

    def shutdown(self) -> None:
        """Stop everything in order: no new scans, finish queued writes, close the replica."""
        self.window.dispose()
        self.dashboard.stop()
        self.desk_face.stop()
        self.services.sync_status.stop()
        self.app.removeEventFilter(self.scanner_filter)
        if self.services.sync_bridge is not None:
            self.services.sync_bridge.detach()
        engine, self.session.engine = self.session.engine, None
        if engine is not None:
            engine.stop(wait=True)
            engine.close()
        self.sounds.close()
        self.services.stop_workers()
        self.pin_worker.stop()
        self.session.close()

    # ---- what changed ----------------------------------------------------------------

    def on_ops_changes(self, changes, initiator) -> None:
        from kiosk.app import ops
        from kiosk.app.operations import QueryOp

        if changes.settings:
            self.sounds.enabled = self.session.settings.sounds
            settings = self.session.settings
            self.scanner_filter.prefix, self.scanner_filter.suffix = settings.scanner_prefix, settings.scanner_suffix
        if changes.event or changes.settings:
            self.window.update_title()
        if not changes.event or initiator is self:
            return
        if initiator is self.services.sync_status:
            # A round brought the event (the first download) or changed it: the desk follows.
            ops.reload_session().run(self.services.ops, self)
        elif self.session.engine is None:
            # Enrolled just now: make the engine on the DbWorker (it reads the replica), then run it.
            QueryOp(_make_engine).success(self._attach_engine).run(self.services.ops, self)
        else:
            self.session.engine.trigger(force=True)  # enrolled again, or a roster imported: sync now

    def on_ops_operation_failed(self, message: str, initiator) -> None:
        """A failure nobody handled: on the face that asked (the door when nobody did)."""
        face = self.window.face_of(initiator) or self.door
        face.show_error(message)

    # ---- --screenshot ------------------------------------------------------------------

    def screenshot_when_ready(self, path: Path, settle_ms: int = 400) -> None:
        """Once the start-up work queued on the DbWorker is done and painted, save the window and quit."""
        from PySide6.QtCore import QTimer

        def grab() -> None:
            self.window.repaint()
            image = self.window.grab().toImage()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                saved = image.save(str(path), "PNG")
            except OSError:
                saved = False
            if saved:
                print(f"Screenshot written to {path}")
            else:
                print(f"kiosk: cannot write the screenshot {path}", file=sys.stderr)
                self.screenshot_status = EXIT_ERROR
            self.app.exit(self.screenshot_status)  # exit(), not quit(): a locked kiosk refuses to close

        # A job behind everything queued so far: its callback comes after theirs.
        self.db_worker.submit(lambda: None, on_done=lambda _none: QTimer.singleShot(settle_ms, grab))
