"""Webhook signature verification, event parsing and secret generation."""

from __future__ import annotations

import hashlib
import hmac
import json
from unittest.mock import patch

import pytest

from aioenode import (
    Action,
    ActionState,
    AssetEvent,
    AssetType,
    CredentialsInvalidatedEvent,
    EnodeError,
    EnodeWebhookPayloadError,
    HeartbeatEvent,
    HemSystem,
    ScheduleExecutionEvent,
    Vehicle,
    VendorActionEvent,
    WebhookEvent,
    WebhookTestEvent,
    generate_webhook_secret,
    parse_events,
    verify_signature,
)

DOC_BODY = b'{"payload":"example"}'
DOC_SECRET = "example-secret"
DOC_SIGNATURE = "sha1=e417e6fc2e7f8a78c93a35a7b344d36ce179fc8d"


def test_docs_vector() -> None:
    assert verify_signature(DOC_SECRET, DOC_BODY, DOC_SIGNATURE)


@pytest.mark.parametrize(
    "header",
    [DOC_SIGNATURE.upper(), "SHA1=e417E6FC2E7F8A78C93A35A7B344D36CE179FC8D", f" {DOC_SIGNATURE} "],
)
def test_case_and_whitespace_tolerated(header: str) -> None:
    assert verify_signature(DOC_SECRET, DOC_BODY, header)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (DOC_SECRET, b'{"payload":"exampl3"}', DOC_SIGNATURE),
        (DOC_SECRET, DOC_BODY + b" ", DOC_SIGNATURE),
        ("other-secret", DOC_BODY, DOC_SIGNATURE),
        (DOC_SECRET, DOC_BODY, "sha1=e417e6fc2e7f8a78c93a35a7b344d36ce179fc8e"),
        (DOC_SECRET, DOC_BODY, "e417e6fc2e7f8a78c93a35a7b344d36ce179fc8d"),
        (DOC_SECRET, DOC_BODY, "sha256=e417e6fc2e7f8a78c93a35a7b344d36ce179fc8d"),
        (DOC_SECRET, DOC_BODY, "sha1="),
        (DOC_SECRET, DOC_BODY, "sha1=é417e6fc2e7f8a78c93a35a7b344d36ce179fc8d"),
        (DOC_SECRET, DOC_BODY, ""),
        (DOC_SECRET, DOC_BODY, None),
        ("", DOC_BODY, DOC_SIGNATURE),
    ],
)
def test_tampered_rejected(secret: str, body: bytes, header: str | None) -> None:
    assert not verify_signature(secret, body, header)


def test_generate_secret() -> None:
    first, second = generate_webhook_secret(), generate_webhook_secret()
    assert first != second
    assert len(bytes.fromhex(first)) * 8 >= 128
    body = b"[]"
    sig = "sha1=" + hmac.new(first.encode(), body, hashlib.sha1).hexdigest()
    assert verify_signature(first, body, sig)


VEHICLE = {
    "id": "v1",
    "userId": "u1",
    "vendor": "TESLA",
    "lastSeen": "2025-01-01T12:00:00Z",
    "chargeState": {"batteryLevel": 55, "lastUpdated": "2025-01-01T12:00:00Z"},
}


def _events(*items: object) -> bytes:
    return json.dumps(list(items)).encode()


