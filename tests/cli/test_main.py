"""The kiosk command as a whole (kiosk/cli/__init__.py, kiosk/cli/parser.py): errors in one line, the app's options."""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import EXIT_ERROR, EXIT_USAGE, AppOptions, build_parser, main, run_command
from kiosk.cli.parser import parse_app_options
from sync.replica.database import REPLICA_FILENAME


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


def _kiosk_process(data_dir: Path, *args: str, log_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_LOG_DIR=str(log_dir))
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_a_bug_is_one_line_naming_the_log_file_which_holds_the_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "logs"))

    def command_with_a_bug(args):
        return {}["no such key"]

    args = argparse.Namespace(data_dir=tmp_path / "data", verbose=False, handler=command_with_a_bug)
    assert run_command(args) == EXIT_ERROR
    err = capsys.readouterr().err
    log_file = tmp_path / "logs" / "kiosk.log"
    assert err == f"kiosk: unexpected error (KeyError: 'no such key'); the details are in {log_file}\n"
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "command_with_a_bug" in logged


def _damage_the_attendees_table(data_dir: Path) -> Path:
    """Overwrite the first page of the attendees table with garbage, as a failing disk would."""
    path = data_dir / REPLICA_FILENAME
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'attendees'").fetchone()[0]
    finally:
        conn.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    return path


@pytest.mark.parametrize("command", [["status"], ["checkin", "TKT-0002"], ["search", "grace"]])
def test_a_damaged_page_is_explained_in_one_line_and_nothing_is_overwritten(loaded, tmp_path, command):
    loaded("checkin", "TKT-0001")
    path = _damage_the_attendees_table(loaded.data_dir)
    before = path.read_bytes()
    done = _kiosk_process(loaded.data_dir, *command, log_dir=tmp_path / "logs")
    assert done.returncode == EXIT_ERROR
    assert done.stderr == (f"kiosk: the replica {path} is damaged (database disk image is malformed) and was "
                           "left as it is: run `kiosk doctor`, which says how to recover\n")
    assert path.read_bytes() == before
    assert "malformed" in (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")


def test_doctor_says_how_to_recover_a_damaged_replica(loaded, capsys):
    _damage_the_attendees_table(loaded.data_dir)
    main(["--data-dir", str(loaded.data_dir), "doctor", "--json"])
    (replica,) = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["name"] == "replica"]
    assert replica["status"] == "fail" and "malformed" in replica["message"] and replica["fix"]
