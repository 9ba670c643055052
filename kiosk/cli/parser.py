"""The one parser of the ``kiosk`` command: the app's options and every command group.

``kiosk`` without a command starts the app with :class:`AppOptions`; with a command,
the command's handler runs. The app's options are declared here too, so that
``kiosk --screenshot shot.png`` reads ``shot.png`` as the option's value, never
as a command, and ``kiosk --demo status`` is a usage error instead of a surprise.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

# Command groups: each module has an ``add_commands(subparsers)``. One line per module.
COMMAND_MODULES = [
    "kiosk.cli.roster",
    "kiosk.cli.scan",
    "kiosk.cli.status",
    "kiosk.cli.admin",
    "kiosk.cli.decode",
    "kiosk.cli.sync",
    "kiosk.cli.server",
]

# The options that only mean something to the app: (attribute, how it is written, its unset value).
APP_ONLY_OPTIONS = (
    ("demo", "--demo", False),
    ("screenshot", "--screenshot", None),
    ("camera", "--camera", None),
    ("kiosk_mode", "--kiosk/--windowed", None),
)


@dataclass(frozen=True)
class AppOptions:
    """What ``kiosk`` without a command was asked for (see ``kiosk.app.main.run_app``)."""

    data_dir: Path | None = None
    demo: bool = False
    screenshot: Path | None = None
    camera: str | None = None
    kiosk_mode: bool | None = None  # None: the 'kiosk_mode' setting
    verbose: bool = False

    @classmethod
    def of(cls, args: argparse.Namespace) -> "AppOptions":
        return cls(data_dir=args.data_dir, demo=args.demo, screenshot=args.screenshot, camera=args.camera,
                   kiosk_mode=args.kiosk_mode, verbose=args.verbose)


def add_app_options(parser: argparse.ArgumentParser) -> None:
    app = parser.add_argument_group("starting the app (without a command)")
    app.add_argument("--demo", action="store_true",
                     help="run a built-in demo event with a local server, and write printable demo tickets")
    app.add_argument("--screenshot", type=Path, metavar="FILE.png",
                     help="render the main window after start-up to a PNG file and exit")
    app.add_argument("--camera", metavar="SRC",
                     help="camera number, video file or folder of images (default: the 'camera' setting)")
    mode = app.add_mutually_exclusive_group()
    mode.add_argument("--kiosk", dest="kiosk_mode", action="store_const", const=True,
                      help="full screen and locked on the door screen (staff PIN to leave)")
    mode.add_argument("--windowed", dest="kiosk_mode", action="store_const", const=False,
                      help="a normal window with the staff desk and dashboard a click away")


def build_parser() -> argparse.ArgumentParser:
    from kiosk import __version__

    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="checkin-kiosk: offline-first event check-in. Without a command, starts the app.",
    )
    parser.add_argument("--version", action="version", version=f"checkin-kiosk {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the replica lives (default: the platform's user data folder; env KIOSK_DATA_DIR)",
    )
    parser.add_argument("--verbose", action="store_true", help="debug detail in the log, and a copy on stderr")
    add_app_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        import_module(module).add_commands(commands)
    return parser


def app_only_options_given(args: argparse.Namespace) -> list[str]:
    """The app's options set on a command line that also names a command."""
    return [written for name, written, unset in APP_ONLY_OPTIONS if getattr(args, name) != unset]


def parse_app_options(argv: list[str], data_dir: Path | None = None) -> AppOptions:
    """The app's options from a command line without a command (raises SystemExit as argparse does)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is not None:
        parser.error(f"the app takes no command (got {args.command!r})")
    if data_dir is not None:
        args.data_dir = data_dir
    return AppOptions.of(args)
