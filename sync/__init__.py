"""Qt-free core of checkin-kiosk: the local replica, the check-in ledger and the sync engine."""
