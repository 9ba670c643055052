"""What a check finds (:class:`Check`), and the report and exit status of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    message: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def brief(exc: BaseException, limit: int = 240) -> str:
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
