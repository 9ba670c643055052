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
    from kiosk.app.shell import KioskApp

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


def _install_crash_handler(shell) -> None:
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
