"""The headless command line, driven as IT scripts drive it."""

import csv
import json
import subprocess
import sys

import pytest

from kiosk.cli import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, main

ROSTER = """first_name,last_name,email,ticket_code,status,ticket_type,plus_ones
Ada,Lovelace,ada@example.org,TKT-0001,confirmed,VIP,1
Grace,Hopper,grace@example.org,TKT-0002,,General,0
Alan,Turing,alan@example.org,TKT-0003,cancelled,General,0
José,Núñez,jose@example.org,TKT-0004,waitlisted,General,0
"""


@pytest.fixture
def kiosk(tmp_path, capsys):
    """Run `kiosk --data-dir … ARGS` in-process; returns (status, stdout, stderr)."""
    data_dir = tmp_path / "data"

    def run(*args):
        status = main(["--data-dir", str(data_dir), *map(str, args)])
        out, err = capsys.readouterr()
        return status, out, err

    run.data_dir = data_dir
    return run


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "guests.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture
def loaded(kiosk, roster_file):
    status, out, _ = kiosk("import-roster", roster_file, "--event-name", "DevConf")
    assert status == EXIT_OK, out
    return kiosk


def test_import_then_status(loaded):
    status, out, _ = loaded("status", "--json")
    stats = json.loads(out)
    assert status == EXIT_OK
    assert stats["event"]["name"] == "DevConf"
    assert (stats["expected"], stats["arrived"], stats["inside"], stats["walkins"], stats["duplicates"]) == (2, 0, 0, 0, 0)
    assert stats["waiting_to_sync"] == 0


def test_checkin_json_and_exit_statuses(loaded):
    status, out, _ = loaded("checkin", "TKT-0001", "--door", "Door 2", "--json")
    first = json.loads(out)
    assert status == EXIT_OK
    assert first["result"] == "admitted" and first["attendee"]["full_name"] == "Ada Lovelace"
    assert first["first_checkin"]["door"] == "Door 2"

    status, out, _ = loaded("checkin", "TKT-0001", "--json")
    again = json.loads(out)
    assert status == EXIT_REFUSED and again["result"] == "already_checked_in"
    assert again["first_checkin"] == first["first_checkin"] and again["reason"]

    for code, result in [("TKT-0003", "cancelled"), ("TKT-0004", "waitlisted"), ("NOPE-1", "unknown_code"),
                         ("not a code", "malformed")]:
        status, out, _ = loaded("checkin", code, "--json")
        assert (status, json.loads(out)["result"]) == (EXIT_REFUSED, result)

    status, out, _ = loaded("checkin", "TKT-0001", "--exit")
    assert status == EXIT_OK and out.startswith("GREEN Ada Lovelace")
    status, out, _ = loaded("status", "--json")
    assert json.loads(out)["inside"] == 0 and json.loads(out)["arrived"] == 1


def test_undo_lookup_search(loaded):
    loaded("checkin", "TKT-0002")
    status, out, _ = loaded("lookup", "TKT-0002", "--json")
    found = json.loads(out)
    assert status == EXIT_OK and found["attendee"]["inside"] and len(found["history"]) == 1

    status, out, _ = loaded("undo", "TKT-0002")
    assert status == EXIT_OK and "Grace Hopper" in out
    status, out, _ = loaded("lookup", "TKT-0002", "--json")
    found = json.loads(out)
    assert not found["attendee"]["inside"] and [h["undone"] for h in found["history"]] == [True, False]

    status, out, _ = loaded("search", "jose nun", "--json")
    assert status == EXIT_OK and [a["ticket_code"] for a in json.loads(out)] == ["TKT-0004"]
    status, out, _ = loaded("search", "grace@example.org", "--json")
    assert [a["full_name"] for a in json.loads(out)] == ["Grace Hopper"]


