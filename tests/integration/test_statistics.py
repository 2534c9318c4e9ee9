"""Long-term statistics imported from Enode's HEM-system and inverter history (with a recorder)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime, timedelta
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS, SIGNAL_STATISTICS_UPDATED
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from custom_components.enode.statistics import (
    HEM_SERIES,
    StatisticsImporter,
    metadata,
    statistic_id,
)
from enode_emulator import Emulator, routes_stats
from enode_emulator.statistics import NO_DATA, hem_statistics, inverter_statistics

from .conftest import diagnostics, entry_data, event, post_webhook
from .platform_helpers import HEM, INVERTER

OSLO = ZoneInfo("Europe/Oslo")
# Monday after the autumn daylight-saving change (Sunday 26 October 2025 has 25 hours).
START = datetime(2025, 10, 27, 12, 0, tzinfo=UTC)
BACKFILL_DAYS = 3


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed simulated now."""
    return START


@pytest.fixture(autouse=True)
def standalone_inverter(emulator: Emulator) -> None:
    """The demo inverter on its own (``hemSystemId`` null): the inverter importer runs for it.

    In the HEM system its production is the system's ``generation``, not fetched again
    (tests/integration/test_scale_statistics.py).
    """
    emulator.patch_asset(INVERTER, {"hemSystemId": None})


async def _setup(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    start: datetime,
) -> StatisticsImporter:
    """Set up the demo household with the recorder; Home Assistant's clock is the emulator's."""
    freezer.move_to(start)
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
    # These tests drive the importer's runs directly; test_statistics_cadence.py the clock.
    statistics = entry.runtime_data.statistics
    assert statistics is not None
    return statistics


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """No sleeps between 503 retries."""
    return {"retry_base_delay": 0}


@pytest.fixture
async def importer(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    emulator_start_time: datetime,
) -> AsyncGenerator[StatisticsImporter]:
    """The demo household's statistics importer; no import left in flight when the test ends.

    A run the hourly clock started must finish before the recorder closes its database: a
    statistics read in flight then crashed SQLite in the teardown once.
    """
    yield await _setup(hass, emulator, freezer, emulator_start_time)
    await hass.async_block_till_done(wait_background_tasks=True)


async def run(hass: HomeAssistant, importer: StatisticsImporter) -> None:
    """One import, committed."""
    await importer.async_run()
    await async_wait_recording_done(hass)


async def rows(hass: HomeAssistant, statistic: str) -> list[dict[str, Any]]:
    """Every hourly row of a statistic, oldest first."""
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2020, 1, 1, tzinfo=UTC),
        None,
        {statistic},
        "hour",
        None,
        {"state", "sum"},
    )
    return [dict(row) for row in result.get(statistic, [])]


def stat_requests(emulator: Emulator, kind: str) -> int:
    """Statistics requests the emulator answered for an asset kind.

    A 401 is left out: the client times its token on the real clock while the tests jump the
    emulator's by hours, so a request after a jump may meet an expired token and be retried.
    """
    prefix = "/hem-systems/" if kind == "hem" else "/inverters/"
    return sum(
        1
        for item in emulator.request_log
        if item.path.startswith(prefix) and item.path.endswith("/statistics") and item.status != 401
    )


def expected_hem(emulator: Emulator, days: list[date]) -> dict[str, dict[datetime, float]]:
    """kWh per UTC hour, integrated here from the emulator's own 5-minute kW buckets."""
    core = emulator.core
    hem = core.store.find_asset(HEM)
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    members = [core.store.assets[key] for key in ids]
    result: dict[str, dict[datetime, float]] = defaultdict(dict)
    for day in days:
        body = hem_statistics(
            core.stats,
            hem=hem,
            site=core.store.sites[hem.site_id],
            members=members,
            interval=day.isoformat(),
            now=core.clock.now(),
        )
        for name in HEM_SERIES:
            for item in body["timeseries"][name]["data"]:
                if item["v"] is None:
                    continue
                hour = datetime.fromisoformat(item["t"]).astimezone(UTC).replace(minute=0)
                result[name][hour] = result[name].get(hour, 0.0) + item["v"] * 5 / 60
    return result


