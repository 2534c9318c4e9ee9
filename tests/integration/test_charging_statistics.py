"""Vehicle and charger charging energy and cost imported into long-term statistics."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
import itertools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.enode.api import ChargingStatisticsBucket
from custom_components.enode.charging_statistics import (
    COST,
    ENERGY,
    ChargingStatisticsImporter,
    HourValues,
    default_currency,
    hourly_values,
    is_charging,
)
from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_BACKFILL_DAYS
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from custom_components.enode.statistics import statistic_id
from enode_emulator import Emulator
from enode_emulator.charging import ChargingQuery

from .conftest import CHARGER_SWITCH, DEMO_USER, entry_data, poll_now, start_charging
from .platform_helpers import CHARGER, VEHICLE

# Monday 27 October 2025, 12:00 UTC (13:00 in Oslo); the month started 30 Sep 22:00 UTC.
START = datetime(2025, 10, 27, 12, 0, tzinfo=UTC)
MONTH_START = datetime(2025, 9, 30, 22, 0, tzinfo=UTC)
BACKFILL_DAYS = 3
FIRST_HOUR = datetime(2025, 10, 23, 22, tzinfo=UTC)  # local midnight three days back
SEEDED_DAYS = 10
PATH = f"/users/{DEMO_USER}/statistics/charging"


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


@pytest.fixture
def country() -> str | None:
    """Home Assistant's country (decides Enode's default currency); none by default."""
    return None


@pytest.fixture
async def entry(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, country: str | None
) -> MockConfigEntry:
    """The demo household with ten days of charging history, set up with the recorder."""
    freezer.move_to(START)
    await hass.config.async_set_time_zone("Europe/Oslo")
    hass.config.country = country
    assert emulator.seed_charging_history(DEMO_USER, SEEDED_DAYS) > 0
    entry = MockConfigEntry(
        domain="enode",
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: BACKFILL_DAYS},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """No sleeps between 503 retries."""
    return {"retry_base_delay": 0}


@pytest.fixture
def importer(entry: MockConfigEntry) -> ChargingStatisticsImporter:
    """The entry's charging statistics importer."""
    # The importer's own runs and progress are what these tests pin (time travel elsewhere).
    importer = entry.runtime_data.charging_statistics
    assert importer is not None
    return importer


async def run(hass: HomeAssistant, importer: ChargingStatisticsImporter) -> None:
    """One import, committed (after any run a timer started, so that none is left running)."""
    await hass.async_block_till_done(wait_background_tasks=True)
    await importer.async_run()
    await hass.async_block_till_done(wait_background_tasks=True)
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


def hour(row: dict[str, Any]) -> datetime:
    """A row's start as an aware UTC datetime."""
    return datetime.fromtimestamp(row["start"], UTC)


def requests(emulator: Emulator) -> int:
    """Charging statistics requests (a 401 for an expired token is retried: counted once)."""
    return sum(1 for item in emulator.request_log if item.path == PATH and item.status != 401)


def expected(emulator: Emulator, asset_id: str, key: str = "kwhSum") -> dict[datetime, float]:
    """The emulator's own hourly buckets of an asset (what Enode would answer now)."""
    now = emulator.core.clock.now()
    query = ChargingQuery(datetime(2025, 1, 1, tzinfo=UTC), now, "vehicle", None, None)
    return {
        datetime.fromisoformat(bucket["date"]): bucket[key]
        for bucket in emulator.core.charging.buckets({asset_id}, query, "HOUR", 0.0, now)
    }


def assert_sums(found: list[dict[str, Any]]) -> None:
    """Consecutive hours, each sum the previous plus the hour's state, from zero."""
    assert found
    assert found[0]["sum"] == pytest.approx(found[0]["state"], abs=1e-5)
    for before, row in itertools.pairwise(found):
        assert row["start"] - before["start"] == 3600
        assert row["sum"] == pytest.approx(before["sum"] + row["state"], abs=1e-5)


