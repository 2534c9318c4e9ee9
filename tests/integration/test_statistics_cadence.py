"""The statistics import's cadence and its rewrites, over simulated hours (with a recorder).

Requests are counted in the emulator's request log; both clocks (Home Assistant's, frozen, and
the emulator's) move together, and Home Assistant's timers fire as they would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import async_add_external_statistics, get_metadata
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.const import SIGNAL_STATISTICS_UPDATED
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from custom_components.enode.statistics import (
    CORRECTION_INTERVAL,
    metadata,
    statistic_id,
)
from enode_emulator import Emulator, routes_stats
from enode_emulator.statistics import hem_statistics, inverter_statistics

from .conftest import entry_data, poll_now
from .platform_helpers import HEM, INVERTER, asset_device, entity_id
from .test_statistics import (  # standalone_inverter: an autouse fixture
    BACKFILL_DAYS,
    _setup,
    hour,
    rows,
    run,
    standalone_inverter,  # noqa: F401
    stat_requests,
)

START = datetime(2025, 10, 27, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Oslo
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30 all year


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed simulated now."""
    return START


async def step(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move both clocks; the timers that became due run and their rows commit."""
    await emulator.advance(seconds)
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


def assert_sums(found: list[dict[str, Any]]) -> None:
    """Each sum is the previous plus the row's kWh (a row without state adds nothing)."""
    for before, row in itertools.pairwise(found):
        assert row["sum"] == pytest.approx(before["sum"] + (row["state"] or 0.0), abs=1e-5), hour(
            row
        )


async def test_one_request_per_source_and_closed_hour_whatever_the_events(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """26 hours with statistics events every few minutes: one request per source and hour.

    The correction (re-fetch of the day before) happens once, a day after the first run.
    """
    importer = await _setup(hass, emulator, freezer, START)
    entry = hass.config_entries.async_entries("enode")[0]
    await step(hass, emulator, freezer, 31)  # the first run: the backfill
    assert (
        stat_requests(emulator, "hem") == stat_requests(emulator, "inverter") == BACKFILL_DAYS + 1
    )
    per_hour: list[tuple[int, int]] = []
    for _ in range(26):
        hem, inverter = stat_requests(emulator, "hem"), stat_requests(emulator, "inverter")
        for _ in range(4):  # a burst of events every quarter hour
            for _ in range(5):
                async_dispatcher_send(
                    hass, SIGNAL_STATISTICS_UPDATED.format(entry_id=entry.entry_id)
                )
            await step(hass, emulator, freezer, 900)
        per_hour.append(
            (stat_requests(emulator, "hem") - hem, stat_requests(emulator, "inverter") - inverter)
        )
    # Hour 0 (12:05, nothing closed since the first run), then one per closed hour, local
    # midnight (23:05 UTC) included; at 12:05 the next day the correction: yesterday and today.
    correction = int(CORRECTION_INTERVAL / timedelta(hours=1))
    assert per_hour[0] == (0, 0)
    assert per_hour[correction] == (2, 2)
    assert [item for n, item in enumerate(per_hour) if n not in (0, correction)] == [(1, 1)] * 24
    found = await rows(hass, statistic_id(HEM, "consumption"))
    assert hour(found[-1]) == START + timedelta(hours=24)  # every closed hour imported
    assert all(b["start"] - a["start"] == 3600 for a, b in itertools.pairwise(found))
    assert_sums(found)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["statistics"]["requests"] == importer.requests == 2 * (4 + 24 + 2)
    assert (
        diagnostics["statistics"]["next_correction"] == "2025-10-29T12:05:31+00:00"
    )  # 12:15:31 + 23 h 50


async def test_a_refetched_hour_that_turns_null_no_longer_counts(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enode withdraws an imported hour: its row keeps no state and later sums drop its kWh."""
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)
    statistic = statistic_id(HEM, "consumption")
    before = await rows(hass, statistic)
    gone = datetime(2025, 10, 27, 9, tzinfo=UTC)  # today, already imported
    old = next(row for row in before if hour(row) == gone)
    assert old["state"] > 0
    source = emulator.core.stats
    original = source.bucket

    def bucket(site: Any, members: Any, start: int, now: datetime) -> Any:
        if gone.timestamp() <= start < (gone + timedelta(hours=1)).timestamp():
            return None
        return original(site, members, start, now)

    monkeypatch.setattr(source, "bucket", bucket)
    await step(hass, emulator, freezer, 3900)  # 13:05: the hourly run re-fetches today
    after = await rows(hass, statistic)
    assert len(after) == len(before) + 1
    withdrawn = next(row for row in after if hour(row) == gone)
    previous = next(row for row in after if hour(row) == gone - timedelta(hours=1))
    assert withdrawn["state"] is None
    assert withdrawn["sum"] == pytest.approx(previous["sum"], abs=1e-6)
    assert_sums(after)
    for row in before:
        new = next(item for item in after if item["start"] == row["start"])
        shift = old["state"] if hour(row) >= gone else 0.0
        assert new["sum"] == pytest.approx(row["sum"] - shift, abs=1e-4), hour(row)


async def test_a_null_hour_without_a_row_stays_a_gap(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Missing data never becomes a row of its own: the hour without values is not written."""
    source = emulator.core.stats
    original = source.bucket
    gap = datetime(2025, 10, 26, 3, tzinfo=UTC)

    def bucket(site: Any, members: Any, start: int, now: datetime) -> Any:
        if gap.timestamp() <= start < (gap + timedelta(hours=1)).timestamp():
            return None
        return original(site, members, start, now)

    monkeypatch.setattr(source, "bucket", bucket)
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)
    found = await rows(hass, statistic_id(HEM, "consumption"))
    assert gap not in {hour(row) for row in found}
    assert gap - timedelta(hours=1) in {hour(row) for row in found}
    assert_sums(found)


async def test_days_without_values_change_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A series answered with only nulls writes no rows; an inverter day without quarter hours
    says nothing about its hours, so the rows imported before stay as they were."""

    def all_null_import(*args: Any, **kwargs: Any) -> Any:
        body = hem_statistics(*args, **kwargs)
        for item in body["timeseries"]["import"]["data"]:
            item["v"] = None
        return body

    def no_quarter_hours(*args: Any, **kwargs: Any) -> Any:
        body = inverter_statistics(*args, **kwargs)
        body["resolutions"].pop("QUARTER_HOUR")
        return body

    monkeypatch.setattr(routes_stats, "hem_statistics", all_null_import)
    monkeypatch.setattr(routes_stats, "inverter_statistics", no_quarter_hours)
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)
    assert await rows(hass, statistic_id(HEM, "import")) == []
    assert await rows(hass, statistic_id(HEM, "export"))
    assert await rows(hass, statistic_id(INVERTER, "production")) == []

    monkeypatch.setattr(routes_stats, "inverter_statistics", inverter_statistics)
    await step(hass, emulator, freezer, 3900)  # 13:05: the inverter's backfill
    before = await rows(hass, statistic_id(INVERTER, "production"))
    assert hour(before[-1]) == START
    monkeypatch.setattr(routes_stats, "inverter_statistics", no_quarter_hours)
    await step(hass, emulator, freezer, 3600)  # 14:05: today, without quarter hours
    assert await rows(hass, statistic_id(INVERTER, "production")) == before
    assert await rows(hass, statistic_id(HEM, "import")) == []


async def test_entry_removal_clears_devices_removed_earlier(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    hass_storage: dict[str, Any],
) -> None:
    """The inverter's device went away before the entry: its statistics still go with it.

    Another Enode entry is left, so statistics the entry never imported stay; removing the last
    entry clears every Enode statistic (orphans of earlier versions included).
    """
    other = "enode:someone_else_generation"
    async_add_external_statistics(
        hass,
        metadata(other, "Other"),
        [{"start": START - timedelta(hours=5), "state": 1.0, "sum": 1.0}],
    )
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)
    entry = hass.config_entries.async_entries("enode")[0]
    emulator.remove_asset(INVERTER)
    await poll_now(hass, entity_id(er.async_get(hass), "sensor", HEM, "today_consumption"))
    assert asset_device(device_registry, entry, INVERTER) is None
    key = f"enode.statistics.{entry.entry_id}"
    assert hass_storage[key]["data"] == {"asset_ids": sorted([HEM, INVERTER])}
    # Another entry of ours is left (another Enode user): what this entry never imported stays.
    MockConfigEntry(domain="enode", data=entry_data(emulator, user_id="someone-else")).add_to_hass(
        hass
    )
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert key not in hass_storage  # the Store goes with the entry
    assert await enode_statistics(hass) == {other}


async def test_removing_the_last_entry_clears_every_statistic_of_ours(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """No entry is left to own them: orphans go too; another integration's statistics stay."""
    orphan = "enode:0b7c2a4e_1f3d_4e5a_8b6c_000000000099_production"  # removed long ago
    foreign = "enode:tesla_model_3_odometer"  # another integration that used the domain
    for statistic in (orphan, foreign):
        async_add_external_statistics(
            hass,
            metadata(statistic, statistic),
            [{"start": START - timedelta(hours=5), "state": 1.0, "sum": 1.0}],
        )
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)
    assert len(await enode_statistics(hass)) > 2
    entry = hass.config_entries.async_entries("enode")[0]
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert await enode_statistics(hass) == {foreign}


async def enode_statistics(hass: HomeAssistant) -> set[str]:
    """Ids of every statistic of source enode."""
    found = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_source="enode")
    )
    return set(found)