def test_walkin_and_duplicate_email(loaded):
    status, out, _ = loaded("walkin", "--first-name", "Katherine", "--last-name", "Johnson",
                            "--email", "kj@example.org", "--json")
    created = json.loads(out)
    assert status == EXIT_OK and created["created"] and created["decision"]["result"] == "admitted"

    status, out, _ = loaded("walkin", "--first-name", "Ada", "--email", "ADA@example.org", "--json")
    offered = json.loads(out)
    assert status == EXIT_REFUSED and not offered["created"]
    assert offered["existing"]["ticket_code"] == "TKT-0001"

    status, _, err = loaded("walkin", "--first-name", "X", "--email", "not-an-email")
    assert status == 2 and "e-mail" in err

    stats = json.loads(loaded("status", "--json")[1])
    assert stats["walkins"] == 1 and stats["arrived"] == 1 and stats["waiting_to_sync"] == 2


def test_export(loaded, tmp_path):
    loaded("checkin", "TKT-0001")
    loaded("checkin", "TKT-0001")
    status, out, _ = loaded("export", "checkins", tmp_path / "log.csv")
    assert status == EXIT_OK
    rows = list(csv.DictReader((tmp_path / "log.csv").open(encoding="utf-8")))
    assert len(rows) == 2
    status, out, _ = loaded("export", "attendees", tmp_path / "people.csv")
    rows = list(csv.DictReader((tmp_path / "people.csv").open(encoding="utf-8")))
    assert len(rows) == 4


def test_bad_rows_import_nothing_unless_skip_invalid(kiosk, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "first_name,last_name,email,ticket_code\n"
        "Ada,Lovelace,ada@example.org,TKT-1\n"
        ",NoFirst,nofirst@example.org,TKT-2\n"
        "Bad,Email,not-an-email,TKT-3\n"
        "Good,Row,good@example.org,TKT-4\n",
        encoding="utf-8",
    )
    status, _, err = kiosk("import-roster", path)
    assert status == EXIT_ERROR
    assert ":3:" in err and ":4:" in err and "nothing was imported" in err
    assert "Traceback" not in err
    assert kiosk("checkin", "TKT-1")[0] == EXIT_ERROR  # no event: nothing was imported

    status, out, err = kiosk("import-roster", path, "--skip-invalid")
    assert status == EXIT_OK and "2 new" in out and "2 bad row" in out
    assert kiosk("checkin", "TKT-4")[0] == EXIT_OK


def test_reimport_updates_never_duplicates(loaded, roster_file):
    loaded("checkin", "TKT-0001")
    roster_file.write_text(ROSTER.replace("Grace,Hopper,grace@example.org,TKT-0002,,", "Grace,Hopper,grace@example.org,TKT-0002,cancelled,"),
                           encoding="utf-8")
    status, out, _ = loaded("import-roster", roster_file)
    assert status == EXIT_OK and "0 new, 1 updated, 3 unchanged" in out
    assert loaded("checkin", "TKT-0002", "--json")[0] == EXIT_REFUSED
    stats = json.loads(loaded("status", "--json")[1])
    assert stats["arrived"] == 1 and stats["expected"] == 1  # Ada's check-in kept, Grace cancelled


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
    from kiosk.cli import split_app_options

    assert split_app_options(["--demo", "--screenshot", "status", "--data-dir", "D"]) == (
        ["--demo", "--data-dir", "D"], ["--screenshot", "status"])
    assert split_app_options(["--camera", "0", "--kiosk"]) == (["--kiosk"], ["--camera", "0"])
    assert split_app_options(["--screenshot=a.png"]) == (["--screenshot=a.png"], [])
    # After the command, everything is the command's own.
    assert split_app_options(["--data-dir", "D", "checkin", "--camera", "x"]) == (
        ["--data-dir", "D", "checkin", "--camera", "x"], [])


def test_status_in_words(loaded):
    loaded("checkin", "TKT-0001")
    status, out, _ = loaded("status")
    assert status == EXIT_OK
    assert "Event:      DevConf" in out and "Arrived:    1 of 2 expected" in out and "To sync:    1 waiting" in out
    assert "Sync:       not enrolled with a server (this kiosk works alone)" in out
