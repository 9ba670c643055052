"""The hand-scanner filter judges the whole burst: length, timing, prefix and suffix (issue 15, item 13).

Key events carry their own timestamps (as a real keyboard's do), sent through the real
HandScannerFilter installed on the application: a burst's timing is exact, not the test machine's.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from kiosk.app.door.hand_scanner import HandScannerFilter

_clock = [1_000_000]


def _qt_key(char: str) -> int:
    return ord(char.upper()) if char.isalnum() else {"-": Qt.Key.Key_Minus, "~": Qt.Key.Key_AsciiTilde,
                                                      "#": Qt.Key.Key_NumberSign}.get(char, Qt.Key.Key_Space)


def _key(kind, key, text, at_ms):
    event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
    event.setTimestamp(at_ms)
    return event


def type_burst(widget, text: str, gap_ms: float | list[float], enter: bool = True) -> None:
    """Press and release each key of ``text``, ``gap_ms`` apart by the events' clocks, then Enter."""
    gaps = gap_ms if isinstance(gap_ms, list) else [gap_ms] * (len(text) + 1)
    _clock[0] += 10_000  # a pause before the burst
    at = _clock[0]
    keys = [(_qt_key(c), c) for c in text]
    if enter:
        keys.append((Qt.Key.Key_Return, "\r"))
    for (key, char), gap in zip(keys, gaps):
        QApplication.sendEvent(widget, _key(QEvent.Type.KeyPress, key, char, int(at)))
        QApplication.sendEvent(widget, _key(QEvent.Type.KeyRelease, key, char, int(at) + 1))
        at += gap
    _clock[0] = int(at)


@pytest.fixture
def field(qtbot):
    host = QWidget()
    box = QLineEdit()
    QVBoxLayout(host).addWidget(box)
    qtbot.addWidget(host)
    host.show()
    box.setFocus()
    yield box


def installed(qapp, scanner: HandScannerFilter):
    qapp.installEventFilter(scanner)
    scanned = []
    scanner.code_scanned.connect(scanned.append)
    return scanned


@pytest.fixture
def scanner(qapp):
    scanner = HandScannerFilter()
    yield scanner
    qapp.removeEventFilter(scanner)


def test_a_scanner_at_5_ms_a_key_is_a_scan(qapp, scanner, field):
    scanned = installed(qapp, scanner)
    type_burst(field, "GRACE-0002", 5)
    assert scanned == ["GRACE-0002"]
    assert field.text() == ""


def test_a_fast_typist_keeps_what_they_typed(qapp, scanner, field):
    # Under 50 ms a key, ended by Enter: a scan for the old filter; a person for the whole-burst rule.
    scanned = installed(qapp, scanner)
    returned = []
    field.returnPressed.connect(lambda: returned.append(field.text()))
    type_burst(field, "lovelace", 40)
    assert scanned == []
    assert field.text() == "lovelace" and returned == ["lovelace"]


def test_a_typist_with_a_few_quick_keys_in_a_word_is_not_a_scanner(qapp, scanner, field):
    scanned = installed(qapp, scanner)
    type_burst(field, "hopper", [12, 15, 45, 10, 48, 44, 30])  # rollover: some keys 10 ms apart, not all
    assert scanned == []
    assert field.text() == "hopper"


def test_a_short_burst_is_not_a_scan(qapp, scanner, field):
    scanned = installed(qapp, scanner)
    type_burst(field, "ada", 5)
    assert scanned == [] and field.text() == "ada"


def test_with_a_prefix_set_only_bursts_that_start_with_it_are_scans(qapp, field):
    scanner = HandScannerFilter(prefix="~", suffix="#")
    try:
        scanned = installed(qapp, scanner)
        type_burst(field, "~ADA-0001#", 5)
        assert scanned == ["ADA-0001"]
        type_burst(field, "GRACE-0002", 5)  # no prefix: typed (pasted by some tool), not a scan
        assert scanned == ["ADA-0001"]
        assert field.text() == "GRACE-0002"
    finally:
        qapp.removeEventFilter(scanner)
