"""The app's long-lived objects, wired explicitly: the kiosk session, the workers, the screens.

Nothing is found through globals: :class:`KioskApp` builds the session, the
workers, the sync engine and the screens, and hands each screen what it needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.app.main import EXIT_ERROR, EXIT_OK


def _make_desk(replica, settings):
    """On the DbWorker: the desk reads the replica's current event when it is made."""
    from kiosk.app.services import read_event_info
    from kiosk.core.desk import CheckinDesk

    desk = CheckinDesk(replica, door=settings.door_name, operator=settings.operator)
    return desk, read_event_info(replica)


class KioskApp:
    """Every long-lived object of the app, wired explicitly. Tests build one too."""

    def __init__(self, app, settings, *, extras: dict | None = None, camera_source_factory=None,
                 sounds_enabled: bool | None = None):
        from kiosk.app.camera import CameraPipeline
        from kiosk.app.door.hand_scanner import HandScannerFilter
        from kiosk.app.door.screen import DoorScreen
        from kiosk.app.pin import PinGate
        from kiosk.app.services import Services, read_event_info
        from kiosk.app.sounds import SoundPlayer
        from kiosk.app.sync_bridge import SyncBridge
        from kiosk.app.workers import DbWorker, NetWorker, SerialWorker
        from kiosk.app.window import MainWindow
        from kiosk.core.desk import CheckinDesk
        from kiosk.scanner.decoders import DecoderUnavailable, make_decoder
        from kiosk.scanner.sources import open_source
        from sync.replica import open_replica

        self.app = app
        self.screenshot_status = EXIT_OK
        self.replica = open_replica(settings.data_dir)
        self.db_worker, self.net_worker = DbWorker(), NetWorker()
        self.pin_worker = SerialWorker("pin")
        desk = CheckinDesk(self.replica, door=settings.door_name, operator=settings.operator)
        self.services = Services(
            replica=self.replica, desk=desk, db_worker=self.db_worker, net_worker=self.net_worker,
            settings=settings, event=read_event_info(self.replica), extras=dict(extras or {}),
            sync_bridge=SyncBridge(),  # always there, so screens connect once; the engine attaches later
        )
        self._start_sync_engine_if_enrolled()

        try:
            decoder = make_decoder(settings.decoder)
        except DecoderUnavailable as exc:
            decoder, self.camera_problem = None, str(exc)
        else:
            self.camera_problem = None
        source_factory = camera_source_factory or (lambda: open_source(settings.camera, loop=True))
        self.camera = CameraPipeline(source_factory, decoder) if decoder is not None else None
        self.sounds = SoundPlayer(settings.sounds if sounds_enabled is None else sounds_enabled)
        self.scanner_filter = HandScannerFilter()
        app.installEventFilter(self.scanner_filter)

        self.door = DoorScreen(self.services, camera=self.camera, sounds=self.sounds)
        if self.camera_problem:
            self.door.on_camera_failed(self.camera_problem)
        self.desk_face = self._build_desk()
        self.dashboard = self._build_dashboard()
        self.pin_gate = PinGate(lambda: self.services.settings.pin_hash, self.pin_worker)
        self.window = MainWindow(self.services, self.door, self.desk_face, self.dashboard, self.pin_gate,
                                 kiosk_mode=settings.kiosk_mode, scanner_filter=self.scanner_filter)
        self._connect_desk()

    # ---- parts ---------------------------------------------------------------------

    def _build_desk(self):
        from kiosk.app.staff.staff_desk import StaffDesk

        return StaffDesk(self.services, camera_factory=self._desk_camera)

    def _desk_camera(self):
        """The staff desk's enrollment page borrows the same camera the door uses."""
        from kiosk.app.camera import CameraPipeline
        from kiosk.scanner.decoders import make_decoder
        from kiosk.scanner.sources import open_source

        settings = self.services.settings
        return CameraPipeline(lambda: open_source(settings.camera), make_decoder(settings.decoder))

    def _build_dashboard(self):
        from kiosk.app.dashboard.dashboard import Dashboard

        return Dashboard(self.services)

    def _start_sync_engine_if_enrolled(self) -> bool:
        """Make the sync engine when the replica knows a server; True when it was just made."""
        from kiosk import __version__
        from sync.status import K_SERVER

        if self.services.sync_engine is not None or not self.replica.get_state(K_SERVER):
            return False
        from sync.engine import SyncEngine

        engine = SyncEngine(self.replica, interval=self.services.settings.sync_interval_seconds,
                            app_version=__version__)
        self.services.sync_bridge.attach(engine)
        self.services.sync_engine = engine
        return True

    def _connect_desk(self) -> None:
        desk = self.desk_face
        for name in ("device_enrolled", "roster_imported"):
            signal = getattr(desk, name, None)
            if signal is not None:
                signal.connect(self.on_desk_event_changed)
        settings_saved = getattr(desk, "settings_saved", None)
        if settings_saved is not None:
            settings_saved.connect(self.on_desk_settings_saved)
        self.services.sync_bridge.sync_finished.connect(self.on_sync_finished)

    # ---- life ---------------------------------------------------------------------

    def start(self) -> None:
        self.window.present()
        if self.services.sync_engine is not None:
            self.services.sync_engine.start()
        # The dashboard starts counting when its face is shown (see MainWindow.show_face).

    def shutdown(self) -> None:
        """Stop everything in order: no new scans, finish queued writes, close the replica."""
        self.window.dispose()
        for face in (self.dashboard, self.desk_face):
            for name in ("stop", "shutdown"):
                method = getattr(face, name, None)
                if callable(method):
                    method()
                    break
        self.app.removeEventFilter(self.scanner_filter)
        engine, bridge = self.services.sync_engine, self.services.sync_bridge
        if bridge is not None:
            bridge.detach()
        if engine is not None:
            engine.stop(wait=True)
            engine.close()
        self.sounds.close()
        for worker in (self.db_worker, self.net_worker, self.pin_worker):
            worker.stop()
        self.replica.close()

    # ---- the event may change under the app ------------------------------------------

    def on_desk_event_changed(self, *_args) -> None:
        """Enrolled, or a roster imported: the current event may be another one now."""
        self._start_sync_engine_if_enrolled()
        engine = self.services.sync_engine
        if engine is not None:
            if not engine.running:
                engine.start()
            engine.trigger(force=True)
        self.reload_event()

    def on_sync_finished(self, _report) -> None:
        # The first download after enrolling brings the event's name; an organizer may switch events.
        # Which event the replica holds is read on the DbWorker: rounds end every few seconds.
        self.db_worker.submit(self.replica.get_state, "event_id", on_done=self._on_synced_event_id)

    def _on_synced_event_id(self, event_id: str | None) -> None:
        event = self.services.event
        if not event.name or event.id != event_id:
            self.reload_event()

    def reload_event(self) -> None:
        """A fresh desk for the current event and door, made on the DbWorker, then swapped in."""
        self.db_worker.submit(_make_desk, self.replica, self.services.settings, on_done=self._on_desk_made)

    def _on_desk_made(self, made) -> None:
        desk, event = made
        # Jobs already queued keep the old desk; every job submitted from now on gets the new one.
        self.services.desk, self.services.event = desk, event
        self.door.set_event(event)
        self.window.update_title()

    def on_desk_settings_saved(self, settings) -> None:
        self.services.settings = settings
        self.sounds.enabled = settings.sounds
        self.door.status_line.set_door(settings.door_name)
        self.reload_event()

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
