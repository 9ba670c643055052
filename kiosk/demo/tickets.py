"""The printable demo tickets: a PDF and a PNG sheet whose captions say what the door should show."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kiosk.demo.kiosks import SIDE_DOOR
from kiosk.demo.roster import DEMO_EVENT_NAME, DemoAttendee, arrived_earlier

UNKNOWN_CODE = "NOT-ON-THE-LIST"


@dataclass(frozen=True)
class PrintedTicket:
    payload: str
    name: str
    expect: str  # what the door should show, e.g. "green: welcome"


def sheet_tickets(roster: list[DemoAttendee]) -> list[PrintedTicket]:
    """The tickets on the sheet: mostly good ones, and one of each kind of trouble."""
    earlier = {a.ticket_code for a in arrived_earlier(roster)}
    fresh = [a for a in roster if a.status == "confirmed" and a.ticket_code not in earlier]
    tickets = [PrintedTicket(a.ticket_code, a.full_name, "green: welcome") for a in fresh[:8]]
    arrived = next(a for a in roster if a.ticket_code in earlier)
    tickets.append(PrintedTicket(arrived.ticket_code, arrived.full_name, f"amber: already in ({SIDE_DOOR})"))
    for status, expect in (("waitlisted", "amber: waiting list"), ("cancelled", "red: ticket cancelled")):
        person = next((a for a in roster if a.status == status), None)
        if person is not None:
            tickets.append(PrintedTicket(person.ticket_code, person.full_name, expect))
    tickets.append(PrintedTicket(UNKNOWN_CODE, "(not on the list)", "red: unknown code"))
    return tickets


def write_tickets(folder: Path, roster: list[DemoAttendee]) -> tuple[Path, Path]:
    """A PDF (A4 pages) and a PNG sheet of demo tickets with their QR codes."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = _ticket_pages(sheet_tickets(roster))
    pdf, png = folder / "demo-tickets.pdf", folder / "demo-tickets.png"
    pages[0].save(pdf, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    pages[0].save(png, "PNG")
    return pdf, png


FONT_CANDIDATES = ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "arial.ttf", "Arial.ttf", "Helvetica.ttc",
                   "LiberationSans-Regular.ttf")
EXPECT_COLOURS = {"green": "#1b7f3b", "amber": "#9a6700", "red": "#c62828"}


def _fonts():
    """Fonts with accents and other scripts when the system has one; else Pillow's own, in ASCII."""
    from PIL import ImageFont

    for name in FONT_CANDIDATES:
        try:
            return [ImageFont.truetype(name, size) for size in (40, 28, 22)], True
        except OSError:
            continue
    try:
        return [ImageFont.load_default(size=size) for size in (40, 28, 22)], False
    except TypeError:  # Pillow without FreeType: a small bitmap font, still readable
        return [ImageFont.load_default()] * 3, False


def _ticket_pages(tickets: list[PrintedTicket]):
    """A4 at 150 dpi, three columns by four rows of tickets."""
    import qrcode
    from PIL import Image, ImageDraw

    width, height, columns, rows, margin = 1240, 1754, 3, 4, 60
    cell_w, cell_h = (width - 2 * margin) // columns, (height - 2 * margin - 80) // rows
    (title_font, name_font, small_font), unicode_ok = _fonts()
    shown = (lambda text: text) if unicode_ok else (
        lambda text: unicodedata.normalize("NFKD", text.replace("—", "-")).encode("ascii", "ignore").decode())
    pages = []
    per_page = columns * rows
    for start in range(0, len(tickets), per_page):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin - 20), shown(f"{DEMO_EVENT_NAME} — demo tickets"), fill="black", font=title_font)
        for i, ticket in enumerate(tickets[start:start + per_page]):
            col, row = i % columns, i // columns
            x, y = margin + col * cell_w, margin + 80 + row * cell_h
            draw.rectangle([x + 6, y + 6, x + cell_w - 6, y + cell_h - 6], outline="#b0bec5", width=2)
            qr = qrcode.make(ticket.payload, box_size=8, border=2).convert("RGB")
            side = min(cell_w - 60, cell_h - 150)
            qr = qr.resize((side, side), Image.NEAREST)
            page.paste(qr, (x + (cell_w - side) // 2, y + 18))
            text_y = y + 26 + side
            colour = EXPECT_COLOURS.get(ticket.expect.split(":")[0], "#37474f")
            draw.text((x + 20, text_y), shown(ticket.name)[:24], fill="black", font=name_font)
            draw.text((x + 20, text_y + 36), ticket.payload, fill="#37474f", font=small_font)
            draw.text((x + 20, text_y + 64), ticket.expect, fill=colour, font=small_font)
        pages.append(page)
    return pages
