"""Statistics at scale: one request per HEM system and stand-alone inverter an hour, no duplicates.

Three groups of the demo's mix (`scale:21`: each inverter in its group's HEM system) plus two
stand-alone inverters of a vendor without HEM systems, one of which reports no production
statistics. A simulated day with push healthy, read from the emulator's request log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, Generator
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS, DOMAIN
from custom_components.enode.statistics import REFETCH_DAYS, statistic_id
from enode_emulator import Emulator, EmulatorConfig
from scripts.devstack import demo_energy_prefs

from .conftest import DEMO_USER, entry_data, push_healthy
from .platform_helpers import INVERTER
from .test_statistics import rows

START = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
ALONE = "5ca1e000-0000-4000-8000-00000000a10e"  # a stand-alone inverter with statistics
MUTE = "5ca1e000-0000-4000-8000-00000000a11e"  # a stand-alone one without
HOURS = 24
STEP = timedelta(minutes=5)  # within a heartbeat period: push stays healthy


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture(autouse=True)
def sensors_only() -> Generator[None]:
    """Statistics need no platform; the sensors keep the set-up realistic and cheap."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncGenerator[Emulator]:
    """Three HEM households and two stand-alone inverters; the clock moves with advance()."""
    emulator = Emulator(
        EmulatorConfig(scenario="scale:21", seed=1, speed=0.0, action_delay=20.0, start_time=START)
    )
    await emulator.start()
    emulator.add_asset(DEMO_USER, {"type": "inverter", "vendor": "FRONIUS", "id": ALONE})
    emulator.add_asset(
        DEMO_USER,
        {
            "type": "inverter",
            "vendor": "FRONIUS",
            "id": MUTE,
            "state": {"capabilities": {"productionStatistics": {"isCapable": False}}},
        },
    )
    yield emulator
    await emulator.stop()


def statistics_requests(emulator: Emulator, since: int = 0) -> Counter[tuple[str, str]]:
    """Statistics requests per (asset id, emulator hour)."""
    return Counter(
        (item.path.split("/")[2], item.time[:13])
        for item in emulator.request_log[since:]
        if item.method == "GET" and item.path.endswith("/statistics")
    )


async def step(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move Enode's clock, then Home Assistant's; run what became due.

    In this order Home Assistant never runs ahead of Enode: a run due in the step sees Enode
    at the same moment (the other order lets it ask while Enode is still in the past).
    """
    await emulator.advance(delta.total_seconds())
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    # The rows queued are committed before the next run reads where the import stands, as a
    # real recorder does within a second (its thread does not follow the frozen clock).
    await async_wait_recording_done(hass)


@pytest.mark.usefixtures("ha_client")  # Home Assistant reachable: push
async def test_one_request_per_hem_system_and_standalone_inverter_an_hour(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """Inverters in a HEM system and those without production statistics are never asked."""
    freezer.move_to(START)
    store = emulator.core.store
    hems = sorted(a.id for a in store.assets.values() if a.kind == "hem-system")
    members = sorted(a.id for a in store.assets.values() if a.data.get("hemSystemId"))
    inverters = [a for a in members if store.assets[a].kind == "inverter"]
    assert len(hems) == 3
    assert len(inverters) == 3
    assert INVERTER in inverters
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: 1},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    def simulated() -> float:
        return (emulator.core.clock.now() - START).total_seconds()

    # The token cache on Enode's (simulated) clock, as bench_day.py: its tokens expire by it.
    entry.runtime_data.client._tokens._clock = simulated
    for _ in range(12):  # the first run (backfill), then the hour's run at 11:05
        await step(hass, emulator, freezer, STEP)
    assert await push_healthy(hass, entry)
    first = len(emulator.request_log)
    for _ in range(HOURS * 12):
        await step(hass, emulator, freezer, STEP)
    assert await push_healthy(hass, entry)
    everything = statistics_requests(emulator)
    assert not [key for key in everything if key[0] in (*inverters, MUTE)]
    measured = statistics_requests(emulator, first)
    for asset in (*hems, ALONE):
        hourly = [count for (asset_id, _), count in measured.items() if asset_id == asset]
        assert len(hourly) == HOURS, asset  # every hour asked
        # One an hour. Two hours ask more: the daily correction (the days it fetches again)
        # and the first run after local midnight, whose closing hour of yesterday needs
        # yesterday's day too (statistics.plan_days).
        assert sorted(hourly)[:-2] == [1] * (HOURS - 2), asset
        assert sum(hourly) <= HOURS + 1 + REFETCH_DAYS + 1, asset

    # The demo household's Energy dashboard reads series that are there, up to the last hour.
    await async_wait_recording_done(hass)
    prefs = demo_energy_prefs(None)
    assert prefs is not None
    shown = [
        stat
        for source in prefs["energy_sources"]
        for key, stat in source.items()
        if key.startswith("stat_energy_")
    ]
    assert len(shown) == 5
    for stat in shown:
        found = await rows(hass, stat)
        assert found, stat
        assert found[-1]["start"] >= (START + timedelta(hours=HOURS - 1)).timestamp(), stat
    # The HEM member inverter's own series is not written (its production is `generation`).
    assert not await rows(hass, statistic_id(INVERTER, "production"))
    assert await rows(hass, statistic_id(ALONE, "production"))
