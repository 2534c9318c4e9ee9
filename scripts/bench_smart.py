"""Benchmark: the Enode requests per hour that smart charging adds, with push healthy and without.

Runs Home Assistant's own test harness (pytest-homeassistant-custom-component) against the
emulator's demo household, with smart charging enabled and a plan running, and simulates one
hour: as many coordinator polls as the coordinator's own interval puts in an hour (30 min with
push, 5 min without), with the emulator's clock moving between them (it delivers its webhooks
and heartbeats as it goes). It counts the requests Home Assistant sent per path and prints those of
the smart layer (smart charging status, Locations) per hour, and all requests for comparison.

    .venv/bin/python scripts/bench_smart.py
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
import re
import sys

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if "pytest" in sys.modules and __name__ != "__main__":
    from aiohttp.test_utils import TestClient
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from enode_emulator import Emulator
    from tests.integration.platform_helpers import VEHICLE

    # The integration tests' fixtures: emulator, config entry, Home Assistant's HTTP server.
    pytest_plugins = ["tests.integration.conftest"]

    UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    SMART = ("/smart-charging-status", "/locations")
    HOUR = timedelta(hours=1)

    async def _hour(
        hass: HomeAssistant, emulator: Emulator, entry: MockConfigEntry, *, push: bool
    ) -> Counter[str]:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        client = entry.runtime_data.client
        await client.set_vehicle_smart_charging_policy(VEHICLE, is_enabled=True, deadline="07:00")
        await emulator.advance(1)
        await hass.async_block_till_done()
        assert entry.runtime_data.push.healthy is push
        coordinator = entry.runtime_data.coordinator
        interval = coordinator.update_interval
        assert interval is not None
        start = len(emulator.request_log)
        # The coordinator's own poll interval decides how many polls an hour holds. The polls are
        # run directly: moving Home Assistant's clock would also expire in-flight HTTP timeouts.
        for _ in range(round(HOUR / interval)):
            await emulator.advance(interval.total_seconds())
            await hass.async_block_till_done()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
        assert entry.runtime_data.push.healthy is push
        return Counter(
            f"{e.method} {UUID.sub('{id}', e.path)}"
            for e in emulator.request_log[start:]
            if not e.path.startswith(("/oauth2", "/_emulator"))
        )

    def _report(label: str, counts: Counter[str]) -> None:
        smart = sum(n for key, n in counts.items() if key.endswith(SMART) or "/locations" in key)
        total = sum(counts.values())
        print(f"\n{label}: smart layer {smart} requests/hour; all requests {total}/hour")
        for key, n in counts.most_common():
            print(f"  {n:4d}  {key}")

    async def test_push_healthy(
        hass: HomeAssistant,
        emulator: Emulator,
        ha_client: TestClient,  # type: ignore[type-arg]
        config_entry: MockConfigEntry,
    ) -> None:
        """Push healthy: the status arrives by webhook."""
        _report("Push healthy", await _hour(hass, emulator, config_entry, push=True))

    async def test_without_push(
        hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
    ) -> None:
        """No push (no URL Enode can reach): the status is polled with the vehicle."""
        _report("Without push", await _hour(hass, emulator, config_entry, push=False))


if __name__ == "__main__":
    sys.exit(
        pytest.main(
            [
                __file__,
                *("-q", "-s", "-W", "ignore", "-p", "no:cacheprovider", "--rootdir", str(ROOT)),
            ]
        )
    )
