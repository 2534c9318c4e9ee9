"""Benchmark Home Assistant's memory and start-up time against the Enode household's size.

Runs the emulator with a household (`demo`, `scale:300`, ...) and a real Home Assistant
(scripts/devstack.py) on scratch ports and a scratch configuration, loopback only:

1. Home Assistant starts without Enode; its resident memory (VmRSS of its process) once settled.
2. Enode is added through the config flow (Enode Link links one more vehicle); the time from the
   flow's start until every enabled Enode entity has a state other than unavailable (the flow's
   last step answers only once the entry is set up, so it is timed from the flow's start), the
   Enode entities and devices in the registries, and the resident memory once settled.
3. Home Assistant restarts with the entry: the time from starting the processes until every
   Enode entity is available again, and its resident memory once settled.

Memory per asset = (memory with Enode - memory before Enode) / assets, after adding and after
the restart (the restart's baseline is the first run's: same Home Assistant, same
configuration). Assets are the emulator's (HEM systems included). Prints a Markdown table.

    .venv/bin/python scripts/bench_memory.py [--scenarios demo,scale:300]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.devstack import (
    HomeAssistantApi,
    Stack,
    StackError,
    StackSettings,
    add_enode_integration,
    confirm_http_config,
    enable_advanced_mode,
    ensure_logged_in,
    free_port,
)

SETTLE = 15.0  # seconds of quiet before memory is read (start-up work ends)
AVAILABLE_TIMEOUT = 600.0  # at most this long for every Enode entity to become available
STUCK_AFTER = 90.0  # give up earlier when the unavailable set has not changed for this long
MIB = 1024 * 1024


@dataclass
class Result:
    """One household's figures."""

    scenario: str
    assets: int = 0
    entities: int = 0
    enabled: int = 0
    devices: int = 0
    rss_before: int = 0
    rss_after: int = 0
    hwm_after: int = 0
    rss_restart: int = 0
    hwm_restart: int = 0
    flow_to_available: float = 0.0
    start_to_available: float = 0.0
    unavailable: list[str] = field(default_factory=list)

    def per_asset(self, rss: int) -> float:
        """Resident memory Enode adds per asset, in bytes."""
        return (rss - self.rss_before) / self.assets if self.assets else 0.0


def memory(pid: int, key: str = "VmRSS") -> int:
    """A memory figure of a process from /proc/<pid>/status, in bytes."""
    return parse_status(Path(f"/proc/{pid}/status").read_text(), key)


def parse_status(status: str, key: str) -> int:
    """One `Key:  N kB` line of /proc/<pid>/status, in bytes."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            number, unit = value.split()
            if unit != "kB":
                raise ValueError(f"unexpected unit {unit!r} for {key}")
            return int(number) * 1024
    raise KeyError(key)


def unavailable_entities(
    registry: list[dict[str, Any]], states: list[dict[str, Any]]
) -> tuple[int, list[str]]:
    """Enabled Enode entities and the ids of those without a state or unavailable."""
    wanted = [
        entry["entity_id"]
        for entry in registry
        if entry.get("platform") == "enode" and not entry.get("disabled_by")
    ]
    state_of = {state["entity_id"]: state["state"] for state in states}
    return len(wanted), [
        entity_id for entity_id in wanted if state_of.get(entity_id, "unavailable") == "unavailable"
    ]


async def settle() -> None:
    """Let start-up work finish before memory is read."""
    await asyncio.sleep(SETTLE)


async def wait_available(api: HomeAssistantApi, started: float, result: Result) -> float:
    """Seconds from `started` until every enabled Enode entity is available (bounded)."""
    deadline = time.monotonic() + AVAILABLE_TIMEOUT
    last: list[str] | None = None
    changed = time.monotonic()
    while time.monotonic() < deadline:
        entries = await api.request("GET", "/api/config/config_entries/entry?domain=enode")
        if entries and all(entry["state"] == "loaded" for entry in entries):
            [registry, devices] = await api.ws(
                [{"type": "config/entity_registry/list"}, {"type": "config/device_registry/list"}]
            )
            states = await api.request("GET", "/api/states")
            enabled, missing = unavailable_entities(registry, states)
            if missing != last:
                last, changed = missing, time.monotonic()
            if enabled and not missing:
                elapsed = time.monotonic() - started
                result.entities = sum(1 for e in registry if e.get("platform") == "enode")
                result.enabled = enabled
                entry_ids = {entry["entry_id"] for entry in entries}
                result.devices = sum(
                    1 for d in devices if entry_ids & set(d.get("config_entries", []))
                )
                result.unavailable = []
                return elapsed
            if enabled and time.monotonic() - changed > STUCK_AFTER:
                result.unavailable = missing
                raise StackError(
                    f"{len(missing)} of {enabled} Enode entities stayed unavailable "
                    f"({', '.join(missing[:5])} ...)"
                )
        await asyncio.sleep(1.0)
    raise StackError(f"the Enode entities were not all available within {AVAILABLE_TIMEOUT} s")


async def emulator_assets(settings: StackSettings) -> int:
    """Assets of the emulator's household (HEM systems included), from its admin API."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{settings.emulator_url}/_emulator/state") as answer,
    ):
        state = await answer.json()
    return len(state["assets"])


