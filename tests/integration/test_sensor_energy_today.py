"""The HEM system's device and its energy-today sensors, fed by the statistics importer."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, date, datetime
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS, DOMAIN
from custom_components.enode.statistics import HEM_SERIES
from enode_emulator import Emulator
from enode_emulator.statistics import hem_statistics

from .conftest import entry_data, poll_now
from .platform_helpers import HEM, INVERTER, asset_device, entity_id
from .test_statistics import standalone_inverter  # noqa: F401 - autouse fixture

START = datetime(2025, 10, 27, 12, 0, tzinfo=UTC)  # 13:00 in Oslo


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    """Set up only the sensor platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed simulated now."""
    return START


@pytest.fixture
async def entry(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The demo household with the recorder; Home Assistant's clock is the emulator's."""
    freezer.move_to(START)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_demo-user",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: 1},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def expected_today(emulator: Emulator, day: date) -> dict[str, float]:
    """kWh per series on the local day so far, integrated here from the emulator's 5-min kW."""
    core = emulator.core
    hem = core.store.find_asset(HEM)
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    body = hem_statistics(
        core.stats,
        hem=hem,
        site=core.store.sites[hem.site_id],
        members=[core.store.assets[key] for key in ids],
        interval=day.isoformat(),
        now=core.clock.now(),
    )
    return {
        name: sum(item["v"] * 5 / 60 for item in body["timeseries"][name]["data"] if item["v"])
        for name in HEM_SERIES
    }


def requests(emulator: Emulator) -> list[str]:
    """Paths of every Enode API request except tokens and 401s.

    The client times its token on the real clock while the test jumps the emulator's by hours,
    so a request after a jump may meet an expired token and be retried once.
    """
    return [
        item.path
        for item in emulator.request_log
        if not item.path.startswith("/oauth2") and item.status != 401
    ]


async def test_hem_device_shows_kind_site_and_installation_date(
    hass: HomeAssistant,
    emulator: Emulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    entry: MockConfigEntry,
) -> None:
    """The HEM device names its kind as model, its site in its name, its installation date."""
    device = asset_device(device_registry, entry, HEM)
    assert device is not None
    assert (device.name, device.manufacturer, device.model) == (
        "Demo household energy system",
        "Huawei",
        "Home energy system",
    )
    installed = entity_id(entity_registry, "sensor", HEM, "installation_date")
    installation = datetime.fromisoformat(emulator.asset(HEM)["information"]["installationDate"])
    assert hass.states.get(installed).state == installation.date().isoformat()


async def test_energy_today_from_the_import_without_extra_requests(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Today's kWh per series come from the run's own requests and start again each day."""
    sensors = {
        name: entity_id(entity_registry, "sensor", HEM, f"today_{name}") for name in HEM_SERIES
    }
    assert {hass.states.get(sensor).state for sensor in sensors.values()} == {STATE_UNKNOWN}
    state = hass.states.get(sensors["import"])
    assert state.attributes["state_class"] == "total_increasing"
    assert state.attributes["unit_of_measurement"] == "kWh"
    assert state.attributes["friendly_name"] == "Demo household energy system Grid import today"

    # One import run on demand; the hourly clock is covered in test_statistics_cadence.py.
    importer = entry.runtime_data.statistics
    assert importer is not None
    before = len(requests(emulator))
    await importer.async_run()
    await hass.async_block_till_done()
    # Its rows are committed before the next run reads where the import stands.
    await async_wait_recording_done(hass)
    # Exactly the importer's day requests (yesterday and today per asset), none for the sensors.
    assert sorted(requests(emulator)[before:]) == sorted(
        [f"/hem-systems/{HEM}/statistics"] * 2 + [f"/inverters/{INVERTER}/statistics"] * 2
    )
    today = expected_today(emulator, date(2025, 10, 27))
    assert today["generation"] > 0.5  # a sunny noon
    for name, sensor in sensors.items():
        assert float(hass.states.get(sensor).state) == pytest.approx(today[name], abs=1e-4), name

    # After local midnight the counters restart: unknown until a run fetches the new day.
    # The hourly run that came due meanwhile (Home Assistant's clock jumped) imports the hours
    # that closed on 27 October: that day only; the new day stays unknown (its first hour has
    # not closed).
    before = len(requests(emulator))
    tomorrow = datetime(2025, 10, 27, 23, 30, tzinfo=UTC)  # 00:30 in Oslo
    freezer.move_to(tomorrow)
    await emulator.advance((tomorrow - START).total_seconds())
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll_now(hass, sensors["import"])
    assert sorted(p for p in requests(emulator)[before:] if p.endswith("/statistics")) == sorted(
        [f"/hem-systems/{HEM}/statistics", f"/inverters/{INVERTER}/statistics"]
    )
    assert hass.states.get(sensors["consumption"]).state == STATE_UNKNOWN
    # 01:05 in Oslo: the hourly run fetches 28 October, the sensors show the new day.
    await emulator.advance(35 * 60)
    freezer.move_to(datetime(2025, 10, 28, 0, 5, tzinfo=UTC))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    new_day = expected_today(emulator, date(2025, 10, 28))
    consumption = float(hass.states.get(sensors["consumption"]).state)
    assert consumption == pytest.approx(new_day["consumption"], abs=1e-4)
    assert 0 < consumption < today["consumption"]
    assert float(hass.states.get(sensors["generation"]).state) == 0.0  # night
