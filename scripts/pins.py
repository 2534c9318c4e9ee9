#!/usr/bin/env python3
"""Is a newer Home Assistant or test harness on the package index than the pinned ones?

    python3 scripts/pins.py check    # scripts/newest --check

Each Home Assistant the project tests is pinned once, in one requirements file (PINS below):
the pinned toolchain's harness (requirements_dev.txt, Python 3.13), the newest harness
(requirements_newest.txt) and the newest release (requirements_newest_ha.txt, both Python 3.14).
`check` asks the index (`pip index versions`, for the Python each toolchain runs) for the newest
final release of each and prints one line per pin. Exit status: 0 all current, 1 a newer
release is out (the line names the file to edit), 2 the index could not be asked. Only the
standard library and pip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
import re
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Pin:
    """One pinned package of one toolchain."""

    file: str
    package: str
    python: str  # the toolchain's Python: the index lists only releases that support it
    role: str


PINS = (
    Pin(
        "requirements_dev.txt", "pytest-homeassistant-custom-component", "3.13.2", "pinned harness"
    ),
    Pin(
        "requirements_newest.txt",
        "pytest-homeassistant-custom-component",
        "3.14.2",
        "newest harness",
    ),
    Pin("requirements_newest_ha.txt", "homeassistant", "3.14.2", "newest release"),
)
FINAL = re.compile(r"\d+(\.\d+)*")
# (package, Python version) -> the versions the index lists.
type Lookup = Callable[[str, str], list[str]]


class IndexUnavailableError(Exception):
    """The package index could not be asked (no network, no pip)."""


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order of a final release (2026.10.0 after 2026.9.4)."""
    return tuple(int(part) for part in version.split("."))


def pinned_version(text: str, package: str) -> str:
    """The version `package==X` pins in a requirements file's text."""
    pattern = re.compile(rf"^{re.escape(package)}==(\S+)\s*(#.*)?$", re.IGNORECASE | re.MULTILINE)
    found = pattern.findall(text)
    if len(found) != 1:
        raise ValueError(f"{package} must be pinned exactly once (found {len(found)})")
    return str(found[0][0])


def newest_final(versions: Iterable[str]) -> str | None:
    """The newest final release in a list (betas, release candidates and dev builds skipped)."""
    finals = [v for v in versions if FINAL.fullmatch(v)]
    return max(finals, key=version_key) if finals else None


def parse_index_versions(output: str) -> list[str]:
    """The versions of `pip index versions` output (its "Available versions:" line)."""
    for line in output.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    raise IndexUnavailableError("pip index versions listed no versions")


def index_versions(package: str, python: str) -> list[str]:
    """Ask the package index (pip's configuration) for the releases of `package` on `python`."""
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "index",
                "versions",
                package,
                "--python-version",
                python,
                "--only-binary=:all:",
                "--disable-pip-version-check",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise IndexUnavailableError(str(err)) from err
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        raise IndexUnavailableError(errors[-1] if errors else f"pip exited {result.returncode}")
    return parse_index_versions(result.stdout)


@dataclass(frozen=True)
class Finding:
    """What the index says about one pin."""

    pin: Pin
    pinned: str
    newest: str | None

    @property
    def newer(self) -> bool:
        """A newer final release than the pinned one is available."""
        return self.newest is not None and version_key(self.newest) > version_key(self.pinned)

    def line(self) -> str:
        """One line for the report."""
        head = f"{self.pin.role}: {self.pin.package} {self.pinned} ({self.pin.file})"
        if self.newest is None:
            return f"{head}: the index lists no release for Python {self.pin.python}"
        if self.newer:
            return f"{head}: NEWER {self.newest} is available; edit {self.pin.file}"
        return f"{head}: current"


def check(
    root: Path = ROOT,
    lookup: Lookup = index_versions,
) -> tuple[int, list[str]]:
    """Exit status and report lines; `lookup(package, python)` lists the index's versions."""
    lines: list[str] = []
    newer = False
    for pin in PINS:
        pinned = pinned_version((root / pin.file).read_text(), pin.package)
        try:
            versions = lookup(pin.package, pin.python)
        except IndexUnavailableError as err:
            return 2, [
                *lines,
                (
                    f"Could not ask the package index about {pin.package} ({err}). "
                    "Check the network or pip's index configuration; nothing was compared."
                ),
            ]
        finding = Finding(pin, pinned, newest_final(versions))
        newer = newer or finding.newer
        lines.append(finding.line())
    return (1 if newer else 0), lines


def main(argv: list[str] | None = None) -> int:
    """Command line: `check`."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["check"]:
        print("usage: scripts/pins.py check", file=sys.stderr)
        return 2
    status, lines = check()
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
