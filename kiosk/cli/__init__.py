"""The ``kiosk`` command: the app without a command, every core operation headless with one.

Exit statuses: 0 success (or admitted), 3 refused at the door, 2 usage error,
1 any other error, reported as one line on stderr — never a traceback (that goes
to the log file, which the line names).

The parser is :mod:`kiosk.cli.parser`; each command group is a module of this
package (``scan``, ``roster``, ``status``, ``sync``, ``server``, ``admin``, ``decode``).
"""

from __future__ import annotations

import logging
import sys

from kiosk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    cli_settings,
    default_data_dir,
    print_json,
)
from kiosk.cli.parser import AppOptions, app_only_options_given, build_parser

__all__ = [
    "EXIT_ERROR", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "AppOptions", "CliError", "build_parser",
    "cli_settings", "default_data_dir", "main", "print_json",
]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        from kiosk.app.main import run_app  # the GUI; imported late so the CLI never loads Qt

        return run_app(AppOptions.of(args))
    app_only = app_only_options_given(args)
    if app_only:
        verb = "is" if len(app_only) == 1 else "are"
        parser.error(f"{', '.join(app_only)} {verb} for starting the app, not for the command '{args.command}'")
    return run_command(args)


def run_command(args) -> int:
    """Run the parsed command; every failure becomes one line on stderr and an exit status.

    The command logs to the rotating log file (``--verbose``: on stderr too); a bug's
    traceback goes there, and the line names the file.
    """
    from kiosk.logs import command_logging

    with command_logging(_logging_settings(args.data_dir), verbose=args.verbose):
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
            print(f"kiosk: {_one_line(exc, args.data_dir)}", file=sys.stderr)
            return EXIT_ERROR


def _one_line(exc: Exception, data_dir) -> str:
    from kiosk.crash import damage_of, report_unexpected
    from sync.replica.database import REPLICA_FILENAME

    damage = damage_of(exc)
    if damage is None:
        return report_unexpected(exc)
    logging.getLogger("kiosk").warning("the replica is damaged", exc_info=exc)
    where = f" {data_dir / REPLICA_FILENAME}" if data_dir is not None else ""
    return (f"the replica{where} is damaged ({damage}) and was left as it is: "
            "run `kiosk doctor`, which says how to recover")


def _logging_settings(data_dir):
    """The settings that say where the log goes; with a broken config file (which the command
    reports), the log folder of the environment or the platform."""
    import os
    from pathlib import Path

    from kiosk.config import ConfigError, Settings, load_settings

    try:
        return load_settings({"data_dir": data_dir})
    except ConfigError:
        log_dir = os.environ.get("KIOSK_LOG_DIR")
        return Settings(log_dir=Path(log_dir)) if log_dir else Settings()
