"""The webhook handler: signed deliveries from the emulator, and forged or broken ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import copy
import json
from typing import Any, cast
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.aiohttp import MockRequest
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api import EnodeClient, Environment
from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import CONF_ENVIRONMENT, DOMAIN, MAX_WEBHOOK_BODY
from enode_emulator import Emulator

from .conftest import (
    DEMO_USER,
    asset_kinds,
    browse_link,
    diagnostics,
    entry_data,
    event,
    post_webhook,
    sign,
)
from .platform_helpers import BATTERY, CHARGER, VEHICLE, asset_device

VEHICLE_BATTERY = "sensor.my_model_3_battery"


BATTERY_LEVEL = "sensor.huawei_luna2000_battery"


def battery_level(hass: HomeAssistant) -> str:
    """The home battery's level as Home Assistant shows it."""
    return hass.states.get(BATTERY_LEVEL).state


async def health(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The delivery counters, as diagnostics show them."""
    return cast("dict[str, Any]", (await diagnostics(hass, entry))["webhook"])


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
    assert battery_level(hass) == "42.0"
    # Push brought it: no Enode API request was made for it.
    assert len(emulator.request_log) == requests_before
    counts = (await health(hass, setup_integration))["counts_by_event"]
    assert counts.get("user:battery:updated", 0) >= 1


async def test_forged_signature_is_rejected(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A wrong or missing signature changes nothing."""
    before = battery_level(hass)
    payload = [event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=1.0))]
    assert await post_webhook(ha_client, setup_integration, payload, signature="sha1=00") == 401
    assert await post_webhook(ha_client, setup_integration, payload, signature="") == 401
    assert battery_level(hass) == before
    assert (await health(hass, setup_integration))["rejected"] == 2


async def test_malformed_and_oversized_bodies_are_rejected(
    hass: HomeAssistant,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Invalid JSON, a non-array body and an oversized body are refused without effect."""
    before = await diagnostics(hass, setup_integration)
    states = {state.entity_id: state for state in hass.states.async_all()}
    assert await post_webhook(ha_client, setup_integration, None, raw=b"{not json") == 400
    assert await post_webhook(ha_client, setup_integration, {"event": "x"}) == 400
    assert await post_webhook(ha_client, setup_integration, ["not an object"]) == 400
    big = b"[" + b" " * (MAX_WEBHOOK_BODY + 10) + b"]"
    assert await post_webhook(ha_client, setup_integration, None, raw=big) == 413
    after = await diagnostics(hass, setup_integration)
    assert after["assets"] == before["assets"]
    assert after["webhook"]["rejected"] == 4
    assert after["webhook"]["deliveries"] == before["webhook"]["deliveries"]
    assert {state.entity_id: state for state in hass.states.async_all()} == states


async def test_foreign_user_and_unknown_events_are_ignored(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Events of another Enode user and unknown event types change nothing."""
    before = battery_level(hass)
    foreign = event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=3.0))
    foreign["user"] = {"id": "someone-else"}
    unknown = event("user:spaceship:launched")
    assert await post_webhook(ha_client, setup_integration, [foreign, unknown]) == 200
    assert battery_level(hass) == before
    counters = await health(hass, setup_integration)
    assert counters["foreign_user_events"] == 1
    assert counters["ignored_events"] == 1


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
    assert battery_level(hass) == "77.0"
    assert (await health(hass, setup_integration))["stale_events"] == 1


