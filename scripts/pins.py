#!/usr/bin/env python3
"""Is a newer Home Assistant or test harness on the package index than the pinned ones?

    python3 scripts/pins.py check              # scripts/newest --check
    python3 scripts/pins.py derive SOURCE      # the pins a Home Assistant source tree needs
    python3 scripts/pins.py bump VERSION       # move requirements_newest_ha.txt to VERSION

Each Home Assistant the project tests is pinned once, in one requirements file (PINS below):
the pinned toolchain's harness (requirements_dev.txt, Python 3.13), the newest harness
(requirements_newest.txt) and the newest release (requirements_newest_ha.txt, both Python 3.14).
`check` asks the index (`pip index versions`, for the Python each toolchain runs) for the newest
final release of each and prints one line per pin. Exit status: 0 all current, 1 a newer
release is out (the line names the file to edit), 2 the index could not be asked.

The newest release needs more than `homeassistant==X`: Home Assistant runs with --skip-pip in the
browser test, so the frontend, the TOTP module's requirements and those of the base integrations
it imports for the frontend are pinned too, at the versions that release's manifests name.
`derive` reads them from a release's source (BASE_COMPONENTS); `bump VERSION` downloads that
release's wheel (no install, for Python 3.14) and rewrites requirements_newest_ha.txt in place:
the homeassistant line and every derived pin, comments kept. Moving to a new release is that one
command (then scripts/setup). Only the standard library and pip.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import subprocess
import sys
import zipfile

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


# Integrations whose requirements the newest release needs installed (see the docstring).
BASE_COMPONENTS = (
    "frontend",
    "conversation",
    "assist_pipeline",
    "tts",
    "ffmpeg",
    "camera",
    "cloud",
    "matter",
    "isal",
    "infrared",
    "radio_frequency",
    "hassio",
)
TOTP_MODULE = Path("homeassistant") / "auth" / "mfa_modules" / "totp.py"
NEWEST_HA_FILE = "requirements_newest_ha.txt"
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _module_requirements(path: Path) -> list[str]:
    """The REQUIREMENTS list of a module, read without importing it."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "REQUIREMENTS" for target in node.targets
        ):
            return [str(item) for item in ast.literal_eval(node.value)]
    return []


def derive(source: Path) -> dict[str, str]:
    """Package -> version the release in `source` (a dir holding `homeassistant/`) names.

    In BASE_COMPONENTS order, the TOTP module's after the frontend; a package named twice keeps
    its first pin, and packages homeassistant itself requires are left to it. Components the
    release does not have are skipped.
    """
    requirements: list[str] = []
    core = {
        match[1].lower()
        for metadata in source.glob("homeassistant-*.dist-info/METADATA")
        for match in re.finditer(r"^Requires-Dist: ([A-Za-z0-9._-]+)", metadata.read_text(), re.M)
    }
    components = source / "homeassistant" / "components"
    for index, component in enumerate(BASE_COMPONENTS):
        manifest = components / component / "manifest.json"
        if manifest.is_file():
            requirements += json.loads(manifest.read_text()).get("requirements", [])
        if index == 0 and (source / TOTP_MODULE).is_file():
            requirements += _module_requirements(source / TOTP_MODULE)
    pins: dict[str, str] = {}
    for requirement in requirements:
        if (match := REQUIREMENT.match(requirement)) and match[1].lower() not in core:
            pins.setdefault(match[1], match[2])
    return pins


def apply_pins(text: str, pins: dict[str, str]) -> tuple[str, list[str]]:
    """A requirements file with every `name==` line of `pins` set to its version.

    Comments and order stay; pins the file lacks are appended. Returns the text and one line
    per change (`name old -> new`, or `name new`).
    """
    lines = text.splitlines()
    changes: list[str] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        match = REQUIREMENT.match(line)
        if match is None:
            continue
        name = next((n for n in pins if n.lower() == match[1].lower()), None)
        if name is None:
            continue
        seen.add(name)
        if match[2] != pins[name]:
            changes.append(f"{match[1]} {match[2]} -> {pins[name]}")
            lines[index] = f"{match[1]}=={pins[name]}{line[match.end() :]}"
    for line in lines:
        match = REQUIREMENT.match(line)
        if match and not any(n.lower() == match[1].lower() for n in pins):
            changes.append(f"{match[1]} {match[2]} kept (the release names no version)")
    added = [name for name in pins if name not in seen]
    if added:
        lines.append("# Added by scripts/pins.py bump: required by the base integrations above.")
        for name in added:
            lines.append(f"{name}=={pins[name]}")
            changes.append(f"{name} {pins[name]} (new)")
    return "\n".join(lines) + "\n", changes


def download_source(version: str, cache: Path) -> Path:
    """Unpack the release's wheel (downloaded, never installed) and return the directory."""
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob(f"homeassistant-{version}-*.whl"))
    if not found:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.14.2",
                "--dest",
                str(wheels),
                f"homeassistant=={version}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        found = sorted(wheels.glob(f"homeassistant-{version}-*.whl"))
        if not found:
            errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
            raise IndexUnavailableError(errors[-1] if errors else "no wheel was downloaded")
    source = cache / f"src-{version}"
    if not (source / "homeassistant").is_dir():
        with zipfile.ZipFile(found[0]) as wheel:
            wheel.extractall(source)
    return source


def bump(root: Path, version: str, source: Path) -> list[str]:
    """Point requirements_newest_ha.txt at `version` with the pins its source names."""
    path = root / NEWEST_HA_FILE
    text, changes = apply_pins(path.read_text(), {"homeassistant": version, **derive(source)})
    path.write_text(text)
    return changes


def main(argv: list[str] | None = None) -> int:
    """Command line: `check`, `derive SOURCE`, `bump VERSION`."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["check"]:
        status, lines = check()
        print("\n".join(lines))
        return status
    if len(args) == 2 and args[0] == "derive":
        for name, version in derive(Path(args[1])).items():
            print(f"{name}=={version}")
        return 0
    if len(args) == 2 and args[0] == "bump" and FINAL.fullmatch(args[1]):
        cache = Path(
            os.environ.get("ENODE_DEV_CACHE")
            or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "enode-ha-dev"
        )
        try:
            source = download_source(args[1], cache / "ha-newest")
        except IndexUnavailableError as err:
            print(f"Could not download Home Assistant {args[1]}: {err}", file=sys.stderr)
            return 2
        changes = bump(ROOT, args[1], source)
        print("\n".join(changes) or f"{NEWEST_HA_FILE} already pins {args[1]}")
        return 0
    print("usage: scripts/pins.py check | derive SOURCE | bump VERSION", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
