"""Statistics behaviour a mutation pass found unchecked (issue 25, "Beyond this list").

Each test names the one-line bug it catches; the emulator answers the statistics requests and
the rows are read back from the recorder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
import pytest

from custom_components.enode.statistics import StatisticsImporter, statistic_id
from enode_emulator import Emulator, routes_stats
from enode_emulator.statistics import hem_statistics

from .platform_helpers import HEM
from .test_statistics import BACKFILL_DAYS, START, _setup, rows, run, stat_requests


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
    """The demo household's statistics importer, set up as in test_statistics.py."""
    return await _setup(hass, emulator, freezer, START)


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
    assert len(await rows(hass, statistic_id(HEM, "discharge"))) == 24 + 24 + 25
