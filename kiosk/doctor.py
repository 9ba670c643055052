"""`kiosk doctor`: is this machine ready for the event? Plain words and how to fix each problem.

Each check returns a :class:`Check` (ok / warn / fail, a message, a fix). Checks never
raise: a check that breaks is itself reported as a failure. Nothing here writes to
the replica, the keyring or the camera's settings; the replica is opened read-only,
so the doctor can run beside a running kiosk.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from kiosk.config import DECODERS, DEMO_PIN, ConfigSources, Settings, default_sources, is_demo_pin

OK, WARN, FAIL = "ok", "warn", "fail"
SAMPLE_CODE = "CHECKIN-KIOSK-DOCTOR-0001"
CAMERA_TIMEOUT_SECONDS = 8.0
SERVER_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    message: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _brief(exc: BaseException, limit: int = 240) -> str:
    """An exception as one short line (some libraries raise whole pages of advice)."""
    text = " ".join(str(exc).split())
    marker = "Original error was:"  # numpy's import failure: the cause is at the end
    if marker in text:
        text = text[text.index(marker) + len(marker):].strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exit_status(checks: list[Check]) -> int:
    """0 when nothing failed (warnings allowed), else 1."""
    return 1 if any(c.status == FAIL for c in checks) else 0


def format_report(checks: list[Check]) -> str:
    marks = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL"}
    lines = []
    for check in checks:
        lines.append(f"[{marks[check.status]}] {check.name}: {check.message}")
        if check.fix and check.status != OK:
            lines.append(f"       fix: {check.fix}")
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    verdict = "ready" if not fails else "NOT ready"
    lines.append(f"{verdict}: {fails} failed, {warns} warning(s), {len(checks)} checks")
    return "\n".join(lines)


# ---------------------------------------------------------------- settings and folders


def check_settings(
    settings: Settings, sources: ConfigSources, config_problem: str | None = None
) -> list[Check]:
    checks = []
    if config_problem:
        checks.append(
            Check(
                "settings", FAIL, config_problem,
                "edit the file named above (`kiosk config path` lists the files); "
                "the other checks below used the default settings",
            )
        )
    else:
        files = [p for p in (sources.system_file, sources.user_file) if p is not None and p.exists()]
        read = ", ".join(str(p) for p in files) if files else "none (all defaults)"
        checks.append(Check("settings", OK, f"files read: {read}"))
    if is_demo_pin(settings):
        checks.append(
            Check(
                "staff PIN", WARN if not settings.kiosk_mode else FAIL,
                f"the staff PIN is still the demo PIN {DEMO_PIN}"
                + (" while kiosk mode is on: anyone can leave the kiosk screen" if settings.kiosk_mode else ""),
                "set a real PIN with `kiosk config set-pin`",
            )
        )
    else:
        checks.append(Check("staff PIN", OK, "a staff PIN of your own is set"))
    return checks


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_folder(label: str, folder: Path) -> Check:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return Check(label, FAIL, f"{folder} is a file, not a folder", f"move the file away or choose another {label}")
    base = _nearest_existing(folder)
    if not os.access(base, os.W_OK | os.X_OK):
        return Check(
            label, FAIL, f"{folder} cannot be written by this user",
            f"give this user write access to {base}, or choose another folder",
        )
    state = "exists" if folder.exists() else "will be created on first use"
    return Check(label, OK, f"{folder} ({state}, writable)")


# ---------------------------------------------------------------- camera


def _run_with_timeout(fn: Callable[[], Check], seconds: float, on_timeout: Check) -> Check:
    box: list[Check] = []
    worker = threading.Thread(target=lambda: box.append(fn()), name="doctor-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else on_timeout


def _import_cv2():
    # OpenCV prints its own warnings (e.g. "can't open camera by index") on stderr; we explain instead.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    import cv2

    return cv2


def _first_frame(source) -> Check:
    """Open the app's own frame source and read one frame from it."""
    from kiosk.scanner.sources import SourceError

    try:
        source.open()
        try:
            frame = source.read()
        finally:
            source.close()
    except SourceError as exc:
        return Check("camera", FAIL, str(exc), _CAMERA_FIX)
    if frame is None:
        return Check("camera", FAIL, f"{source.description} gave no picture", _CAMERA_FIX)
    return Check("camera", OK, f"{source.description} gives {frame.shape[1]}x{frame.shape[0]} pictures")


