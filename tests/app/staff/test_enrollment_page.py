"""Enrolling from the staff desk against the real server: pasted, read from a QR image, or
seen by the camera pipeline (fed the QR image as its frames); the token is never shown."""

from datetime import datetime, timezone

import pytest
import qrcode
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget

from kiosk.app.camera import CameraPipeline
from kiosk.app.staff.enrollment_page import EnrollmentPage
from kiosk.app.sync_bridge import SyncBridge
from kiosk.scanner.decoders import make_decoder
from kiosk.scanner.sources import ImageFolderSource
from sync.credentials import CredentialStore
from sync.engine.report import SyncReport
from sync.replica import open_replica
from sync.status import K_EVENT, K_SERVER
from tests.app.staff.support import AnsweringDialogs, make_services, stop_services
from tests.e2e.harness import LiveServer

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

ROWS = [{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "ticket_code": "ADA-0001"}]


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture
def fresh_services(tmp_path, monkeypatch):
    # No desktop keyring in tests: the token takes the private-file path, never a real keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    replica = open_replica(tmp_path / "kiosk")
    services = make_services(replica)
    yield services
    stop_services(services)
    replica.close()


@pytest.fixture
def dialogs():
    return AnsweringDialogs()


@pytest.fixture
def page(qtbot, fresh_services, dialogs):
    widget = EnrollmentPage(fresh_services, dialogs)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def enroll_uri(server, code):
    return f"checkin-kiosk://enroll?server={server.url}&code={code}"


def assert_enrolled(services, server, event_id, page):
    replica = services.replica
    assert replica.get_state(K_SERVER) == server.url
    assert replica.get_state(K_EVENT) == event_id
    token = CredentialStore(replica.path.parent, replica.device_id).load()
    assert token and token not in page.message_label.text()
    assert page.code_edit.text() == ""  # the one-time code is not left on screen


def test_pasting_the_enrollment_text_enrolls_this_kiosk(qtbot, page, fresh_services, server):
    event_id = server.create_event(ROWS, name="Enroll Conf")
    code = server.enrollment_code(event_id, door="East door")
    qtbot.keyClicks(page.code_edit, enroll_uri(server, code))
    assert page.server_edit.text() == server.url  # read from the QR text as it is typed
    with qtbot.waitSignal(page.device_enrolled, timeout=10_000) as enrolled:
        qtbot.keyClick(page.code_edit, Qt.Key_Return)
    enrollment = enrolled.args[0]
    assert (enrollment.event_id, enrollment.door) == (event_id, "East door")
    assert "Enrolled as “East door”" in page.message_label.text()
    assert fresh_services.settings.door_name == "East door"  # the code's door is this kiosk's now
    assert_enrolled(fresh_services, server, event_id, page)


def test_a_spent_or_wrong_code_says_so_and_stores_nothing(qtbot, page, fresh_services, server):
    server.create_event(ROWS)
    page.server_edit.setText(server.url)
    page.code_edit.setText("NOT-A-REAL-CODE")
    page.enroll()
    qtbot.waitUntil(lambda: page.message_label.text().startswith("Not enrolled"), timeout=10_000)
    assert "Traceback" not in page.message_label.text()
    assert fresh_services.replica.get_state(K_EVENT) is None
    assert page.enroll_button.isEnabled()
    assert page.code_edit.text() == "NOT-A-REAL-CODE"  # kept, to correct a typo


def test_no_server_reachable_is_one_clear_line(qtbot, page):
    page.server_edit.setText("http://127.0.0.1:9")  # nothing listens on the discard port
    page.code_edit.setText("ABCD-1234")
    page.enroll()
    qtbot.waitUntil(lambda: page.message_label.text().startswith("Not enrolled"), timeout=15_000)
    assert "\n" not in page.message_label.text()


def test_a_code_without_a_server_is_refused_before_any_network(page):
    page.code_edit.setText("ABCD-1234")
    page.enroll()
    assert "Which server?" in page.message_label.text()


def test_the_qr_code_read_from_an_image(qtbot, page, fresh_services, server, dialogs, tmp_path):
    event_id = server.create_event(ROWS)
    image = tmp_path / "enroll.png"
    qrcode.make(enroll_uri(server, server.enrollment_code(event_id))).save(image)
    dialogs.open_answer = image
    qtbot.mouseClick(page.image_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.code_edit.text().startswith("checkin-kiosk://enroll"), timeout=10_000)
    with qtbot.waitSignal(page.device_enrolled, timeout=10_000):
        qtbot.mouseClick(page.enroll_button, Qt.LeftButton)
    assert_enrolled(fresh_services, server, event_id, page)


def test_the_qr_code_seen_by_the_camera(qtbot, fresh_services, server, dialogs, tmp_path):
    event_id = server.create_event(ROWS)
    image = tmp_path / "frames" / "enroll.png"
    image.parent.mkdir()
    qrcode.make(enroll_uri(server, server.enrollment_code(event_id)), box_size=6).save(image)

    def camera():  # the webcam is the one part faked: the same pipeline reads image frames
        return CameraPipeline(lambda: ImageFolderSource([image], fps=15, loop=True), make_decoder("zxing"))

    page = EnrollmentPage(fresh_services, dialogs, camera_factory=camera)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.device_enrolled, timeout=15_000):
        qtbot.mouseClick(page.camera_button, Qt.LeftButton)
    assert page._camera is None  # stopped once the code was read
    assert_enrolled(fresh_services, server, event_id, page)


def test_a_code_typed_in_groups_with_spaces_enrolls(qtbot, page, fresh_services, server):
    # Issue 15, item 12: "ABCD EFGH" was called "too long, or spaces in it".
    event_id = server.create_event(ROWS)
    code = server.enrollment_code(event_id)
    page.server_edit.setText(server.url)
    grouped = " ".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()  # as read out over a radio
    assert " " in grouped
    page.code_edit.setText(f"  {grouped} ")
    with qtbot.waitSignal(page.device_enrolled, timeout=10_000):
        page.enroll()
    assert_enrolled(fresh_services, server, event_id, page)


def test_the_code_box_has_the_keys_when_the_page_is_shown(qtbot, fresh_services, dialogs):
    # A hand scanner's QR lands in the box without a click first.
    host = QTabWidget()
    other, page = QLabel("another page"), EnrollmentPage(fresh_services, dialogs)
    host.addTab(other, "Other")
    host.addTab(page, "Enrollment")
    qtbot.addWidget(host)
    host.show()
    page.server_edit.setFocus()
    host.setCurrentWidget(other)
    host.setCurrentWidget(page)
    assert host.focusWidget() is page.code_edit


def test_a_failed_first_sync_is_never_called_up_to_date(qtbot, fresh_services, dialogs):
    # Issue 15, item 12: a revoked kiosk's page said "enrolled and up to date" while the door said trouble.
    bridge = SyncBridge()
    fresh_services.sync_bridge = bridge
    page = EnrollmentPage(fresh_services, dialogs)
    qtbot.addWidget(page)
    page.show()
    page.progress_bar.show()  # as after an enrollment, waiting for the first sync
    failed = SyncReport(started_at=datetime.now(timezone.utc), ok=False, connectivity="degraded",
                        error="The server no longer accepts this kiosk's token.")
    bridge.sync_finished.emit(failed)
    words = page.message_label.text()
    assert "up to date" not in words
    assert "did not go through" in words and "revoked by the organizer: enroll it again" in words
    bridge.sync_finished.emit(SyncReport(started_at=datetime.now(timezone.utc), ok=True, connectivity="online"))
    assert page.message_label.text() == "This kiosk is enrolled and up to date."
