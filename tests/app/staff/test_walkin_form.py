"""The walk-in form: validation as you type, registration, the badge, an e-mail already on the roster."""

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from kiosk.app.staff.walkin_form import VALIDATE_AFTER_MS, WalkinForm
from kiosk.core.results import Result
from sync.replica.models import Attendee
from tests.app.staff.support import AnsweringDialogs, attendee_count, decode_qr_image

# Qt warnings fail these tests; the offscreen platform's note about window size hints is not ours.
pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def dialogs(tmp_path):
    return AnsweringDialogs(save_path=tmp_path / "badges" / "ada-badge")


@pytest.fixture
def form(qtbot, services, dialogs):
    widget = WalkinForm(services, dialogs)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    return widget


def test_fields_are_checked_as_you_type(qtbot, form):
    assert not form.submit_button.isEnabled()  # a first name is needed
    qtbot.keyClicks(form.edits["email"], "katherine@")
    qtbot.wait(VALIDATE_AFTER_MS + 100)
    assert "not valid" in form.error_labels["email"].text()
    assert form.error_labels["first_name"].text() == ""  # untouched fields are not scolded
    qtbot.keyClicks(form.edits["email"], "nasa.gov")
    qtbot.waitUntil(lambda: form.error_labels["email"].text() == "")
    qtbot.keyClicks(form.edits["first_name"], "Katherine")
    assert form.submit_button.isEnabled()


def test_a_bad_form_is_not_sent(qtbot, form, services):
    before = attendee_count(services.replica)
    qtbot.keyClicks(form.edits["first_name"], "Sam")
    qtbot.keyClicks(form.edits["email"], "not an address")
    qtbot.keyClick(form.edits["email"], Qt.Key_Return)
    assert "not valid" in form.error_labels["email"].text()
    qtbot.wait(200)
    assert attendee_count(services.replica) == before
    assert form.edits["first_name"].text() == "Sam"  # nothing typed is lost


def test_a_walkin_is_registered_checked_in_and_gets_a_badge_whose_qr_is_the_new_ticket(qtbot, form, services):
    qtbot.keyClicks(form.edits["first_name"], "Katherine")
    qtbot.keyClick(form.edits["first_name"], Qt.Key_Tab)
    qtbot.keyClicks(form.edits["last_name"], "Johnson")
    qtbot.keyClicks(form.edits["email"], "katherine@nasa.gov")
    with qtbot.waitSignal(form.walkin_registered, timeout=15_000) as registered:
        qtbot.keyClick(form.edits["email"], Qt.Key_Return)
    outcome = registered.args[0]
    assert outcome.created and outcome.decision.result == Result.ADMITTED
    code = outcome.attendee.ticket_code
    assert form.result_stack.currentWidget() is form.badge_panel
    assert code in form.message_label.text()
    # The badge as painted on screen carries the new ticket, readable by a real decoder.
    assert decode_qr_image(form.badge_panel.badge_view.grab().toImage()) == [code]
    with services.replica.session(write=False) as s:
        stored = s.scalar(select(Attendee).where(Attendee.ticket_code == code))
        assert stored.is_walkin and stored.inside and stored.email == "katherine@nasa.gov"
    # The same code checks in at the door as any ticket: already inside.
    assert services.desk.scan(code).result == Result.ALREADY_CHECKED_IN

    qtbot.keyClick(form, Qt.Key_Escape)  # the next walk-in starts from an empty form
    assert form.values() == {"first_name": "", "last_name": "", "email": ""}
    assert form.result_stack.currentIndex() == 0


def test_an_email_on_the_roster_offers_that_attendee_instead(qtbot, form, services):
    before = attendee_count(services.replica)
    qtbot.keyClicks(form.edits["first_name"], "Ada")
    qtbot.keyClicks(form.edits["last_name"], "LOVELACE")  # the e-mail and the name: the same person
    qtbot.keyClicks(form.edits["email"], "ADA@example.org")
    with qtbot.waitSignal(form.existing_attendee_offered, timeout=15_000) as offered:
        qtbot.mouseClick(form.submit_button, Qt.LeftButton)
    existing = offered.args[0]
    assert existing.ticket_code == "ADA-0001"
    assert form.result_stack.currentWidget() is form.existing_panel
    assert "Ada Lovelace" in form.existing_label.text() and "ADA-0001" in form.existing_label.text()
    assert attendee_count(services.replica) == before  # nobody new

    with qtbot.waitSignal(form.checkin_recorded, timeout=15_000) as recorded:
        qtbot.mouseClick(form.existing_checkin_button, Qt.LeftButton)
    assert recorded.args[0].result == Result.ADMITTED
    assert recorded.args[0].attendee.ticket_code == "ADA-0001"
    assert not form.existing_checkin_button.isEnabled()