def assert_continuous(found: list[dict[str, Any]], *, from_zero: bool = True) -> None:
    """Hours on the hour, consecutive, unique; each sum is the previous plus the hour's kWh."""
    starts = [row["start"] for row in found]
    assert len(set(starts)) == len(starts)
    assert all(start % 3600 == 0 for start in starts)
    assert all(b - a == 3600 for a, b in itertools.pairwise(starts))
    if from_zero:
        assert found[0]["sum"] == pytest.approx(found[0]["state"], abs=1e-5)
    for before, row in itertools.pairwise(found):
        assert row["sum"] == pytest.approx(before["sum"] + row["state"], abs=1e-5)


def assert_continuous_sums(found: list[dict[str, Any]]) -> None:
    """Each sum is the previous plus the row's kWh, from zero (rows need not be consecutive)."""
    assert found
    assert found[0]["sum"] == pytest.approx(found[0]["state"], abs=1e-5)
    for before, row in itertools.pairwise(found):
        assert row["sum"] == pytest.approx(before["sum"] + row["state"], abs=1e-5)


async def advance(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move both clocks; the timers that became due run (once each) and their rows commit."""
    await emulator.advance(delta.total_seconds())
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


def hour(row: dict[str, Any]) -> datetime:
    """A row's start as an aware UTC datetime."""
    return datetime.fromtimestamp(row["start"], UTC)


async def test_backfill(
    hass: HomeAssistant, emulator: Emulator, importer: StatisticsImporter
) -> None:
    """The first run imports the option's days, one request per day and asset, exactly."""
    await run(hass, importer)
    days = [date(2025, 10, 24) + timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]
    assert stat_requests(emulator, "hem") == len(days)
    assert stat_requests(emulator, "inverter") == len(days)

    expected = expected_hem(emulator, days)
    for name in HEM_SERIES:
        found = await rows(hass, statistic_id(HEM, name))
        assert_continuous(found)
        # From local midnight of the first day to the last complete hour before now.
        assert hour(found[0]) == datetime(2025, 10, 23, 22, tzinfo=UTC)
        assert hour(found[-1]) == START - timedelta(hours=1)
        assert len(found) == 24 + 24 + 25 + 13  # 24-25 October, 26 October (25 h), 27 until 12Z
        assert {hour(row): row["state"] for row in found} == pytest.approx(expected[name], abs=1e-5)
    generation = {
        hour(row): row["state"] for row in await rows(hass, statistic_id(HEM, "generation"))
    }
    assert max(generation.values()) > 0.1  # daylight
    assert generation[datetime(2025, 10, 26, 0, tzinfo=UTC)] == 0.0  # night is zero, not a gap

    production = await rows(hass, statistic_id(INVERTER, "production"))
    assert_continuous(production)
    assert hour(production[-1]) == START - timedelta(hours=1)

    meta = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={statistic_id(HEM, "import")})
    )
    _, info = meta[statistic_id(HEM, "import")]
    assert info["has_sum"] is True
    assert info["mean_type"] is StatisticMeanType.NONE
    assert (info["unit_class"], info["unit_of_measurement"]) == ("energy", "kWh")
    assert info["source"] == "enode"
    assert info["name"] is not None
    assert info["name"].endswith("grid import")
    assert statistic_id(HEM, "import") == "enode:0b7c2a4e_1f3d_4e5a_8b6c_7d8e9f0a1b07_import"


