"""scripts/newest --check: newer Home Assistant or harness releases than the pins, offline."""

from __future__ import annotations

import json
import os
from pathlib import Path
import shutil
import subprocess
import sys

from hypothesis import given, strategies as st
import pytest

from scripts import pins

ROOT = Path(__file__).resolve().parent.parent
PINNED = {
    pin.file: pins.pinned_version((ROOT / pin.file).read_text(), pin.package) for pin in pins.PINS
}


def _index(listing: dict[tuple[str, str], list[str]]) -> pins.Lookup:
    def lookup(package: str, python: str) -> list[str]:
        return listing[package, python]

    return lookup


def _current() -> dict[tuple[str, str], list[str]]:
    """The index as of the pins: each pin is the newest final release for its Python."""
    return {
        ("pytest-homeassistant-custom-component", "3.13.2"): [
            PINNED["requirements_dev.txt"],
            "0.13.300",
        ],
        ("pytest-homeassistant-custom-component", "3.14.2"): [
            PINNED["requirements_newest.txt"],
            PINNED["requirements_dev.txt"],
        ],
        ("homeassistant", "3.14.2"): [PINNED["requirements_newest_ha.txt"], "2026.2.3"],
    }


def test_every_pin_is_in_one_file_once() -> None:
    """Each toolchain's Home Assistant is pinned exactly once, in the file PINS names."""
    assert set(PINNED) == {
        "requirements_dev.txt",
        "requirements_newest.txt",
        "requirements_newest_ha.txt",
    }
    assert all(pins.FINAL.fullmatch(version) for version in PINNED.values())
    for pin in pins.PINS:
        others = [p for p in ROOT.glob("requirements*.txt") if p.name != pin.file]
        for other in others:
            if pin.package == "homeassistant":
                with pytest.raises(ValueError, match="exactly once"):
                    pins.pinned_version(other.read_text(), pin.package)


def test_current_pins() -> None:
    """Pins equal to the index's newest: exit 0, one 'current' line per pin."""
    status, lines = pins.check(ROOT, _index(_current()))
    assert status == 0
    assert lines == [
        (
            "pinned harness: pytest-homeassistant-custom-component "
            f"{PINNED['requirements_dev.txt']} (requirements_dev.txt): current"
        ),
        (
            f"newest harness: pytest-homeassistant-custom-component "
            f"{PINNED['requirements_newest.txt']} (requirements_newest.txt): current"
        ),
        (
            f"newest release: homeassistant {PINNED['requirements_newest_ha.txt']}"
            " (requirements_newest_ha.txt): current"
        ),
    ]


def test_newer_release_names_the_file_to_edit() -> None:
    """2026.12.0 on the index (and a beta of 2027.1): exit 1, the final release is named."""
    listing = _current()
    listing["homeassistant", "3.14.2"] = [
        "2027.1.0b1",
        "2026.12.0",
        "2026.12.0b3",
        PINNED["requirements_newest_ha.txt"],
        "2026.9.4",
    ]
    status, lines = pins.check(ROOT, _index(listing))
    assert status == 1
    assert lines[2] == (
        f"newest release: homeassistant {PINNED['requirements_newest_ha.txt']}"
        " (requirements_newest_ha.txt): NEWER 2026.12.0 is available;"
        " edit requirements_newest_ha.txt"
    )
    assert lines[:2] == pins.check(ROOT, _index(_current()))[1][:2]


def test_newer_harness() -> None:
    """A newer phacc for Python 3.14 (numeric order: .1000 after .999)."""
    listing = _current()
    listing["pytest-homeassistant-custom-component", "3.14.2"] = ["0.13.1000", "0.13.999"]
    status, lines = pins.check(ROOT, _index(listing))
    assert status == 1
    assert "NEWER 0.13.1000 is available; edit requirements_newest.txt" in lines[1]


def test_no_release_for_that_python() -> None:
    """Only pre-releases listed: said as such, not called current or newer."""
    listing = _current()
    listing["homeassistant", "3.14.2"] = ["2027.1.0b1"]
    status, lines = pins.check(ROOT, _index(listing))
    assert status == 0
    assert lines[2].endswith("the index lists no release for Python 3.14.2")


def test_index_unreachable_is_said_plainly() -> None:
    """No network: exit 2 and a message, nothing compared for the rest."""

    def offline(package: str, python: str) -> list[str]:
        raise pins.IndexUnavailableError("ERROR: Could not find a version")

    status, lines = pins.check(ROOT, offline)
    assert status == 2
    assert lines == [
        (
            "Could not ask the package index about pytest-homeassistant-custom-component "
            "(ERROR: Could not find a version). Check the network or pip's index configuration;"
            " nothing was compared."
        )
    ]


@given(st.lists(st.lists(st.integers(0, 3000), min_size=1, max_size=4), min_size=1))
def test_newest_final_is_the_numeric_maximum(parts: list[list[int]]) -> None:
    """Whatever order the index lists them in, the numerically newest final release wins."""
    versions = [".".join(map(str, p)) for p in parts]
    newest = pins.newest_final([*versions, "9999.1.0b1", "9999.1.0.dev3", "9999.0.0rc1"])
    assert newest is not None
    assert pins.version_key(newest) == max(tuple(p) for p in parts)