_CAMERA_FIX = (
    "set camera to a camera number (0 = the first camera), a video file or a folder of images; "
    "for a camera: is another program (or a running kiosk) using it? On macOS, allow camera access "
    "in System Settings > Privacy & Security > Camera"
)


def check_camera(source: int | str) -> Check:
    try:
        _import_cv2()
        from kiosk.scanner.sources import SourceError, open_source
    except ImportError as exc:
        return Check("camera", FAIL, f"OpenCV cannot be loaded ({_brief(exc)})", "reinstall the app (opencv-python-headless)")
    if isinstance(source, int) and sys.platform.startswith("linux"):
        if not sorted(Path("/dev").glob("video*")):
            return Check(
                "camera", WARN,
                "no camera is connected (no /dev/video device): scanning works only with a USB hand scanner",
                "plug in a USB webcam, or set camera to a video file or image folder for a demo",
            )
        device = Path(f"/dev/video{source}")
        if device.exists() and not os.access(device, os.R_OK | os.W_OK):
            return Check(
                "camera", FAIL, f"this user may not use {device}",
                "add the user to the 'video' group (sudo usermod -aG video $USER), then log in again",
            )
    if isinstance(source, str) and not Path(source).expanduser().exists():
        return Check("camera", FAIL, f"the camera is set to {source}, which does not exist", _CAMERA_FIX)
    try:
        frames = open_source(source)
    except SourceError as exc:
        return Check("camera", FAIL, str(exc), _CAMERA_FIX)
    # A camera that hangs in its driver must not hang the doctor.
    return _run_with_timeout(
        lambda: _first_frame(frames), CAMERA_TIMEOUT_SECONDS,
        Check(
            "camera", FAIL, f"{frames.description} did not answer within {CAMERA_TIMEOUT_SECONDS:.0f} s",
            "unplug and replug it, or choose another camera",
        ),
    )


# ---------------------------------------------------------------- decoders


def _sample_frame():
    import numpy as np
    import qrcode

    return np.asarray(qrcode.make(SAMPLE_CODE).get_image().convert("L"))


def _library_of(name: str) -> str:
    if name != "pyzbar":
        return "zxing-cpp"
    from pyzbar import pyzbar

    names = [getattr(dep, "_name", "") for dep in getattr(pyzbar, "EXTERNAL_DEPENDENCIES", [])]
    return f"pyzbar with {names[0]}" if names and names[0] else "pyzbar"


_DECODER_FIX = {
    "linux": "install libzbar (Debian/Ubuntu: sudo apt install libzbar0), or use decoder = \"zxing\"",
    "darwin": "install zbar (brew install zbar), or use decoder = \"zxing\"",
    "win32": "install the Visual C++ 2013 redistributable (pyzbar's DLLs need it), or use decoder = \"zxing\"",
}


def check_decoder(name: str, configured: str) -> Check:
    """Decode a generated QR code through the app's own decoder (same code path as a scan)."""
    from kiosk.scanner.decoders import DecoderUnavailable, make_decoder

    label = f"decoder {name}" + (" (in use)" if name == configured else " (not in use)")
    # A decoder the settings do not use cannot stop the event: warn, never fail, for it.
    bad = FAIL if name == configured else WARN
    try:
        frame = _sample_frame()
    except Exception as exc:
        return Check(label, FAIL, f"cannot make a test QR code ({_brief(exc)})", "reinstall the app (qrcode, Pillow)")
    try:
        texts = [code.text for code in make_decoder(name).decode(frame)]
        library = _library_of(name)
    except DecoderUnavailable as exc:
        fix = _DECODER_FIX.get(sys.platform, _DECODER_FIX["linux"]) if name == "pyzbar" else "reinstall the app (zxing-cpp)"
        return Check(label, bad, f"cannot be loaded: {_brief(exc)}", fix)
    except Exception as exc:
        return Check(label, bad, f"failed on a test QR code ({type(exc).__name__}: {_brief(exc)})", "reinstall the app")
    if texts != [SAMPLE_CODE]:
        return Check(label, bad, f"read {texts!r} from a test QR code holding {SAMPLE_CODE!r}", "reinstall the app")
    return Check(label, OK, f"{library} reads a generated QR code correctly")


