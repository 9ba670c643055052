"""The house rules as checks that fail the build (BRIEF section 7; qutebrowser's misc_checks).

- Qt only in ``kiosk/app``: every other module of ``kiosk`` and ``sync`` imports, in a fresh
  interpreter, without loading PySide6, and no ``sync`` module loads ``kiosk``.
- No module over 400 lines.
- ruff finds nothing (its rules are in pyproject.toml's ``[tool.ruff]``).

The modules are found by walking the source trees, so a new module is checked without
anyone adding it here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GUI_PACKAGE = ("kiosk", "app")  # the one place Qt may be imported
LINE_CAP = 400


def _is_checked(path: Path) -> bool:
    parts = path.relative_to(REPO).parts
    if parts[:2] == GUI_PACKAGE:
        return False
    # Alembic scripts are run by Alembic inside a migration (env.py reads its context on
    # import); they are loaded from files, never imported as modules.
    if "migrations" in parts:
        return False
    # Importing a __main__ module runs its command; what it imports is checked on its own.
    return path.name != "__main__.py"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def non_gui_modules(package: str) -> list[str]:
    """Every importable module of ``package`` outside the GUI, packages before their modules."""
    paths = [p for p in (REPO / package).rglob("*.py") if _is_checked(p)]
    return sorted((_module_name(p) for p in paths), key=lambda name: (name.count("."), name))


# Run in a fresh interpreter: imports the given modules, `sync` ones first, and records every
# import statement our modules execute (importer -> imported), so that a finding can be
# traced to the line of imports that caused it.
PROBE = r"""
import builtins, importlib, importlib.util, json, sys, traceback

modules, report_path = json.loads(sys.argv[1]), sys.argv[2]
OURS = {"kiosk", "sync"}
edges = set()
real_import = builtins.__import__


def recording_import(name, globals=None, locals=None, fromlist=(), level=0):
    module = real_import(name, globals, locals, fromlist, level)
    importer = (globals or {}).get("__name__") or ""
    if importer.partition(".")[0] in OURS:
        target = importlib.util.resolve_name("." * level + name, globals.get("__package__")) if level else name
        edges.add((importer, target))
        for item in fromlist or ():
            if f"{target}.{item}" in sys.modules:
                edges.add((importer, f"{target}.{item}"))
    return module


builtins.__import__ = recording_import
failures = {}
loaded_after = {}
for package in ("sync", "kiosk"):
    for name in modules:
        if name.partition(".")[0] == package:
            try:
                importlib.import_module(name)
            except BaseException:
                failures[name] = traceback.format_exc(limit=-3)
    loaded_after[package] = sorted({m.partition(".")[0] for m in sys.modules})
with open(report_path, "w", encoding="utf-8") as f:
    json.dump({"edges": sorted(edges), "failures": failures, "loaded_after": loaded_after}, f)
"""


@pytest.fixture(scope="module")
def import_report(tmp_path_factory) -> dict:
    modules = non_gui_modules("sync") + non_gui_modules("kiosk")
    report = tmp_path_factory.mktemp("imports") / "report.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(modules), str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0 and report.exists(), result.stderr
    return {"modules": modules, **json.loads(report.read_text(encoding="utf-8"))}


def _chains_to(report: dict, is_forbidden, importers) -> list[str]:
    """For each of ``importers`` whose import reaches a forbidden module: the chain, as text."""
    graph: dict[str, set[str]] = {}
    for importer, target in report["edges"]:
        graph.setdefault(importer, set()).add(target)
    chains = []
    for start in importers:
        seen, queue = {start}, [[start]]
        while queue:
            path = queue.pop(0)
            if is_forbidden(path[-1]):
                chains.append(" -> ".join(path))
                break
            for nxt in sorted(graph.get(path[-1], ())):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append([*path, nxt])
    return chains


def _top(name: str) -> str:
    return name.partition(".")[0]


def test_the_walk_finds_the_modules_it_should():
    modules = non_gui_modules("sync") + non_gui_modules("kiosk")
    assert {"sync", "sync.replica.database", "sync.server.app", "kiosk", "kiosk.core.desk"} <= set(modules)
    assert not [m for m in modules if m.startswith("kiosk.app") or "migrations" in m or m.endswith("__main__")]


def test_every_non_gui_module_imports_on_its_own(import_report):
    failures = import_report["failures"]
    assert not failures, "\n\n".join(f"{name} cannot be imported:\n{tb}" for name, tb in failures.items())


def test_no_sync_module_imports_kiosk(import_report):
    sync_modules = [m for m in import_report["modules"] if _top(m) == "sync"]
    chains = _chains_to(import_report, lambda m: _top(m) == "kiosk", sync_modules)
    assert not chains, "sync must not import kiosk:\n" + "\n".join(chains)
    # What the recorded import statements cannot see (importlib calls, imports made by libraries).
    assert "kiosk" not in import_report["loaded_after"]["sync"], "importing the sync modules loaded kiosk"


def test_qt_only_in_the_gui_package(import_report):
    chains = _chains_to(import_report, lambda m: _top(m) in ("PySide6", "shiboken6"), import_report["modules"])
    assert not chains, "only kiosk/app may import Qt:\n" + "\n".join(chains)
    loaded = set(import_report["loaded_after"]["kiosk"])
    assert not loaded & {"PySide6", "shiboken6"}, "importing the non-GUI modules loaded Qt"


@pytest.mark.parametrize("tree", ["kiosk", "sync", "tests"])
def test_no_module_over_the_line_cap(tree):
    # Tests mirror the modules they test, so a test file past the cap is a sign too.
    lengths = {
        path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (REPO / tree).rglob("*.py")
    }
    over = sorted((n, path) for path, n in lengths.items() if n > LINE_CAP)
    assert not over, f"modules over {LINE_CAP} lines (split them by what they do):\n" + "\n".join(
        f"{path}: {n} lines" for n, path in reversed(over)
    )


def test_ruff_finds_nothing():
    if importlib.util.find_spec("ruff") is None:
        pytest.fail("ruff is missing: pip install -e '.[test]'")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", "."],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    findings = result.stdout + result.stderr
    assert result.returncode == 0, f"ruff check (`ruff check --fix .` fixes those marked [*]):\n{findings}"
