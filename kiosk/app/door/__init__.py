"""The door screen: camera preview, the big result panel, the status line and hand-scanner capture."""
