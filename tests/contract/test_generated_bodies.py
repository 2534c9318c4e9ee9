"""Hypothesis: any SDK-valid answer of an operation the client uses parses without a crash.

The answers are generated from the SDK models' JSON schemas and kept only when the SDK accepts
them; the client's transport is replaced by one that returns them, so every example runs the
client's own code path (status handling, shape checks, models) without a socket. The only
exceptions allowed are the library's own (`EnodeError`). Bounded: a few examples per operation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from aioenode import (
    AssetType,
    EnodeClient,
    EnodeError,
    Environment,
    parse_events,
)
from aioenode.bodies import permanent_hold_body
from tests.contract.spec import ACTION_MODELS, EVENT_PAYLOADS, OPERATIONS, adapter, violations
from tests.contract.strategies import valid_json

type Call = Callable[[EnodeClient], Awaitable[Any]]

SINCE = datetime(2025, 1, 1, tzinfo=UTC)

_ACTION_TYPES = (AssetType.VEHICLE, AssetType.CHARGER, AssetType.HVAC, AssetType.BATTERY)


def _get_action(asset_type: AssetType) -> Call:
    return lambda client: client.get_action(asset_type, "x")


def _cancel(asset_type: AssetType) -> Call:
    return lambda client: client.cancel_action(asset_type, "x")


# What the client calls for each operation whose answer the SDK models.
CALLS: dict[str, Call] = {
    "GET /users/{userId}": lambda c: c.get_user("u"),
    "POST /users/{userId}/link": lambda c: c.create_link_session(
        "u", scopes=["vehicle:read:data"], redirect_uri="https://x"
    ),
    "POST /assets/{assetId}/relink": lambda c: c.relink_asset("a", redirect_uri="https://x"),
    "GET /users/{userId}/vehicles": lambda c: c.list_vehicles("u"),
    "GET /users/{userId}/chargers": lambda c: c.list_chargers("u"),
    "GET /users/{userId}/batteries": lambda c: c.list_batteries("u"),
    "GET /users/{userId}/hvacs": lambda c: c.list_hvacs("u"),
    "GET /users/{userId}/inverters": lambda c: c.list_inverters("u"),
    "GET /users/{userId}/meters": lambda c: c.list_meters("u"),
    "GET /vehicles/{vehicleId}": lambda c: c.get_asset(AssetType.VEHICLE, "a"),
    "GET /chargers/{chargerId}": lambda c: c.get_asset(AssetType.CHARGER, "a"),
    "GET /batteries/{batteryId}": lambda c: c.get_asset(AssetType.BATTERY, "a"),
    "GET /hvacs/{hvacId}": lambda c: c.get_asset(AssetType.HVAC, "a"),
    "GET /inverters/{inverterId}": lambda c: c.get_asset(AssetType.INVERTER, "a"),
    "GET /meters/{meterId}": lambda c: c.get_asset(AssetType.METER, "a"),
    "PUT /chargers/{chargerId}": lambda c: c.set_asset_location(AssetType.CHARGER, "a", None),
    "PUT /hvacs/{hvacId}": lambda c: c.set_asset_location(AssetType.HVAC, "a", "l"),
    "POST /vehicles/{vehicleId}/charging": lambda c: c.set_charging(
        AssetType.VEHICLE, "a", start=True
    ),
    "POST /chargers/{chargerId}/charging": lambda c: c.set_charging(
        AssetType.CHARGER, "a", start=False
    ),
    "POST /vehicles/{vehicleId}/max-current": lambda c: c.set_max_current(
        AssetType.VEHICLE, "a", 16
    ),
    "POST /chargers/{chargerId}/max-current": lambda c: c.set_max_current(
        AssetType.CHARGER, "a", 16
    ),
    "POST /batteries/{batteryId}/operation-mode": lambda c: c.set_battery_operation_mode(
        "a", "IDLE"
    ),
    "POST /hvacs/{hvacId}/permanent-hold": lambda c: c.set_hvac_permanent_hold("a", "OFF"),
    "POST /hvacs/{hvacId}/follow-schedule": lambda c: c.set_hvac_follow_schedule("a"),
    "POST /vehicles/{vehicleId}/smart-override": lambda c: c.create_smart_override(
        AssetType.VEHICLE, "a"
    ),
    "DELETE /vehicles/{vehicleId}/smart-override": lambda c: c.end_smart_override(
        AssetType.VEHICLE, "a"
    ),
    **{f"GET /{t.path}/actions/{{actionId}}": _get_action(t) for t in _ACTION_TYPES},
    **{f"POST /{t.path}/actions/{{actionId}}/cancel": _cancel(t) for t in _ACTION_TYPES},
    "GET /vehicles/{vehicleId}/smart-charging-policy": lambda c: (
        c.get_vehicle_smart_charging_policy("a")
    ),
    "PUT /vehicles/{vehicleId}/smart-charging-policy": lambda c: (
        c.set_vehicle_smart_charging_policy("a", is_enabled=True)
    ),
    "GET /vehicles/{vehicleId}/smart-charging-status": lambda c: (
        c.get_vehicle_smart_charging_status("a")
    ),
    "GET /users/{userId}/schedules": lambda c: c.list_schedules("u"),
    "POST /users/{userId}/schedules": lambda c: c.create_schedule("u", {}),
    "GET /schedules/{scheduleId}": lambda c: c.get_schedule("s"),
    "PUT /schedules/{scheduleId}": lambda c: c.update_schedule("s", {"isEnabled": True}),
    "GET /schedules/{scheduleId}/status": lambda c: c.get_schedule_status("s"),
    "GET /locations": lambda c: c.list_locations(),
    "GET /users/{userId}/locations": lambda c: c.list_locations("u"),
    "POST /users/{userId}/locations": lambda c: c.create_location(
        "u", name="n", latitude=1, longitude=2
    ),
    "GET /locations/{locationId}": lambda c: c.get_location("l"),
    "PUT /locations/{locationId}": lambda c: c.update_location(
        "l", name="n", latitude=1, longitude=2, timezone_name="UTC"
    ),
    "DELETE /locations/{locationId}": lambda c: c.delete_location("l"),
    "GET /tariffs/{tariffId}": lambda c: c.get_tariff("t"),
    "GET /locations/{locationId}/tariff": lambda c: c.get_location_tariff("l"),
    "GET /interventions": lambda c: c.list_interventions(),
    "GET /interventions/{interventionId}": lambda c: c.get_intervention("i"),
    "GET /integrations": lambda c: c.list_integrations(),
    "GET /webhooks": lambda c: c.list_webhooks(),
    "POST /webhooks": lambda c: c.create_webhook("https://x", "s"),
    "GET /webhooks/{webhookId}": lambda c: c.get_webhook("w"),
    "PATCH /webhooks/{webhookId}": lambda c: c.update_webhook("w", url="https://y"),
    "POST /webhooks/{webhookId}/test": lambda c: c.test_webhook("w"),
    "GET /inverters/{inverterId}/statistics": lambda c: c.get_inverter_statistics("i", 2025, 1),
    "GET /users/{userId}/statistics/charging": lambda c: c.get_charging_statistics(
        "u", asset_type=AssetType.VEHICLE, start=SINCE
    ),
    "GET /users/{userId}/statistics/charging/sessions": lambda c: c.get_charging_sessions(
        "u", asset_type=AssetType.CHARGER, start=SINCE
    ),
}

CASES = [
    pytest.param(op.name, status, model, id=f"{op.name} {status}")
    for op in OPERATIONS
    for status, model in op.responses
]
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


def _client(status: int, answer: Any) -> EnodeClient:
    """A client whose transport answers every request with ``(status, answer)``."""
    client = EnodeClient(
        None,  # type: ignore[arg-type]  # never used: the transport below replaces it
        "id",
        "secret",
        environment=Environment.SANDBOX,
    )

    async def transport(*_args: Any, **_kwargs: Any) -> tuple[int, Any]:
        # A JSON round trip: the client sees exactly what it would decode from the wire.
        return status, json.loads(json.dumps(answer))

    client._request_full = transport  # type: ignore[method-assign]
    return client


def test_every_modelled_operation_has_a_call() -> None:
    assert {name for name, _, _ in (case.values for case in CASES)} == set(CALLS)


@pytest.mark.parametrize(("operation", "status", "model"), CASES)
@given(data=st.data())
@EXAMPLES
def test_sdk_valid_answers_parse(operation: str, status: int, model: Any, data: Any) -> None:
    """No exception but the library's own for any answer the SDK accepts."""
    answer = data.draw(valid_json(model))
    call = CALLS[operation]
    loop = asyncio.new_event_loop()  # not asyncio.run: it would unset the test's loop
    try:
        loop.run_until_complete(call(_client(status, answer)))
    except EnodeError:
        pass
    finally:
        loop.close()