@pytest.mark.parametrize(
    ("emulator_start_time", "dst_day", "hours"),
    [
        (datetime(2025, 3, 31, 12, tzinfo=UTC), date(2025, 3, 30), 23),
        (datetime(2025, 10, 27, 12, tzinfo=UTC), date(2025, 10, 26), 25),
    ],
)
async def test_daylight_saving_day(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    dst_day: date,
    hours: int,
) -> None:
    """A 23- or 25-hour local day has 23 or 25 hourly rows and its whole energy."""
    await run(hass, importer)
    midnight = datetime(dst_day.year, dst_day.month, dst_day.day, tzinfo=OSLO)
    start = midnight.astimezone(UTC)
    end = (midnight + timedelta(days=1)).replace(tzinfo=OSLO).astimezone(UTC)
    assert (end - start) == timedelta(hours=hours)
    expected = expected_hem(emulator, [dst_day])
    for name in ("consumption", "generation"):
        found = [
            row for row in await rows(hass, statistic_id(HEM, name)) if start <= hour(row) < end
        ]
        assert len(found) == hours
        assert sum(row["state"] for row in found) == pytest.approx(
            sum(expected[name].values()), abs=1e-4
        )
        assert_continuous(found, from_zero=False)


async def test_incremental_run_and_late_correction(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hourly runs fetch today only; the daily correction re-fetches and absorbs corrections."""
    await run(hass, importer)
    statistic = statistic_id(HEM, "generation")
    before = await rows(hass, statistic)
    hem_requests = stat_requests(emulator, "hem")

    # 15:20 UTC: the hourly timer fires once after the jump: one run, today (27 October) only;
    # the hour in progress (15:00, 4 of 12 buckets) is left for a later run.
    await advance(hass, emulator, freezer, timedelta(hours=3, minutes=20))
    assert stat_requests(emulator, "hem") - hem_requests == 1, [
        (item.method, item.path, item.time) for item in emulator.request_log[-12:]
    ]
    after = await rows(hass, statistic)
    assert_continuous(after)
    assert hour(after[-1]) == START + timedelta(hours=2), (hour(before[-1]), hour(after[-1]))
    assert len(after) == len(before) + 3
    today = datetime(2025, 10, 26, 23, tzinfo=UTC)  # 27 October, local midnight
    assert [row for row in after if hour(row) < today] == [
        row for row in before if hour(row) < today
    ]  # earlier days untouched

    # Enode corrects one 5-minute bucket of 26 October (+12 kW for 5 minutes = +1 kWh).
    corrected = datetime(2025, 10, 26, 10, 5, tzinfo=UTC)
    source = emulator.core.stats
    original = source.bucket

    def bucket(site: Any, members: Any, start: int, now: datetime) -> Any:
        values = original(site, members, start, now)
        if values is not None and start == int(corrected.timestamp()):
            values = {**values, "generation": values["generation"] + 12.0}
        return values

    monkeypatch.setattr(source, "bucket", bucket)
    # 16:05: the hourly run fetches today only, so 26 October keeps its hours for now.
    requests = stat_requests(emulator, "hem")
    await advance(hass, emulator, freezer, timedelta(minutes=45))
    assert stat_requests(emulator, "hem") == requests + 1
    hourly = await rows(hass, statistic)
    assert [row for row in hourly if hour(row) < today] == [
        row for row in after if hour(row) < today
    ]
    # 12:05 the next day, a day after the first run: the correction re-fetches from 26 October.
    requests = stat_requests(emulator, "hem")
    await advance(hass, emulator, freezer, timedelta(hours=20))
    assert stat_requests(emulator, "hem") == requests + 3  # 26, 27 and 28 October
    fixed = await rows(hass, statistic)
    assert_continuous(fixed)
    assert hour(fixed[-1]) == datetime(2025, 10, 28, 11, tzinfo=UTC)
    for old, new in zip(after, fixed, strict=False):
        assert hour(old) == hour(new)
        shift = 1.0 if hour(old) >= corrected.replace(minute=0) else 0.0
        assert new["sum"] == pytest.approx(old["sum"] + shift, abs=1e-4), hour(old)
        if hour(old) == corrected.replace(minute=0):
            assert new["state"] == pytest.approx(old["state"] + 1.0, abs=1e-4)


async def test_missing_series(
    hass: HomeAssistant, emulator: Emulator, importer: StatisticsImporter
) -> None:
    """An unavailable series is not imported (no zeros) and its reason is in diagnostics."""
    emulator.core.store.find_asset(HEM).sim["statisticsUnavailable"] = ["import"]
    await run(hass, importer)
    assert await rows(hass, statistic_id(HEM, "import")) == []
    assert len(await rows(hass, statistic_id(HEM, "export"))) > 0
    # Days without fine data fall back to the month (daily kWh); it is unavailable there too.
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1 + 1

    entry = hass.config_entries.async_entries("enode")[0]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    series = diagnostics["statistics"]["series"]
    hem_alias = next(key[: -len("_import")] for key in series if key.endswith("_import"))
    assert series[f"{hem_alias}_import"] == {"last_imported_hour": None, "skipped": NO_DATA}
    assert series[f"{hem_alias}_export"]["skipped"] is None
    assert series[f"{hem_alias}_export"]["last_imported_hour"] == "2025-10-27T11:00:00+00:00"
    assert HEM not in str(diagnostics["statistics"])


async def test_daily_fallback_where_fine_data_is_missing(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A series without 5-minute data gets the month's daily kWh, on each local midnight hour."""

    def day_without_discharge(*args: Any, **kwargs: Any) -> Any:
        body = hem_statistics(*args, **kwargs)
        if len(kwargs["interval"]) == 10:  # YYYY-MM-DD
            body["timeseries"]["discharge"] = {"isAvailable": False, "reason": "daily only"}
        return body

    monkeypatch.setattr(routes_stats, "hem_statistics", day_without_discharge)
    await run(hass, importer)
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1 + 1  # days + October once
    found = await rows(hass, statistic_id(HEM, "discharge"))
    assert_continuous_sums(found)
    # 24, 25 and 26 October (not today, still in progress), each at local midnight.
    days = [date(2025, 10, 24), date(2025, 10, 25), date(2025, 10, 26)]
    assert [hour(row) for row in found] == [
        datetime(d.year, d.month, d.day, tzinfo=OSLO).astimezone(UTC) for d in days
    ]
    core = emulator.core
    hem = core.store.find_asset(HEM)
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    month = hem_statistics(
        core.stats,
        hem=hem,
        site=core.store.sites[hem.site_id],
        members=[core.store.assets[key] for key in ids],
        interval="2025-10",
        now=core.clock.now(),
    )["timeseries"]["discharge"]["data"]
    assert [row["state"] for row in found] == pytest.approx(
        [month[d.day - 1]["v"] for d in days], abs=1e-6
    )
    assert len(await rows(hass, statistic_id(HEM, "charge"))) == 24 + 24 + 25 + 13


@pytest.mark.parametrize("known_to_client", [False, True])
async def test_backfill_stops_at_installation(
    hass: HomeAssistant,
    emulator: Emulator,
    emulator_start_time: datetime,
    freezer: FrozenDateTimeFactory,
    known_to_client: bool,
) -> None:
    """Days before the installation are not asked for (or answer 400 and are skipped)."""
    installed = datetime(2025, 10, 26, 8, tzinfo=UTC)
    hem = emulator.core.store.find_asset(HEM)
    emulator.core.store.sites[hem.site_id].created_at = installed
    if known_to_client:
        hem.data["information"]["installationDate"] = installed.isoformat()
    statistics = await _setup(hass, emulator, freezer, emulator_start_time)
    await run(hass, statistics)
    assert stat_requests(emulator, "hem") == (2 if known_to_client else BACKFILL_DAYS + 1)
    found = await rows(hass, statistic_id(HEM, "consumption"))
    assert_continuous(found)
    assert hour(found[0]) == datetime(2025, 10, 25, 22, tzinfo=UTC)  # 26 October, local 00:00


@pytest.mark.parametrize("status", [422, 503])
async def test_fault_backs_off(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    freezer: FrozenDateTimeFactory,
    status: int,
) -> None:
    """422/503: that system is skipped until the back-off ends; the inverter still imports."""
    hem = emulator.core.store.find_asset(HEM)
    hem.sim["statisticsFault"] = status
    await run(hass, importer)
    assert await rows(hass, statistic_id(HEM, "generation")) == []
    assert len(await rows(hass, statistic_id(INVERTER, "production"))) > 0
    entry = hass.config_entries.async_entries("enode")[0]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (backoff,) = diagnostics["statistics"]["backoff"].values()
    assert str(status) in backoff["error"]

    requests = stat_requests(emulator, "hem")
    await run(hass, importer)  # still backing off: no request
    assert stat_requests(emulator, "hem") == requests

    hem.sim["statisticsFault"] = None
    freezer.tick(timedelta(minutes=16))
    await run(hass, importer)
    assert_continuous(await rows(hass, statistic_id(HEM, "generation")))
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["statistics"]["backoff"] == {}


async def test_rate_limit_honours_retry_after(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """429 pauses the whole import for Retry-After seconds, then a run resumes by itself."""
    emulator.add_fault(path="/hem-systems/*", status=429, count=1, retryAfter=120)
    await run(hass, importer)
    assert await rows(hass, statistic_id(HEM, "generation")) == []
    requests = len(emulator.request_log)
    await run(hass, importer)
    assert len(emulator.request_log) == requests  # paused

    freezer.tick(timedelta(seconds=121))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    assert len(await rows(hass, statistic_id(HEM, "generation"))) > 0


async def test_scheduled_runs_and_events_fetch_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The first run starts shortly after setup; events wait for the next hourly run."""

    async def tick(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        await async_wait_recording_done(hass)

    assert stat_requests(emulator, "hem") == 0
    await tick(31)
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1
    assert len(await rows(hass, statistic_id(HEM, "consumption"))) > 0

    await tick(300)  # 12:05:31: the hourly run; the 12:00 hour is not closed before 13:00
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1
    entry = hass.config_entries.async_entries("enode")[0]
    for _ in range(5):
        async_dispatcher_send(hass, SIGNAL_STATISTICS_UPDATED.format(entry_id=entry.entry_id))
    await tick(1200)
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1  # events fetch nothing
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["statistics"]["events_since_last_run"] == 5
    assert diagnostics["statistics"]["next_correction"] == "2025-10-28T11:50:31+00:00"
    await emulator.advance(3900)
    await tick(3900 - 1531)  # 13:05:00: the 12:00 hour has closed
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1 + 1  # today, once
    assert stat_requests(emulator, "inverter") == BACKFILL_DAYS + 1 + 1
    found = await rows(hass, statistic_id(HEM, "consumption"))
    assert hour(found[-1]) == START
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["statistics"]["events_since_last_run"] == 0


async def test_removal_clears_statistics(
    hass: HomeAssistant, emulator: Emulator, importer: StatisticsImporter
) -> None:
    """Removing the entry deletes its statistics and nothing that is not ours.

    (The last entry of ours also takes every statistic of our series: test_statistics_cadence.)
    """
    other = "enode:someone_else_odometer"  # another integration that used the domain
    async_add_external_statistics(
        hass,
        metadata(other, "Other"),
        [{"start": START - timedelta(hours=5), "state": 1.0, "sum": 1.0}],
    )
    await run(hass, importer)
    entry = hass.config_entries.async_entries("enode")[0]
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    remaining = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_source="enode")
    )
    assert set(remaining) == {other}


@pytest.mark.parametrize(
    "kind", ["user:inverter:statistics-updated", "user:hem-system:updated"], ids=["inverter", "hem"]
)
@pytest.mark.usefixtures("importer")
async def test_webhook_event_waits_for_the_hourly_run(
    hass: HomeAssistant,
    ha_client: TestClient,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    kind: str,
) -> None:
    """A signed statistics event delivered over HTTP fetches nothing; the hourly run does."""

    async def tick(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        await async_wait_recording_done(hass)

    await tick(31)  # the first import
    await tick(300)  # 12:05:31, after the hourly run (nothing closed since the first import)
    first = stat_requests(emulator, "hem")
    assert first == BACKFILL_DAYS + 1
    entry = hass.config_entries.async_entries("enode")[0]
    if kind == "user:hem-system:updated":
        item = event(kind, emulator.asset(HEM), updatedFields=["lastSeen"])
    else:
        item = event(kind, statistics={"resolutions": {}}, inverter={"id": INVERTER})
    assert await post_webhook(ha_client, entry, [item] * 3) == 200
    await tick(601)
    assert stat_requests(emulator, "hem") == first  # the old cadence ran here
    result = await diagnostics(hass, entry)
    assert result["statistics"]["events_since_last_run"] == 3
    await emulator.advance(3900)
    await tick(3900 - 932)  # 13:05:00
    assert stat_requests(emulator, "hem") == first + 1
    assert (await diagnostics(hass, entry))["statistics"]["events_since_last_run"] == 0


def expected_inverter(emulator: Emulator, days: list[date]) -> dict[datetime, float]:
    """kWh per UTC hour, added up here from the emulator's quarter-hour kWh buckets."""
    core = emulator.core
    inverter = core.store.find_asset(INVERTER)
    site = core.store.sites[inverter.site_id]
    hourly: dict[datetime, float] = defaultdict(float)
    for day in days:
        query = {"year": str(day.year), "month": str(day.month), "day": str(day.day)}
        body = inverter_statistics(inverter, site, query, core.clock.now(), core.config.seed)
        for item in body["resolutions"]["QUARTER_HOUR"]["data"]:
            if item["value"] is not None:
                start = datetime.fromisoformat(item["date"]).astimezone(UTC).replace(minute=0)
                hourly[start] += item["value"]
    return hourly


async def test_inverter_kwh_buckets_are_added_not_integrated(
    hass: HomeAssistant, emulator: Emulator, importer: StatisticsImporter
) -> None:
    """Inverter quarter hours are kWh: an hour is the sum of its four, not a quarter of it."""
    await run(hass, importer)
    days = [date(2025, 10, 23) + timedelta(days=n) for n in range(BACKFILL_DAYS + 2)]
    expected = expected_inverter(emulator, days)
    found = await rows(hass, statistic_id(INVERTER, "production"))
    assert len(found) == 24 + 24 + 25 + 13
    assert {hour(row): row["state"] for row in found} == pytest.approx(
        {moment: expected[moment] for moment in map(hour, found)}, abs=1e-5
    )
    assert max(row["state"] for row in found) > 1.0  # a sunny hour: well above a quarter's kWh


async def test_bucket_length_from_the_gaps_without_a_resolution(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enode sends no sampling resolution: the 5-minute spacing of the points decides."""

    def without_resolution(*args: Any, **kwargs: Any) -> Any:
        body = hem_statistics(*args, **kwargs)
        for item in body["timeseries"].values():
            item.pop("sampling", None)
        return body

    monkeypatch.setattr(routes_stats, "hem_statistics", without_resolution)
    await run(hass, importer)
    days = [date(2025, 10, 24) + timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]
    expected = expected_hem(emulator, days)
    found = await rows(hass, statistic_id(HEM, "consumption"))
    assert_continuous(found)
    assert len(found) == 24 + 24 + 25 + 13
    assert {hour(row): row["state"] for row in found} == pytest.approx(
        expected["consumption"], abs=1e-5
    )


async def test_monthly_fallback_takes_only_kwh(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: StatisticsImporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A month series in kW (not daily kWh) is never imported as a day's energy."""

    def month_in_kw(*args: Any, **kwargs: Any) -> Any:
        body = hem_statistics(*args, **kwargs)
        if len(kwargs["interval"]) == 10:  # YYYY-MM-DD: no fine discharge data
            body["timeseries"]["discharge"] = {"isAvailable": False, "reason": "daily only"}
        else:  # YYYY-MM: daily buckets, but in kW
            body["timeseries"]["discharge"]["unit"] = "kW"
            body["timeseries"]["discharge"]["unitType"] = "Power"
        return body

    monkeypatch.setattr(routes_stats, "hem_statistics", month_in_kw)
    await run(hass, importer)
    assert stat_requests(emulator, "hem") == BACKFILL_DAYS + 1 + 1  # the month was asked for
    assert await rows(hass, statistic_id(HEM, "discharge")) == []
    assert len(await rows(hass, statistic_id(HEM, "charge"))) == 24 + 24 + 25 + 13
