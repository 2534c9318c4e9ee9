"""Benchmark push: signed webhook deliveries to the demo stack, timed to the last state change.

Starts the demo stack of scripts/devstack.py (the emulator and a real Home Assistant) on a scratch
configuration, then POSTs signed deliveries to Home Assistant's webhook URL as Enode would:

- 100 vehicle events (Enode's largest batch, about 175 kB), each newer than the one before; the
  last one sets the battery level the benchmark waits for;
- the same 100 events padded to about 600 kB.

For each it prints the time until Home Assistant answered and until the REST API shows the last
event's state (the last state change), the median and worst of a few rounds. The webhook secret is
read from the scratch configuration and never printed.

    .venv/bin/python scripts/bench_push.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import hmac
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.devstack import (
    DEMO_ENODE_USER,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    HomeAssistantApi,
    Stack,
    StackSettings,
    free_port,
    provision,
)

SENSOR = "sensor.my_model_3_battery"
EVENTS = 100
PADDED_SIZE = 600_000


def entry_secrets(config_dir: Path) -> tuple[str, str]:
    """The Enode entry's Home Assistant webhook id and signing secret (kept in memory only).

    Home Assistant writes its config entries a moment after a change: wait for them.
    """
    path = config_dir / ".storage" / "core.config_entries"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists():
            stored = json.loads(path.read_text())
            for entry in stored["data"]["entries"]:
                if entry["domain"] == "enode" and entry["data"].get("webhook_secret"):
                    return entry["data"]["webhook_id"], entry["data"]["webhook_secret"]
        time.sleep(0.5)
    raise RuntimeError("Home Assistant did not store the Enode entry within a minute")


async def demo_vehicle(session: aiohttp.ClientSession, emulator_url: str) -> dict[str, Any]:
    """The demo Tesla as the Enode API returns it."""
    async with session.post(
        f"{emulator_url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=aiohttp.BasicAuth(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET),
    ) as answer:
        token = (await answer.json())["access_token"]
    async with session.get(
        f"{emulator_url}/users/{DEMO_ENODE_USER}/vehicles",
        headers={"Authorization": f"Bearer {token}"},
    ) as answer:
        vehicles = (await answer.json())["data"]
    return next(v for v in vehicles if v["information"]["brand"] == "Tesla")


def delivery(vehicle: dict[str, Any], round_no: int, level: float, *, pad: int) -> bytes:
    """100 vehicle updates, newer than every earlier round; the last sets `level`."""
    events = []
    for index in range(EVENTS):
        asset = copy.deepcopy(vehicle)
        moment = f"2099-01-{round_no + 1:02d}T00:{index // 60:02d}:{index % 60:02d}Z"
        asset["lastSeen"] = moment
        value = level if index == EVENTS - 1 else 20.0 + index % 50
        asset["chargeState"].update(batteryLevel=value, lastUpdated=moment)
        item: dict[str, Any] = {
            "event": "user:vehicle:updated",
            "version": "2024-10-01",
            "createdAt": moment,
            "user": {"id": DEMO_ENODE_USER},
            "vehicle": asset,
            "updatedFields": ["chargeState.batteryLevel", "lastSeen"],
        }
        if pad:
            item["padding"] = "x" * pad
        events.append(item)
    return json.dumps(events).encode()


async def send(
    session: aiohttp.ClientSession, api: HomeAssistantApi, url: str, secret: str, body: bytes
) -> tuple[float, float]:
    """POST a signed body; seconds until the answer and until the last state change shows."""
    expected = json.loads(body)[-1]["vehicle"]["chargeState"]["batteryLevel"]
    signature = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    headers = {"Content-Type": "application/json", "x-enode-signature": signature}
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as answer:
        await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"Home Assistant answered {answer.status}")
    answered = time.perf_counter() - started
    while float((await api.request("GET", f"/api/states/{SENSOR}"))["state"]) != expected:  # noqa: ASYNC110
        await asyncio.sleep(0.002)
    return answered, time.perf_counter() - started


async def measure(
    settings: StackSettings, rounds: int
) -> list[tuple[str, int, list[float], list[float]]]:
    """Send both deliveries `rounds` times; (label, bytes, answer times, state times)."""
    webhook_id, secret = await asyncio.to_thread(entry_secrets, settings.config_dir)
    url = f"{settings.ha_url}/api/webhook/{webhook_id}"
    results = []
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await api.login(DEMO_USERNAME, DEMO_PASSWORD)
        vehicle = await demo_vehicle(session, settings.emulator_url)
        plain_size = len(delivery(vehicle, 0, 1.0, pad=0))
        pad = max(0, (PADDED_SIZE - plain_size) // EVENTS)
        round_no = 0
        for label, padding in (("100 vehicle events", 0), ("100 events padded to ~600 kB", pad)):
            answers, states = [], []
            size = 0
            for _ in range(rounds):
                round_no += 1
                body = delivery(vehicle, round_no, 30.0 + round_no, pad=padding)
                size = len(body)
                answered, changed = await send(session, api, url, secret, body)
                answers.append(answered)
                states.append(changed)
            results.append((label, size, answers, states))
    return results


def main() -> None:
    """Start the stack, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = StackSettings(
            config_dir=Path(scratch), ha_port=free_port(), emulator_port=free_port()
        )
        with Stack(settings):
            asyncio.run(provision(settings))
            results = asyncio.run(measure(settings, args.rounds))
    print(
        "| Delivery | Size | HTTP 200 after (median / worst) | Last state change (median / worst) |"
    )
    print("| --- | --- | --- | --- |")
    for label, size, answers, states in results:
        print(
            f"| {label} | {size / 1000:.0f} kB "
            f"| {statistics.median(answers) * 1000:.0f} / {max(answers) * 1000:.0f} ms "
            f"| {statistics.median(states) * 1000:.0f} / {max(states) * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