def test_parse_pip_index_output() -> None:
    """pip's "Available versions:" line; output without it means the index was not asked."""
    output = "homeassistant (2026.11.0)\nAvailable versions: 2026.11.0, 2026.10.4\n  INSTALLED: x"
    assert pins.parse_index_versions(output) == ["2026.11.0", "2026.10.4"]
    with pytest.raises(pins.IndexUnavailableError):
        pins.parse_index_versions("WARNING: nothing\n")


def test_newest_check_without_network(tmp_path: Path) -> None:
    """`scripts/newest --check` with an unreachable index: exit 2 and the clear message."""
    for name in ("scripts/newest", "scripts/pins.py", *PINNED):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    result = subprocess.run(  # noqa: S603 - our own script
        ["bash", str(tmp_path / "scripts" / "newest"), "--check"],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # nothing listens on the discard port
            "PIP_RETRIES": "0",
            "PIP_TIMEOUT": "5",
            "PIP_NO_CACHE_DIR": "1",
        },
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Could not ask the package index about pytest-homeassistant-custom-component" in (
        result.stdout
    )
    assert "nothing was compared" in result.stdout


# --- Moving to a new release: the pins its manifests name ------------------------------------


def _release_tree(root: Path, version: str, frontend: str, intents: str) -> Path:
    """A Home Assistant source tree as a wheel unpacks it, reduced to what `derive` reads."""
    components = root / "homeassistant" / "components"
    manifests = {
        "frontend": [f"home-assistant-frontend=={frontend}"],
        "conversation": ["hassil==3.13.0", f"home-assistant-intents=={intents}"],
        "assist_satellite": ["hassil==3.13.0", "not-a-base-component==1.0"],
        "cloud": ["hass-nabucasa==2.9.0", "openai==3.30.0"],
        "camera": ["PyTurboJPEG>=1.8"],  # not a pin: skipped
        "radio_frequency": ["rf-protocols==5.0.0"],
    }
    for name, requirements in manifests.items():
        (components / name).mkdir(parents=True)
        (components / name / "manifest.json").write_text(
            json.dumps({"domain": name, "requirements": requirements})
        )
    totp = root / "homeassistant" / "auth" / "mfa_modules" / "totp.py"
    totp.parent.mkdir(parents=True)
    totp.write_text('"""TOTP."""\n\nREQUIREMENTS = ["pyotp==2.11.0", "PyQRCode==1.2.1"]\n')
    metadata = root / f"homeassistant-{version}.dist-info" / "METADATA"
    metadata.parent.mkdir()
    metadata.write_text(
        f"Name: homeassistant\nVersion: {version}\nRequires-Dist: hass-nabucasa==2.9.0\n"
    )
    return root


def test_derive_reads_the_release_manifests(tmp_path: Path) -> None:
    """Base components' and TOTP pins, in order, without homeassistant's own requirements."""
    source = _release_tree(tmp_path, "2026.12.0", "20261201.1", "2026.11.30")
    assert pins.derive(source) == {
        "home-assistant-frontend": "20261201.1",
        "pyotp": "2.11.0",
        "PyQRCode": "1.2.1",
        "hassil": "3.13.0",
        "home-assistant-intents": "2026.11.30",
        "openai": "3.30.0",
        "rf-protocols": "5.0.0",
    }


def test_bump_moves_the_newest_release_file_in_one_step(tmp_path: Path) -> None:
    """`bump`: homeassistant and every derived pin rewritten in place, comments kept."""
    shutil.copy2(ROOT / "requirements_newest_ha.txt", tmp_path / "requirements_newest_ha.txt")
    before = (tmp_path / "requirements_newest_ha.txt").read_text()
    source = _release_tree(tmp_path / "src", "2026.12.0", "20261201.1", "2026.11.30")
    changes = pins.bump(tmp_path, "2026.12.0", source)
    after = (tmp_path / "requirements_newest_ha.txt").read_text()
    assert pins.pinned_version(after, "homeassistant") == "2026.12.0"
    assert pins.pinned_version(after, "home-assistant-frontend") == "20261201.1"
    assert pins.pinned_version(after, "home-assistant-intents") == "2026.11.30"
    assert pins.pinned_version(after, "pyotp") == "2.11.0"
    assert pins.pinned_version(after, "rf-protocols") == "5.0.0"
    assert f"homeassistant {PINNED['requirements_newest_ha.txt']} -> 2026.12.0" in changes
    # Pins the release does not name stay, and say so; comments are untouched.
    assert pins.pinned_version(after, "ha-ffmpeg") == pins.pinned_version(before, "ha-ffmpeg")
    assert any(
        c.startswith("ha-ffmpeg ") and c.endswith("kept (the release names no version)")
        for c in changes
    )
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert [line for line in after.splitlines() if line.startswith("#")] == comments
    # Again: nothing left to change but the kept pins.
    again = pins.bump(tmp_path, "2026.12.0", source)
    assert all(c.endswith("kept (the release names no version)") for c in again)
    assert (tmp_path / "requirements_newest_ha.txt").read_text() == after


def test_apply_pins_appends_what_the_file_lacks() -> None:
    """A requirement a new release adds is appended under a comment."""
    text, changes = pins.apply_pins("# pins\nfoo==1.0  # why\n", {"foo": "2.0", "bar": "0.1"})
    assert text == (
        "# pins\nfoo==2.0  # why\n"
        "# Added by scripts/pins.py bump: required by the base integrations above.\nbar==0.1\n"
    )
    assert changes == ["foo 1.0 -> 2.0", "bar 0.1 (new)"]