def test_parse_all_event_kinds() -> None:
    body = _events(
        {
            "event": "user:vehicle:updated",
            "version": "2024-10-01",
            "createdAt": "2025-01-01T12:00:01Z",
            "user": {"id": "pilotdo001"},
            "vehicle": VEHICLE,
            "updatedFields": ["chargeState.batteryLevel"],
        },
        {"event": "user:hem-system:discovered", "user": {"id": "u"}, "hemSystem": {"id": "h1"}},
        {"event": "user:hem-system:updated", "user": {"id": "u"}, "hem-system": {"id": "h2"}},
        {"event": "user:charger:deleted", "user": {"id": "u"}},
        {
            "event": "user:vendor-action:updated",
            "user": {"id": "u"},
            "vendorAction": {"id": "a1", "state": "CONFIRMED", "kind": "START"},
            "updatedFields": ["state"],
        },
        {"event": "user:vendor-action:updated", "user": {"id": "u"}},
        {"event": "user:credentials:invalidated", "user": {"id": "u"}, "vendor": "TESLA"},
        {"event": "system:heartbeat", "createdAt": "2025-01-01T12:00:00+02:00", "pendingEvents": 3},
        {"event": "enode:webhook:test", "version": "2024-10-01"},
        {"event": "user:schedule:execution-updated", "user": {"id": "u"}},
        {"event": "user:toaster:updated", "user": {"id": "u"}},
        {"event": "user:vehicle:exploded", "user": {"id": "u"}},
        {"user": "not-an-object"},
    )
    events = parse_events(body)
    assert len(events) == 13
    vehicle_event = events[0]
    assert isinstance(vehicle_event, AssetEvent)
    assert vehicle_event.asset_type is AssetType.VEHICLE
    assert vehicle_event.change == "updated"
    assert isinstance(vehicle_event.asset, Vehicle)
    assert vehicle_event.asset.charge_state is not None
    assert vehicle_event.asset.charge_state.battery_level == 55
    assert vehicle_event.updated_fields == ("chargeState.batteryLevel",)
    assert vehicle_event.user_id == "pilotdo001"
    assert vehicle_event.version == "2024-10-01"
    assert vehicle_event.created_at is not None
    assert vehicle_event.created_at.tzinfo is not None
    assert isinstance(events[1], AssetEvent)
    assert isinstance(events[1].asset, HemSystem)
    assert events[1].asset.id == "h1"
    assert isinstance(events[2], AssetEvent)
    assert events[2].asset is not None
    assert events[2].asset.id == "h2"
    assert isinstance(events[3], AssetEvent)
    assert events[3].asset is None
    assert isinstance(events[4], VendorActionEvent)
    assert isinstance(events[4].action, Action)
    assert events[4].action.state is ActionState.CONFIRMED
    assert events[4].updated_fields == ("state",)
    assert isinstance(events[5], VendorActionEvent)
    assert events[5].action is None
    assert isinstance(events[6], CredentialsInvalidatedEvent)
    assert events[6].vendor == "TESLA"
    assert isinstance(events[7], HeartbeatEvent)
    assert events[7].pending_events == 3
    assert events[7].user_id is None
    assert isinstance(events[8], WebhookTestEvent)
    # Schedule executions have their own class (tests/api/test_schedules.py).
    assert isinstance(events[9], ScheduleExecutionEvent)
    for generic in events[10:]:
        assert type(generic) is WebhookEvent
    assert events[9].event_type == "user:schedule:execution-updated"
    assert events[12].event_type == ""
    assert events[12].user_id is None
    assert WebhookEvent.from_dict({"event": "system:heartbeat"}).event_type == "system:heartbeat"


def test_empty_array() -> None:
    assert parse_events(b"[]") == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b'{"event": "system:heartbeat"}',
        b'"string"',
        b"[1, 2]",
        b'[{"event": "system:heartbeat"}, null]',
        b'[{"event": "a"}',
    ],
)
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(EnodeWebhookPayloadError) as info:
        parse_events(body)
    assert isinstance(info.value, EnodeError)


def test_size_limit() -> None:
    body = _events({"event": "system:heartbeat", "pad": "x" * 200})
    assert parse_events(body, max_bytes=len(body))
    with pytest.raises(EnodeWebhookPayloadError, match="exceeds"):
        parse_events(body, max_bytes=len(body) - 1)
    with pytest.raises(EnodeWebhookPayloadError):
        parse_events(b"[" + b" " * (2 * 1024 * 1024) + b"]")


def test_empty_secret_is_rejected_even_with_its_own_hmac() -> None:
    """An empty secret never verifies, not even against the HMAC keyed with the empty string."""
    header = "sha1=" + hmac.new(b"", DOC_BODY, hashlib.sha1).hexdigest()
    assert not verify_signature("", DOC_BODY, header)


@pytest.mark.parametrize("prefix", ["sha2=", "sha256=", "md5=", "=sha1", "sha1:"])
def test_other_prefix_with_the_correct_hmac_is_rejected(prefix: str) -> None:
    """Only `sha1=` is Enode's format: the right hex behind another prefix is refused."""
    correct_hex = DOC_SIGNATURE.removeprefix("sha1=")
    assert verify_signature(DOC_SECRET, DOC_BODY, "sha1=" + correct_hex)
    assert not verify_signature(DOC_SECRET, DOC_BODY, prefix + correct_hex)


def test_deep_nesting_is_a_payload_error() -> None:
    """[[[[...]]]] 20,000 deep is EnodeWebhookPayloadError, never RecursionError.

    Python 3.13's parser raises RecursionError here (turned into the payload error); 3.14's parses
    it, and the nested arrays are then refused as items that are not event objects.
    """
    with pytest.raises(EnodeWebhookPayloadError):
        parse_events(b"[" * 20_000 + b"]" * 20_000)


def test_numbers_beyond_a_float_are_not_numbers() -> None:
    """An integer too large for a float (or NaN) is an unknown value, never an exception."""
    body = b'[{"event": "system:heartbeat", "pendingEvents": 1' + b"0" * 400 + b"}]"
    [heartbeat] = parse_events(body)
    assert isinstance(heartbeat, HeartbeatEvent)
    assert heartbeat.pending_events is None
    [nan] = parse_events(b'[{"event": "system:heartbeat", "pendingEvents": NaN}]')
    assert isinstance(nan, HeartbeatEvent)
    assert nan.pending_events is None


def test_anything_an_event_parser_raises_is_a_payload_error() -> None:
    """Should an event ever defeat the lenient readers, the body is malformed, not a crash."""
    with (
        patch("aioenode.webhooks.parse_event", side_effect=TypeError("x")),
        pytest.raises(EnodeWebhookPayloadError, match="TypeError"),
    ):
        parse_events(b'[{"event": "system:heartbeat"}]')
