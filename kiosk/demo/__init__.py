"""The built-in demo: a believable event, a live local server, an enrolled kiosk, printable tickets.

``kiosk --demo`` calls :func:`start_demo` (``start.py``), which, in its own data folder:

1. starts the reference central API (``sync.server.app.create_app``) on 127.0.0.1
   in a background thread, on SQLite in the demo folder (``server.py``);
2. the first time, creates the demo event with a few hundred attendees
   (``roster.py``), and has a second, simulated kiosk at the "Side door" check
   some of them in over the last hour and sync, so the dashboard and the duplicate
   rules have something to show (``kiosks.py``);
3. enrolls this kiosk (the token goes to the OS keyring, as in production) and
   downloads the roster;
4. writes printable tickets (a PDF and a PNG sheet) whose captions say what each
   should show at the door: green, amber or red (``tickets.py``).

Nothing here imports Qt; the app starts after it.
"""

from kiosk.demo.kiosks import DOOR, SIDE_DOOR
from kiosk.demo.roster import DEMO_ATTENDEES, DEMO_EVENT_NAME, DemoAttendee, demo_roster, roster_csv
from kiosk.demo.server import DemoError, DemoServer
from kiosk.demo.start import DemoEnvironment, start_demo
from kiosk.demo.tickets import UNKNOWN_CODE, PrintedTicket, sheet_tickets, write_tickets

__all__ = [
    "DEMO_ATTENDEES", "DEMO_EVENT_NAME", "DOOR", "SIDE_DOOR", "UNKNOWN_CODE", "DemoAttendee", "DemoEnvironment",
    "DemoError", "DemoServer", "PrintedTicket", "demo_roster", "roster_csv", "sheet_tickets", "start_demo",
    "write_tickets",
]
