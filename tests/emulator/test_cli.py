"""The command line starts quickly and prints the credentials."""

from __future__ import annotations

import os
from pathlib import Path
import socket
import subprocess
import sys
import time

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_cli_starts_under_two_seconds() -> None:
    port = _free_port()
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "enode_emulator",
            "--port",
            str(port),
            "--seed",
            "3",
            "--speed",
            "2",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert elapsed < 2.0, elapsed
    output = "".join(lines)
    assert "client id:     enode-emulator-client" in output
    assert "client secret: enode-emulator-secret" in output
    assert f"API base URL:  http://127.0.0.1:{port}" in output
    assert f"token URL:     http://127.0.0.1:{port}/oauth2/token" in output
