"""The kiosk command as a whole (kiosk/cli/__init__.py, kiosk/cli/parser.py): errors in one line, the app's options."""

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import EXIT_ERROR, EXIT_USAGE, AppOptions, build_parser, main
from kiosk.cli.parser import parse_app_options


def test_no_event_and_broken_files_are_one_line_errors(kiosk, tmp_path):
    status, _, err = kiosk("checkin", "TKT-1")
    assert status == EXIT_ERROR and "import-roster" in err and err.count("\n") == 1

    status, _, err = kiosk("import-roster", tmp_path / "missing.csv")
    assert status == EXIT_ERROR and err.count("\n") == 1 and "Traceback" not in err

    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "replica.sqlite3").write_bytes(b"this is not a database" * 100)
    status = main(["--data-dir", str(corrupt), "status"])
    assert status == EXIT_ERROR


def test_real_process_error_has_no_traceback(tmp_path):
    (tmp_path / "replica.sqlite3").write_bytes(b"garbage" * 1000)
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "status"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_ERROR
    assert result.stderr.startswith("kiosk: ") and "Traceback" not in result.stderr
    assert "damaged" in result.stderr


def test_the_apps_options_with_values_are_not_taken_for_commands():
    parse = build_parser().parse_args

    args = parse(["--demo", "--screenshot", "status", "--data-dir", "D"])
    assert args.command is None
    assert AppOptions.of(args) == AppOptions(data_dir=Path("D"), demo=True, screenshot=Path("status"))
    assert AppOptions.of(parse(["--camera", "0", "--kiosk"])) == AppOptions(camera="0", kiosk_mode=True)
    assert AppOptions.of(parse(["--screenshot=a.png"])) == AppOptions(screenshot=Path("a.png"))
    # After the command, everything is the command's own: the app's options are unknown there.
    with pytest.raises(SystemExit) as usage:
        parse(["--data-dir", "D", "checkin", "--camera", "x"])
    assert usage.value.code == EXIT_USAGE


def test_the_apps_options_do_not_go_with_a_command(tmp_path, capsys):
    with pytest.raises(SystemExit) as usage:
        main(["--data-dir", str(tmp_path), "--screenshot", "shot.png", "status"])
    assert usage.value.code == EXIT_USAGE
    assert "--screenshot is for starting the app, not for the command 'status'" in capsys.readouterr().err


def test_the_app_gets_its_options_parsed_once():
    options = parse_app_options(["--windowed", "--verbose", "--camera", "clip.mp4"], data_dir=Path("D"))
    assert options == AppOptions(data_dir=Path("D"), camera="clip.mp4", kiosk_mode=False, verbose=True)
    with pytest.raises(SystemExit):
        parse_app_options(["status"])
