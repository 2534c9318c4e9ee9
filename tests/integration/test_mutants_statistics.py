"""Statistics behaviour a mutation pass found unchecked (issue 25, "Beyond this list").

Each test names the one-line bug it catches; the emulator answers the statistics requests and
the rows are read back from the recorder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.models import StatisticData
from homeassistant.components.recorder.statistics import async_add_external_statistics
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS
from custom_components.enode.statistics import StatisticsImporter, metadata, statistic_id
from enode_emulator import Emulator, routes_stats
from enode_emulator.statistics import hem_statistics

from .conftest import entry_data
from .platform_helpers import HEM
from .test_statistics import START, rows, run, stat_requests

BACKFILL_DAYS = 1  # 26 October (25 hours: summer time ends) and today


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture
def emulator_start_time() -> datetime:
    """The statistics tests' simulated now (27 October 2025, 13:00 in Oslo)."""
    return START


@pytest.fixture
async def importer(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> StatisticsImporter:
    """The demo household's statistics importer with one day of backfill (fewer requests)."""
    freezer.move_to(START)
    entry = MockConfigEntry(
        domain="enode",
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_demo-user",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: BACKFILL_DAYS},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    statistics = entry.runtime_data.statistics
    assert statistics is not None
    return statistics


async def test_today_without_fine_data_asks_for_no_month(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only today lacks 5-minute discharge data: the month's daily values are not asked for
    (today's daily value is never written while the day runs), and past days import as usual.

    Kills: today counted among the days that need the month fallback.
    """
    today = START.date().isoformat()

    def today_without_discharge(*args: Any, **kwargs: Any) -> Any:
        body = hem_statistics(*args, **kwargs)
        if kwargs["interval"] == today:
            body["timeseries"]["discharge"] = {"isAvailable": False, "reason": "not yet"}
        return body

    monkeypatch.setattr(routes_stats, "hem_statistics", today_without_discharge)
    await run(hass, importer)
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1  # the days, no month
    assert len(await rows(hass, statistic_id(HEM, "discharge"))) == 25


async def test_sums_continue_across_a_gap_longer_than_a_week(
    hass: HomeAssistant, emulator: Emulator, importer: StatisticsImporter
) -> None:
    """The last imported row is twelve days old (Home Assistant was off): the backfill's
    rows continue from its sum instead of starting again at zero.

    Kills: the row before the written hours looked for in the last week only.
    """
    statistic = statistic_id(HEM, "consumption")
    old = (START - timedelta(days=12)).replace(minute=0)
    async_add_external_statistics(
        hass,
        metadata(statistic, "Old consumption"),
        [StatisticData(start=old, state=2.0, sum=1000.0)],
    )
    await async_wait_recording_done(hass)
    await run(hass, importer)
    found = await rows(hass, statistic)
    assert found[0]["sum"] == 1000.0
    assert len(found) == 1 + 25 + 13
    first_new = found[1]
    assert first_new["sum"] == pytest.approx(1000.0 + first_new["state"], abs=1e-6)
    sums = [row["sum"] for row in found]
    assert sums == sorted(sums)


async def test_rate_limited_first_run_resumes_after_retry_after(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The run after setup meets a 429 with Retry-After 120 s: the import runs again by itself
    once it has passed, not only at the next hourly run (12:05).

    Kills: the pause never followed by its own run (the existing rate-limit tests start their
    run by hand, so the setup's first run stands in for the resumed one).
    """
    emulator.add_fault(path="/hem-systems/*", status=429, count=1, retryAfter=120)
    statistic = statistic_id(HEM, "consumption")
    freezer.tick(timedelta(seconds=31))  # the first run, 30 s after setup
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    assert await rows(hass, statistic) == []
    freezer.tick(timedelta(seconds=121))  # 12:02:32, before the hourly run
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    assert len(await rows(hass, statistic)) == 25 + 13