async def test_discovered_never_blanks_and_deleted_removes(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A discovered event for a known asset is ignored; a deleted event removes its device."""
    battery = emulator.asset(BATTERY)
    before = battery_level(hass)
    discovered = {"id": BATTERY, "userId": DEMO_USER, "information": battery["information"]}
    assert (
        await post_webhook(
            ha_client, setup_integration, [event("user:battery:discovered", discovered)]
        )
        == 200
    )
    assert battery_level(hass) == before
    assert (
        await post_webhook(ha_client, setup_integration, [event("user:battery:deleted", battery)])
        == 200
    )
    await hass.async_block_till_done()
    assert asset_kinds(await diagnostics(hass, setup_integration))["battery"] == 0
    assert hass.states.get(BATTERY_LEVEL) is None
    assert asset_device(device_registry, setup_integration, BATTERY) is None


async def test_heartbeat_keeps_push_healthy(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The emulator's periodic heartbeat arrives and counts as a healthy delivery."""
    await emulator.advance(emulator.core.config.heartbeat_interval + 1)
    await hass.async_block_till_done()
    counters = await health(hass, setup_integration)
    assert counters["counts_by_event"].get("system:heartbeat", 0) >= 1
    assert counters["push_healthy"]


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
    vendors = (await diagnostics(hass, setup_integration))["linked_vendors"]
    huawei = [v["is_valid"] for v in vendors if v["vendor"] == "HUAWEI"]
    assert huawei
    assert all(huawei)


# --- Large, chunked and hostile deliveries (issue #12) -------------------------------------


def vehicle_events(emulator: Emulator, count: int, *, pad: int = 0) -> list[dict[str, Any]]:
    """`count` vehicle updates, each newer than the last; the last one sets the battery to 77 %."""
    events = []
    for index in range(count):
        vehicle = copy.deepcopy(emulator.asset(VEHICLE))
        stamp = f"2030-01-01T00:{index // 60:02d}:{index % 60:02d}Z"
        vehicle["lastSeen"] = stamp
        level = 77.0 if index == count - 1 else 10.0 + index % 50
        vehicle["chargeState"].update(batteryLevel=level, lastUpdated=stamp)
        item = event("user:vehicle:updated", vehicle, updatedFields=["chargeState.batteryLevel"])
        if pad:
            item["padding"] = "x" * pad  # unknown keys are tolerated, as Enode's may grow
        events.append(item)
    return events


async def pieces(body: bytes, size: int) -> AsyncIterator[bytes]:
    """The body in pieces with a pause between them, as TCP segments arrive over time."""
    for start in range(0, len(body), size):
        yield body[start : start + size]
        await asyncio.sleep(0.001)


async def post_streamed(
    ha_client: TestClient,
    entry: MockConfigEntry,
    body: bytes,
    *,
    chunked: bool,
    piece: int = 16 * 1024,
    signature: str | None = None,
) -> int:
    """POST a signed body in pieces: with Content-Length, or with chunked transfer encoding."""
    headers = {
        "Content-Type": "application/json",
        "x-enode-signature": signature if signature is not None else sign(body),
        "x-enode-delivery": "streamed-delivery",
    }
    if not chunked:
        headers["Content-Length"] = str(len(body))
    response = await ha_client.post(
        f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}",
        data=pieces(body, piece),
        headers=headers,
        chunked=True if chunked else None,
    )
    return response.status


