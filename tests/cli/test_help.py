"""`kiosk --help` shows how to start the app too, not only the commands (issue 15, item 16)."""

from __future__ import annotations

import pytest

from kiosk.cli.parser import build_parser


def test_help_lists_the_apps_options_and_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "Without a command, starts the app" in " ".join(text.split())
    for option in ("--demo", "--screenshot", "--camera", "--kiosk", "--windowed", "--data-dir"):
        assert option in text, option
    for command in ("import-roster", "checkin", "doctor", "enroll", "sync", "server"):
        assert command in text, command
    assert "fonts" in text  # doctor's line names what it checks
