"""kiosk import-roster and export (kiosk/cli/roster.py)."""

import csv
import json

from kiosk.cli import EXIT_ERROR, EXIT_OK, EXIT_REFUSED


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export(loaded, tmp_path):
    loaded("checkin", "TKT-0001")
    loaded("checkin", "TKT-0001")
    status, out, _ = loaded("export", "checkins", tmp_path / "log.csv")
    assert status == EXIT_OK
    assert len(_rows(tmp_path / "log.csv")) == 2
    status, out, _ = loaded("export", "attendees", tmp_path / "people.csv")
    assert len(_rows(tmp_path / "people.csv")) == 4
    assert (tmp_path / "people.csv").read_bytes().startswith(b"\xef\xbb\xbffirst_name,")


def test_export_no_bom_for_scripts(loaded, tmp_path):
    loaded("checkin", "TKT-0001")
    for what in ("checkins", "attendees"):
        assert loaded("export", what, tmp_path / "bom.csv")[0] == EXIT_OK
        assert loaded("export", what, "--no-bom", tmp_path / "plain.csv")[0] == EXIT_OK
        assert (tmp_path / "plain.csv").read_bytes() == (tmp_path / "bom.csv").read_bytes()[3:]
        assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


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
    roster = roster_file.read_text(encoding="utf-8")
    roster_file.write_text(roster.replace("Grace,Hopper,grace@example.org,TKT-0002,,",
                                          "Grace,Hopper,grace@example.org,TKT-0002,cancelled,"), encoding="utf-8")
    status, out, _ = loaded("import-roster", roster_file)
    assert status == EXIT_OK and "0 new, 1 updated, 3 unchanged" in out
    assert loaded("checkin", "TKT-0002", "--json")[0] == EXIT_REFUSED
    stats = json.loads(loaded("status", "--json")[1])
    assert stats["arrived"] == 1 and stats["expected"] == 1  # Ada's check-in kept, Grace cancelled


def test_import_other_systems_exports_by_preset_or_mapping(kiosk, tmp_path):
    from tests.sync.test_roster_mapping import EVENTBRITE_FILE, PRETIX_FILE

    status, out, err = kiosk("import-roster", EVENTBRITE_FILE)  # detected from its header
    assert status == EXIT_OK and out.strip() == "Imported: 3 new, 0 updated, 0 unchanged.", err
    assert kiosk("checkin", "552109334108873421001")[0] == EXIT_OK  # Grace's barcode
    assert kiosk("checkin", "552109334308873421001")[0] == EXIT_REFUSED  # Ada is not attending: cancelled

    status, out, err = kiosk("import-roster", "--preset", "pretix", PRETIX_FILE)
    assert status == EXIT_OK and out.strip() == "Imported: 3 new, 0 updated, 0 unchanged.", err

    mapped = tmp_path / "mapped.csv"
    mapped.write_text("Barcode #,First Name,Last Name\nBC-0001,Ada,Byron\n", encoding="utf-8")
    status, out, err = kiosk("import-roster", "--map", "Barcode #=ticket_code,First Name=first_name,"
                             "Last Name=last_name", mapped)
    assert status == EXIT_OK and "1 new" in out, err
    status, out, _ = kiosk("search", "Byron", "--json")
    assert [a["ticket_code"] for a in json.loads(out)] == ["BC-0001"]

    status, _, err = kiosk("import-roster", "--map", "Barcode #=barcode", mapped)
    assert status == EXIT_ERROR and "names no field" in err and "Traceback" not in err
    status, _, err = kiosk("import-roster", "--map", "Barcode #=ticket_code", "--preset", "pretix", mapped)
    assert status == EXIT_ERROR and "not both" in err
