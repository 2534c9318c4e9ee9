"""Imported statistics, asserted through the recorder's public API and time travel (issue 25).

The emulator's admin statistics shape (README: `PUT /_emulator/assets/{id}/statistics`) makes
what real Enode does and the simulation does not: late quarter hours, a missing bucket, a series
without `sampling`, a revised bucket, one failing day. Runs are started by moving Home
Assistant's clock (the first run 30 s after setup, then :05 / :20 every hour), never by calling
the importers. Each test names the one-line bug it catches.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime, timedelta
from functools import partial
import itertools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS
from enode_emulator import Emulator
from enode_emulator.models import DEFAULT_PRICES
from enode_emulator.statistics import hem_statistics, inverter_statistics

from .conftest import DEMO_USER, entry_data
from .platform_helpers import CHARGER, HEM, INVERTER, VEHICLE

# Monday 27 October 2025, 12:00 UTC (13:00 in Oslo; Sunday the 26th had 25 hours).
START = datetime(2025, 10, 27, 12, 0, tzinfo=UTC)
SECOND_VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b99"
BERLIN = (52.52, 13.405)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before custom integrations are enabled."""


@pytest.fixture(autouse=True)
async def settle(hass: HomeAssistant) -> AsyncGenerator[None]:
    """No import a timer started may still be reading the recorder when it shuts down."""
    yield
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed simulated now."""
    return START


def stat(asset_id: str, series: str) -> str:
    """The documented statistic id (docs/ENERGY.md): enode:<asset>_<series>."""
    return f"enode:{asset_id.replace('-', '_')}_{series}"


async def setup(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    backfill: int,
    keep: set[str],
) -> MockConfigEntry:
    """The demo household with the recorder; Home Assistant's clock is the emulator's.

    Of the assets with statistics only those in `keep` stay (removed as through the admin
    API's DELETE /_emulator/assets/{id}): fewer requests and rows, a faster test.
    """
    for asset_id in {HEM, INVERTER, VEHICLE, CHARGER} - keep:
        emulator.remove_asset(asset_id)
    freezer.move_to(START)
    entry = MockConfigEntry(
        domain="enode",
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: backfill},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def advance(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move both clocks; the timers that became due run and their rows commit."""
    await emulator.advance(delta.total_seconds())
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


async def restart(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    """Reload the entry and let its first run (30 s after setup) happen."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, emulator, freezer, timedelta(minutes=1))


async def rows(hass: HomeAssistant, statistic: str) -> list[dict[str, Any]]:
    """Every hourly row of a statistic, oldest first (the recorder's public reader)."""
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


def by_hour(found: list[dict[str, Any]]) -> dict[datetime, dict[str, Any]]:
    """Rows keyed by their start as an aware UTC datetime."""
    return {datetime.fromtimestamp(row["start"], UTC): row for row in found}


def assert_continuous(found: list[dict[str, Any]]) -> None:
    """Consecutive hours, each sum the previous plus the hour's state (from zero)."""
    assert found
    assert found[0]["sum"] == pytest.approx(found[0]["state"] or 0.0, abs=1e-5)
    for before, row in itertools.pairwise(found):
        assert row["start"] - before["start"] == 3600
        assert row["sum"] == pytest.approx(before["sum"] + (row["state"] or 0.0), abs=1e-5)


def hem_buckets(emulator: Emulator, day: date, series: str) -> dict[datetime, float | None]:
    """The emulator's own (unshaped) 5-minute kW buckets of a HEM series on a local day."""
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
        datetime.fromisoformat(item["t"]).astimezone(UTC): item["v"]
        for item in body["timeseries"][series]["data"]
    }


def inverter_quarters(emulator: Emulator, day: date) -> dict[datetime, float | None]:
    """The emulator's own (unshaped) quarter-hour kWh of the demo inverter on a local day."""
    core = emulator.core
    inverter = core.store.find_asset(INVERTER)
    body = inverter_statistics(
        inverter,
        core.store.sites[inverter.site_id],
        {"year": str(day.year), "month": str(day.month), "day": str(day.day)},
        core.clock.now(),
        core.config.seed,
    )
    return {
        datetime.fromisoformat(item["date"]).astimezone(UTC): item["value"]
        for item in body["resolutions"]["QUARTER_HOUR"]["data"]
    }


# --- HEM systems and inverters ------------------------------------------------------------


async def test_half_filled_closed_hour_waits_until_complete(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """At 13:05 Enode has 2 of the 4 quarter hours of 12:00: no row for 12:00 until 14:05.

    Kills: dropping the trailing-incomplete check in statistics.hourly_rows (the hour is
    written half-filled at 13:05 and, being imported, never fetched again until a correction).
    """
    # A quarter hour appears 30 minutes after it ends: at hh:05 the first two are in.
    emulator.set_statistics_shape(INVERTER, {"delayMinutes": 30})
    await setup(hass, emulator, freezer, backfill=0, keep={INVERTER})
    production = stat(INVERTER, "production")
    await advance(hass, emulator, freezer, timedelta(minutes=1))  # the first run
    assert max(by_hour(await rows(hass, production))) == START - timedelta(hours=2)

    await advance(hass, emulator, freezer, timedelta(minutes=64))  # 13:05
    found = by_hour(await rows(hass, production))
    noon = START
    assert max(found) == noon - timedelta(hours=1)  # 11:00 is complete now; 12:00 is not
    assert noon not in found

    await advance(hass, emulator, freezer, timedelta(hours=1))  # 14:05
    found = by_hour(await rows(hass, production))
    quarters = inverter_quarters(emulator, date(2025, 10, 27))
    want = sum(v or 0.0 for t, v in quarters.items() if noon <= t < noon + timedelta(hours=1))
    assert want > 0.1  # daylight: half of it would differ
    assert found[noon]["state"] == pytest.approx(want, abs=1e-5)
    assert_continuous(list(found.values()))


async def test_buckets_without_sampling_and_with_a_gap_are_five_minutes(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """No `sampling` field and one 5-minute bucket left out: still 5-minute buckets.

    The missing bucket is each day's second, so the first spacing is 10 minutes.
    Kills: `max(gaps)` or `gaps[0]` (or any spacing but the smallest) in _bucket_minutes.
    """
    # Each fetched day (yesterday and today) misses its second bucket.
    midnights = [datetime(2025, 10, 25, 22, tzinfo=UTC), datetime(2025, 10, 26, 23, tzinfo=UTC)]
    missing = [midnight + timedelta(minutes=5) for midnight in midnights]
    emulator.set_statistics_shape(
        HEM, {"omitSampling": True, "missing": [moment.isoformat() for moment in missing]}
    )
    await setup(hass, emulator, freezer, backfill=1, keep={HEM})
    await advance(hass, emulator, freezer, timedelta(minutes=1))  # the first run
    found = by_hour(await rows(hass, stat(HEM, "consumption")))
    buckets = {
        **hem_buckets(emulator, date(2025, 10, 26), "consumption"),
        **hem_buckets(emulator, date(2025, 10, 27), "consumption"),
    }
    for hour in (*midnights, datetime(2025, 10, 26, 10, tzinfo=UTC)):
        want = sum(
            (value or 0.0) * 5 / 60
            for moment, value in buckets.items()
            if hour <= moment < hour + timedelta(hours=1) and moment not in missing
        )
        assert want > 0
        assert found[hour]["state"] == pytest.approx(want, abs=1e-5)


async def test_correction_then_failure_keeps_later_sums_continuous(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """A correction rewrites a revised hour of yesterday, then today's request fails (422).

    The revised hour is kept and the rows after it (today's, not refetched) are re-summed.
    Kills: dropping the re-sum of stored rows in statistics._merge (later sums jump), or
    writing nothing when a later day fails.
    """
    entry = await setup(hass, emulator, freezer, backfill=1, keep={HEM})
    await advance(hass, emulator, freezer, timedelta(minutes=1))  # the first run
    series = stat(HEM, "import")
    before = by_hour(await rows(hass, series))
    revised = datetime(2025, 10, 26, 10, tzinfo=UTC)
    old_kw = hem_buckets(emulator, date(2025, 10, 26), "import")[revised]
    assert old_kw is not None
    emulator.set_statistics_shape(
        HEM, {"values": {revised.isoformat(): old_kw + 60.0}, "failDays": {"2025-10-27": 422}}
    )
    # A restart's first run is a correction: yesterday and today, today refused.
    await restart(hass, emulator, freezer, entry)
    found = await rows(hass, series)
    after = by_hour(found)
    assert after[revised]["state"] == pytest.approx(before[revised]["state"] + 5.0, abs=1e-5)
    assert max(after) == max(before)  # today's rows are still there
    assert_continuous(found)
    last = max(after)
    assert after[last]["sum"] == pytest.approx(before[last]["sum"] + 5.0, abs=1e-5)


# --- Vehicle and charger charging statistics -----------------------------------------------


async def test_costs_in_each_vehicles_currency_and_sums_continue(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """Two behaviours on one (slow) recorder setup.

    1. One vehicle plans in NOK at home, the other in EUR in Berlin: each cost statistic is in
       its own vehicle's currency. Kills: another vehicle's plan taking precedence over the
       asset's own in ChargingStatisticsImporter.currency (e.g. the sort key inverted).
    2. After the backfill, the next import (a restart rewrites the last 48 hours) continues the
       cost rows from the stored cost sum. Kills: the cost rows based on the energy
       statistic's sum (dropping the second `async_stored` in _async_write).
    """
    emulator.seed_charging_history(DEMO_USER, 5)
    emulator.add_asset(
        DEMO_USER,
        {
            "type": "vehicle",
            "id": SECOND_VEHICLE,
            "vendor": "VOLKSWAGEN",
            "state": {"chargeState": {"batteryLevel": 30}},
        },
    )
    berlin = emulator.core.pricing.create_location(
        DEMO_USER,
        {
            "name": "Berlin",
            "latitude": BERLIN[0],
            "longitude": BERLIN[1],
            "timezoneName": "Europe/Berlin",
        },
    )
    emulator.set_prices(berlin.id, list(DEFAULT_PRICES), "EUR")
    emulator.move_vehicle(SECOND_VEHICLE, *BERLIN)
    emulator.plug_vehicle(SECOND_VEHICLE, True)
    # Smart charging enabled in Enode's app before setup: the first poll sees both plans.
    for vehicle in (VEHICLE, SECOND_VEHICLE):
        emulator.core.smart.put_policy(
            emulator.core.store.find_asset(vehicle), {"isEnabled": True, "deadline": "07:00"}
        )
    entry = await setup(hass, emulator, freezer, backfill=4, keep={VEHICLE, CHARGER})
    await advance(hass, emulator, freezer, timedelta(minutes=1))  # the first run: backfill
    costs = {v: stat(v, "charging_cost") for v in (VEHICLE, SECOND_VEHICLE)}
    meta = await get_instance(hass).async_add_executor_job(
        partial(get_metadata, hass, statistic_ids=set(costs.values()))
    )
    assert meta[costs[VEHICLE]][1]["unit_of_measurement"] == "NOK"
    assert meta[costs[SECOND_VEHICLE]][1]["unit_of_measurement"] == "EUR"

    backfilled = await rows(hass, costs[VEHICLE])
    await restart(hass, emulator, freezer, entry)  # rewrites the last 48 hours
    found = await rows(hass, costs[VEHICLE])
    assert len(found) == len(backfilled)
    assert_continuous(found)
    energy = await rows(hass, stat(VEHICLE, "charging_energy"))
    assert_continuous(energy)
    # The sum before the rewritten hours differs between cost and energy (prices are not
    # 1 NOK/kWh), so basing one on the other shows.
    window = len(found) - 48
    assert found[window - 1]["sum"] > 1
    assert abs(found[window - 1]["sum"] - energy[window - 1]["sum"]) > 1
