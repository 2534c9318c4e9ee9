"""The statistics imports' clock: a coordinator per importer that honours Enode's Retry-After."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.charging_statistics import FETCH_MINUTE, FIRST_RUN_DELAY
from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from enode_emulator import Emulator

from .conftest import DEMO_USER, entry_data

# The charging statistics' fixtures: the recorder, a fixed start and ten days of history.
from .test_charging_statistics import (  # noqa: F401
    START,
    auto_enable_custom_integrations,
    country,
    emulator_start_time,
    entry,
    requests,
    settle,
)


async def at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move the clock to START + seconds and run what became due."""
    freezer.move_to(START + timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


async def test_a_rate_limited_run_retries_after_retry_after_not_the_hour(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,  # noqa: F811
    freezer: FrozenDateTimeFactory,
) -> None:
    """The first run gets a 429 (Retry-After 600 s): the next comes 600 s later, not at :20."""
    emulator.add_fault(
        path=f"/users/{entry.data['user_id']}/statistics/charging",
        status=429,
        count=1,
        retryAfter=600,
    )
    await at(hass, freezer, FIRST_RUN_DELAY + 1)
    assert requests(emulator) == 1  # refused
    await at(hass, freezer, FIRST_RUN_DELAY + 590)
    assert requests(emulator) == 1  # still waiting for Enode
    await at(hass, freezer, FIRST_RUN_DELAY + 602)
    assert requests(emulator) == 3  # both assets, long before the hourly run at :20
    assert FIRST_RUN_DELAY + 602 < FETCH_MINUTE * 60
    # Afterwards the clock is back on the hour: nothing until minute 20 of the next hour.
    await at(hass, freezer, 3600 + FETCH_MINUTE * 60 - 5)
    assert requests(emulator) == 3


async def test_runs_follow_the_hour(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,  # noqa: F811
    freezer: FrozenDateTimeFactory,
) -> None:
    """After the first run the next is due at minute 20 of an hour (not an hour after setup)."""

    async def last_run() -> str | None:
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        return cast("str | None", diagnostics["charging_statistics"]["last_run"])

    await at(hass, freezer, FIRST_RUN_DELAY + 1)
    assert requests(emulator) == 2
    first = START + timedelta(seconds=FIRST_RUN_DELAY + 1)
    assert await last_run() == first.isoformat()
    await at(hass, freezer, FETCH_MINUTE * 60 - 5)
    assert await last_run() == first.isoformat()
    await at(hass, freezer, FETCH_MINUTE * 60 + 2)
    assert await last_run() == (START + timedelta(minutes=FETCH_MINUTE, seconds=2)).isoformat()


@pytest.fixture
async def config_entry_polling_off(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The demo household with Home Assistant's "Enable polling for changes" off."""
    freezer.move_to(START)
    assert emulator.seed_charging_history(DEMO_USER, 10) > 0
    polling_off = MockConfigEntry(
        domain="enode",
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: 2},
        pref_disable_polling=True,
    )
    polling_off.add_to_hass(hass)
    assert await hass.config_entries.async_setup(polling_off.entry_id)
    await hass.async_block_till_done()
    return polling_off


async def test_imports_and_vendor_status_run_with_polling_disabled(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    config_entry_polling_off: MockConfigEntry,
) -> None:
    """Device polling off: statistics still import every hour and vendor status still checks."""

    def count(path_part: str) -> int:
        return sum(1 for e in emulator.request_log if path_part in e.path and e.status == 200)

    async def last_run() -> str | None:
        diagnostics = await async_get_config_entry_diagnostics(hass, config_entry_polling_off)
        return cast("str | None", diagnostics["charging_statistics"]["last_run"])

    assert count("/integrations") == 1  # at setup
    first = (START + timedelta(seconds=FIRST_RUN_DELAY + 1)).isoformat()
    await at(hass, freezer, FIRST_RUN_DELAY + 1)
    assert await last_run() == first
    await at(hass, freezer, 6 * 3600 + 2)
    assert count("/integrations") == 2  # six hours on
    assert await last_run() == (START + timedelta(hours=6, seconds=2)).isoformat()  # ran again
