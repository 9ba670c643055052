"""Chinese, Japanese and Korean names are drawn at the door, not as empty boxes (issue 15, item 10).

The app draws with the system's fonts; the .deb depends on fonts-noto-cjk and .ci/dev installs it.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextLayout

from kiosk.app.door.screen import DoorScreen
from kiosk.app.services import Services
from kiosk.core.roster import import_roster
from kiosk.session import KioskSession
from sync.replica import open_replica
from tests.app.conftest import staff_settings
from tests.app.door.conftest import WAIT_MS

ROSTER = """first_name,last_name,email,ticket_code,status
小明,王,wang@example.org,ZH-0001,confirmed
さくら,山田,yamada@example.org,JA-0002,confirmed
민준,김,kim@example.org,KO-0003,confirmed
"""


def glyph_runs(text: str, font):
    """How Qt lays ``text`` out in ``font``: one run per font it falls back to."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return layout.glyphRuns()


@pytest.fixture
def cjk_door(qtbot, tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    replica = open_replica(tmp_path / "kiosk")
    assert import_roster(replica, tmp_path / "roster.csv", event_name="東京 Conference").created == 3
    services = Services(KioskSession(staff_settings(tmp_path / "kiosk"), replica, operator="staff"))
    door = DoorScreen(services)
    qtbot.addWidget(door)
    door.resize(1024, 560)
    door.show()
    yield door
    door.shutdown()
    assert services.stop_workers()
    replica.close()


@pytest.mark.parametrize("code, name", [("ZH-0001", "小明 王"), ("JA-0002", "さくら 山田"), ("KO-0003", "민준 김")])
def test_a_cjk_name_on_the_result_panel_is_drawn_with_a_font_that_has_its_characters(
        qtbot, cjk_door, tmp_path, code, name):
    with qtbot.waitSignal(cjk_door.decision_shown, timeout=WAIT_MS):
        cjk_door.scan_code(code)
    label = cjk_door.result_panel.name
    assert label.text() == name
    runs = glyph_runs(label.text(), label.font())
    assert runs and all(0 not in run.glyphIndexes() for run in runs)  # glyph 0 is the empty box
    for character in name.replace(" ", ""):
        assert any(run.rawFont().supportsCharacter(ord(character)) for run in runs), (character, [
            run.rawFont().familyName() for run in runs])
    cjk_door.grab().save(str(tmp_path / f"door-{code}.png"))
