"""Qt-free check-in rules, shared by the GUI and the command line."""
