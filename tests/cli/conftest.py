"""The command line, driven in-process as IT scripts drive it: `kiosk --data-dir … ARGS`."""

import pytest

from kiosk.cli import EXIT_OK, main

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
        try:
            status = main(["--data-dir", str(data_dir), *map(str, args)])
        except SystemExit as exc:  # argparse's usage errors, as the console script exits with them
            status = exc.code
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