async def first_run(settings: StackSettings, pid: int, result: Result) -> None:
    """Memory before Enode, add Enode through the config flow, wait, memory after."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await ensure_logged_in(api)
        await confirm_http_config(api)
        await enable_advanced_mode(api)
        await settle()
        result.rss_before = memory(pid)
        started = time.monotonic()
        await add_enode_integration(api, settings.emulator_url)
        result.flow_to_available = await wait_available(api, started, result)
        await settle()
        result.rss_after = memory(pid)
        result.hwm_after = memory(pid, "VmHWM")
    result.assets = await emulator_assets(settings)


async def restart_run(settings: StackSettings, pid: int, started: float, result: Result) -> None:
    """After a restart with the entry: time until every Enode entity is available, memory."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await ensure_logged_in(api)
        result.start_to_available = await wait_available(api, started, result)
        await settle()
        result.rss_restart = memory(pid)
        result.hwm_restart = memory(pid, "VmHWM")


def measure(scenario: str) -> Result:
    """Both runs for one household, on scratch ports and a scratch configuration."""
    result = Result(scenario)
    with tempfile.TemporaryDirectory() as scratch:
        settings = StackSettings(
            config_dir=Path(scratch),
            ha_port=free_port(),
            emulator_port=free_port(),
            emulator_scenario=scenario,
            skip_pip=True,  # no run-time installs: the .venv holds every requirement
        )
        with Stack(settings) as stack:
            asyncio.run(first_run(settings, stack.processes[-1].pid, result))
        started = time.monotonic()
        with Stack(settings) as stack:
            asyncio.run(restart_run(settings, stack.processes[-1].pid, started, result))
    return result


def table(results: list[Result]) -> str:
    """The Markdown table of the results (memory in MiB, per asset in KiB)."""
    lines = [
        (
            "| Household | Assets | Enode entities (enabled) | Enode devices | RSS before Enode "
            "| RSS with Enode (peak) | Per asset | Add (config flow) → all available "
            "| Restart → all available | RSS after restart (peak) | Per asset after restart |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines.extend(
        f"| {r.scenario} | {r.assets} | {r.entities} ({r.enabled}) | {r.devices} "
        f"| {r.rss_before / MIB:.0f} MiB | {r.rss_after / MIB:.0f} MiB ({r.hwm_after / MIB:.0f}) "
        f"| {r.per_asset(r.rss_after) / 1024:.0f} KiB | {r.flow_to_available:.1f} s "
        f"| {r.start_to_available:.1f} s "
        f"| {r.rss_restart / MIB:.0f} MiB ({r.hwm_restart / MIB:.0f}) "
        f"| {r.per_asset(r.rss_restart) / 1024:.0f} KiB |"
        for r in results
    )
    if len(results) > 1:
        small, large = min(results, key=lambda r: r.assets), max(results, key=lambda r: r.assets)
        lines.append("")
        lines.append(
            f"Marginal memory per asset from {small.scenario} to {large.scenario} (fixed cost "
            f"left out): {marginal(small, large, small.rss_after, large.rss_after) / 1024:.0f}"
            " KiB after adding, "
            f"{marginal(small, large, small.rss_restart, large.rss_restart) / 1024:.0f}"
            " KiB after the restart."
        )
    return "\n".join(lines)


def marginal(small: Result, large: Result, small_rss: int, large_rss: int) -> float:
    """Bytes per asset between two households (what each further asset costs)."""
    assets = large.assets - small.assets
    return (large_rss - small_rss) / assets if assets else 0.0


def main() -> int:
    """Measure each household and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", default="demo,scale:300", help="comma-separated")
    args = parser.parse_args()
    results: list[Result] = []
    for scenario in args.scenarios.split(","):
        print(f"measuring {scenario} ...", file=sys.stderr, flush=True)
        try:
            results.append(measure(scenario))
        except StackError as err:
            print(f"{scenario}: {err}", file=sys.stderr)
            return 1
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
