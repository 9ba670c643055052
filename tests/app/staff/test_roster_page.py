"""Roster import with progress and a readable list of bad rows; CSV exports."""

import csv

import pytest
from PySide6.QtCore import Qt

from kiosk.app.staff.roster_page import RosterPage
from tests.app.staff.support import AnsweringDialogs, attendee_count, write_roster

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

BAD_ROSTER = """first_name,last_name,email,ticket_code
Hedy,Lamarr,hedy@example.org,HEDY-0100
,Nameless,nobody@example.org,NONAME-0101
Radia,Perlman,not-an-email,RADIA-0102
Frances,Allen,frances@example.org,FRANCES-0103
"""


@pytest.fixture
def dialogs():
    return AnsweringDialogs()


@pytest.fixture
def page(qtbot, services, dialogs):
    widget = RosterPage(services, dialogs)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    return widget


def error_rows(page):
    table = page.errors_table
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(qtbot, page, dialogs, services, tmp_path):
    dialogs.open_answer = tmp_path / "bad.csv"
    dialogs.open_answer.write_text(BAD_ROSTER, encoding="utf-8")
    before = attendee_count(services.replica)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Nothing was imported" in page.import_summary.text(), timeout=15_000)
    bad = error_rows(page)
    assert [line for line, _ in bad] == ["3", "4"]
    assert "first name" in bad[0][1]
    assert "email" in bad[1][1] and "not-an-email" in bad[1][1]
    assert page.errors_table.isVisible()
    assert attendee_count(services.replica) == before
    assert page.import_button.isEnabled()  # ready for the corrected file


def test_the_good_rows_can_be_imported_anyway(qtbot, page, dialogs, services, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_ROSTER, encoding="utf-8")
    before = attendee_count(services.replica)
    page.skip_invalid_check.setChecked(True)
    with qtbot.waitSignal(page.roster_imported, timeout=15_000) as imported:
        page.import_file(path)
    report = imported.args[0]
    assert report.created == 2 and len(report.errors) == 2
    assert "2 new" in page.import_summary.text() and "2 bad row(s) skipped" in page.import_summary.text()
    assert [line for line, _ in error_rows(page)] == ["3", "4"]
    assert page.progress_bar.value() == page.progress_bar.maximum()
    assert attendee_count(services.replica) == before + 2


def test_a_file_that_is_not_a_roster_gets_one_clear_message(qtbot, page, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    page.import_file(path)
    qtbot.waitUntil(lambda: "was not imported" in page.import_summary.text(), timeout=15_000)
    assert page.import_summary.text() == "photo.csv was not imported: This is a binary file, not a CSV roster."


def test_reimporting_reports_unchanged_rows(qtbot, page, roster_csv):
    with qtbot.waitSignal(page.roster_imported, timeout=15_000) as imported:
        page.import_file(roster_csv)
    assert imported.args[0].unchanged == 6
    assert "0 new, 0 updated, 6 unchanged" in page.import_summary.text()
    assert not page.errors_table.isVisible()


def test_checkins_and_attendees_are_exported(qtbot, page, dialogs, services, tmp_path):
    services.desk.scan("ADA-0001")
    dialogs.save_answer = tmp_path / "out-checkins.csv"
    with qtbot.waitSignal(page.export_finished, timeout=15_000) as finished:
        qtbot.mouseClick(page.export_checkins_button, Qt.LeftButton)
    assert finished.args == ["checkins", tmp_path / "out-checkins.csv"]
    with open(tmp_path / "out-checkins.csv", newline="", encoding="utf-8") as f:
        checkins = list(csv.DictReader(f))
    assert len(checkins) == 1 and "ADA-0001" in checkins[0].values()

    dialogs.save_answer = tmp_path / "out-attendees.csv"
    with qtbot.waitSignal(page.export_finished, timeout=15_000):
        qtbot.mouseClick(page.export_attendees_button, Qt.LeftButton)
    with open(tmp_path / "out-attendees.csv", newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 6
    assert "Wrote" in page.export_message.text()


def test_an_export_that_cannot_be_written_says_why(qtbot, page, dialogs, tmp_path):
    dialogs.save_answer = tmp_path / "missing-folder" / "out.csv"
    qtbot.mouseClick(page.export_checkins_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Nothing was exported" in page.export_message.text(), timeout=15_000)
    assert "No such file or directory" in page.export_message.text()
    assert page.export_checkins_button.isEnabled()


def test_a_big_import_moves_the_progress_bar(qtbot, page, tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("first_name,last_name,email,ticket_code\n")
        for i in range(12_000):
            f.write(f"Guest{i},Number{i},guest{i}@example.org,BIG-{i:05d}\n")
    seen, texts = [], []
    page.progress_relay.progressed.connect(lambda done, total: seen.append((done, total)))
    page.progress_relay.progressed.connect(lambda *_: texts.append(page.progress_bar.text()))
    with qtbot.waitSignal(page.roster_imported, timeout=60_000) as imported:
        page.import_file(path)
        # No count before the rows are counted: a busy bar, and the summary says what is going on.
        assert page.progress_bar.maximum() == 0 and page.import_summary.text() == "Importing big.csv…"
    assert imported.args[0].created == 12_000
    assert len(seen) >= 2 and seen == sorted(seen)  # several steps, never backwards
    assert seen[-1][0] == seen[-1][1] == 12_000  # counts the rows, not percent
    assert page.progress_bar.value() == page.progress_bar.maximum() == seen[-1][1]
    assert page.progress_bar.text() == "12,000 of 12,000 rows written (100%)"
    assert all(" of 12,000 rows written" in text for text in texts)


def test_an_enrolled_kiosk_refuses_a_roster_import_and_says_where_to_import(qtbot, page, dialogs, services,
                                                                            tmp_path):
    # Issue 15, item 1: attendees imported only here would be "not on the guest list" at every other door.
    services.replica.set_state("server_url", "http://10.0.0.5:8080")
    dialogs.open_answer = write_roster(tmp_path / "more.csv", "first_name,last_name,email,ticket_code\n"
                                       "Hedy,Lamarr,hedy@example.org,HEDY-0100\n")
    before = attendee_count(services.replica)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "was not imported" in page.import_summary.text(), timeout=15_000)
    summary = page.import_summary.text()
    assert "enrolled with http://10.0.0.5:8080" in summary
    assert "import the roster on the server instead" in summary
    assert attendee_count(services.replica) == before
    assert page.import_button.isEnabled()