def _kolkata(emulator: Emulator) -> None:
    """Move the demo household to India (+05:30)."""
    core = emulator.core
    hem = core.store.find_asset(HEM)
    site = core.store.sites[hem.site_id]
    site.timezone = "Asia/Kolkata"
    for asset in core.store.assets.values():
        if "timezone" in asset.data:
            asset.data["timezone"] = "Asia/Kolkata"


def expected_hours(emulator: Emulator, days: list[str]) -> dict[datetime, float]:
    """Consumption kWh per UTC hour from the emulator's 5-minute buckets of the local days."""
    core = emulator.core
    hem = core.store.find_asset(HEM)
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    result: dict[datetime, float] = {}
    for day in days:
        body = hem_statistics(
            core.stats,
            hem=hem,
            site=core.store.sites[hem.site_id],
            members=[core.store.assets[key] for key in ids],
            interval=day,
            now=core.clock.now(),
        )
        for item in body["timeseries"]["consumption"]["data"]:
            if item["v"] is not None:
                start = datetime.fromisoformat(item["t"]).astimezone(UTC).replace(minute=0)
                result[start] = result.get(start, 0.0) + item["v"] * 5 / 60
    return result


async def test_half_hour_zone(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """Asia/Kolkata: rows on UTC hours, the hour across local midnight whole, never half."""
    _kolkata(emulator)
    importer = await _setup(hass, emulator, freezer, START)
    await run(hass, importer)  # 17:30 in Kolkata
    statistic = statistic_id(HEM, "consumption")
    found = await rows(hass, statistic)
    # The backfill starts at local midnight of 24 October, 18:30 UTC on the 23rd: the UTC hour
    # 18:00 holds only half of it, so the first row is 19:00.
    assert hour(found[0]) == datetime(2025, 10, 23, 19, tzinfo=UTC)
    assert hour(found[-1]) == START - timedelta(hours=1)
    assert all(row["start"] % 3600 == 0 for row in found)
    assert all(b["start"] - a["start"] == 3600 for a, b in itertools.pairwise(found))
    expected = expected_hours(emulator, [f"2025-10-{day}" for day in range(23, 28)])
    assert {hour(row): row["state"] for row in found} == pytest.approx(
        {hour(row): expected[hour(row)] for row in found}, abs=1e-5
    )
    # The UTC hours across local midnight have their twelve buckets, from two local days.
    for day in (24, 25, 26):
        midnight = datetime(2025, 10, day, 18, tzinfo=UTC)
        row = next(row for row in found if hour(row) == midnight)
        assert row["state"] == pytest.approx(expected[midnight], abs=1e-5)
    assert_sums(found)
    sensor = entity_id(er.async_get(hass), "sensor", HEM, "today_consumption")
    today = float(hass.states.get(sensor).state)
    local_today = sum(
        value
        for moment, value in expected.items()
        if moment >= datetime(2025, 10, 26, 19, tzinfo=UTC)
    )
    half = expected_hours(emulator, ["2025-10-27"])[datetime(2025, 10, 26, 18, tzinfo=UTC)]
    assert today == pytest.approx(local_today + half, abs=1e-3)  # from local midnight, 18:30Z

    # 19:05 UTC (00:35 on the 28th): the hour that closed spans both days, both are fetched.
    hem_requests = stat_requests(emulator, "hem")
    await step(hass, emulator, freezer, 7 * 3600 + 300)
    assert stat_requests(emulator, "hem") == hem_requests + 2
    found = await rows(hass, statistic)
    assert hour(found[-1]) == datetime(2025, 10, 27, 18, tzinfo=UTC)
    expected = expected_hours(emulator, ["2025-10-27", "2025-10-28"])
    assert found[-1]["state"] == pytest.approx(expected[hour(found[-1])], abs=1e-5)
    assert_sums(found)
    # 20:05 UTC: the new local day only.
    await step(hass, emulator, freezer, 3600)
    assert stat_requests(emulator, "hem") == hem_requests + 3
    found = await rows(hass, statistic)
    assert hour(found[-1]) == datetime(2025, 10, 27, 19, tzinfo=UTC)
    assert found[-2]["state"] == pytest.approx(expected[hour(found[-2])], abs=1e-5)  # kept whole
    assert_sums(found)
