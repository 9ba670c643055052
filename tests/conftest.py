"""Suite-wide setup: Qt draws offscreen, and no test touches the real user folders."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_LOG_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "checkin-kiosk-test-logs"))
