"""`scripts/develop`: the first run sets everything up, Ctrl-C stops it, a second run works."""

from __future__ import annotations

from pathlib import Path
import signal
import subprocess
import sys
import threading
import urllib.request

import pytest

from scripts.devstack import DEMO_PASSWORD, DEMO_USERNAME, ROOT, free_port, port_in_use

from .conftest import selected_ha

READY_LINE = "Press Ctrl-C to stop."


def run_develop(config_dir: Path, ha_port: int, emulator_port: int) -> tuple[str, int]:
    """Start the demo, wait until it is ready, press Ctrl-C; returns (output, exit code)."""
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            "scripts/devstack.py",
            "--config",
            str(config_dir),
            "--port",
            str(ha_port),
            "--emulator-port",
            str(emulator_port),
            "--ha",
            selected_ha(),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    # Reading blocks; a watchdog ends a demo that never gets ready.
    watchdog = threading.Timer(300, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            if READY_LINE in line:
                break
        else:
            pytest.fail("scripts/develop ended before it was ready:\n" + "".join(lines))
        output = "".join(lines)
        dashboard = next(
            line.split()[-1] for line in lines if line.strip().startswith("Dashboard:")
        )
        # The printed dashboard URL is served by the running Home Assistant.
        with urllib.request.urlopen(dashboard, timeout=10) as page:  # noqa: S310 - http URL
            assert page.status == 200
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
            pytest.fail("scripts/develop did not stop on Ctrl-C:\n" + output + rest)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    return output + rest, process.returncode


def test_develop_sets_up_the_demo_and_runs_again(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    ha_port, emulator_port = free_port(), free_port()

    output, code = run_develop(config_dir, ha_port, emulator_port)
    assert code == 0, output
    assert f"Username:    {DEMO_USERNAME}" in output
    assert f"Password:    {DEMO_PASSWORD}" in output
    assert "Integration: added (Enode Link step done)" in output
    assert f"http://127.0.0.1:{ha_port}/enode-demo/0" in output
    assert "Stopping" in output
    assert not port_in_use(ha_port)
    assert not port_in_use(emulator_port)
    # The configuration loads the integration from the working tree.
    link = config_dir / "custom_components" / "enode"
    assert link.is_symlink()
    assert link.resolve() == ROOT / "custom_components" / "enode"

    output, code = run_develop(config_dir, ha_port, emulator_port)
    assert code == 0, output
    assert "Integration: already configured" in output
    assert not port_in_use(ha_port)
