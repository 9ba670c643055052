"""kiosk server … (kiosk/cli/server.py): what the server would refuse is a usage error in words.

The server's commands against a live database are in tests/sync/server/test_cli_server.py.
"""

import pytest

from kiosk.cli import EXIT_USAGE, main


@pytest.mark.parametrize(("ttl", "words"), [
    ("0", "--ttl-minutes: must be at least 1, not 0"),
    ("-5", "--ttl-minutes: must be at least 1, not -5"),
    ("99999999", "--ttl-minutes: must be at most"),
])
def test_an_enrollment_code_valid_for_no_time_is_a_usage_error(tmp_path, capsys, ttl, words):
    db = tmp_path / "server.sqlite3"
    status = main(["server", "enrollment-code", "--db", f"sqlite:///{db}", "--event", "evt-1", "--ttl-minutes", ttl])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert err.startswith(f"kiosk: {words}") and err.count("\n") == 1 and "Traceback" not in err
    assert not db.exists()  # refused before the database is touched


def test_a_negative_capacity_is_a_usage_error(tmp_path, capsys):
    status = main(["server", "create-event", "--db", f"sqlite:///{tmp_path / 's.db'}", "--name", "Gala",
                   "--capacity", "-3"])
    assert status == EXIT_USAGE
    assert capsys.readouterr().err == "kiosk: --capacity: must be at least 0, not -3\n"