def test_the_badge_is_saved_as_pdf_when_there_is_no_printer(qtbot, form, dialogs, tmp_path):
    (tmp_path / "badges").mkdir()
    qtbot.keyClicks(form.edits["first_name"], "Mary")
    with qtbot.waitSignal(form.walkin_registered, timeout=15_000):
        form.submit()
    panel = form.badge_panel
    with qtbot.waitSignal(panel.badge_saved) as saved:
        qtbot.mouseClick(panel.print_button, Qt.LeftButton)  # no printer: the PDF is offered
    path = saved.args[0]
    assert path == tmp_path / "badges" / "ada-badge.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert dialogs.asked == ["Save badge as PDF"]
    assert str(path) in panel.message_label.text()


def test_a_badge_to_a_missing_folder_says_so(qtbot, form, dialogs, tmp_path):
    dialogs.save_answer = tmp_path / "no-such-folder" / "badge.pdf"
    qtbot.keyClicks(form.edits["first_name"], "Mary")
    with qtbot.waitSignal(form.walkin_registered, timeout=15_000):
        form.submit()
    qtbot.mouseClick(form.badge_panel.pdf_button, Qt.LeftButton)
    assert "does not exist" in form.badge_panel.message_label.text()


def test_a_second_enter_does_not_register_the_same_person_twice(qtbot, form, services):
    qtbot.keyClicks(form.edits["first_name"], "Dorothy")
    with qtbot.waitSignal(form.walkin_registered, timeout=15_000):
        qtbot.keyClick(form.edits["first_name"], Qt.Key_Return)
    after_first = attendee_count(services.replica)
    qtbot.keyClick(form.edits["first_name"], Qt.Key_Return)
    qtbot.mouseClick(form.submit_button, Qt.LeftButton)
    qtbot.wait(300)
    assert attendee_count(services.replica) == after_first
    assert not form.submit_button.isEnabled() and form.edits["first_name"].isReadOnly()
    assert form.clear_button.text() == "Next walk-in (Esc)"
    qtbot.mouseClick(form.clear_button, Qt.LeftButton)  # the next walk-in
    assert not form.edits["first_name"].isReadOnly() and form.values()["first_name"] == ""
    assert form.clear_button.text() == "Start over (Esc)"


@pytest.mark.parametrize("email", ["", "ada.other@example.net"])
def test_a_walkin_with_the_name_of_someone_on_the_list_is_offered_them_first(qtbot, form, services, email):
    # Issue 15, item 11: the same name and no e-mail (or another one) made a duplicate without a word.
    before = attendee_count(services.replica)
    qtbot.keyClicks(form.edits["first_name"], "ada")
    qtbot.keyClicks(form.edits["last_name"], " Lovelace ")
    qtbot.keyClicks(form.edits["email"], email)
    with qtbot.waitSignal(form.existing_attendee_offered, timeout=15_000) as offered:
        qtbot.keyClick(form.edits["first_name"], Qt.Key_Return)
    assert offered.args[0].ticket_code == "ADA-0001"
    assert attendee_count(services.replica) == before
    assert form.result_stack.currentWidget() is form.existing_panel
    assert "already on the guest list with this name" in form.existing_label.text()
    assert form.existing_checkin_button.text() == "Check in Ada Lovelace"
    assert form.existing_new_button.isVisible()

    # Staff say it is someone else: the walk-in is registered after all.
    with qtbot.waitSignal(form.walkin_registered, timeout=15_000) as registered:
        qtbot.mouseClick(form.existing_new_button, Qt.LeftButton)
    assert registered.args[0].created and registered.args[0].attendee.ticket_code != "ADA-0001"
    assert attendee_count(services.replica) == before + 1


def test_an_e_mail_on_the_list_offers_its_attendee_without_a_register_anyway_button(qtbot, form):
    qtbot.keyClicks(form.edits["first_name"], "Ada")
    qtbot.keyClicks(form.edits["last_name"], "LOVELACE")  # the e-mail and the name: the same person
    qtbot.keyClicks(form.edits["email"], "ADA@example.org")
    with qtbot.waitSignal(form.existing_attendee_offered, timeout=15_000):
        qtbot.keyClick(form.edits["first_name"], Qt.Key_Return)
    assert "with this e-mail" in form.existing_label.text()
    assert not form.existing_new_button.isVisible()