EVENTS = [
    *(pytest.param(key, model, id=key) for key, model in EVENT_PAYLOADS.items()),
    *(
        pytest.param("vendorAction", model, id=f"vendorAction {t}")
        for t, model in ACTION_MODELS.items()
    ),
]
_EVENT_NAMES = {
    "smartChargingStatus": "user:vehicle:smart-charging-status-updated",
    "schedule": "user:schedule:execution-updated",
    "status": "user:schedule:execution-updated",
    "vendorAction": "user:vendor-action:updated",
}


@pytest.mark.parametrize(("key", "model"), EVENTS)
@given(data=st.data())
@EXAMPLES
def test_sdk_valid_event_payloads_parse(key: str, model: Any, data: Any) -> None:
    """A webhook delivery whose payload the SDK accepts parses into events, never raises."""
    payload = data.draw(valid_json(model))
    name = _EVENT_NAMES.get(key, f"user:{key}:updated")
    event = {
        "event": name,
        "createdAt": "2025-06-01T10:00:00.000Z",
        "version": "2024-10-01",
        "user": {"id": "u"},
        key: payload,
        "updatedFields": data.draw(st.lists(st.text(max_size=10), max_size=3)),
    }
    (parsed,) = parse_events(json.dumps([event]).encode())
    assert parsed.event_type == name


@given(
    mode=st.sampled_from(["HEAT", "COOL", "AUTO", "OFF", "UNKNOWN", "heat"]),
    heat=st.none() | st.floats(5, 30),
    cool=st.none() | st.floats(5, 30),
)
@EXAMPLES
def test_hold_bodies_are_sdk_valid_or_refused(
    mode: str, heat: float | None, cool: float | None
) -> None:
    """Whatever the unit reports, the client sends a body the spec accepts or sends nothing."""
    from enode import models  # noqa: PLC0415

    try:
        body = permanent_hold_body(mode, heat_setpoint=heat, cool_setpoint=cool)
    except ValueError:
        return
    assert violations(models.HVACSetPermanentHoldPayload, body) == []
    assert adapter(models.HVACSetPermanentHoldPayload).validate_python(body).mode == mode
