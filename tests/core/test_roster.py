"""Roster import (all or nothing, idempotent) and CSV exports, on a real replica."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.core import roster
from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from kiosk.core.roster import RosterFileError, export_attendees, export_checkins, import_roster
from kiosk.core.search import search
from sync import export_csv
from sync.clock import utcnow
from sync.replica.models import Attendee, Checkin, Event
from tests.core.conftest import Clock

HEADER = "first_name,last_name,email,ticket_code"


def roster_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode("utf-8")


def write_roster(tmp_path, *lines: str, name: str = "Spring Gala.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_bytes(roster_bytes(*lines, header=header))
    return path


def attendees(replica) -> dict[str, Attendee]:
    with replica.session(write=False) as s:
        return {a.ticket_code: a for a in s.scalars(select(Attendee))}


def events(replica) -> list[Event]:
    with replica.session(write=False) as s:
        return s.scalars(select(Event)).all()


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


GUESTS = (
    "Ada,Lovelace,ADA@example.org,T-0001",
    "Grace,Hopper,grace@example.org,T-0002",
    "Émilie,du Châtelet,,T-0003",
)


# ---- first import -------------------------------------------------------------


def test_first_import_creates_the_event_from_the_file_name(replica, tmp_path):
    report = import_roster(replica, write_roster(tmp_path, *GUESTS))
    assert (report.created, report.updated, report.unchanged, report.errors, report.imported) == (3, 0, 0, [], True)
    (event,) = events(replica)
    assert event.name == "Spring Gala"
    assert replica.get_state("event_id") == event.id == report.event_id
    uuid.UUID(event.id)
    stored = attendees(replica)
    ada = stored["T-0001"]
    uuid.UUID(ada.id)
    assert (ada.event_id, ada.first_name, ada.email, ada.status, ada.ticket_type, ada.plus_ones) == (
        event.id, "Ada", "ada@example.org", "confirmed", "General", 0)
    assert not ada.is_walkin and not ada.inside and ada.arrival_id is None
    assert ada.created_at == ada.updated_at and abs((utcnow() - ada.created_at).total_seconds()) < 60
    assert stored["T-0003"].email is None


def test_event_name_option_names_and_renames_the_event(replica, tmp_path):
    path = write_roster(tmp_path, *GUESTS)
    import_roster(replica, path, event_name="  PyCon   2026 ")
    assert [e.name for e in events(replica)] == ["PyCon 2026"]
    import_roster(replica, path)  # no name given: the event keeps its name
    assert [e.name for e in events(replica)] == ["PyCon 2026"]
    report = import_roster(replica, path, event_name="PyCon Europe")
    assert [e.name for e in events(replica)] == ["PyCon Europe"] and report.event_name == "PyCon Europe"


def test_bytes_source_gets_a_default_event_name(replica):
    report = import_roster(replica, roster_bytes(*GUESTS))
    assert report.created == 3 and events(replica)[0].name == "Imported roster"


def test_existing_event_is_used(replica, tmp_path):
    from tests.core.conftest import add_event

    add_event(replica, event_id="evt-server", name="From the server")
    report = import_roster(replica, write_roster(tmp_path, *GUESTS))
    assert report.event_id == "evt-server"
    assert {a.event_id for a in attendees(replica).values()} == {"evt-server"}
    assert [e.name for e in events(replica)] == ["From the server"]


# ---- bad rows -----------------------------------------------------------------


BAD_FILE = (
    "Ada,Lovelace,ada@example.org,T-0001",
    ",Nobody,nobody@example.org,T-0002",
    "Bob,Builder,not-an-email,T-0003",
    "Cy,Young,cy@example.org,T-0004",
)


def test_bad_rows_mean_nothing_is_imported(replica, tmp_path):
    report = import_roster(replica, write_roster(tmp_path, *BAD_FILE))
    assert not report.imported
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "missing first name"), (4, "invalid email 'not-an-email'")]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert attendees(replica) == {} and events(replica) == []
    assert replica.get_state("event_id") is None


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(replica, tmp_path):
    report = import_roster(replica, write_roster(tmp_path, *BAD_FILE), skip_invalid=True)
    assert report.imported and report.created == 2
    assert [e.line for e in report.errors] == [3, 4]
    assert sorted(attendees(replica)) == ["T-0001", "T-0004"]


def test_whole_file_problem_raises_and_creates_nothing(replica, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nJosé,N,j@example.org,T-0001\n").encode("latin-1"))
    with pytest.raises(RosterFileError, match="not UTF-8"):
        import_roster(replica, path)
    assert events(replica) == [] and replica.get_state("event_id") is None


# ---- re-import ------------------------------------------------------------------


def test_reimport_is_idempotent(replica, tmp_path):
    path = write_roster(tmp_path, *GUESTS)
    import_roster(replica, path)
    before = {code: (a.id, a.updated_at) for code, a in attendees(replica).items()}
    report = import_roster(replica, path)
    assert (report.created, report.updated, report.unchanged, report.imported) == (0, 0, 3, True)
    assert {code: (a.id, a.updated_at) for code, a in attendees(replica).items()} == before
    assert len(events(replica)) == 1


def test_reimport_updates_in_place_keeping_id_and_checkin_history(replica, tmp_path):
    header = HEADER + ",status,ticket_type,plus_ones"
    import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001,confirmed,VIP,1",
                                        "Grace,Hopper,grace@example.org,T-0002,confirmed,,0", header=header))
    ada_id = attendees(replica)["T-0001"].id
    desk = CheckinDesk(replica, door="Door 1", clock=Clock())
    assert desk.scan("T-0001").result == Result.ADMITTED

    report = import_roster(replica, write_roster(
        tmp_path, "Ada,King,ADA.KING@example.org,T-0001,cancelled,VIP,1",
        "Grace,Hopper,grace@example.org,T-0002,waitlisted,Speaker,2",
        "Alan,Turing,alan@example.org,T-0005,,,", header=header))
    assert (report.created, report.updated, report.unchanged) == (1, 2, 0)
    stored = attendees(replica)
    ada = stored["T-0001"]
    assert (ada.id, ada.last_name, ada.email, ada.status) == (ada_id, "King", "ada.king@example.org", "cancelled")
    assert ada.updated_at > ada.created_at
    assert ada.arrival_id is not None and ada.inside  # the check-in is still the arrival
    grace = stored["T-0002"]
    assert (grace.status, grace.ticket_type, grace.plus_ones) == ("waitlisted", "Speaker", 2)
    with replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Checkin).where(Checkin.attendee_id == ada_id)) == 1
        assert s.scalar(select(func.count()).select_from(Attendee)) == 3
    assert CheckinDesk(replica).lookup("T-0001").refusal == Result.CANCELLED
    # The search index followed the rename.
    event_id = replica.get_state("event_id")
    assert [h.attendee.id for h in search(replica, event_id, "king")] == [ada_id]
    assert search(replica, event_id, "lovelace") == []


def test_optional_columns_missing_from_the_file_are_left_alone(replica, tmp_path):
    header = HEADER + ",status,ticket_type,plus_ones"
    import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001,cancelled,VIP,3",
                                        header=header))
    report = import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001"))
    assert report.unchanged == 1
    ada = attendees(replica)["T-0001"]
    assert (ada.status, ada.ticket_type, ada.plus_ones) == ("cancelled", "VIP", 3)


def test_a_family_shares_one_email(replica, tmp_path):
    """A family booking: several people, one e-mail, every one of them imported and admitted."""
    report = import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,family@example.org,T-0001",
                                                 "Byron,Lovelace,FAMILY@example.org,T-0002"))
    assert report.imported and report.created == 2 and report.errors == []
    report = import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,family@example.org,T-0001",
                                                 "Byron,Lovelace,family@example.org,T-0002",
                                                 "Ada,Imposter,ada@example.org,T-0099",
                                                 "Annabella,Milbanke,family@example.org,T-0003"))
    assert report.imported and report.created == 2 and report.unchanged == 2
    stored = attendees(replica)
    assert {code for code, a in stored.items() if a.email == "family@example.org"} == {"T-0001", "T-0002", "T-0003"}
    desk = CheckinDesk(replica)
    assert [desk.scan(code).result for code in ("T-0001", "T-0002", "T-0003")] == [Result.ADMITTED] * 3


def test_emails_may_move_between_tickets_named_in_the_same_file(replica, tmp_path):
    import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001",
                                        "Grace,Hopper,grace@example.org,T-0002"))
    report = import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,grace@example.org,T-0001",
                                                 "Grace,Hopper,ada@example.org,T-0002"))
    assert report.imported and report.updated == 2
    stored = attendees(replica)
    assert (stored["T-0001"].email, stored["T-0002"].email) == ("grace@example.org", "ada@example.org")


def test_rows_sharing_a_walkins_email_are_imported_too(replica, tmp_path):
    import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001"))
    event_id = replica.get_state("event_id")
    now = utcnow()
    with replica.session() as s:
        s.add(Attendee(id="walk-1", event_id=event_id, first_name="Walk", last_name="In", email="walk@example.org",
                       ticket_code="W-0001", is_walkin=True, created_at=now, updated_at=now))
        s.add(Attendee(id="walk-2", event_id=event_id, first_name="Ada", last_name="L", email="merged@example.org",
                       ticket_code="W-0002", is_walkin=True, merged_into_id=attendees(replica)["T-0001"].id,
                       created_at=now, updated_at=now))
    report = import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001",
                                                 "Wanda,Walker,walk@example.org,T-0002",
                                                 "Mona,Merge,merged@example.org,T-0003"), skip_invalid=True)
    assert report.errors == [] and report.created == 2
    assert {"T-0002", "T-0003", "W-0001"} <= set(attendees(replica))


def test_progress_reports_every_row(replica, tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "PROGRESS_EVERY", 100)
    rows = [f"P{i},Q,p{i}@example.org,T-{i:05d}" for i in range(1_200)]
    calls = []
    import_roster(replica, write_roster(tmp_path, *rows), progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 1_200) and calls[-1] == (1_200, 1_200)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls) and len(calls) >= 3


def test_import_is_one_transaction(replica, tmp_path, monkeypatch):
    # Interrupted half-way (here by its progress callback): nothing of it remains.
    monkeypatch.setattr(roster, "PROGRESS_EVERY", 100)
    import_roster(replica, write_roster(tmp_path, "Ada,Lovelace,ada@example.org,T-0001"))
    rows = ["Ada,Renamed,ada@example.org,T-0001"] + [f"P{i},Q,p{i}@example.org,T-{i + 10:05d}" for i in range(1_200)]

    def cancel(done, total):
        if done >= 600:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_roster(replica, write_roster(tmp_path, *rows), progress=cancel)
    stored = attendees(replica)
    assert list(stored) == ["T-0001"] and stored["T-0001"].last_name == "Lovelace"


def test_large_import_in_one_go(replica, tmp_path):
    rows = [f"Fïrst{i},Låst{i % 97},u{i}@example.org,T-{i:06d}" for i in range(20_000)]
    report = import_roster(replica, write_roster(tmp_path, *rows))
    assert report.created == 20_000
    event_id = replica.get_state("event_id")
    with replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attendee)) == 20_000
        # The search index has every row (the insert trigger fired for each).
        assert s.connection().exec_driver_sql(
            "SELECT count(*) FROM attendee_search WHERE attendee_search MATCH 'example'").scalar() == 20_000
    assert [h.attendee.ticket_code for h in search(replica, event_id, "first12345")] == ["T-012345"]


# ---- exports --------------------------------------------------------------------


def test_export_checkins_is_the_whole_log(replica, tmp_path):
    import_roster(replica, write_roster(tmp_path, *GUESTS))
    clock = Clock()
    desk = CheckinDesk(replica, door="Door 1", operator="sam", clock=clock)
    desk.scan("T-0001")
    CheckinDesk(replica, door="Door 2", operator="kim", clock=clock).scan("T-0001")  # already in
    desk.scan("T-0002")
    desk.undo("T-0002")
    desk.scan("NOPE-404")
    count = export_checkins(replica, tmp_path / "log.csv")
    rows = read_csv(tmp_path / "log.csv")
    assert count == len(rows) == 5
    assert list(rows[0]) == list(export_csv.CHECKIN_COLUMNS)
    first = rows[0]
    assert (first["kind"], first["result"], first["attendee_name"], first["ticket_code"], first["door"],
            first["operator"], first["duplicate"], first["undone"]) == (
        "entry", "admitted", "Ada Lovelace", "T-0001", "Door 1", "sam", "no", "no")
    assert first["time_utc"].endswith("Z") and first["time_utc"].startswith("2026-11-23T09:00:")
    assert first["device_id"] == replica.device_id
    assert rows[1]["result"] == "already_checked_in" and rows[1]["door"] == "Door 2"
    grace_entry, undo = rows[2], rows[3]
    assert grace_entry["undone"] == "yes" and undo["kind"] == "undo" and undo["undoes_id"] == grace_entry["id"]
    assert (rows[4]["result"], rows[4]["ticket_code"], rows[4]["attendee_name"]) == ("unknown_code", "NOPE-404", "")


def test_export_attendees_with_arrivals_and_reimportable(replica, tmp_path):
    import_roster(replica, write_roster(tmp_path, *GUESTS))
    CheckinDesk(replica, door="Door 1", clock=Clock()).scan("T-0001")
    count = export_attendees(replica, tmp_path / "people.csv")
    rows = {row["ticket_code"]: row for row in read_csv(tmp_path / "people.csv")}
    assert count == 3
    ada = rows["T-0001"]
    assert (ada["first_name"], ada["last_name"], ada["email"], ada["status"], ada["walk_in"], ada["checked_in"],
            ada["arrival_door"], ada["inside"]) == ("Ada", "Lovelace", "ada@example.org", "confirmed", "no", "yes",
                                                    "Door 1", "yes")
    assert ada["arrival_time_utc"].startswith("2026-11-23T09:00:") and ada["arrival_time_utc"].endswith("Z")
    assert rows["T-0002"]["checked_in"] == "no" and rows["T-0002"]["arrival_time_utc"] == ""
    assert rows["T-0003"]["first_name"] == "Émilie"
    # The export is itself a roster: importing it again changes nothing.
    report = import_roster(replica, tmp_path / "people.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


@pytest.mark.parametrize("hostile", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)"])
def test_exports_defuse_spreadsheet_formulas(replica, tmp_path, hostile):
    quoted = '"' + hostile.replace('"', '""') + '"'
    import_roster(replica, write_roster(tmp_path, f"{quoted},Smith,x@example.org,T-0001"))
    CheckinDesk(replica, door="=cmd|' /C calc'!A0", clock=Clock()).scan("T-0001")
    export_attendees(replica, tmp_path / "people.csv")
    export_checkins(replica, tmp_path / "log.csv")
    person = read_csv(tmp_path / "people.csv")[0]
    scan = read_csv(tmp_path / "log.csv")[0]
    assert person["first_name"] == "'" + hostile
    assert scan["attendee_name"] == "'" + hostile + " Smith"
    assert scan["door"] == "'=cmd|' /C calc'!A0"
    assert not any(cell.startswith(export_csv.FORMULA_STARTS) for row in (person, scan) for cell in row.values())


def test_export_leaves_no_partial_file_on_failure(replica, tmp_path):
    import_roster(replica, write_roster(tmp_path, *GUESTS))
    target = tmp_path / "missing-folder" / "people.csv"
    with pytest.raises(OSError):
        export_attendees(replica, target)
    assert not target.parent.exists()
    export_attendees(replica, tmp_path / "people.csv")
    assert not (tmp_path / "people.csv.part").exists()


def test_export_of_an_empty_replica_is_just_the_header(replica, tmp_path):
    assert export_checkins(replica, tmp_path / "log.csv") == 0
    assert read_csv(tmp_path / "log.csv") == []
    assert (tmp_path / "log.csv").read_text("utf-8-sig").strip() == ",".join(export_csv.CHECKIN_COLUMNS)


def test_spreadsheet_safe():
    assert [export_csv.spreadsheet_safe(v) for v in ("=1", "+1", "-1", "@a", "\tx", "a=1", "", None, 3)] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "a=1", "", "", "3"]


def test_exports_start_with_a_byte_order_mark_unless_asked_not_to(replica, tmp_path):
    """A spreadsheet reads accented names right only when the file says it is UTF-8; scripts opt out."""
    import_roster(replica, write_roster(tmp_path, *GUESTS))
    export_attendees(replica, tmp_path / "people.csv")
    export_checkins(replica, tmp_path / "log.csv")
    for name in ("people.csv", "log.csv"):
        raw = (tmp_path / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf" * 2)
    assert list(csv.reader(io.StringIO((tmp_path / "people.csv").read_text("utf-8-sig"))))[0][0] == "first_name"
    export_attendees(replica, tmp_path / "plain.csv", bom=False)
    export_checkins(replica, tmp_path / "plain-log.csv", bom=False)
    assert (tmp_path / "plain.csv").read_bytes() == (tmp_path / "people.csv").read_bytes()[3:]
    assert (tmp_path / "plain-log.csv").read_bytes() == (tmp_path / "log.csv").read_bytes()[3:]
    from sync.roster_csv import parse_roster

    assert [row.ticket_code for row in parse_roster(tmp_path / "people.csv").rows] == [
        row.ticket_code for row in parse_roster(tmp_path / "plain.csv").rows]
