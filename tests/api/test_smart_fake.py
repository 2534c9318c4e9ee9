"""Smart layer client calls against a scripted Enode: fallbacks for uncertain routes/shapes."""

from __future__ import annotations

import json

import pytest

from aioenode import (
    EnodeClient,
    EnodeNotFoundError,
    EnodeSmartChargingPolicyError,
    SmartChargingErrorCause,
)

from .conftest import FakeEnode, problem, reply, respond

POLICY = {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20}


async def test_policy_get_falls_back_to_the_vehicle(client: EnodeClient, fake: FakeEnode) -> None:
    # [?] SMART.md 1.2: the GET route may be missing in 2024-10-01 (404).
    fake.on("GET", "/vehicles/v", reply({"id": "v", "smartChargingPolicy": POLICY}))
    policy = await client.get_vehicle_smart_charging_policy("v")
    assert (policy.is_enabled, policy.deadline, policy.minimum_charge_limit) == (True, "07:00", 20)
    with pytest.raises(EnodeNotFoundError):
        await client.get_vehicle_smart_charging_policy("unknown")


async def test_policy_put_body_and_cause(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on(
        "PUT",
        "/vehicles/v/smart-charging-policy",
        reply(POLICY),
        respond(lambda: problem(400, "Bad Request", "User has no price area or tariffs")),
    )
    await client.set_vehicle_smart_charging_policy("v", deadline=None, minimum_charge_limit=20)
    assert json.loads(fake.api_requests()[-1].body) == {"deadline": None, "minimumChargeLimit": 20}
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy("v", is_enabled=True)
    assert info.value.cause is SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF
    assert info.value.detail == "User has no price area or tariffs"


async def test_delete_location_without_body_and_tariff_envelope(
    client: EnodeClient, fake: FakeEnode
) -> None:
    fake.on("DELETE", "/locations/l", reply(None, status=200))
    assert await client.delete_location("l") is None
    fake.on("GET", "/tariffs/T", reply({"data": [{"name": "A", "cost": "1.0"}]}))
    assert [rate.name for rate in await client.get_tariff("T")] == ["A"]


async def test_partial_location_update_sends_all_four_keys(
    client: EnodeClient, fake: FakeEnode
) -> None:
    home = {"id": "l", "name": "Home", "latitude": 1.0, "longitude": 2.0, "timezoneName": "UTC"}
    fake.on("GET", "/locations/l", reply(home))
    fake.on("PUT", "/locations/l", reply({**home, "name": "New"}))
    updated = await client.update_location("l", name="New")
    assert updated.name == "New"
    body = json.loads(fake.api_requests()[-1].body)
    assert body == {"name": "New", "latitude": 1.0, "longitude": 2.0, "timezoneName": "UTC"}
