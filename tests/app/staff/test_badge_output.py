"""The badge on paper: the PDF written by "Save as PDF" and the page sent to a printer carry a
QR code that a real decoder reads back as the ticket code (rendered with Ghostscript)."""

import shutil
import subprocess

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from kiosk.app.badge import BadgeContent, write_badge_pdf
from kiosk.app.staff.badge_panel import BadgePanel
from kiosk.core.results import AttendeeView
from tests.app.staff.support import AnsweringDialogs

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("propagateSizeHints"),
    pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript renders the PDF for the decoder"),
]

KATHERINE = AttendeeView(id="a1", first_name="Katherine", last_name="Johnson", email=None, ticket_code="W-K7J3NASA",
                         ticket_type="Walk-in", status="confirmed", plus_ones=0, is_walkin=True, inside=True,
                         checked_in=True)


def codes_in_pdf(pdf, tmp_path):
    png = tmp_path / "page.png"
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r200",
                    f"-sOutputFile={png}", str(pdf)], check=True, timeout=60)
    return [code.text for code in zxingcpp.read_barcodes(np.asarray(Image.open(png).convert("L")))]


def test_the_saved_pdf_reads_back_as_the_ticket(qapp, tmp_path):
    pdf = write_badge_pdf(BadgeContent.of(KATHERINE, "Demo Conference"), tmp_path / "badge.pdf")
    assert codes_in_pdf(pdf, tmp_path) == ["W-K7J3NASA"]


def test_the_print_button_prints_a_readable_badge(qtbot, services, tmp_path):
    printer = QPrinter(QPrinter.HighResolution)  # a real printer device, writing its pages to a file
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    panel = BadgePanel(services, AnsweringDialogs(printer=printer))
    qtbot.addWidget(panel)
    panel.show_badge(KATHERINE)
    with qtbot.waitSignal(panel.badge_printed) as printed:
        qtbot.mouseClick(panel.print_button, Qt.LeftButton)
    assert printed.args == ["W-K7J3NASA"]
    assert "sent to the printer" in panel.message_label.text()
    assert codes_in_pdf(tmp_path / "printed.pdf", tmp_path) == ["W-K7J3NASA"]