async def test_signed_100_event_delivery_is_applied(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode's largest batch (100 vehicle events, ~175 kB) arriving in segments is applied."""
    body = json.dumps(vehicle_events(emulator, 100)).encode()
    assert 150_000 < len(body) < 200_000
    assert await post_streamed(ha_client, setup_integration, body, chunked=False) == 200
    assert hass.states.get(VEHICLE_BATTERY).state == "77.0"
    counters = await health(hass, setup_integration)
    assert counters["rejected"] == 0
    assert counters["counts_by_event"]["user:vehicle:updated"] == 100


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_signed_600_kb_delivery_is_applied(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
    chunked: bool,
) -> None:
    """A ~600 kB signed delivery, with Content-Length or chunked, is verified over all of it."""
    body = json.dumps(vehicle_events(emulator, 100, pad=4300)).encode()
    assert 580_000 < len(body) < 620_000 < MAX_WEBHOOK_BODY
    assert await post_streamed(ha_client, setup_integration, body, chunked=chunked) == 200
    assert hass.states.get(VEHICLE_BATTERY).state == "77.0"
    assert (await health(hass, setup_integration))["rejected"] == 0


async def test_chunked_delivery_over_the_limit_is_refused(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Without Content-Length the body is read with a bound: over MAX_WEBHOOK_BODY is 413."""
    before = hass.states.get(VEHICLE_BATTERY).state
    events = vehicle_events(emulator, 1, pad=MAX_WEBHOOK_BODY)
    body = json.dumps(events).encode()
    status = await post_streamed(ha_client, setup_integration, body, chunked=True, piece=64 * 1024)
    assert status == 413
    counters = await health(hass, setup_integration)
    assert (counters["rejected"], counters["last_error"]) == (1, "oversized")
    assert hass.states.get(VEHICLE_BATTERY).state == before


async def test_deeply_nested_json_is_malformed(
    hass: HomeAssistant,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A signed [[[[...]]]] 20,000 levels deep is a malformed body (400), not a traceback."""
    accepted = (await health(hass, setup_integration))["deliveries"]
    body = b"[" * 20_000 + b"]" * 20_000
    assert await post_webhook(ha_client, setup_integration, None, raw=body) == 400
    counters = await health(hass, setup_integration)
    assert (counters["rejected"], counters["last_error"], counters["deliveries"]) == (
        1,
        "malformed",
        accepted,
    )
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info]


async def test_event_of_another_asset_type_is_ignored(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A vehicle id sent as a charger changes nothing; the rest of the batch is applied."""
    vehicle_before = hass.states.get(VEHICLE_BATTERY).state
    impostor = copy.deepcopy(emulator.asset(CHARGER))
    impostor["id"] = VEHICLE
    impostor["lastSeen"] = "2031-01-01T00:00:00Z"
    impostor["chargeState"]["lastUpdated"] = "2031-01-01T00:00:00Z"
    battery = newer(emulator.asset(BATTERY), batteryLevel=42.0)
    payload = [event("user:charger:updated", impostor), event("user:battery:updated", battery)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert hass.states.get("sensor.huawei_luna2000_battery").state == "42.0"
    vehicle_state = hass.states.get(VEHICLE_BATTERY)
    assert vehicle_state.state == vehicle_before != "unavailable"
    # Later deliveries keep working; the impostor is counted each time and logged once.
    payload[1] = event("user:battery:updated", newer(battery, batteryLevel=43.0))
    payload[1]["battery"]["lastSeen"] = "2030-01-02T00:00:00Z"
    payload[1]["battery"]["chargeState"]["lastUpdated"] = "2030-01-02T00:00:00Z"
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert hass.states.get("sensor.huawei_luna2000_battery").state == "43.0"
    counters = await health(hass, setup_integration)
    assert (counters["mismatched_events"], counters["failed_events"]) == (2, 0)
    assert caplog.text.count(f"Ignoring Enode user:charger:updated events for {VEHICLE}") == 1
    # A deleted event of the wrong type does not remove the vehicle either.
    deleted = [event("user:charger:deleted", impostor)]
    assert await post_webhook(ha_client, setup_integration, deleted) == 200
    assert hass.states.get(VEHICLE_BATTERY).state == vehicle_before


async def test_exception_while_applying_is_counted_and_the_batch_goes_on(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An event that raises is logged once with context and counted; later events still apply."""
    # Fault injection, not an assertion: no valid delivery makes the handler raise on its own.
    tracker = setup_integration.runtime_data.actions
    broken = event(
        "user:vendor-action:updated",
        vendorAction={"id": "a-1", "state": "CONFIRMED", "kind": "START"},
    )
    battery = newer(emulator.asset(BATTERY), batteryLevel=42.0)
    payload = [broken, event("user:battery:updated", battery)]
    with patch.object(tracker, "async_handle_action", side_effect=KeyError("boom")):
        assert await post_webhook(ha_client, setup_integration, payload) == 200
        assert hass.states.get("sensor.huawei_luna2000_battery").state == "42.0"
        assert await post_webhook(ha_client, setup_integration, [broken]) == 200
    counters = await health(hass, setup_integration)
    assert counters["failed_events"] == 2
    assert counters["last_event_error"] == "user:vendor-action:updated: KeyError"
    logged = [r for r in caplog.records if r.name == "custom_components.enode"]
    errors = [r for r in logged if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "Could not apply an Enode user:vendor-action:updated event" in errors[0].getMessage()
    assert "delivery test-delivery" in caplog.text


async def test_signature_with_another_prefix_is_rejected(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """`sha2=<the correct HMAC-SHA1 hex>` is not Enode's signature: 401, nothing applied."""
    before = hass.states.get("sensor.huawei_luna2000_battery").state
    payload = [event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=1.0))]
    body = json.dumps(payload).encode()
    wrong_prefix = "sha2=" + sign(body).removeprefix("sha1=")
    status = await post_webhook(
        ha_client, setup_integration, None, raw=body, signature=wrong_prefix
    )
    assert status == 401
    assert hass.states.get("sensor.huawei_luna2000_battery").state == before
    counters = await health(hass, setup_integration)
    assert (counters["rejected"], counters["last_error"]) == (1, "bad_signature")
    # The same body with Enode's prefix is accepted (the HMAC itself was right).
    assert await post_webhook(ha_client, setup_integration, None, raw=body) == 200
    assert hass.states.get("sensor.huawei_luna2000_battery").state == "1.0"


async def test_cloudhook_delivery_is_applied(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """HA Cloud relays deliveries as a MockRequest (no content_length): verified and applied."""
    payload = [event("user:battery:updated", newer(emulator.asset(BATTERY), batteryLevel=42.0))]
    body = json.dumps(payload).encode()
    request = MockRequest(
        content=body,
        mock_source="cloud",
        method="POST",
        headers={"Content-Type": "application/json", "x-enode-signature": sign(body)},
    )
    response = await webhook.async_handle_webhook(
        hass, setup_integration.data[CONF_WEBHOOK_ID], request
    )
    assert response.status == 200
    assert hass.states.get("sensor.huawei_luna2000_battery").state == "42.0"
    assert (await health(hass, setup_integration))["counts_by_event"]["user:battery:updated"] == 1


@pytest.mark.parametrize(
    ("external_url", "push"),
    [
        ("http://ha.example.org", False),
        ("https://ha.example.org:8443", False),
        ("http://ha.example.org:443", False),
        ("https://127.0.0.1", True),
        ("https://127.0.0.1:443", True),
    ],
)
async def test_production_urls_need_https_on_443(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    external_url: str,
    push: bool,
) -> None:
    """Outside the custom environment only an https URL on port 443 is given to Enode."""
    await async_process_ha_core_config(hass, {"external_url": external_url})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Enode (sandbox)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator, **{CONF_ENVIRONMENT: "sandbox"}),
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)

    def sandbox_at_the_emulator(hass: HomeAssistant, data: dict[str, Any]) -> EnodeClient:
        """The sandbox environment, its URLs pointing at the emulator."""
        assert data[CONF_ENVIRONMENT] == "sandbox"
        return EnodeClient(
            async_get_clientsession(hass),
            data["client_id"],
            data["client_secret"],
            environment=Environment.SANDBOX,
            api_url=emulator.base_url,
            token_url=emulator.token_url,
        )

    with patch("custom_components.enode.create_client", sandbox_at_the_emulator):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    state = (await diagnostics(hass, entry))["webhook"]
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"webhook_unavailable_{entry.entry_id}")
    created = [e for e in emulator.request_log if (e.method, e.path) == ("POST", "/webhooks")]
    if push:
        assert (state["mode"], state["url_kind"]) == ("push", "external")
        assert issue is None
        assert len(created) == 1
    else:
        assert state["mode"] == "poll"
        assert issue is not None
        assert issue.translation_key == "webhook_unavailable"
        assert created == []
