"""Starting the app: parse the options, wire every object explicitly, run, shut down cleanly.

``kiosk`` without a sub-command lands here (see ``kiosk/cli.py``). Nothing is
found through globals: :class:`KioskApp` builds the replica, the workers, the
desk, the sync engine and the screens, and hands each screen the
:class:`~kiosk.app.services.Services` it needs.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

NO_DISPLAY_MESSAGE = (
    "kiosk: no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it on a desktop session, "
    "or set QT_QPA_PLATFORM=offscreen, or use the headless commands (kiosk --help)."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Start the check-in app (door screen, staff desk, dashboard).",
    )
    parser.add_argument("--demo", action="store_true",
                        help="run a built-in demo event with a local server, and write printable demo tickets")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="render the main window after start-up to a PNG file and exit")
    parser.add_argument("--camera", metavar="SRC",
                        help="camera number, video file or folder of images (default: the 'camera' setting)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--kiosk", dest="kiosk_mode", action="store_const", const=True,
                      help="full screen and locked on the door screen (staff PIN to leave)")
    mode.add_argument("--windowed", dest="kiosk_mode", action="store_const", const=False,
                      help="a normal window with the staff desk and dashboard a click away")
    parser.add_argument("--verbose", action="store_true", help="debug detail in the log, and a copy on stderr")
    return parser


def display_available(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window; on Linux without one, Qt would abort the process."""
    if not platform.startswith("linux"):
        return True
    return bool(environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def run_app(argv: list[str], data_dir: Path | None = None) -> int:
    """The GUI's entry point; returns the process exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return int(exc.code or 0)
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_USAGE

    from kiosk.config import ConfigError, load_settings

    overrides = {"camera": args.camera, "kiosk_mode": args.kiosk_mode}
    try:
        settings = load_settings({"data_dir": data_dir, **overrides})
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from kiosk.logs import setup_logging

    setup_logging(settings, verbose=args.verbose)
    demo = None
    try:
        if args.demo:
            from kiosk.demo import DemoError, start_demo

            print("Setting up the demo event and its local server…", flush=True)
            try:
                demo = start_demo(data_dir if data_dir is not None else settings.data_dir / "demo")
            except DemoError as exc:
                print(f"kiosk: {exc}", file=sys.stderr)
                return EXIT_ERROR
            print(demo.announcement())
            settings = dataclasses.replace(settings, data_dir=demo.data_dir, server_url=demo.server_url,
                                           door_name=demo.door)
        return _run(settings, screenshot=args.screenshot, demo=demo)
    except KeyboardInterrupt:
        return 130
    finally:
        if demo is not None:
            demo.stop()


def _run(settings, *, screenshot: Path | None, demo) -> int:
    from PySide6.QtWidgets import QApplication

    from sync.replica.database import ReplicaError

    _route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("checkin-kiosk")
    app.setApplicationDisplayName("checkin-kiosk")
    lock = _one_app_per_data_folder(settings.data_dir)
    if lock is None:
        print(f"kiosk: checkin-kiosk is already running with the data folder {settings.data_dir}: "
              "use its window (or stop it first).", file=sys.stderr)
        return EXIT_ERROR
    try:
        shell = KioskApp(app, settings, extras={"demo": demo} if demo else None)
    except ReplicaError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the environment's fault or a bug: one line, the details in the log
        from kiosk.crash import report_unexpected

        print(f"kiosk: {report_unexpected(exc)}", file=sys.stderr)
        return EXIT_ERROR
    _install_crash_handler(shell)
    shell.start()
    if screenshot is not None:
        shell.screenshot_when_ready(screenshot)
    try:
        status = app.exec()
    finally:
        shell.shutdown()
        lock.unlock()
    return status if screenshot is None else shell.screenshot_status


def _one_app_per_data_folder(data_dir: Path):
    """A lock on the data folder, or None when another app holds it.

    Two apps on one replica would fight over the camera and both sync it; a kiosk started at
    login and again by hand must say so instead. The lock of a process that died (a crash,
    kill -9) is taken over at once.
    """
    from PySide6.QtCore import QLockFile

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # opening the replica will say what is wrong with the folder
    lock = QLockFile(str(data_dir / "app.lock"))
    lock.setStaleLockTime(0)  # never stale by age: only when its process is gone
    if lock.tryLock(200):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    return lock  # the folder cannot hold a lock file (read-only...): the replica will say why


# Said by the offscreen platform (screenshots, CI) whenever a window's minimum size changes.
_QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def _route_qt_messages() -> None:
    """Qt's own warnings go to our log file, not to the terminal of whoever started the kiosk."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handle(kind, context, message: str) -> None:
        if message in _QT_NOISE:
            return
        where = f" ({context.file}:{context.line})" if context.file else ""
        qt_log.log(levels.get(kind, logging.WARNING), "%s%s", message, where)

    qInstallMessageHandler(handle)


def _install_crash_handler(shell: "KioskApp") -> None:
    """A bug in a slot: log it, say so on the screen, keep the kiosk running."""
    previous = sys.excepthook

    def on_uncaught(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            return previous(kind, value, tb)
        from kiosk.crash import report_unexpected

        message = report_unexpected(value.with_traceback(tb))
        print(f"kiosk: {message}", file=sys.stderr)
        try:
            shell.door.result_panel.show_message(
                "Something went wrong", f"{message}. The kiosk keeps working; scan again.", "amber")
        except Exception:  # never let the crash handler crash
            pass

    sys.excepthook = on_uncaught


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
