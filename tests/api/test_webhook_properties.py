"""Property-based tests of the webhook parser: whatever the bytes, a list or the payload error."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from aioenode import (
    AssetEvent,
    Battery,
    EnodeWebhookPayloadError,
    HeartbeatEvent,
    WebhookEvent,
    parse_events,
)

# Fixed examples (derandomize): the same cases every run, so a failure reproduces.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

EVENT_TYPES = [
    "system:heartbeat",
    "enode:webhook:test",
    "user:vendor-action:updated",
    "user:credentials:invalidated",
    "user:inverter:statistics-updated",
    *(
        f"user:{kind}:{change}"
        for kind in ("vehicle", "charger", "battery", "hvac", "inverter", "meter", "hem-system")
        for change in ("discovered", "updated", "deleted")
    ),
]
PAYLOAD_KEYS = [
    "vehicle",
    "charger",
    "battery",
    "hvac",
    "inverter",
    "meter",
    "hemSystem",
    "hem-system",
    "vendorAction",
]
ASSET_KEYS = [
    "id",
    "userId",
    "vendor",
    "lastSeen",
    "isReachable",
    "information",
    "chargeState",
    "location",
    "capabilities",
    "config",
    "productionState",
    "powerState",
    "energyState",
    "temperatureState",
    "odometer",
    "smartChargingPolicy",
    "lastUpdated",
    "batteryLevel",
    "state",
    "kind",
    "targetState",
    "failureReason",
    "createdAt",
    "completedAt",
]

# Any JSON value, including numbers beyond a float, NaN and odd timestamps.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([10**400, -(10**309), 2**1024, 10**308]),  # beyond a float, and just below
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2025-01-01T12:00:00Z", "2025-13-01T00:00:00Z", "", "Z", "9999-12-31"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(ASSET_KEYS) | st.text(max_size=8), inner, max_size=5),
    ),
    max_leaves=25,
)
asset_like = st.dictionaries(st.sampled_from(ASSET_KEYS), json_values, max_size=10)
events = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_TYPES) | st.text(max_size=20) | json_values},
    optional={
        "version": json_values,
        "createdAt": json_values,
        "user": st.fixed_dictionaries({"id": json_values}) | json_values,
        "updatedFields": json_values,
        "pendingEvents": json_values,
        "vendor": json_values,
        **dict.fromkeys(PAYLOAD_KEYS, asset_like | json_values),
    },
)


def dumps(value: Any) -> bytes:
    """JSON as Enode would send it (NaN and infinities as Python writes them)."""
    return json.dumps(value).encode()


def parses_or_payload_error(body: bytes) -> list[WebhookEvent] | None:
    """The documented contract: a list of events, or EnodeWebhookPayloadError, nothing else."""
    try:
        return parse_events(body)
    except EnodeWebhookPayloadError:
        return None


@PROPERTY
@given(st.binary(max_size=512))
def test_any_bytes_parse_or_raise_the_payload_error(body: bytes) -> None:
    """Random bytes: never another exception."""
    parses_or_payload_error(body)


@PROPERTY
@given(json_values)
def test_any_json_parses_or_raises_the_payload_error(value: Any) -> None:
    """Any JSON document: a list of objects parses (one event each), everything else is refused."""
    result = parses_or_payload_error(dumps(value))
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        assert result is not None
        assert len(result) == len(value)
    else:
        assert result is None


@PROPERTY
@given(st.lists(events, max_size=6))
def test_event_arrays_always_parse(batch: list[dict[str, Any]]) -> None:
    """An array of event objects, however odd their fields, parses leniently into events."""
    result = parse_events(dumps(batch))
    assert len(result) == len(batch)
    for event, item in zip(result, batch, strict=True):
        assert isinstance(event, WebhookEvent)
        assert event.event_type == (item["event"] if isinstance(item["event"], str) else "")
        if isinstance(event, AssetEvent) and event.asset is not None:
            assert event.asset.asset_type is event.asset_type
            event.asset.last_updated  # noqa: B018 - must not raise either


@PROPERTY
@given(st.integers(min_value=0, max_value=30_000), st.sampled_from([b"[", b'{"a":']))
def test_nesting_of_any_depth(depth: int, opener: bytes) -> None:
    """Nesting of any depth parses or is a payload error (never RecursionError)."""
    closer = b"]" if opener == b"[" else b"}"
    parses_or_payload_error(b"[" + opener * depth + b"1" + closer * depth + b"]")


@PROPERTY
@given(scalars)
def test_numbers_are_finite_or_unknown(value: Any) -> None:
    """Any JSON scalar where Enode sends a number: a finite float (or int), or None."""
    battery = {
        "id": "b1",
        "chargeState": {"batteryLevel": value, "lastUpdated": "2025-01-01T12:00:00Z"},
    }
    body = dumps(
        [
            {"event": "system:heartbeat", "pendingEvents": value},
            {"event": "user:battery:updated", "user": {"id": "u"}, "battery": battery},
        ]
    )
    heartbeat, update = parse_events(body)
    assert isinstance(heartbeat, HeartbeatEvent)
    assert heartbeat.pending_events is None or isinstance(heartbeat.pending_events, int)
    assert isinstance(update, AssetEvent)
    assert isinstance(update.asset, Battery)
    assert update.asset.charge_state is not None
    level = update.asset.charge_state.battery_level
    assert level is None or math.isfinite(level)
