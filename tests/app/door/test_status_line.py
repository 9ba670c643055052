"""The door's status line reads from two metres, and a long reason still fits a 1024x600 screen (issue 15,
item 16)."""

from __future__ import annotations

from kiosk.app import theme
from kiosk.core.status_words import OFFLINE, SyncStatus

FACE_HEIGHT_AT_1024X600 = 600 - 40  # under the bar of faces


def test_the_status_line_is_as_large_as_the_doors_reason_words_need(make_door, tmp_path):
    door = make_door(size=(1024, FACE_HEIGHT_AT_1024X600))
    assert door.status_line.text.font().pointSize() >= 18 and theme.STATUS_PT >= 18
    door.status_line.show_status(SyncStatus(
        connectivity=OFFLINE, waiting_to_sync=212, server="https://checkin.example.org",
        last_error="the server could not be reached (connection refused): check the network cable or the Wi-Fi"))
    assert "212" in door.status_line.text.text()
    assert door.minimumSizeHint().height() <= FACE_HEIGHT_AT_1024X600
    door.grab().save(str(tmp_path / "door-offline.png"))
