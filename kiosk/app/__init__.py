"""The PySide6 application: the door screen, the staff desk and the organizer dashboard."""
