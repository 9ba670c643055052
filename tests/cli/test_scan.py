"""kiosk checkin, undo, lookup, search and walkin (kiosk/cli/scan.py)."""

import json

from kiosk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE


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

    status, out, _ = loaded("walkin", "--first-name", "Ada", "--last-name", "lovelace", "--email", "ADA@example.org",
                            "--json")
    offered = json.loads(out)
    assert status == EXIT_REFUSED and not offered["created"]
    assert offered["existing"]["ticket_code"] == "TKT-0001"

    status, _, err = loaded("walkin", "--first-name", "X", "--email", "not-an-email")
    assert status == 2 and "e-mail" in err

    stats = json.loads(loaded("status", "--json")[1])
    assert stats["walkins"] == 1 and stats["arrived"] == 1 and stats["waiting_to_sync"] == 2


def test_a_door_or_operator_the_server_would_refuse_is_refused_before_anything_is_recorded(loaded):
    # Issue 10, item 1: a 101-character door was admitted here and then silently rejected by the server.
    from sync import limits

    for option, most in (("--door", limits.MAX_DOOR_CHARS), ("--operator", limits.MAX_OPERATOR_CHARS)):
        status, out, err = loaded("checkin", "TKT-0001", option, "D" * (most + 1), "--json")
        assert status == 2 and f"at most {most} characters" in err and out == ""
    status, out, _ = loaded("status", "--json")
    assert json.loads(out)["arrived"] == 0 and json.loads(out)["waiting_to_sync"] == 0
    status, out, _ = loaded("checkin", "TKT-0001", "--door", "D" * limits.MAX_DOOR_CHARS, "--json")
    assert status == EXIT_OK and json.loads(out)["result"] == "admitted"  # the bound itself is fine


def test_a_configured_door_or_operator_the_server_would_refuse_is_a_config_error(tmp_path):
    import pytest

    from kiosk.config import ConfigError, load_settings
    from sync import limits

    with pytest.raises(ConfigError, match="door_name' must be at most 100 characters"):
        load_settings({"data_dir": tmp_path, "door_name": "D" * (limits.MAX_DOOR_CHARS + 1)})
    with pytest.raises(ConfigError, match="operator' must be at most 100 characters"):
        load_settings({"data_dir": tmp_path, "operator": "O" * (limits.MAX_OPERATOR_CHARS + 1)})


def test_checkin_force_with_a_reason_lets_a_refused_guest_in(loaded):
    status, _, err = loaded("checkin", "TKT-0004", "--force")
    assert status == EXIT_USAGE and "--reason" in err
    status, _, err = loaded("checkin", "TKT-0004", "--force", "--reason", "   ")
    assert status == EXIT_USAGE and "Say why" in err

    status, out, _ = loaded("checkin", "TKT-0004", "--force", "--reason", "Speaker, ok by Jo", "--json")
    forced = json.loads(out)
    assert status == EXIT_OK and forced["result"] == "admitted_override" and forced["colour"] == "green"
    status, out, _ = loaded("checkin", "TKT-0004", "--force", "--reason", "again")
    assert status == EXIT_REFUSED and out.startswith("AMBER")
    status, out, _ = loaded("lookup", "TKT-0004", "--json")
    assert [(h["result"], h["reason"]) for h in json.loads(out)["history"]][0] == (
        "admitted_override", "Speaker, ok by Jo")
    status, out, _ = loaded("status", "--json")
    assert json.loads(out)["arrived"] == 1 and json.loads(out)["overrides"] == 1


def test_lookup_and_status_print_times_in_the_events_zone_and_name_it(loaded):
    import re

    from sqlalchemy import update

    from sync.replica import open_replica
    from sync.replica.models import Event

    replica = open_replica(loaded.data_dir)
    with replica.session() as s:
        s.execute(update(Event).values(timezone="Asia/Tokyo"))  # UTC+9 all year, whatever this machine's zone
    replica.close()
    assert loaded("checkin", "TKT-0001")[0] == EXIT_OK
    status, out, _ = loaded("lookup", "TKT-0001")
    assert status == EXIT_OK
    assert re.search(r"^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST  entry", out, re.MULTILINE), out
    _, as_json, _ = loaded("lookup", "TKT-0001", "--json")
    utc = json.loads(as_json)["history"][0]["time"]  # the JSON keeps UTC, marked Z
    hour = (int(utc[11:13]) + 9) % 24
    assert f" {hour:02d}:{utc[14:16]}:" in out
    status, out, _ = loaded("checkin", "TKT-0001")  # the door's words, their time named
    assert status == EXIT_REFUSED and f"at {hour:02d}:{utc[14:16]}" in out and out.rstrip().endswith(
        "(time in Asia/Tokyo)"), out
