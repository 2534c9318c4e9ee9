"""Polling against the emulator: request budget, token expiry, 401, 429 and 503."""

from __future__ import annotations

import copy
from datetime import timedelta

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.api import AssetType, parse_asset
from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

from .conftest import DEMO_USER, event, post_webhook
from .platform_helpers import BATTERY, CHARGER, HEM, VEHICLE

BATTERY_LEVEL = "sensor.huawei_luna2000_battery"
VEHICLE_BATTERY = "sensor.my_model_3_battery"
HEM_REACHABLE = "binary_sensor.demo_household_energy_system_reachable"


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
    coordinator = setup_integration.runtime_data.coordinator
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
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
    coordinator = setup_integration.runtime_data.coordinator
    emulator.expire_tokens()
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
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
    coordinator = setup_integration.runtime_data.coordinator
    emulator.expire_tokens()
    emulator.add_fault(path="/oauth2/token", status=401, count=5)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_rate_limit_honours_retry_after(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A 429 becomes UpdateFailed(retry_after=...) and keeps the last data."""
    coordinator = setup_integration.runtime_data.coordinator
    held = coordinator.data
    emulator.add_fault(path="/users/*", status=429, retryAfter=120, count=1)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert error.retry_after == 120
    assert coordinator.data is held
    assert setup_integration.state is ConfigEntryState.LOADED


async def test_outage_waits_for_the_next_cycle(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """503s: the client retries a GET at most twice, then the poll fails until the next cycle."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.add_fault(path="/users/*", status=503, count=3)
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert [e.status for e in emulator.request_log[start:]] == [503, 503, 503]
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == "update_failed"
    await coordinator.async_refresh()
    assert coordinator.last_update_success


async def test_hem_systems_not_enabled(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A client without the HEM feature (403) stops asking for HEM systems."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.add_fault(path="/users/*/hem-systems", status=403, count=1)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert f"GET /users/{DEMO_USER}/hem-systems" not in api_requests(emulator, start)


async def poll_now(hass: HomeAssistant, entity_id: str) -> None:
    """Ask for a poll the way a user does: homeassistant.update_entity on an Enode entity."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


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
    assert HEM in setup_integration.runtime_data.coordinator.data.assets


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
    coordinator = setup_integration.runtime_data.coordinator
    stored = emulator.core.store.find_asset(VEHICLE)
    stored.kind = "charger"
    await poll_now(hass, VEHICLE_BATTERY)
    assert coordinator.last_update_success
    assert coordinator.data.assets[VEHICLE].asset_type is AssetType.CHARGER
    assert hass.states.get(VEHICLE_BATTERY).state == "unavailable"
    assert hass.states.get(BATTERY_LEVEL).state != "unavailable"


async def test_push_of_another_type_is_refused_by_the_coordinator(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Whoever hands the coordinator an asset of another type under a known id: refused."""
    coordinator = setup_integration.runtime_data.coordinator
    before = hass.states.get(VEHICLE_BATTERY).state
    impostor = copy.deepcopy(emulator.asset(CHARGER))
    impostor.update(id=VEHICLE, lastSeen="2031-01-01T00:00:00Z")
    assert coordinator.async_apply_asset(parse_asset(AssetType.CHARGER, impostor)) is False
    assert coordinator.data.assets[VEHICLE].asset_type is AssetType.VEHICLE
    assert hass.states.get(VEHICLE_BATTERY).state == before