# ---------------------------------------------------------------- keyring


def check_keyring(data_dir: Path) -> Check:
    try:
        import keyring

        from sync.credentials import TOKEN_FILENAME, usable

        backend = keyring.get_keyring()
    except Exception as exc:
        return Check("keyring", FAIL, f"the keyring library cannot start ({type(exc).__name__}: {_brief(exc)})", "reinstall the app")
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if usable(backend):
        return Check("keyring", OK, f"the device token goes to the OS keyring ({name})")
    return Check(
        "keyring", WARN,
        f"no usable OS keyring ({name}): the device token will be kept in "
        f"{Path(data_dir) / TOKEN_FILENAME}, readable only by this user",
        "for the OS keyring, run inside a desktop session with GNOME Keyring or KWallet unlocked "
        "(Linux), or log in normally (Windows, macOS); the file works, but is less protected",
    )


# ---------------------------------------------------------------- replica


def _head_revision(migrations_dir: Path) -> str | None:
    names = sorted(p.name for p in (migrations_dir / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4] if names else None


def check_replica(data_dir: Path) -> Check:
    from sync.replica.database import MIGRATIONS_DIR, REPLICA_FILENAME

    head = _head_revision(MIGRATIONS_DIR)
    if head is None:
        return Check(
            "replica", FAIL, f"the schema migrations are missing from the installation ({MIGRATIONS_DIR})",
            "reinstall the app",
        )
    path = Path(data_dir) / REPLICA_FILENAME
    if not path.exists():
        return Check(
            "replica", WARN, f"no replica yet at {path}",
            "it is made on first use: `kiosk enroll` (with a server) or `kiosk import-roster FILE.csv`",
        )
    try:
        # Read-only: the doctor never migrates or writes, even beside a running kiosk.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return Check("replica", FAIL, f"{path} cannot be opened ({exc})", "check the data folder's permissions")
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            return Check(
                "replica", FAIL, f"{path} is damaged: {'; '.join(integrity[:3])}",
                "stop the app, keep a copy of the file for the organizer, then re-enroll or re-import",
            )
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = revision[0] if revision else None
        event = conn.execute("SELECT value FROM sync_state WHERE key = 'event_id'").fetchone()
        attendees = conn.execute("SELECT count(*) FROM attendees").fetchone()[0]
        waiting = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return Check("replica", WARN, f"{path} is busy in another program; try again", "")
        return Check(
            "replica", FAIL, f"{path} is not a readable replica ({text})",
            "move the file away and re-enroll or re-import (keep it for the organizer)",
        )
    finally:
        conn.close()
    if revision is not None and revision > head:
        return Check(
            "replica", FAIL, f"{path} was made by a newer version of the app (schema {revision}, this app knows {head})",
            "install the newer version again",
        )
    upgrade = f"; schema {revision} will be upgraded to {head} on next start" if revision != head else ""
    event_text = f"event {event[0]}" if event else "no event yet"
    return Check(
        "replica", OK,
        f"{path}: intact, schema {revision}{upgrade}, {event_text}, {attendees} attendees, "
        f"{waiting} change(s) waiting to sync",
    )


# ---------------------------------------------------------------- server


# docs/api.md serves health at /health; /api/v1/health is accepted too (an API behind a path prefix).
HEALTH_PATHS = ("/health", "/api/v1/health")


def _health_data(reply) -> dict:
    try:
        body = reply.json()
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return body["data"]  # the {success, data, error, meta} envelope
    return body if isinstance(body, dict) else {}


def check_server(server_url: str) -> Check:
    if not server_url:
        return Check("server", OK, "no server configured: this kiosk runs on its own replica")
    import httpx

    offline = "the kiosk works offline meanwhile and syncs when it can"
    reply = None
    try:
        with httpx.Client(timeout=SERVER_TIMEOUT_SECONDS, follow_redirects=False) as client:
            for path in HEALTH_PATHS:
                started = time.perf_counter()
                reply = client.get(f"{server_url}{path}")
                if reply.status_code != 404:
                    break
    except httpx.ConnectError as exc:
        return Check(
            "server", WARN, f"cannot reach {server_url} ({exc}); {offline}",
            "check the network (Wi-Fi, cable, venue LAN) and the server_url setting",
        )
    except httpx.TimeoutException:
        return Check(
            "server", WARN, f"{server_url} did not answer within {SERVER_TIMEOUT_SECONDS:.0f} s; {offline}",
            "check the network and that the server is running",
        )
    except httpx.HTTPError as exc:
        return Check("server", WARN, f"{server_url} failed: {type(exc).__name__}: {exc}", "check the server_url setting")
    elapsed_ms = (time.perf_counter() - started) * 1000
    if reply.status_code != 200:
        return Check(
            "server", WARN, f"{reply.request.url} answered HTTP {reply.status_code}",
            "is server_url the address of the check-in server (without /api/v1)?",
        )
    health = _health_data(reply)
    version = f", version {health['version']}" if health.get("version") else ""
    if health.get("status") == "degraded" or health.get("database") is False:
        return Check(
            "server", WARN, f"{server_url} answers but reports a problem (status {health.get('status')!r}, "
            f"database {'up' if health.get('database') else 'down'}); {offline}",
            "ask the server's operator to look at its database",
        )
    return Check("server", OK, f"{server_url} is up ({elapsed_ms:.0f} ms{version})")


# ---------------------------------------------------------------- display


def _qt_plugin_files(kind: str) -> dict[str, Path]:
    """Qt plugins of one kind, by short name (libqxcb.so, qwindows.dll, libqcocoa.dylib -> xcb, windows, cocoa)."""
    from PySide6.QtCore import QLibraryInfo

    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    folders += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    found: dict[str, Path] = {}
    for folder in folders:
        for plugin in sorted((folder / kind).glob("*")):
            stem = plugin.name.split(".")[0]
            stem = stem[3:] if stem.startswith("lib") else stem
            found.setdefault(stem[1:] if stem.startswith("q") else stem, plugin)
    return found


def _debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that usually ships a library: libxcb-icccm.so.4 -> libxcb-icccm4."""
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    name = name.lower()
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def _missing_library(plugin: Path) -> str | None:
    """Load a Qt plugin's shared library the way Qt would; the library it lacks, if any.

    Loading only maps the file and its dependencies; the plugin is not started.
    """
    import ctypes

    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        text = str(exc)
        # "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
        first = text.split(":")[0].strip()
        return first if ".so" in first and "/" not in first else text
    return None


def check_display() -> Check:
    try:
        platforms = _qt_plugin_files("platforms")
    except ImportError as exc:
        return Check("display", FAIL, f"Qt (PySide6) cannot be loaded ({_brief(exc)})", "reinstall the app")
    forced = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if forced:
        wanted, where = forced, f"QT_QPA_PLATFORM={forced}"
    elif not sys.platform.startswith("linux"):
        return Check("display", OK, f"the desktop is available (Qt platforms: {', '.join(sorted(platforms))})")
    elif os.environ.get("WAYLAND_DISPLAY"):
        wanted, where = "wayland", f"Wayland session {os.environ['WAYLAND_DISPLAY']}"
    elif os.environ.get("DISPLAY"):
        wanted, where = "xcb", f"X11 display {os.environ['DISPLAY']}"
    else:
        return Check(
            "display", WARN, "no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set): "
            "the app's windows cannot open, the headless commands work",
            "start the app from the kiosk's desktop session (the autostart entry does this)",
        )
    plugin = next((path for name, path in platforms.items() if name == wanted or name.startswith(f"{wanted}-")), None)
    if plugin is None:
        return Check(
            "display", FAIL, f"{where}, but Qt's '{wanted}' platform plugin is missing",
            "reinstall the app",
        )
    if sys.platform.startswith("linux"):
        missing = _missing_library(plugin)
        if missing:
            package = _debian_package(missing) if ".so." in missing else None
            return Check(
                "display", FAIL, f"{where}, but Qt's '{wanted}' plugin cannot load: the system library "
                f"{missing} is missing",
                f"install it: sudo apt install {package}" if package else "install the missing system library",
            )
    return Check("display", OK, f"{where} (Qt platform '{wanted}')")


# ---------------------------------------------------------------- all together


def enrolled_state(data_dir: Path) -> dict[str, str]:
    """The server, event and device this replica is enrolled with, read-only ({} when none)."""
    from sync.replica.database import REPLICA_FILENAME
    from sync.status import K_DEVICE, K_EVENT, K_SERVER

    path = Path(data_dir) / REPLICA_FILENAME
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT key, value FROM sync_state WHERE key IN (?, ?, ?)",
                                (K_SERVER, K_EVENT, K_DEVICE)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}  # the replica check says what is wrong with the file
    state = dict(rows)
    if not state.get(K_SERVER):
        return {}
    return {"server": state[K_SERVER], "event_id": state.get(K_EVENT, ""), "device_id": state.get(K_DEVICE, "")}


def check_enrollment(data_dir: Path, backend=None, state: dict[str, str] | None = None) -> Check:
    """Enrolled? Is the device token stored, and does the server still accept it?

    ``state`` is :func:`enrolled_state` when the caller has read it already.
    """
    from sync.client import ApiClient, AuthError, SyncError
    from sync.credentials import CredentialError, CredentialStore

    state = enrolled_state(data_dir) if state is None else state
    if not state:
        return Check("enrollment", OK, "not enrolled with a server: this kiosk works on its own replica "
                     "(`kiosk enroll --code CODE` joins one)")
    server, event_id, device_id = state["server"], state["event_id"], state["device_id"]
    store = CredentialStore(data_dir, device_id, backend)
    again = "make a new enrollment code for this door on the server and enroll again (`kiosk enroll --code CODE`)"
    try:
        token = store.load()
    except CredentialError as exc:
        return Check("enrollment", FAIL, f"enrolled with {server}, but the device token cannot be read ({exc})", again)
    if not token:
        return Check("enrollment", FAIL, f"enrolled with {server}, but no device token is stored ({store.where})", again)
    try:
        with ApiClient(server, token, timeout=SERVER_TIMEOUT_SECONDS) as client:
            client.event(event_id)
    except AuthError as exc:
        return Check("enrollment", FAIL, f"{server} refuses this kiosk's device token: {exc}", again)
    except SyncError as exc:
        return Check("enrollment", WARN, f"enrolled with {server}, but the token could not be checked now ({exc})",
                     "the kiosk works offline meanwhile; see the server check")
    return Check("enrollment", OK, f"enrolled with {server} for event {event_id} as {device_id}; "
                 f"the server accepts its token (kept in {store.where})")


def run_checks(
    settings: Settings,
    *,
    sources: ConfigSources | None = None,
    config_problem: str | None = None,
) -> list[Check]:
    """Every check, in the order a person fixing the machine would go through them."""
    sources = sources or default_sources()
    enrolled = enrolled_state(settings.data_dir)
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("settings", lambda: check_settings(settings, sources, config_problem)),
        ("data folder", lambda: check_folder("data folder", settings.data_dir)),
        ("log folder", lambda: check_folder("log folder", settings.log_dir)),
        ("camera", lambda: check_camera(settings.camera)),
        *[(f"decoder {d}", lambda d=d: check_decoder(d, settings.decoder)) for d in DECODERS],
        ("keyring", lambda: check_keyring(settings.data_dir)),
        ("replica", lambda: check_replica(settings.data_dir)),
        # The server the kiosk is enrolled with, else the one configured for enrolling.
        ("server", lambda: check_server(enrolled.get("server") or settings.server_url)),
        ("enrollment", lambda: check_enrollment(settings.data_dir, state=enrolled)),
        ("display", check_display),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            result = step()
        except Exception as exc:  # a broken check must not hide the others
            result = Check(name, FAIL, f"the check itself failed ({type(exc).__name__}: {_brief(exc)})", "see the log file")
        checks.extend(result if isinstance(result, list) else [result])
    return checks
