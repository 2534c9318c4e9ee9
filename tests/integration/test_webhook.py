"""The webhook handler: signed deliveries from the emulator, and forged or broken ones."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN, MAX_WEBHOOK_BODY
from enode_emulator import Emulator

from .conftest import DEMO_USER, browse_link, event, post_webhook
from .platform_helpers import BATTERY


def battery_level(entry: MockConfigEntry) -> float | None:
    """The battery level the coordinator holds."""
    battery = entry.runtime_data.coordinator.data.assets[BATTERY]
    return battery.charge_state.battery_level if battery.charge_state else None


def newer(asset: dict[str, Any], **charge_state: Any) -> dict[str, Any]:
    """A copy of an asset with a later lastUpdated and changed charge state."""
    asset = copy.deepcopy(asset)
    asset["lastSeen"] = "2030-01-01T00:00:00Z"
    asset["chargeState"].update(charge_state, lastUpdated="2030-01-01T00:00:00Z")
    return asset


async def test_emulator_delivery_updates_state(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A change at Enode reaches Home Assistant through the signed webhook, without a poll."""
    requests_before = len(emulator.request_log)
    emulator.patch_asset(BATTERY, {"chargeState": {"batteryLevel": 42.0}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert battery_level(setup_integration) == 42.0
    # Push brought it: no Enode API request was made for it.
    assert len(emulator.request_log) == requests_before
    health = setup_integration.runtime_data.webhook.health
    assert health.counts_by_event.get("user:battery:updated", 0) >= 1


async def test_forged_signature_is_rejected(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A wrong or missing signature changes nothing."""
    before = battery_level(setup_integration)
    payload = [event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=1.0))]
    assert await post_webhook(ha_client, setup_integration, payload, signature="sha1=00") == 401
    assert await post_webhook(ha_client, setup_integration, payload, signature="") == 401
    assert battery_level(setup_integration) == before
    assert setup_integration.runtime_data.webhook.health.rejected == 2


async def test_malformed_and_oversized_bodies_are_rejected(
    hass: HomeAssistant,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Invalid JSON, a non-array body and an oversized body are refused without effect."""
    coordinator = setup_integration.runtime_data.coordinator
    snapshot = coordinator.data
    assert await post_webhook(ha_client, setup_integration, None, raw=b"{not json") == 400
    assert await post_webhook(ha_client, setup_integration, {"event": "x"}) == 400
    assert await post_webhook(ha_client, setup_integration, ["not an object"]) == 400
    big = b"[" + b" " * (MAX_WEBHOOK_BODY + 10) + b"]"
    assert await post_webhook(ha_client, setup_integration, None, raw=big) == 413
    assert coordinator.data is snapshot


async def test_foreign_user_and_unknown_events_are_ignored(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Events of another Enode user and unknown event types change nothing."""
    before = battery_level(setup_integration)
    foreign = event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=3.0))
    foreign["user"] = {"id": "someone-else"}
    unknown = event("user:spaceship:launched")
    assert await post_webhook(ha_client, setup_integration, [foreign, unknown]) == 200
    assert battery_level(setup_integration) == before
    health = setup_integration.runtime_data.webhook.health
    assert health.foreign_user_events == 1
    assert health.ignored_events == 1


async def test_out_of_order_update_is_ignored(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """An event older than what is held never moves state backwards."""
    fresh = newer(emulator.asset(BATTERY), batteryLevel=77.0)
    stale = copy.deepcopy(fresh)
    stale["lastSeen"] = "2020-01-01T00:00:00Z"
    stale["chargeState"].update(batteryLevel=5.0, lastUpdated="2020-01-01T00:00:00Z")
    stale["config"]["lastUpdated"] = "2020-01-01T00:00:00Z"
    stale["location"]["lastUpdated"] = None
    payload = [event("user:battery:updated", fresh), event("user:battery:updated", stale)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert battery_level(setup_integration) == 77.0


async def test_discovered_never_blanks_and_deleted_removes(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A discovered event for a known asset is ignored; a deleted event removes its device."""
    battery = emulator.asset(BATTERY)
    before = battery_level(setup_integration)
    discovered = {"id": BATTERY, "userId": DEMO_USER, "information": battery["information"]}
    assert (
        await post_webhook(
            ha_client, setup_integration, [event("user:battery:discovered", discovered)]
        )
        == 200
    )
    assert battery_level(setup_integration) == before
    assert (
        await post_webhook(ha_client, setup_integration, [event("user:battery:deleted", battery)])
        == 200
    )
    await hass.async_block_till_done()
    assert BATTERY not in setup_integration.runtime_data.coordinator.data.assets
    assert device_registry.async_get_device(identifiers={(DOMAIN, BATTERY)}) is None


async def test_heartbeat_keeps_push_healthy(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The emulator's periodic heartbeat arrives and counts as a healthy delivery."""
    await emulator.advance(emulator.core.config.heartbeat_interval + 1)
    await hass.async_block_till_done()
    health = setup_integration.runtime_data.webhook.health
    assert health.counts_by_event.get("system:heartbeat", 0) >= 1
    assert setup_integration.runtime_data.webhook.push_healthy


async def test_credentials_invalidated_repair_relinks(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A lost vendor link raises a fixable issue; its fix flow relinks through Enode Link."""
    emulator.invalidate_credentials(DEMO_USER, "HUAWEI")
    await emulator.advance(1)
    await hass.async_block_till_done()
    issue_id = f"credentials_invalidated_{setup_integration.entry_id}_HUAWEI"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    # The entry itself keeps working (this is not a reauth).
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    from homeassistant.components.repairs import repairs_flow_manager  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["step_id"] == "confirm"
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "external"
    assert (await browse_link(result["url"], ha_client)).status == 200
    result = await manager.async_configure(result["flow_id"])
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    user = setup_integration.runtime_data.coordinator.data.user
    assert user is not None
    assert all(v.is_valid for v in user.linked_vendors if v.vendor == "HUAWEI")
