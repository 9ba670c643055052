"""The headless command line: every core operation without a display.

Exit statuses: 0 success (or admitted), 3 refused at the door, 2 usage error,
1 any other error, reported as one line on stderr — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3


class CliError(Exception):
    """An error to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR):
        super().__init__(message)
        self.status = status


# Command groups: each module has an ``add_commands(subparsers)``. One line per module.
COMMAND_MODULES = [
    "kiosk.cli_core",
    "kiosk.cli_admin",
    "kiosk.cli_scan",
    "kiosk.cli_sync",
    "kiosk.cli_server",
]


def cli_settings(data_dir: Path | None = None):
    """The settings in force (kiosk.config.Settings); a bad config file is a usage error naming it."""
    from kiosk.config import ConfigError, load_settings

    try:
        return load_settings({"data_dir": data_dir})
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def default_data_dir() -> Path:
    """The data folder from the settings (config files, then env KIOSK_DATA_DIR)."""
    return cli_settings().data_dir


def print_json(obj) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def build_parser() -> argparse.ArgumentParser:
    from importlib import import_module

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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        import_module(module).add_commands(commands)
    return parser


# The app's options (kiosk/app/main.py) that take a value: `kiosk --screenshot shot.png`
# must not read "shot.png" as a command.
APP_VALUE_OPTIONS = ("--screenshot", "--camera")


def split_app_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """(argv for the command-line parser, the app's valued options found before any command)."""
    rest, app = [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in APP_VALUE_OPTIONS:
            app += argv[i:i + 2]
            i += 2
            continue
        rest.append(arg)
        if arg == "--data-dir" and i + 1 < len(argv):
            rest.append(argv[i + 1])
            i += 1
        elif not arg.startswith("-"):  # the command: what follows is its own
            return rest + argv[i + 1:], app
        i += 1
    return rest, app


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv, app_options = split_app_options(sys.argv[1:] if argv is None else list(argv))
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        from kiosk.app.main import run_app  # the GUI; imported late so the CLI never loads Qt

        return run_app(app_options + rest, data_dir=args.data_dir)
    rest = app_options + rest
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    try:
        if args.data_dir is None:
            args.data_dir = default_data_dir()
        return args.handler(args) or EXIT_OK
    except CliError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the environment's fault or a bug: one line, details in the log
        from kiosk.crash import report_unexpected

        print(f"kiosk: {report_unexpected(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    # Run through the imported module, so that `python -m kiosk.cli` raises and catches
    # the same CliError class as the installed `kiosk` command.
    from kiosk.cli import main as kiosk_main

    sys.exit(kiosk_main())
