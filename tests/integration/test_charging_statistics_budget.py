"""The charging statistics import's request budget over simulated days (issue 19)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.statistics import StatisticsImporter
from enode_emulator import Emulator

from .conftest import DEMO_USER, entry_data
from .platform_helpers import VEHICLE

START = datetime(2025, 10, 27, 10, 0, tzinfo=UTC)  # 11:00 in Oslo
PATH = f"/users/{DEMO_USER}/statistics/charging"
STEP = 1200  # seconds: the clocks move in 20-minute steps (each one a coordinator poll)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture(autouse=True)
async def settle(hass: HomeAssistant) -> AsyncGenerator[None]:
    """No import may still be reading the recorder when it shuts down."""
    yield
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed simulated now."""
    return START


def requests_between(emulator: Emulator, start: datetime, end: datetime) -> int:
    """Charging statistics requests answered in [start, end) of simulated time."""
    return sum(
        1
        for item in emulator.request_log
        if item.path == PATH
        and item.status != 401
        and start <= datetime.fromisoformat(item.time) < end
    )


async def test_requests_per_day_with_nightly_smart_charging(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo household (a vehicle and a charger) smart charging every night.

    Day one is setup (backfill); days two and three are the steady state: the vehicle's closed
    hours after each charging hour plus one daily correction per asset. Without push the
    coordinator polls (the worst case for noticing charging; push only makes it sooner).
    """
    # The HEM and inverter import is not under test (and its day requests are slow to answer).
    monkeypatch.setattr(StatisticsImporter, "async_start", lambda self: None)
    await hass.config.async_set_time_zone("Europe/Oslo")
    freezer.move_to(START)
    emulator.seed_charging_history(DEMO_USER, 7)
    entry = MockConfigEntry(
        domain="enode",
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Enode's own state set up through the client, as another app would.
    client = entry.runtime_data.client
    await client.set_vehicle_smart_charging_policy(VEHICLE, is_enabled=True, deadline="07:00")
    vehicle = emulator.core.store.find_asset(VEHICLE)
    days = 3
    for step in range(days * 24 * 3600 // STEP):
        moment = START + timedelta(seconds=(step + 1) * STEP)
        if moment.hour == 10 and moment.minute == 0 and step:
            # Driven during the day and plugged in again: the plan charges at night.
            emulator.plug_vehicle(VEHICLE, False)
            vehicle.sim["level"] = 50.0
            emulator.patch_asset(
                VEHICLE, {"chargeState": {"batteryLevel": 50.0, "isFullyCharged": False}}
            )
            emulator.plug_vehicle(VEHICLE, True)
        await emulator.advance(STEP)
        freezer.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)

    per_day = [
        requests_between(emulator, START + timedelta(days=n), START + timedelta(days=n + 1))
        for n in range(days)
    ]
    charged_hours = {
        datetime.fromtimestamp(reading.start, UTC).replace(minute=0)
        for session in emulator.core.charging.sessions
        if session.asset_id == VEHICLE and not session.seeded
        for reading in session.readings
    }
    nights = {(hour + timedelta(hours=12)).date() for hour in charged_hours}
    assert len(nights) == days  # the plan charged every night
    # Steady state: one fetch per hour after a charging hour (the session's hours and the
    # one it ended in) plus one correction per asset; never a fetch per asset and hour.
    per_night = len(charged_hours) / days
    # Measured with the demo household: 4 a day (3 after the night's charging hours, one of
    # them also the vehicle's correction, and the idle charger's correction), against 48 for
    # fetching both assets every hour.
    for count in per_day[1:]:
        assert 2 < count <= per_night + 1 + 2
