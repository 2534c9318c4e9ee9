"""Benchmark of the statistics importer: a 90-day backfill against the in-process emulator.

Not a test. Runs the importer's fetch and integration path with the real API client against the
emulator's demo household (one HEM system, one inverter) and counts the statistics requests and
the hourly rows produced. The recorder is replaced by a collector: database writes are not timed.

Prints:
- statistics requests per asset (must be days + 1 per asset: one per local day, never per series);
- hourly rows per series, and wall-clock time of the whole backfill.

Run: .venv/bin/python scripts/bench_statistics.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
import sys
import time
from types import SimpleNamespace
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.enode import statistics as module
from custom_components.enode.api import AssetType, EnodeClient, parse_asset
from custom_components.enode.const import CONF_BACKFILL_DAYS
from custom_components.enode.coordinator import EnodeSnapshot
from enode_emulator import Emulator, EmulatorConfig

DAYS = 90
HEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"
INVERTER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05"
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


async def main() -> int:
    """Run the backfill, print the figures; exit non-zero if the request bound is broken."""
    emulator = Emulator(EmulatorConfig(scenario="demo", seed=1, speed=0, start_time=NOW))
    await emulator.start(host="127.0.0.1", port=0)
    rows: dict[str, int] = {}

    def collect(_hass: Any, meta: Any, stats: Any) -> None:
        rows[meta["statistic_id"]] = len(list(stats))

    async def no_history(*_args: Any) -> None:
        return None

    async def zero(*_args: Any) -> float:
        return 0.0

    try:
        async with aiohttp.ClientSession() as session:
            client = EnodeClient(
                session,
                emulator.client_id,
                emulator.client_secret,
                api_url=emulator.base_url,
                token_url=emulator.token_url,
            )
            assets = {
                asset_id: parse_asset(kind, emulator.asset(asset_id))
                for asset_id, kind in ((HEM, AssetType.HEM_SYSTEM), (INVERTER, AssetType.INVERTER))
            }
            coordinator = SimpleNamespace(data=EnodeSnapshot(user=None, assets=assets))
            entry = SimpleNamespace(options={CONF_BACKFILL_DAYS: DAYS})
            importer = module.StatisticsImporter(
                None,  # type: ignore[arg-type]
                entry,  # type: ignore[arg-type]
                client,
                coordinator,  # type: ignore[arg-type]
            )
            importer._async_last_hour = no_history  # type: ignore[method-assign]  # noqa: SLF001
            importer._async_sum_before = zero  # type: ignore[method-assign]  # noqa: SLF001
            module.async_add_external_statistics = collect  # type: ignore[assignment]
            module.dt_util.utcnow = lambda: NOW  # type: ignore[assignment]
            await client.async_get_token()
            start = len(emulator.request_log)
            began = time.perf_counter()
            await importer.async_run()
            elapsed = time.perf_counter() - began
    finally:
        await emulator.stop()
    log = emulator.request_log[start:]
    hem = sum(1 for e in log if e.path.startswith("/hem-systems/"))
    inverter = sum(1 for e in log if e.path.startswith("/inverters/"))
    print(f"{DAYS}-day backfill, demo household (1 HEM system, 1 inverter)")
    print(f"  requests: HEM system {hem}, inverter {inverter}, total {len(log)}")
    for statistic, count in sorted(rows.items()):
        print(f"  {statistic}: {count} hourly rows")
    print(f"  wall time: {elapsed:.2f} s ({elapsed / max(len(log), 1) * 1000:.1f} ms per request)")
    return 0 if hem == inverter == DAYS + 1 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
