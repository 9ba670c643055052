"""Starting the app: take the parsed options, wire every object explicitly, run, shut down cleanly.

``kiosk`` without a sub-command lands here, its options parsed by the one parser
of the command line (``kiosk/cli/parser.py``). Nothing is found through globals:
:class:`~kiosk.app.shell.KioskApp` builds the session, the workers, the sync
engine and the screens, and hands each screen what it needs.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.cli.parser import AppOptions

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

NO_DISPLAY_MESSAGE = (
    "kiosk: no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it on a desktop session, "
    "or set QT_QPA_PLATFORM=offscreen, or use the headless commands (kiosk --help)."
)


def display_available(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window; on Linux without one, Qt would abort the process."""
    if not platform.startswith("linux"):
        return True
    return bool(environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def run_app(options: "AppOptions | list[str]", data_dir: Path | None = None) -> int:
    """The GUI's entry point; returns the process exit status.

    ``options``: as ``kiosk`` parsed them (:class:`kiosk.cli.parser.AppOptions`), or the
    command line's words to parse (``data_dir`` then overrides ``--data-dir``).
    """
    from kiosk.cli.parser import AppOptions, parse_app_options

    if not isinstance(options, AppOptions):
        try:
            options = parse_app_options(list(options), data_dir)
        except SystemExit as exc:  # --help, or a usage error already printed by argparse
            return int(exc.code or 0)
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_USAGE

    from kiosk.config import ConfigError, load_settings

    overrides = {"data_dir": options.data_dir, "camera": options.camera, "kiosk_mode": options.kiosk_mode}
    try:
        settings = load_settings(overrides)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from kiosk.logs import setup_logging

    setup_logging(settings, verbose=options.verbose)
    demo = config_sources = None
    try:
        if options.demo:
            from kiosk.demo import DemoError, start_demo

            print("Setting up the demo event and its local server…", flush=True)
            try:
                demo = start_demo(options.data_dir if options.data_dir is not None else settings.data_dir / "demo")
            except DemoError as exc:
                print(f"kiosk: {exc}", file=sys.stderr)
                return EXIT_ERROR
            print(demo.announcement())
            try:
                settings, config_sources = demo_settings(demo, options, settings.log_dir)
            except ConfigError as exc:
                print(f"kiosk: {exc}", file=sys.stderr)
                return EXIT_USAGE
        return _run(settings, screenshot=options.screenshot, demo=demo, config_sources=config_sources)
    except KeyboardInterrupt:
        return 130
    finally:
        if demo is not None:
            demo.stop()


def demo_settings(demo, options: "AppOptions", log_dir: Path):
    """The demo's settings and where they are saved: its own file, in its folder.

    Nothing the demo changes (a PIN, a door) reaches the user's settings, and the user's
    do not change the demo (its PIN stays the one it announces).
    """
    from kiosk.config import ConfigSources, load_settings

    sources = ConfigSources(system_file=None, user_file=demo.folder / "config.toml")
    settings = load_settings({"camera": options.camera, "kiosk_mode": options.kiosk_mode}, sources=sources)
    return dataclasses.replace(settings, data_dir=demo.data_dir, server_url=demo.server_url, door_name=demo.door,
                               log_dir=log_dir), sources


def _run(settings, *, screenshot: Path | None, demo, config_sources=None) -> int:
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
        shell = KioskApp(app, settings, extras={"demo": demo} if demo else None, config_sources=config_sources)
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