async def move(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move both clocks (the emulator's physics runs; Home Assistant's timers do not fire)."""
    await emulator.advance(seconds)
    freezer.tick(timedelta(seconds=seconds))


async def start_charger(hass: HomeAssistant, emulator: Emulator, entry: MockConfigEntry) -> None:
    """Start the demo charger as a user does; a poll then shows it charging."""
    await start_charging(hass, emulator)
    await emulator.advance(21)
    await poll_now(hass, CHARGER_SWITCH)
    assert hass.states.get("sensor.zaptec_go_power_delivery").state == "plugged_in_charging"


async def test_backfill(
    hass: HomeAssistant, emulator: Emulator, importer: ChargingStatisticsImporter
) -> None:
    """The first run: one request per vehicle and charger, hours of the backfill window."""
    await run(hass, importer)
    assert requests(emulator) == 2
    for asset_id in (VEHICLE, CHARGER):
        found = await rows(hass, statistic_id(asset_id, ENERGY))
        assert_sums(found)
        assert hour(found[0]) == FIRST_HOUR
        # Up to the last hour complete at minute 20 (11:00 ends at 12:00, readings by 12:15).
        assert hour(found[-1]) == START - timedelta(hours=2)
        want = {h: v for h, v in expected(emulator, asset_id).items() if FIRST_HOUR <= h < START}
        want.pop(START - timedelta(hours=1), None)
        got = {hour(row): row["state"] for row in found if row["state"]}
        assert got == pytest.approx(want, abs=1e-5)
        assert sum(want.values()) > 10
    # The vehicle and its charger record the same energy (pick one in the Energy dashboard).
    assert await rows(hass, statistic_id(VEHICLE, ENERGY)) == await rows(
        hass, statistic_id(CHARGER, ENERGY)
    )


async def test_cost_skipped_without_currency(
    hass: HomeAssistant, entry: MockConfigEntry, importer: ChargingStatisticsImporter
) -> None:
    """No plan and no country: the currency is unknown, cost is skipped, diagnostics say so."""
    await run(hass, importer)
    assert await rows(hass, statistic_id(VEHICLE, COST)) == []
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    block = diagnostics["charging_statistics"]
    assert block["requests"] == 2
    text = str(block)
    assert VEHICLE not in text
    assert CHARGER not in text
    vehicle = next(value for value in block["assets"].values() if value["currency"] is None)
    assert vehicle["cost_skipped"] == "currency unknown"
    assert vehicle["last_imported_hour"] == (START - timedelta(hours=2)).isoformat()
    # The money sensors stay unknown; energy is there.
    registry = er.async_get(hass)
    cost = registry.async_get_entity_id("sensor", "enode", f"{VEHICLE}_month_charging_cost")
    energy = registry.async_get_entity_id("sensor", "enode", f"{VEHICLE}_month_charging_energy")
    assert cost is not None
    assert energy is not None
    assert hass.states.get(cost).state == "unknown"  # type: ignore[union-attr]
    assert float(hass.states.get(energy).state) > 0  # type: ignore[union-attr]


@pytest.mark.parametrize("country", ["NO"])
async def test_cost_statistic_in_enodes_currency(
    hass: HomeAssistant, emulator: Emulator, importer: ChargingStatisticsImporter
) -> None:
    """In Norway Enode prices in NOK: the cost statistic's unit, the hourly costs."""
    await run(hass, importer)
    statistic = statistic_id(VEHICLE, COST)
    meta = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={statistic})
    )
    assert meta[statistic][1]["unit_of_measurement"] == "NOK"
    assert meta[statistic][1]["has_sum"] is True
    assert meta[statistic][1]["unit_class"] is None
    found = await rows(hass, statistic)
    assert_sums(found)
    want = {
        h: v
        for h, v in expected(emulator, VEHICLE, "costSum").items()
        if FIRST_HOUR <= h < START - timedelta(hours=1)
    }
    assert {hour(row): row["state"] for row in found if row["state"]} == pytest.approx(
        want, abs=1e-5
    )


