"""Push behaviour that must hold whatever the machinery looks like (issue 25).

Each test drives Home Assistant through its public surface (HTTP deliveries to the webhook,
service calls, time travel) and asserts what a user or Enode would observe: states, HTTP answers,
diagnostics and the emulator's request log.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_WEBHOOK_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from enode_emulator import Emulator

from .conftest import DEMO_USER, event, post_webhook
from .platform_helpers import BATTERY, CHARGER, entity_id

# Declared by the oversized delivery: twice the intake's 1 MiB bound.
TWO_MIB = 2 * 1024 * 1024
# A refused delivery is answered at once; this only keeps a wrong implementation from hanging.
ANSWER_WITHIN = 10


async def webhook_counters(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The delivery counters diagnostics show."""
    return dict((await async_get_config_entry_diagnostics(hass, entry))["webhook"])


async def test_declared_oversized_body_is_refused_before_it_is_read(
    hass: HomeAssistant,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Content-Length 2 MiB and no body at all: 413 comes back without waiting for the body."""
    before = await webhook_counters(hass, setup_integration)
    reader, writer = await asyncio.open_connection("127.0.0.1", ha_client.server.port)
    try:
        writer.write(
            (
                f"POST /api/webhook/{setup_integration.data[CONF_WEBHOOK_ID]} HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\n"
                "Content-Type: application/json\r\n"
                "x-enode-signature: sha1=00\r\n"
                f"Content-Length: {TWO_MIB}\r\n"
                "\r\n"
            ).encode()
        )
        await writer.drain()
        # The body never comes: an intake that reads it first would wait here forever.
        status_line = await asyncio.wait_for(reader.readline(), ANSWER_WITHIN)
    finally:
        writer.close()
    assert status_line.split()[1] == b"413", status_line
    counters = await webhook_counters(hass, setup_integration)
    assert counters["rejected"] == before["rejected"] + 1
    assert counters["last_error"] == "oversized"
    assert counters["deliveries"] == before["deliveries"]


def without_timestamps(asset: dict[str, Any]) -> dict[str, Any]:
    """A copy of an asset without `lastSeen` and without any nested `lastUpdated`."""
    asset = copy.deepcopy(asset)
    asset.pop("lastSeen", None)
    for value in asset.values():
        if isinstance(value, dict):
            value.pop("lastUpdated", None)
    return asset


async def test_asset_without_timestamps_updates_its_entities(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """An asset with neither lastSeen nor lastUpdated cannot be older: it is applied."""
    sensor = entity_id(entity_registry, "sensor", BATTERY, "battery_level")
    assert hass.states.get(sensor).state != "13.0"
    battery = without_timestamps(emulator.asset(BATTERY))
    battery["chargeState"]["batteryLevel"] = 13.0
    payload = [event("user:battery:updated", battery)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "13.0"
    counters = await webhook_counters(hass, setup_integration)
    assert counters["stale_events"] == 0
    assert counters["failed_events"] == 0


async def test_confirmation_in_a_later_delivery_releases_the_requested_value(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The charger's newer data (not charging) arrives first, CONFIRMED in the next delivery.

    While the action is pending the switch shows the request; the confirmation alone (no asset
    data in its delivery) must let the newer data show: off.
    """
    switch = "switch.zaptec_go_charge"
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert hass.states.get(switch).state == STATE_ON
    [action] = [a for a in emulator.core.actions.actions.values() if a.asset_id == CHARGER]
    confirmed = dt_util.utcnow()
    later = (confirmed + timedelta(seconds=1)).isoformat()
    charger = copy.deepcopy(emulator.asset(CHARGER))
    charger["lastSeen"] = later
    charger["chargeState"].update(isCharging=False, lastUpdated=later)
    first = [event("user:charger:updated", charger)]
    assert await post_webhook(ha_client, setup_integration, first) == 200
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == STATE_ON  # still pending: the request shows
    vendor_action = {
        **action.data,
        "state": "CONFIRMED",
        "completedAt": confirmed.isoformat(),
        "updatedAt": confirmed.isoformat(),
    }
    second = [
        event("user:vendor-action:updated", vendorAction=vendor_action, updatedFields=["state"])
    ]
    assert await post_webhook(ha_client, setup_integration, second) == 200
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == STATE_OFF


def full_polls(emulator: Emulator, start: int) -> int:
    """Full polls since `start`: each one begins with the user."""
    return sum(
        1
        for e in emulator.request_log[start:]
        if (e.method, e.path) == ("GET", f"/users/{DEMO_USER}")
    )


async def test_heartbeats_queueing_for_ten_minutes_poll_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """pendingEvents > 0 at 0, 5 and 10 minutes: one poll right after the 10-minute heartbeat."""
    start = len(emulator.request_log)
    polls_after: list[int] = []
    for minute in (0, 5, 10, 15):
        if minute:
            freezer.tick(timedelta(minutes=5))
            async_fire_time_changed(hass)
        payload = [event("system:heartbeat", pendingEvents=3)]
        assert await post_webhook(ha_client, setup_integration, payload) == 200
        await hass.async_block_till_done(wait_background_tasks=True)
        polls_after.append(full_polls(emulator, start))
    # Nothing at 0 and 5 minutes; the poll at 10; still queueing at 15 is not a new backlog.
    assert polls_after == [0, 0, 1, 1]
