"""Benchmark cost against household size: Enode requests per hour by endpoint, setup, CPU.

The `scripts/bench_day.py` method (the integration in Home Assistant's test harness with the
recorder, against the in-process emulator; both clocks moved together) on the emulator's
`scale:ASSETS` households: the demo's mix (vehicle, charger, battery, HVAC unit, inverter,
meter and their HEM system), one group per site, the first group the demo household itself.
Smart charging is off on every vehicle, as in the demo.

For each size and mode (push healthy: Enode's webhook reaches Home Assistant; push down: no
URL, polling only): the requests of the setup (until Home Assistant has set the entry up), then
a warm-up hour (the statistics backfill), then HOURS measured hours in five-minute steps
(Enode's clock first, so Home Assistant never asks a moment Enode has not reached; a step stays
within a heartbeat period). Daily work (the safety poll, the statistics correction) falls
outside a short window: `--hours 25` measures a whole day, slowly.

Prints a Markdown table (requests/hour in both modes, setup requests, the harness's CPU seconds
per simulated hour) and the requests per hour by endpoint.

    .venv/bin/python scripts/bench_scale.py [--sizes 7,25,100,300] [--hours 3]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import timedelta
import logging
import os
from pathlib import Path
import sys
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

MODES = ("push healthy", "push down")
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "7,25,100,300").split(","))
HOURS = int(os.environ.get("BENCH_SCALE_HOURS", "3"))
WARM_UP = timedelta(hours=1)
STEP = timedelta(minutes=5)


@dataclass
class Result:
    """What one size and mode measured."""

    size: int
    mode: str
    assets: Counter[str] = field(default_factory=Counter)
    setup: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0

    @property
    def per_hour(self) -> float:
        """Requests (tokens aside) per measured hour."""
        return sum(self.by_endpoint.values()) / HOURS


RESULTS: dict[tuple[int, str], Result] = {}


def markdown() -> str:
    """The table, then the requests per hour by endpoint."""
    lines = [
        (
            "| Assets (vehicles, HEM systems) | Push healthy (req/h) | Push down (req/h) "
            "| Setup requests (healthy / down) | Harness CPU s per simulated hour "
            "(healthy / down) |"
        ),
        "| --- | --- | --- | --- | --- |",
    ]
    for size in SIZES:
        healthy, down = (RESULTS.get((size, mode)) for mode in MODES)
        known = healthy or down
        if known is None:
            continue
        mix = f"{size} ({known.assets['vehicle']}, {known.assets['hem-system']})"

        def cell(result: Result | None, text: str) -> str:
            return text if result is not None else "-"

        lines.append(
            f"| {mix} | {cell(healthy, f'{healthy.per_hour:.2f}' if healthy else '')} "
            f"| {cell(down, f'{down.per_hour:.1f}' if down else '')} "
            f"| {healthy.setup if healthy else '-'} / {down.setup if down else '-'} "
            f"| {f'{healthy.cpu_seconds / HOURS:.1f}' if healthy else '-'} / "
            f"{f'{down.cpu_seconds / HOURS:.1f}' if down else '-'} |"
        )
    lines.append("")
    for size in SIZES:
        for mode in MODES:
            result = RESULTS.get((size, mode))
            if result is None:
                continue
            parts = ", ".join(
                f"{count / HOURS:.2f} {endpoint}"
                for endpoint, count in result.by_endpoint.most_common()
            )
            lines.append(f"- {size} assets, {mode}, requests/hour: {parts or 'none'}")
    return "\n".join(lines)


def main() -> int:
    """Run every size and mode under pytest (Home Assistant's harness) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--hours", type=int, default=HOURS)
    args = parser.parse_args()
    os.environ["BENCH_SCALE_SIZES"] = args.sizes
    os.environ["BENCH_SCALE_HOURS"] = str(args.hours)
    code = pytest.main(
        [
            str(Path(__file__).resolve()),
            "-p",
            "no:cacheprovider",
            "-q",
            "-s",
            "--rootdir",
            str(ROOT),
            "-o",
            "log_level=WARNING",
            "-W",
            "ignore",
        ]
    )
    # pytest imported this file again under its own module name: its RESULTS hold the figures.
    here = Path(__file__).resolve()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if module is not sys.modules[__name__] and path and Path(path).resolve() == here:
            RESULTS.update(module.RESULTS)
            globals().update(SIZES=module.SIZES, HOURS=module.HOURS)
    print()
    print(f"{HOURS} measured hours after a warm-up hour, five-minute steps.")
    print(markdown())
    return int(code)


# --- the benchmark, collected by pytest when main() runs this file -------------------------

if __name__ != "__main__":  # pytest imports it: Home Assistant after its test plugin
    from aiohttp.test_utils import TestClient
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.components.recorder import Recorder
    from homeassistant.core import HomeAssistant
    from homeassistant.core_config import async_process_ha_core_config
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_fire_time_changed,
    )
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_wait_recording_done,
    )

    from custom_components.enode.config_flow import DEFAULT_OPTIONS
    from custom_components.enode.const import CONF_BACKFILL_DAYS, DOMAIN
    from custom_components.enode.link import async_register_view
    from enode_emulator import Emulator, EmulatorConfig
    from scripts.bench_day import ENODE_RETRIES, START, _fold
    from tests.integration.conftest import DEMO_USER, entry_data

    @pytest.fixture(autouse=True)
    def _harness(
        recorder_mock: Recorder, enable_custom_integrations: None, socket_enabled: None
    ) -> None:
        """The recorder first (statistics import), then the custom integration, sockets on."""
        for name in ("", "sqlalchemy", "sqlalchemy.engine", "homeassistant"):
            logging.getLogger(name).setLevel(logging.WARNING)  # figures, not logs

    @pytest.fixture
    async def emulator(size: int) -> AsyncGenerator[Emulator]:
        """A household of `size` assets; its clock moves only with advance()."""
        emulator = Emulator(
            EmulatorConfig(
                scenario=f"scale:{size}",
                seed=1,
                speed=0.0,
                action_delay=3.0,
                start_time=START,
                webhook_retry_delays=ENODE_RETRIES,
            )
        )
        await emulator.start()
        yield emulator
        await emulator.stop()

    def _counted(emulator: Emulator, since: int, until: int | None = None) -> Counter[str]:
        """Requests to Enode by endpoint (tokens, admin and health aside)."""
        found: Counter[str] = Counter()
        for item in emulator.request_log[since:until]:
            if item.path.startswith(("/_emulator", "/health", "/oauth2")):
                continue
            found[f"{item.method} {_fold(item.path)}"] += 1
        return found

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("size", SIZES)
    async def test_scale(  # noqa: PLR0917 - pytest fixtures and parameters
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        emulator: Emulator,
        hass_client_no_auth: Any,
        size: int,
        mode: str,
    ) -> None:
        """Set up the household, warm up an hour, measure HOURS hours."""
        freezer.move_to(START)
        assert await async_setup_component(hass, "http", {})
        assert await async_setup_component(hass, "webhook", {})
        async_register_view(hass)
        if mode == "push down":
            hass.config.api = None  # no URL for Enode to call: polling only
        else:
            hass.http.app._router.freeze = lambda: None  # noqa: SLF001 - as tests/integration
            client: TestClient = await hass_client_no_auth()
            await async_process_ha_core_config(
                hass, {"internal_url": f"http://127.0.0.1:{client.server.port}"}
            )
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Enode (custom)",
            unique_id=f"{emulator.client_id}_{DEMO_USER}",
            data=entry_data(emulator),
            options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: 1},
        )
        entry.add_to_hass(hass)
        result = Result(size=size, mode=mode)
        result.assets.update(asset.kind for asset in emulator.core.store.assets.values())
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        result.setup = sum(_counted(emulator, 0).values())
        runtime = entry.runtime_data
        runtime.client._retry_base_delay = 0  # noqa: SLF001 - a retry's sleep would wait for the frozen clock

        def simulated() -> float:
            return (emulator.core.clock.now() - START).total_seconds()

        runtime.client._tokens._clock = simulated  # noqa: SLF001 - the token cache on the simulated clock

        async def step() -> None:
            await emulator.advance(STEP.total_seconds())
            freezer.tick(STEP)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
            # Commit the statistics rows, as a real recorder does within a second: the next
            # hourly run reads where the import stands (its thread ignores the frozen clock).
            await async_wait_recording_done(hass)

        for _ in range(int(WARM_UP / STEP)):
            await step()
        assert runtime.push.healthy is (mode == "push healthy")
        first = len(emulator.request_log)
        cpu = time.process_time()
        for _ in range(int(timedelta(hours=HOURS) / STEP)):
            await step()
        result.cpu_seconds = time.process_time() - cpu
        assert runtime.push.healthy is (mode == "push healthy")
        result.by_endpoint = _counted(emulator, first)
        RESULTS[(size, mode)] = result
        print(f"\n{size} assets, {mode}: {result.per_hour:.2f} requests/hour", flush=True)


if __name__ == "__main__":
    sys.exit(main())
