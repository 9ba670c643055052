"""Render the door screen, as a locked kiosk shows it, at 1366x768: ready, green, amber, red.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py

Everything is real: the demo roster imported into a replica, the app wired by
``KioskApp``, camera frames (a ticket held up in a scene) read through the frame
source, decoded by zxing-cpp and decided by the desk. Writes door-ready.png,
door-green.png, door-amber.png and door-red.png next to this script.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the packages: bench/sync.py must not shadow sync/
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    import cv2
    import numpy as np
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.app.shell import KioskApp
    from kiosk.config import Settings
    from kiosk.core.desk import CheckinDesk
    from kiosk.core.roster import import_roster
    from kiosk.demo import demo_roster, roster_csv
    from kiosk.scanner.sources import ImageFolderSource
    from scan_latency import background, with_ticket
    from sync.replica import open_replica

    app = QApplication(sys.argv[:1])
    roster = demo_roster()
    welcome = next(a for a in roster if a.status == "confirmed" and a.plus_ones == 0 and len(a.full_name) > 16)
    again = next(a for a in roster if a.status == "confirmed" and a is not welcome)
    refused = next(a for a in roster if a.status == "cancelled")

    with tempfile.TemporaryDirectory(prefix="door-shots-") as tmp:
        tmp = Path(tmp)
        (tmp / "roster.csv").write_bytes(roster_csv(roster))
        replica = open_replica(tmp / "kiosk")
        import_roster(replica, tmp / "roster.csv", event_name="Open Source Summit — Demo Day")
        # Someone let in earlier at the side door, at 09:14.
        at_914 = datetime.utcnow().replace(hour=9, minute=14, second=0, microsecond=0)
        CheckinDesk(replica, door="Side door", clock=lambda: at_914).scan(again.ticket_code)
        replica.close()

        rng = np.random.default_rng(11)
        scene = background(rng)
        frames = {"ready": scene}
        for name, person in (("green", welcome), ("amber", again), ("red", refused)):
            frames[name] = with_ticket(scene, person.ticket_code, rng)
        paths = {}
        for name, frame in frames.items():
            paths[name] = tmp / f"{name}.png"
            cv2.imwrite(str(paths[name]), frame)
        showing = {"path": paths["ready"]}

        settings = Settings(door_name="Main door", data_dir=tmp / "kiosk", kiosk_mode=True, sounds=False)
        shell = KioskApp(app, settings, sounds_enabled=False,
                         camera_source_factory=lambda: ImageFolderSource([showing["path"]], fps=10, repeat=3))
        shell.start()
        window = shell.window
        window.showNormal()  # still locked; a window of the laptop screen's size rather than this display's
        window.resize(1366, 768)

        def wait(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        def shoot(name: str) -> None:
            path = HERE / f"door-{name}.png"
            window.grab().save(str(path), "PNG")
            print(f"wrote {path}")

        wait(1200)
        shoot("ready")
        for name in ("green", "amber", "red"):
            shell.door.stop_camera()
            showing["path"] = paths[name]
            shown = []
            shell.door.decision_shown.connect(shown.append)
            shell.door.start_camera()
            for _ in range(100):
                if shown:
                    break
                wait(50)
            shell.door.decision_shown.disconnect(shown.append)
            if not shown or shown[0].colour != name:
                print(f"expected a {name} result, got {shown[0].result if shown else 'nothing'}", file=sys.stderr)
                shell.shutdown()
                return 1
            wait(1000)  # the status line's count follows the scan
            shoot(name)
        shell.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
