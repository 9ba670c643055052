"""checkin-kiosk: the door kiosk, the staff desk, the dashboard and the headless CLI."""

__version__ = "0.1.0"
