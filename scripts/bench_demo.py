"""Benchmark the demo stack: start-up time and the Enode requests Home Assistant makes.

Runs the emulator and a real Home Assistant (scripts/devstack.py) twice on a scratch
configuration: a cold start (onboarding, config flow with Enode Link) and a warm restart. Then
it starts charging through Home Assistant's service API and counts the Enode requests until the
vehicle reports charging (pushed by webhook), and the requests during a quiet minute.

    .venv/bin/python scripts/bench_demo.py
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
import re
import sys
import tempfile
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.devstack import (
    HomeAssistantApi,
    Stack,
    StackSettings,
    free_port,
    provision,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def enode_requests(settings: StackSettings) -> list[dict[str, Any]]:
    """The emulator's request log (every request Home Assistant sent to "Enode")."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{settings.emulator_url}/_emulator/requests") as answer,
    ):
        log: list[dict[str, Any]] = await answer.json()
    # Only what Home Assistant sent: not our own admin calls, probes or the browser's Link page.
    return [
        entry for entry in log if not entry["path"].startswith(("/_emulator", "/health", "/link/"))
    ]


def summary(entries: list[dict[str, Any]]) -> str:
    """Requests grouped by method and path (ids folded)."""
    counts = Counter(f"{e['method']} {UUID.sub('{id}', e['path'])}" for e in entries)
    return ", ".join(f"{count}x {key}" for key, count in counts.most_common())


async def charge_and_wait(settings: StackSettings) -> tuple[float, list[dict[str, Any]]]:
    """Start charging via Home Assistant; time until the vehicle reports it, and requests."""
    before = len(await enode_requests(settings))
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await api.login("demo", "enode-demo")
        states = await api.request("GET", "/api/states")
        switch = next(
            s["entity_id"]
            for s in states
            if s["entity_id"].startswith("switch.") and "model_3" in s["entity_id"]
        )
        sensor = next(
            s["entity_id"]
            for s in states
            if s["entity_id"].startswith("binary_sensor.")
            and "model_3" in s["entity_id"]
            and s["entity_id"].endswith("_charging")
            and "smart" not in s["entity_id"]
        )
        started = time.perf_counter()
        await api.request("POST", "/api/services/switch/turn_on", json={"entity_id": switch})
        while (await api.request("GET", f"/api/states/{sensor}"))["state"] != "on":  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
    return elapsed, (await enode_requests(settings))[before:]


def main() -> None:
    """Run the measurements and print a table."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = StackSettings(
            config_dir=Path(scratch), ha_port=free_port(), emulator_port=free_port()
        )
        rows: list[tuple[str, str, str]] = []
        for label in ("cold start (onboarding + config flow)", "warm restart"):
            started = time.perf_counter()
            with Stack(settings) as stack:
                up = time.perf_counter() - started
                asyncio.run(provision(settings))
                ready = time.perf_counter() - started
                log = asyncio.run(enode_requests(settings))
                rows.append((f"{label}: processes up", "-", f"{up:.1f} s"))
                rows.append((f"{label}: dashboard ready", summary(log), f"{ready:.1f} s"))
                if label == "warm restart":
                    elapsed, during = asyncio.run(charge_and_wait(settings))
                    rows.append(
                        (
                            "start charging until the vehicle reports it",
                            summary(during),
                            f"{elapsed:.1f} s (emulator action delay 3 s)",
                        )
                    )
                    before = len(asyncio.run(enode_requests(settings)))
                    time.sleep(60)
                    quiet = asyncio.run(enode_requests(settings))[before:]
                    rows.append(
                        (
                            "the next minute (push healthy; first statistics import, 30 days)",
                            summary(quiet) or "0",
                            "-",
                        )
                    )
            del stack
    print("| Measurement | Enode requests | Time |")
    print("| --- | --- | --- |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


if __name__ == "__main__":
    main()
