"""Webhook management, signed batched delivery, retries, deactivation and heartbeats."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from enode_emulator import Emulator
from enode_emulator.webhooks import sign

from .conftest import BATTERY, USER, VEHICLE, Api, Receiver

SECRET = "super-secret-value"


def _verify(secret: str, body: bytes, header: str) -> bool:
    """An independent implementation of Enode's signature check."""
    digest = hmac.new(secret.encode("utf-8"), msg=body, digestmod=hashlib.sha1).hexdigest()
    return hmac.compare_digest(f"sha1={digest}", header)


def test_signature_matches_docs_vector() -> None:
    assert sign("example-secret", b'{"payload":"example"}') == (
        "sha1=e417e6fc2e7f8a78c93a35a7b344d36ce179fc8d"
    )


async def _create(api: Api, receiver: Receiver, **extra: Any) -> dict[str, Any]:
    return await api.post("/webhooks", {"url": receiver.url, "secret": SECRET, **extra})


async def test_crud_and_validation(api: Api, receiver: Receiver) -> None:
    hook = await _create(api, receiver, authentication={"headerName": "x-auth", "headerValue": "v"})
    assert hook["events"] == ["*"]
    assert hook["isActive"] is True
    assert hook["authentication"] == {"headerName": "x-auth"}
    assert "secret" not in hook
    # The spec's lastSuccess is a timestamp: the creation time until a delivery succeeds.
    assert hook["lastSuccess"] == hook["createdAt"]
    status, body, _ = await api.call(
        "POST", "/webhooks", json={"url": receiver.url, "secret": SECRET}
    )
    assert status == 400
    assert "already exists" in body["detail"]
    assert (await api.get("/webhooks"))["data"] == [hook]
    assert await api.get(f"/webhooks/{hook['id']}") == hook
    status, patched, _ = await api.call(
        "PATCH",
        f"/webhooks/{hook['id']}",
        json={
            "events": ["user:vehicle:updated"],
            "authentication": None,
            "apiVersion": "2024-10-01",
            "secret": "another-secret",
        },
    )
    assert status == 200
    assert patched["events"] == ["user:vehicle:updated"]
    assert patched["authentication"] is None
    assert patched["apiVersion"] == "2024-10-01"
    assert (await api.call("DELETE", f"/webhooks/{hook['id']}"))[0] == 204
    for method in ("GET", "PATCH", "DELETE"):
        assert (await api.call(method, f"/webhooks/{hook['id']}", json={}))[0] == 404
    assert (await api.call("POST", f"/webhooks/{hook['id']}/test"))[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://example.com/hook", "secret": SECRET},
        {"url": "ftp://x", "secret": SECRET},
        {"url": "https://example.com/hook", "secret": "short"},
        {"url": "https://example.com/hook"},
        {"secret": SECRET},
        {"url": "https://example.com/hook", "secret": SECRET, "events": ["user:nope"]},
        {"url": "https://example.com/hook", "secret": SECRET, "events": []},
        {"url": "https://example.com/hook", "secret": SECRET, "apiVersion": "2020-01-01"},
        {
            "url": "https://example.com/hook",
            "secret": SECRET,
            "authentication": {"headerName": "X-Upper", "headerValue": "v"},
        },
        {"url": "https://example.com/hook", "secret": SECRET, "authentication": "x"},
        ["not", "an", "object"],
    ],
)
async def test_create_validation(api: Api, body: Any) -> None:
    status, problem, _ = await api.call("POST", "/webhooks", json=body)
    assert status == 400
    assert problem["title"] == "Payload validation failed"


async def test_https_and_localhost_urls_allowed(api: Api) -> None:
    hook = await api.post("/webhooks", {"url": "https://example.com/hook", "secret": SECRET})
    assert hook["url"] == "https://example.com/hook"
    local = await api.post("/webhooks", {"url": "http://localhost:1/hook", "secret": SECRET})
    assert local["isActive"]


async def test_delivery_is_signed_batched_and_authenticated(
    api: Api, emulator: Emulator, receiver: Receiver
) -> None:
    await _create(
        api, receiver, authentication={"headerName": "x-my-auth", "headerValue": "token-1"}
    )
    await api.post(f"/vehicles/{VEHICLE}/charging", {"action": "START"})
    await emulator.advance(5)
    assert receiver.requests
    ids = set()
    for headers, body in receiver.requests:
        assert _verify(SECRET, body, headers["x-enode-signature"])
        assert headers["x-my-auth"] == "token-1"
        assert headers["Content-Type"] == "application/json"
        ids.add(headers["x-enode-delivery"])
        events = json.loads(body)
        assert isinstance(events, list)
        assert 1 <= len(events) <= 100
    assert len(ids) == len(receiver.requests)
    events = receiver.events()
    action = next(e for e in events if e["event"] == "user:vendor-action:updated")
    assert action["user"] == {"id": USER}
    assert action["version"] == "2024-10-01"
    assert action["createdAt"].endswith("Z")
    updated = [e for e in events if e["event"] == "user:vehicle:updated"]
    assert updated[-1]["vehicle"]["chargeState"]["isCharging"] is True
    assert all("." in f or f in ("lastSeen", "isReachable") for f in updated[-1]["updatedFields"])
    assert emulator.delivery_log[-1].outcome == "delivered"
    hook = (await api.get("/webhooks"))["data"][0]
    assert hook["lastSuccess"] > hook["createdAt"]  # the last delivery, not the creation


