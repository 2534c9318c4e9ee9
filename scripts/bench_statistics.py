"""Benchmark of the statistics importer: a 90-day backfill, then 48 hours of steady state.

Not a test. Runs the importer's fetch and integration path with the real API client against the
emulator's demo household (one HEM system, one inverter) and counts the statistics requests and
the hourly rows produced. The recorder is replaced by a collector: database writes are not timed.

Steady state is push healthy: a statistics event every minute (counted by the importer, they
fetch nothing) and the run Home Assistant's clock starts ``RUN_MINUTE`` after every UTC hour.

Prints:
- statistics requests per asset (must be days + 1 per asset: one per local day, never per series);
- hourly rows per series, and wall-clock time of the whole backfill;
- steady state: requests per hour and source (must be 1, REFETCH_DAYS + 1 in the daily
  correction's hour), corrections in 48 hours (must be 2).

Run: .venv/bin/python scripts/bench_statistics.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
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
STEADY_HOURS = 48
EVENTS_PER_HOUR = 60  # push healthy: HEM systems report about every minute


async def main() -> int:
    """Run the backfill, print the figures; exit non-zero if the request bound is broken."""
    emulator = Emulator(EmulatorConfig(scenario="demo", seed=1, speed=0, start_time=NOW))
    await emulator.start(host="127.0.0.1", port=0)
    rows: dict[str, int] = {}
    newest: dict[str, datetime] = {}
    clock = [NOW]

    def collect(_hass: Any, meta: Any, stats: Any) -> None:
        stats = list(stats)
        rows.setdefault(meta["statistic_id"], 0)
        rows[meta["statistic_id"]] = max(rows[meta["statistic_id"]], len(stats))
        newest[meta["statistic_id"]] = max(row["start"] for row in stats)

    async def last_hour(_hass: Any, statistic: str) -> datetime | None:
        return newest.get(statistic)

    async def nothing_stored(*_args: Any) -> tuple[float, dict[datetime, float | None]]:
        return 0.0, {}

    async def no_store(*_args: Any) -> None:
        return None

    per_hour: list[tuple[int, int]] = []
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
            entry = SimpleNamespace(options={CONF_BACKFILL_DAYS: DAYS}, entry_id="bench")
            importer = module.StatisticsImporter(
                None,  # type: ignore[arg-type]
                entry,  # type: ignore[arg-type]
                client,
                coordinator,  # type: ignore[arg-type]
            )
            module.async_last_hour = last_hour  # type: ignore[assignment]
            module.async_stored = nothing_stored  # type: ignore[assignment]
            importer._async_remember = no_store  # type: ignore[method-assign]  # noqa: SLF001
            module.async_add_external_statistics = collect  # type: ignore[assignment]
            module.async_dispatcher_send = lambda *_args: None  # type: ignore[assignment]
            module.dt_util.utcnow = lambda: clock[0]  # type: ignore[assignment]
            await client.async_get_token()
            start = len(emulator.request_log)
            began = time.perf_counter()
            await importer.async_run()
            elapsed = time.perf_counter() - began
            backfill_log = emulator.request_log[start:]

            # Steady state: runs at RUN_MINUTE past every hour, events in between.
            clock[0] = NOW + timedelta(minutes=module.RUN_MINUTE)
            await emulator.advance(module.RUN_MINUTE * 60)
            corrections = 0
            for _ in range(STEADY_HOURS):
                for _ in range(EVENTS_PER_HOUR):
                    importer._async_signal()  # noqa: SLF001 - what a delivery does
                await emulator.advance(3600)
                clock[0] += timedelta(hours=1)
                mark = len(emulator.request_log)
                due = [s.correct_at for s in importer.assets.values()]
                await importer.async_run()
                # The emulator's clock runs an hour per step while the client's token cache
                # keeps real time: the token expires every step, Enode answers 401 and the
                # client retries with a new token. Those retries are the bench's, not counted.
                log = [e for e in emulator.request_log[mark:] if e.status != 401]
                corrections += any(at is not None and clock[0] >= at for at in due)
                per_hour.append(
                    (
                        sum(1 for e in log if e.path.startswith("/hem-systems/")),
                        sum(1 for e in log if e.path.startswith("/inverters/")),
                    )
                )
    finally:
        await emulator.stop()
    hem = sum(1 for e in backfill_log if e.path.startswith("/hem-systems/"))
    inverter = sum(1 for e in backfill_log if e.path.startswith("/inverters/"))
    print(f"{DAYS}-day backfill, demo household (1 HEM system, 1 inverter)")
    print(f"  requests: HEM system {hem}, inverter {inverter}, total {len(backfill_log)}")
    for statistic, count in sorted(rows.items()):
        print(f"  {statistic}: {count} hourly rows")
    print(
        f"  wall time: {elapsed:.2f} s "
        f"({elapsed / max(len(backfill_log), 1) * 1000:.1f} ms per request)"
    )
    total = sum(h + i for h, i in per_hour)
    print(
        f"{STEADY_HOURS} hours of steady state, push healthy "
        f"({EVENTS_PER_HOUR} statistics events per hour)"
    )
    print(f"  requests per hour: {total / STEADY_HOURS:.2f} (total {total})")
    print(f"  per hour and source (HEM, inverter): {sorted(set(per_hour))}")
    print(f"  corrections: {corrections}")
    steady = [item for item in per_hour if item != (2, 2)]
    ok = (
        hem == inverter == DAYS + 1
        and all(item == (1, 1) for item in steady)
        and corrections == per_hour.count((2, 2)) == STEADY_HOURS // 24
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