async def test_incremental_only_for_the_asset_that_charged(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Later runs fetch only an asset seen charging; new hours continue the sums."""
    await run(hass, importer)
    before_vehicle = await rows(hass, statistic_id(VEHICLE, ENERGY))
    before_charger = await rows(hass, statistic_id(CHARGER, ENERGY))
    count = requests(emulator)

    # An idle hour: nothing charged, nothing fetched.
    await move(hass, emulator, freezer, 3600)
    await run(hass, importer)
    assert requests(emulator) == count

    await start_charger(hass, emulator, entry)
    assert importer.progress[CHARGER].charged
    assert not importer.progress[VEHICLE].charged
    await move(hass, emulator, freezer, 2 * 3600 + 1200)  # 15:20 UTC
    await run(hass, importer)
    assert requests(emulator) == count + 1  # the charger only
    assert await rows(hass, statistic_id(VEHICLE, ENERGY)) == before_vehicle
    found = await rows(hass, statistic_id(CHARGER, ENERGY))
    assert found[: len(before_charger)] == before_charger
    assert_sums(found)
    new = {hour(row): row["state"] for row in found[len(before_charger) :]}
    assert list(new) == [START + timedelta(hours=n) for n in (-1, 0, 1, 2)]
    assert new[START + timedelta(hours=1)] == pytest.approx(11.04, abs=0.01)  # a full hour
    assert new[START - timedelta(hours=1)] == 0.0
    # Still charging: fetched again an hour later; the same hours are never added twice.
    await move(hass, emulator, freezer, 3600)
    await run(hass, importer)
    assert requests(emulator) == count + 2
    again = await rows(hass, statistic_id(CHARGER, ENERGY))
    assert again[: len(found)] == found
    assert len(again) == len(found) + 1
    assert_sums(again)


async def test_daily_correction_of_a_revised_hour(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once a day the last 48 hours are fetched again: a revised hour is rewritten."""
    await run(hass, importer)
    found = await rows(hass, statistic_id(VEHICLE, ENERGY))
    # Revise the newest vehicle reading in the window (Enode corrected a session).
    readings = [
        reading
        for session in emulator.core.charging.sessions
        if session.asset_id == VEHICLE
        for reading in session.readings
        if START - timedelta(hours=40) <= datetime.fromtimestamp(reading.start, UTC)
    ]
    assert readings
    revised = readings[-1]
    revised.kwh += 5.0
    revised_hour = datetime.fromtimestamp(revised.start, UTC).replace(minute=0)
    total = found[-1]["sum"]

    await move(hass, emulator, freezer, 3600)
    await run(hass, importer)
    assert requests(emulator) == 2  # not due yet
    freezer.move_to(START + timedelta(days=1, minutes=5))
    await run(hass, importer)
    assert requests(emulator) == 4  # one correction per asset
    after = await rows(hass, statistic_id(VEHICLE, ENERGY))
    assert_sums(after)
    states = {hour(row): row["state"] for row in after}
    old = {hour(row): row["state"] for row in found}
    assert states[revised_hour] == pytest.approx(old[revised_hour] + 5.0, abs=1e-5)
    untouched = [row for row in after if hour(row) < revised_hour]
    assert untouched == [row for row in found if hour(row) < revised_hour]
    assert after[-1]["sum"] == pytest.approx(total + 5.0, abs=1e-5)


async def test_rate_limit_pauses(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """429 pauses the import for Retry-After seconds, then a run resumes by itself."""
    emulator.add_fault(path=PATH, status=429, count=1, retryAfter=120)
    await run(hass, importer)
    assert requests(emulator) == 1  # stopped at the first refusal
    assert importer.paused_until == START + timedelta(seconds=120)
    await run(hass, importer)
    assert requests(emulator) == 1
    assert await rows(hass, statistic_id(VEHICLE, ENERGY)) == []

    freezer.tick(timedelta(seconds=121))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    assert requests(emulator) == 3
    assert len(await rows(hass, statistic_id(VEHICLE, ENERGY))) > 0


async def test_server_errors_back_off(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 5xx backs the asset off (15 minutes, doubling); the other asset carries on."""
    emulator.add_fault(path=PATH, status=500, count=1)
    await run(hass, importer)
    failed = [p for p in importer.progress.values() if p.error]
    assert len(failed) == 1
    assert failed[0].retry_at == START + timedelta(minutes=15)
    count = requests(emulator)
    freezer.tick(timedelta(minutes=10))
    await run(hass, importer)
    assert requests(emulator) == count  # still backing off
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert any(a["error"] for a in diagnostics["charging_statistics"]["assets"].values())
    # Failing again: the back-off doubles.
    emulator.add_fault(path=PATH, status=500, count=1)
    freezer.tick(timedelta(minutes=6))
    await run(hass, importer)
    assert requests(emulator) == count + 1
    assert failed[0].retry_at == START + timedelta(minutes=16 + 30)
    freezer.tick(timedelta(minutes=31))
    await run(hass, importer)
    assert requests(emulator) == count + 2
    assert not any(p.error for p in importer.progress.values())
    for asset_id in (VEHICLE, CHARGER):
        assert len(await rows(hass, statistic_id(asset_id, ENERGY))) > 0


async def test_refused_asset_is_skipped_quietly(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """403/404: no back-off loop, no request until the next daily correction."""
    emulator.add_fault(path=PATH, status=403, count=2)
    await run(hass, importer)
    assert requests(emulator) == 2
    assert {p.skipped for p in importer.progress.values()} == {"EnodeForbiddenError"}
    assert importer.month(VEHICLE) is None
    freezer.tick(timedelta(hours=2))
    await run(hass, importer)
    assert requests(emulator) == 2


async def test_month_sensors_and_reset(
    hass: HomeAssistant,
    emulator: Emulator,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Month-to-date energy, cost and savings from the same fetch; 0 again on the first."""
    hass.config.country = "NO"
    await run(hass, importer)
    registry = er.async_get(hass)
    ids = {
        key: registry.async_get_entity_id("sensor", "enode", f"{VEHICLE}_month_charging_{key}")
        for key in ("energy", "cost", "savings")
    }
    states = {key: hass.states.get(str(value)) for key, value in ids.items()}
    assert all(states.values())
    month_hours = {h: v for h, v in expected(emulator, VEHICLE).items() if MONTH_START <= h < START}
    month_hours.pop(START - timedelta(hours=1), None)
    energy = states["energy"]
    assert energy is not None
    assert float(energy.state) == pytest.approx(sum(month_hours.values()), abs=0.01)
    assert energy.attributes["unit_of_measurement"] == "kWh"
    assert energy.attributes["state_class"] == "total"
    assert energy.attributes["last_reset"] == MONTH_START.isoformat()
    assert energy.attributes["friendly_name"].endswith("Charging energy this month")
    cost = states["cost"]
    assert cost is not None
    assert cost.attributes["unit_of_measurement"] == "NOK"
    want_cost = sum(
        v for h, v in expected(emulator, VEHICLE, "costSum").items() if h in month_hours
    )
    assert float(cost.state) == pytest.approx(want_cost, abs=0.01)
    savings = states["savings"]
    assert savings is not None
    want_savings = sum(
        v or 0.0
        for h, v in expected(emulator, VEHICLE, "estimatedSavings").items()
        if h in month_hours
    )
    assert want_savings > 0
    assert float(savings.state) == pytest.approx(want_savings, abs=0.01)
    assert savings.attributes["friendly_name"].endswith("Smart charging savings this month")

    # Local midnight of 1 November: the sensors start again (no request).
    count = requests(emulator)
    new_month = datetime(2025, 10, 31, 23, 0, tzinfo=UTC)
    freezer.move_to(new_month)
    async_fire_time_changed(hass, new_month)
    await hass.async_block_till_done()
    assert requests(emulator) == count
    energy = hass.states.get(str(ids["energy"]))
    assert energy is not None
    assert float(energy.state) == 0.0
    assert energy.attributes["last_reset"] == new_month.isoformat()


async def test_translated_sensor_names(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
) -> None:
    """The month sensors are named in Home Assistant's language."""
    hass.config.language = "nb"
    await hass.config.async_set_time_zone("Europe/Oslo")
    freezer.move_to(START)
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
    registry = er.async_get(hass)
    names = {
        key: hass.states.get(
            str(registry.async_get_entity_id("sensor", "enode", f"{CHARGER}_{key}"))
        )
        for key in ("month_charging_energy", "month_charging_cost", "month_charging_savings")
    }
    assert [state.attributes["friendly_name"].split(" ", 1)[1] for state in names.values() if state]
    texts = [state.attributes["friendly_name"] for state in names.values() if state]
    assert texts[0].endswith("Ladeenergi denne måneden")
    assert texts[1].endswith("Ladekostnad denne måneden")
    assert texts[2].endswith("Besparelse fra smartlading denne måneden")
    # Unknown until the first import.
    assert {state.state for state in names.values() if state} == {"unknown"}


async def test_scheduled_runs(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,
    importer: ChargingStatisticsImporter,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The first run follows setup; later ones run at minute 20 for assets that charged."""

    async def tick(moment: datetime) -> None:
        freezer.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done(wait_background_tasks=True)
        await async_wait_recording_done(hass)

    assert requests(emulator) == 0
    await tick(START + timedelta(seconds=50))
    assert requests(emulator) == 2
    await start_charger(hass, emulator, entry)
    await emulator.advance(3600 + 1200)
    await tick(START + timedelta(hours=1, minutes=20))
    assert requests(emulator) == 3
    assert importer.last_run == START + timedelta(hours=1, minutes=20)


def test_helpers() -> None:
    """Enode's documented default currencies; what counts as charging."""
    assert default_currency("NO") == "NOK"
    assert default_currency("DE") == "EUR"
    assert default_currency("US") is None
    assert default_currency(None) is None

    class Thing:
        charge_state = None

    assert is_charging(Thing()) is False  # type: ignore[arg-type]
    buckets = [
        ChargingStatisticsBucket.from_dict(item)
        for item in (
            {"date": "2025-10-27T10:00:00Z", "kwhSum": 1, "costSum": 2, "estimatedSavings": 0.5},
            {"date": "2025-10-27T10:30:00Z", "kwhSum": 1, "costSum": 1, "estimatedSavings": None},
            {"kwhSum": 7},  # no date: not placeable
            {"date": "2025-10-27T11:00:00Z", "kwhSum": None, "costSum": None},
        )
    ]
    assert hourly_values(buckets) == {
        datetime(2025, 10, 27, 10, tzinfo=UTC): HourValues(kwh=2.0, cost=3.0, savings=0.5),
        datetime(2025, 10, 27, 11, tzinfo=UTC): HourValues(kwh=0.0, cost=0.0, savings=None),
    }


async def test_currency_from_the_plan_and_the_stored_statistic(
    hass: HomeAssistant,
    emulator: Emulator,
    entry: MockConfigEntry,
    importer: ChargingStatisticsImporter,
) -> None:
    """A smart charging plan names Enode's currency; after a restart the stored unit is kept."""
    assert importer.currency(VEHICLE) is None
    # Enode's own state set up through the client, as another app would.
    await entry.runtime_data.client.set_vehicle_smart_charging_policy(
        VEHICLE, is_enabled=True, deadline="07:00"
    )
    await poll_now(hass, CHARGER_SWITCH)
    assert importer.currency(CHARGER) == "NOK"  # the vehicle's plan prices the account
    await run(hass, importer)
    assert len(await rows(hass, statistic_id(CHARGER, COST))) > 0

    # Smart charging off at Enode, as another app would do it: no plan after the reload.
    await entry.runtime_data.client.set_vehicle_smart_charging_policy(VEHICLE, is_enabled=False)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # The reloaded entry's importer (a new one) reads the stored unit back.
    reloaded = entry.runtime_data.charging_statistics
    assert reloaded is not None
    assert reloaded is not importer
    await run(hass, reloaded)
    assert reloaded.progress[CHARGER].stored_currency == "NOK"  # read back from the recorder
    # No plan held (so the currency can only come from the recorder); no entity shows "none".
    assert not any(status.plan for status in entry.runtime_data.coordinator.data.smart.values())
    assert reloaded.currency(CHARGER) == "NOK"
