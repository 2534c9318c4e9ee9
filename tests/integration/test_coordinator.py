"""Polling against the emulator: request budget, token expiry, 401, 429 and 503."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.api import Asset, AssetType, parse_asset
from custom_components.enode.const import DOMAIN, POLL_INTERVAL_NO_PUSH
from custom_components.enode.coordinator import merge_poll
from enode_emulator import Emulator

from .conftest import (
    DEMO_USER,
    asset_kinds,
    diagnostics,
    event,
    last_update_success,
    poll_now,
    post_webhook,
    setup_without_push,
    tick,
)
from .platform_helpers import BATTERY, CHARGER, HEM, VEHICLE

BATTERY_LEVEL = "sensor.huawei_luna2000_battery"
VEHICLE_BATTERY = "sensor.my_model_3_battery"
HEM_REACHABLE = "binary_sensor.demo_household_energy_system_reachable"


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """Retry GETs without sleeping: with `freezer` the loop's clock stands still as well."""
    return {"retry_base_delay": 0}


def api_requests(emulator: Emulator, start: int) -> list[str]:
    """Method and path of the API requests after `start` (token requests separately)."""
    return [f"{e.method} {e.path}" for e in emulator.request_log[start:]]


async def test_poll_budget(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A poll: the user, one list per linked asset type, the Locations; never one per entity."""
    start = len(emulator.request_log)
    await poll_now(hass, VEHICLE_BATTERY)
    assert await last_update_success(hass, setup_integration)
    made = api_requests(emulator, start)
    assert made[0] == f"GET /users/{DEMO_USER}"
    lists = sorted(made[1:])
    assert lists == sorted(
        f"GET /users/{DEMO_USER}/{path}"
        for path in (
            "batteries",
            "chargers",
            "hem-systems",
            "hvacs",
            "inverters",
            "locations",
            "meters",
            "schedules",  # one list per user; statuses come by push
            "vehicles",
        )
    )
    # The cached token was reused: no token request.
    assert "POST /oauth2/token" not in made


async def test_expired_token_is_refreshed_transparently(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A 401 after Enode expired the token: one token request, one retry, success."""
    emulator.expire_tokens()
    start = len(emulator.request_log)
    await poll_now(hass, VEHICLE_BATTERY)
    assert await last_update_success(hass, setup_integration)
    made = api_requests(emulator, start)
    assert made.count("POST /oauth2/token") == 1
    statuses = [e.status for e in emulator.request_log[start:]]
    assert statuses[0] == 401


async def test_revoked_credentials_start_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """When a new token is refused, the entry asks for reauthentication."""
    emulator.expire_tokens()
    emulator.add_fault(path="/oauth2/token", status=401, count=5)
    await poll_now(hass, VEHICLE_BATTERY)
    assert not await last_update_success(hass, setup_integration)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_rate_limit_honours_retry_after(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 429 waits Retry-After (not the poll interval), says so, and keeps the last data."""
    await setup_without_push(hass, config_entry)
    held = (await diagnostics(hass, config_entry))["assets"]
    retry_after = POLL_INTERVAL_NO_PUSH * 3
    emulator.add_fault(
        path="/users/*", status=429, retryAfter=int(retry_after.total_seconds()), count=1
    )
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH)
    assert [e.status for e in emulator.request_log[start:]] == [429]
    assert (
        f"Enode's rate limit was reached. Try again in {int(retry_after.total_seconds())} seconds"
        in caplog.text
    )
    assert not await last_update_success(hass, config_entry)
    assert (await diagnostics(hass, config_entry))["assets"] == held
    assert config_entry.state is ConfigEntryState.LOADED
    # Two poll intervals later: still waiting for Retry-After.
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH * 2)
    assert api_requests(emulator, start) == []
    await tick(hass, freezer, retry_after - POLL_INTERVAL_NO_PUSH * 2 + timedelta(seconds=1))
    assert f"GET /users/{DEMO_USER}" in api_requests(emulator, start)
    assert await last_update_success(hass, config_entry)


async def test_outage_waits_for_the_next_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """503s: the client retries a GET at most twice, then the poll fails until the next cycle."""
    await setup_without_push(hass, config_entry)
    emulator.add_fault(path="/users/*", status=503, count=3)
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH)
    assert [e.status for e in emulator.request_log[start:]] == [503, 503, 503]
    assert not await last_update_success(hass, config_entry)
    assert "Could not update from Enode: " in caplog.text
    # Without push a failed poll means the data is not current: the entities say so.
    assert hass.states.get(VEHICLE_BATTERY).state == STATE_UNAVAILABLE
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH)
    assert await last_update_success(hass, config_entry)
    assert hass.states.get(VEHICLE_BATTERY).state != STATE_UNAVAILABLE


async def test_hem_systems_not_enabled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """A client without the HEM feature (403) stops asking for HEM systems."""
    await setup_without_push(hass, config_entry)
    emulator.add_fault(path="/users/*/hem-systems", status=403, count=1)
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH)
    assert f"GET /users/{DEMO_USER}/hem-systems" in api_requests(emulator, start)
    assert await last_update_success(hass, config_entry)
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH)
    assert f"GET /users/{DEMO_USER}/vehicles" in api_requests(emulator, start)
    assert f"GET /users/{DEMO_USER}/hem-systems" not in api_requests(emulator, start)


async def test_poll_never_goes_back_behind_push(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A poll answering older data than a push already applied keeps the pushed value."""
    battery = copy.deepcopy(emulator.asset(BATTERY))
    battery["lastSeen"] = "2030-01-01T00:00:00Z"
    battery["chargeState"].update(batteryLevel=77.0, lastUpdated="2030-01-01T00:00:00Z")
    payload = [event("user:battery:updated", battery)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert hass.states.get(BATTERY_LEVEL).state == "77.0"
    start = len(emulator.request_log)
    await poll_now(hass, BATTERY_LEVEL)
    assert f"GET /users/{DEMO_USER}/batteries" in api_requests(emulator, start)
    assert emulator.asset(BATTERY)["chargeState"]["batteryLevel"] != 77.0
    assert hass.states.get(BATTERY_LEVEL).state == "77.0"
    # Newer data from a poll does replace it.
    stored = emulator.core.store.find_asset(BATTERY).data
    stored["lastSeen"] = "2030-01-02T00:00:00Z"
    stored["chargeState"].update(batteryLevel=31.0, lastUpdated="2030-01-02T00:00:00Z")
    # update_entity requests are debounced (10 s); let the cooldown pass first.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    await poll_now(hass, BATTERY_LEVEL)
    assert hass.states.get(BATTERY_LEVEL).state == "31.0"


async def test_poll_keeps_assets_of_types_it_did_not_list(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """HEM systems turned off mid-way (403): the HEM system already known stays."""
    assert hass.states.get(HEM_REACHABLE).state == "on"
    emulator.add_fault(path="/users/*/hem-systems", status=403, count=1)
    start = len(emulator.request_log)
    await poll_now(hass, HEM_REACHABLE)
    assert [e.status for e in emulator.request_log[start:] if e.path.endswith("hem-systems")] == [
        403
    ]
    assert hass.states.get(HEM_REACHABLE).state == "on"
    assert asset_kinds(await diagnostics(hass, setup_integration))["hem-system"] == 1


async def test_poll_remembers_the_types_it_has_seen(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A type missing from a lagging linkedVendors is still polled once it has been seen."""
    user = emulator.core.store.users[DEMO_USER]
    user.linked_vendors = [v for v in user.linked_vendors if v["vendorType"] != "vehicle"]
    stored = emulator.core.store.find_asset(VEHICLE).data  # changed without a webhook
    stored["lastSeen"] = "2030-01-01T00:00:00Z"
    stored["chargeState"].update(batteryLevel=42.0, lastUpdated="2030-01-01T00:00:00Z")
    start = len(emulator.request_log)
    await poll_now(hass, VEHICLE_BATTERY)
    assert f"GET /users/{DEMO_USER}/vehicles" in api_requests(emulator, start)
    assert hass.states.get(VEHICLE_BATTERY).state == "42.0"


async def test_poll_reporting_an_id_under_another_type(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode lists a known vehicle id as a charger: the poll wins, vehicle entities go unavailable.

    The vehicle's entities never see a charger object (which lacks their attributes).
    """
    stored = emulator.core.store.find_asset(VEHICLE)
    stored.kind = "charger"
    before = asset_kinds(await diagnostics(hass, setup_integration))
    await poll_now(hass, VEHICLE_BATTERY)
    assert await last_update_success(hass, setup_integration)
    # Held as a charger now: one charger more and one vehicle fewer.
    after = asset_kinds(await diagnostics(hass, setup_integration))
    assert (after["charger"], after["vehicle"]) == (before["charger"] + 1, before["vehicle"] - 1)
    assert hass.states.get(VEHICLE_BATTERY).state == "unavailable"
    assert hass.states.get(BATTERY_LEVEL).state != "unavailable"


async def test_push_of_another_type_is_refused_by_the_coordinator(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A pushed asset of another type under a known id is refused: the vehicle stays a vehicle."""
    before = hass.states.get(VEHICLE_BATTERY).state
    kinds = asset_kinds(await diagnostics(hass, setup_integration))
    impostor = copy.deepcopy(emulator.asset(CHARGER))
    impostor.update(id=VEHICLE, lastSeen="2031-01-01T00:00:00Z")
    impostor["chargeState"]["lastUpdated"] = "2031-01-01T00:00:00Z"
    payload = [event("user:charger:updated", impostor)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    result = await diagnostics(hass, setup_integration)
    assert asset_kinds(result) == kinds
    assert result["webhook"]["mismatched_events"] == 1
    assert hass.states.get(VEHICLE_BATTERY).state == before


# --- merge_poll: the pure function that merges a poll's lists into the held assets ----------


def parsed(emulator: Emulator, asset_id: str, stamp: str, **changes: Any) -> Asset:
    """An emulator asset as the client parses it, last updated at `stamp`."""
    data = copy.deepcopy(emulator.asset(asset_id))
    data.update(changes)
    data["lastSeen"] = stamp
    for state in ("chargeState", "config", "thermostatState"):
        if isinstance(data.get(state), dict):
            data[state]["lastUpdated"] = stamp
    return parse_asset(AssetType(emulator.core.store.find_asset(asset_id).kind), data)


async def test_merge_poll_never_goes_back_and_lets_newer_data_in(emulator: Emulator) -> None:
    """An older polled asset keeps the held one; a newer one replaces it."""
    held = {BATTERY: parsed(emulator, BATTERY, "2030-01-02T00:00:00Z")}
    older = {BATTERY: parsed(emulator, BATTERY, "2030-01-01T00:00:00Z")}
    newer = {BATTERY: parsed(emulator, BATTERY, "2030-01-03T00:00:00Z")}
    assert merge_poll(held, older, [AssetType.BATTERY])[BATTERY] is held[BATTERY]
    assert merge_poll(held, newer, [AssetType.BATTERY])[BATTERY] is newer[BATTERY]


async def test_merge_poll_keeps_types_it_did_not_list_and_drops_what_a_list_lacks(
    emulator: Emulator,
) -> None:
    """Types the poll did not list stay (HEM off mid-way); a listed type's missing asset goes."""
    stamp = "2030-01-01T00:00:00Z"
    held = {
        BATTERY: parsed(emulator, BATTERY, stamp),
        HEM: parsed(emulator, HEM, stamp),
        CHARGER: parsed(emulator, CHARGER, stamp),
    }
    polled = {BATTERY: parsed(emulator, BATTERY, stamp)}
    merged = merge_poll(held, polled, [AssetType.BATTERY, AssetType.CHARGER])
    assert set(merged) == {BATTERY, HEM}
    assert merged[HEM] is held[HEM]
    assert merged[BATTERY] is polled[BATTERY]  # not older than the held: the poll's
    # Nothing held yet (the first poll): everything polled.
    assert merge_poll({}, polled, [AssetType.BATTERY]) == polled


async def test_merge_poll_takes_another_type_from_the_poll(emulator: Emulator) -> None:
    """Enode lists a held vehicle id as a charger, even an older one: the poll is Enode's truth."""
    held = {VEHICLE: parsed(emulator, VEHICLE, "2030-01-02T00:00:00Z")}
    charger = copy.deepcopy(emulator.asset(CHARGER))
    charger.update(id=VEHICLE, lastSeen="2030-01-01T00:00:00Z")
    charger["chargeState"]["lastUpdated"] = "2030-01-01T00:00:00Z"
    polled = {VEHICLE: parse_asset(AssetType.CHARGER, charger)}
    merged = merge_poll(held, polled, [AssetType.CHARGER])
    assert merged[VEHICLE].asset_type is AssetType.CHARGER
