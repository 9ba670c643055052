"""The staff desktop: one page per job, reachable from the keyboard.

Ctrl+F search, Ctrl+N walk-in, Ctrl+1..5 the pages. Every page takes the same
``services``; the desk wires the pages together, and refreshes what it shows
from what operations (here, at the door, or a sync round) say they changed.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QSplitter, QTabWidget, QVBoxLayout, QWidget

from kiosk.app import ops, theme
from kiosk.app.elided_label import ElidedLabel
from kiosk.app.staff.attendee_detail import AttendeeDetail
from kiosk.app.staff.badge_panel import BadgePanel
from kiosk.app.staff.dialogs import Dialogs
from kiosk.app.staff.enrollment_page import EnrollmentPage
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.not_stored_bar import NotStoredBar
from kiosk.app.staff.roster_page import RosterPage
from kiosk.app.staff.search_panel import SearchPanel
from kiosk.app.staff.settings_page import SettingsPage
from kiosk.app.staff.style import use_base_font
from kiosk.app.staff.walkin_form import WalkinForm
from kiosk.core.results import AttendeeView
from sync.changes import Changes


class BadgeDialog(QDialog):
    """A badge in its own window (reprinting anyone's badge from the attendee detail)."""

    def __init__(self, services, attendee: AttendeeView, dialogs: Dialogs, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Badge — {attendee.full_name}")
        self.badge_panel = BadgePanel(services, dialogs)
        self.badge_panel.show_badge(attendee)
        layout = QVBoxLayout(self)
        layout.addWidget(self.badge_panel)
        room = self.screen().availableGeometry().size() - QSize(0, 40)  # its title bar too on a 1024x600 screen
        self.resize(QSize(720, 640).boundedTo(room))
        self.setAttribute(Qt.WA_DeleteOnClose)
        use_base_font(self)


class AttendeesPage(QWidget):
    """Search on the left, the chosen attendee on the right."""

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.search_panel = SearchPanel(services)
        self.detail = AttendeeDetail(services)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.search_panel)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.search_panel.attendee_selected.connect(self.on_search_panel_attendee_selected)
        self.search_panel.attendee_chosen.connect(self.on_search_panel_attendee_chosen)
        self.detail.attendee_changed.connect(self.on_detail_attendee_changed)

    def on_search_panel_attendee_selected(self, view: AttendeeView) -> None:
        self.detail.show_attendee(view)

    def on_search_panel_attendee_chosen(self, view: AttendeeView) -> None:
        # Enter on a result: the detail is up; Enter again checks in, Esc goes back to the search.
        if self.detail.attendee() is None or self.detail.attendee().id != view.id:
            self.detail.show_attendee(view)
        target = self.detail.checkin_button if self.detail.checkin_button.isEnabled() else self.detail.checkout_button
        target.setFocus(Qt.OtherFocusReason)

    def on_detail_attendee_changed(self, view: AttendeeView) -> None:
        self.search_panel.update_attendee(view)


class StaffDesk(QWidget):
    """The staff desktop. Host it in a window; connect to its signals."""

    checkin_recorded = Signal(object)  # Decision: a manual check-in/out (or of an attendee offered at walk-in)
    undo_recorded = Signal(object)  # UndoOutcome
    walkin_registered = Signal(object)  # WalkinOutcome (created, checked in)
    scan_looked_up = Signal(object)  # LookupOutcome: a ticket scanned at the desk, its attendee selected

    PAGES = ("Attendees", "Walk-in", "Roster", "Settings", "Enrollment")

    def __init__(self, services, dialogs: Dialogs | None = None, camera_factory=None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("staff_desk")
        self.services = services
        self.dialogs = dialogs or Dialogs()

        self.heading = ElidedLabel()  # one line: a long message never widens or pushes the desk
        self.heading.setObjectName("staff_heading")
        self.heading.setFont(theme.font(16, bold=True))
        self.attendees_page = AttendeesPage(services)
        self.search_panel = self.attendees_page.search_panel
        self.detail = self.attendees_page.detail
        self.walkin_form = WalkinForm(services, self.dialogs)
        self.roster_page = RosterPage(services, self.dialogs)
        self.settings_page = SettingsPage(services)
        self.enrollment_page = EnrollmentPage(services, self.dialogs, camera_factory)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("staff_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet("QTabBar::tab { font-size: 14pt; font-weight: bold; padding: 8px 20px; }")
        for page, title in zip(
            (self.attendees_page, self.walkin_form, self.roster_page, self.settings_page, self.enrollment_page),
            self.PAGES,
        ):
            self.tabs.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        self.not_stored_bar = NotStoredBar(services)
        layout.addWidget(self.not_stored_bar)
        layout.addWidget(self.tabs, 1)
        self._show_heading(services.event.name)

        for sequence, slot in (("Ctrl+F", self.show_search), ("Ctrl+N", self.show_walkin)):
            QShortcut(QKeySequence(sequence), self, slot, context=Qt.WidgetWithChildrenShortcut)
        for number in range(len(self.PAGES)):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self, lambda n=number: self.tabs.setCurrentIndex(n),
                      context=Qt.WidgetWithChildrenShortcut)

        self._stale = False  # something changed while the desk was hidden: refresh when shown
        use_base_font(self)  # last: every child built above gets it
        self._connect()

    def _connect(self) -> None:
        self.detail.checkin_recorded.connect(self.checkin_recorded)
        self.detail.undo_recorded.connect(self.undo_recorded)
        self.detail.badge_requested.connect(self.on_detail_badge_requested)
        self.walkin_form.walkin_registered.connect(self.walkin_registered)
        self.walkin_form.checkin_recorded.connect(self.checkin_recorded)
        self.enrollment_page.settings_saved.connect(self.on_enrollment_page_settings_saved)
        self.services.ops.changes.connect(self.on_ops_changes)

    # ---- public ------------------------------------------------------------------

    def show_search(self) -> None:
        self.tabs.setCurrentWidget(self.attendees_page)
        self.search_panel.focus_query()

    def look_up_scan(self, code: str) -> None:
        """A ticket scanned at the desk: the person is selected (looked up), not checked in."""
        (ops.lookup_code(code)
         .success(lambda outcome: self._on_scan_looked_up(code, outcome))
         .failure(lambda exc: self.search_panel.say(message_for(exc, "The scanned ticket could not be looked up")))
         .run(self.services.ops, self))

    def _on_scan_looked_up(self, code: str, outcome) -> None:
        self.tabs.setCurrentWidget(self.attendees_page)
        view = outcome.attendee
        if view is None:
            self.search_panel.set_query("")
            self.search_panel.say(f"Scanned “{code}”: {outcome.reason} (Looked up, not checked in.)")
            self.detail.clear()
            return
        self.search_panel.set_query(view.ticket_code, select_id=view.id)
        self.detail.show_attendee(view)
        self.scan_looked_up.emit(outcome)

    def show_walkin(self) -> None:
        self.tabs.setCurrentWidget(self.walkin_form)
        self.walkin_form.edits["first_name"].setFocus(Qt.ShortcutFocusReason)

    def stop(self) -> None:
        """Before the window closes: the enrollment page may have the camera open."""
        self.enrollment_page.stop_camera()

    def refresh(self) -> None:
        """Statuses changed (here, at the door, in a sync): search again, look the attendee up again."""
        self._stale = False
        self.search_panel.refresh()
        self.detail.refresh()

    def show_error(self, message: str) -> None:
        """A background job failed with nobody to tell: say so here."""
        self.heading.setText(f"Something went wrong: {message}")
        self.heading.setStyleSheet(f"color: {theme.RED};")

    def on_ops_changes(self, changes: Changes, _initiator) -> None:
        if changes.event or changes.settings:
            self._show_heading(self.services.event.name or None)
        if changes.settings:
            self.settings_page.load()
        if changes.checkins or changes.attendees:
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # ---- slots ----------------------------------------------------------------------

    def on_detail_badge_requested(self, view: AttendeeView) -> None:
        dialog = BadgeDialog(self.services, view, self.dialogs, self)
        dialog.open()

    def on_enrollment_page_settings_saved(self, _settings) -> None:
        self.settings_page.load()  # the door came from the enrollment code

    def _show_heading(self, event_name: str | None) -> None:
        if event_name is not None:
            self._event_name = event_name
        event = self._event_name or "No event loaded: import a roster or enroll this kiosk"
        self.heading.setStyleSheet("")
        self.heading.setText(f"{event}  ·  {self.services.settings.door_name}")