async def test_more_than_100_events_are_split(
    api: Api, emulator: Emulator, receiver: Receiver
) -> None:
    await _create(api, receiver, events=["user:battery:updated"])
    for level in range(150):
        emulator.patch_asset(BATTERY, {"chargeState": {"batteryCapacity": 11 + level}})
    await emulator.advance(0)
    sizes = [len(json.loads(body)) for _, body in receiver.requests]
    assert sizes == [100, 50]
    assert {e["event"] for e in receiver.events()} == {"user:battery:updated"}


async def test_retries_then_deactivation_and_reactivation(
    api: Api, emulator: Emulator, receiver: Receiver
) -> None:
    hook = await _create(api, receiver)
    receiver.statuses.extend([500, 500])
    emulator.patch_asset(BATTERY, {"chargeState": {"dischargeLimit": 20}})
    await emulator.advance(0)
    assert [entry.outcome for entry in emulator.delivery_log] == ["failed"]
    await emulator.advance(5)  # first retry after 5 s fails too
    await emulator.advance(15)  # second retry succeeds
    assert [entry.outcome for entry in emulator.delivery_log] == ["failed", "failed", "delivered"]
    assert receiver.requests[0][1] == receiver.requests[-1][1] or receiver.events()
    receiver.statuses.extend([503] * 20)
    emulator.patch_asset(BATTERY, {"chargeState": {"dischargeLimit": 30}})
    await emulator.advance(1800)
    state = await api.get(f"/webhooks/{hook['id']}")
    assert state["isActive"] is False
    assert emulator.delivery_log[-1].outcome == "deactivated"
    count = len(receiver.requests)
    emulator.patch_asset(BATTERY, {"chargeState": {"dischargeLimit": 40}})
    await emulator.advance(300)
    assert len(receiver.requests) == count  # inactive webhooks get nothing
    receiver.statuses.clear()
    result = await api.post(f"/webhooks/{hook['id']}/test")
    assert result["status"] == "SUCCESS"
    assert result["response"]["code"] == 200
    assert json.loads(receiver.requests[-1][1])[0]["event"] == "enode:webhook:test"
    assert (await api.get(f"/webhooks/{hook['id']}"))["isActive"] is True


async def test_test_endpoint_failure(api: Api, receiver: Receiver) -> None:
    hook = await _create(api, receiver)
    receiver.statuses.append(500)
    result = await api.post(f"/webhooks/{hook['id']}/test")
    assert result["status"] == "FAILURE"
    assert result["response"]["code"] == 500
    dead = await api.post("/webhooks", {"url": "http://127.0.0.1:9/dead", "secret": SECRET})
    result = await api.post(f"/webhooks/{dead['id']}/test")
    assert result["status"] == "FAILURE"
    assert result["response"] is None


async def test_heartbeat(api: Api, emulator: Emulator, receiver: Receiver) -> None:
    await _create(api, receiver, events=["system:heartbeat"])
    await emulator.advance(300)
    beats = [e for e in receiver.events() if e["event"] == "system:heartbeat"]
    assert len(beats) == 1
    assert beats[0]["pendingEvents"] == 0
    assert "user" not in beats[0]


@pytest.mark.parametrize("mode", ["drop", "duplicate", "reorder", "delay"])
async def test_delivery_faults(api: Api, emulator: Emulator, receiver: Receiver, mode: str) -> None:
    await _create(api, receiver, events=["user:battery:updated"])
    emulator.add_webhook_fault(mode, count=1, delay=60)
    emulator.patch_asset(BATTERY, {"chargeState": {"dischargeLimit": 20}})
    emulator.patch_asset(BATTERY, {"chargeState": {"dischargeLimit": 25}})
    await emulator.advance(0)
    if mode == "drop":
        assert receiver.requests == []
        assert emulator.delivery_log[-1].outcome == "dropped"
    elif mode == "duplicate":
        assert len(receiver.requests) == 2
        assert (
            receiver.requests[0][0]["x-enode-delivery"]
            == receiver.requests[1][0]["x-enode-delivery"]
        )
    elif mode == "reorder":
        limits = [e["battery"]["chargeState"]["dischargeLimit"] for e in receiver.events()]
        assert limits == [25, 20]
    else:
        assert receiver.requests == []
        await emulator.advance(60)
        limits = [e["battery"]["chargeState"]["dischargeLimit"] for e in receiver.events()]
        assert limits[:2] == [20, 25]


async def test_event_filter_and_credentials_invalidated(
    api: Api, emulator: Emulator, receiver: Receiver
) -> None:
    await _create(api, receiver, events=["user:credentials:invalidated"])
    emulator.invalidate_credentials(USER, "TESLA")
    await emulator.advance(0)
    events = receiver.events()
    assert [e["event"] for e in events] == ["user:credentials:invalidated"]
    assert events[0]["vendor"] == "TESLA"
    user = await api.get(f"/users/{USER}")
    assert [v["isValid"] for v in user["linkedVendors"] if v["vendor"] == "TESLA"] == [False]
