"""Locations: CRUD under the user, the 200 m rule, geofences and the asset's location.id."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CHARGER, VEHICLE, Api

SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
CABIN = {"name": "Cabin", "latitude": 60.5, "longitude": 9.1, "timezoneName": "Europe/Oslo"}


async def test_demo_home_location(api: Api) -> None:
    page = await api.get("/users/demo-user/locations")
    assert [item["id"] for item in page["data"]] == [SITE]
    home = page["data"][0]
    assert home["timezoneName"] == "Europe/Oslo"
    assert {"id", "userId", "name", "latitude", "longitude", "timezoneName"} <= home.keys()
    assert (await api.get(f"/vehicles/{VEHICLE}"))["location"]["id"] == SITE


async def test_crud(api: Api) -> None:
    cabin = await api.post("/users/demo-user/locations", CABIN)
    assert cabin["userId"] == "demo-user"
    assert cabin["timezoneName"] == "Europe/Oslo"
    assert await api.get(f"/locations/{cabin['id']}") == cabin
    assert cabin["id"] in [item["id"] for item in (await api.get("/locations"))["data"]]
    status, updated, _ = await api.call(
        "PUT", f"/locations/{cabin['id']}", json={**CABIN, "name": "Hytta", "timezoneName": "UTC"}
    )
    assert status == 200
    assert updated["name"] == "Hytta"
    assert updated["timezoneName"] == "UTC"
    status, deleted, _ = await api.call("DELETE", f"/locations/{cabin['id']}")
    assert status == 200
    assert deleted["id"] == cabin["id"]
    for method in ("GET", "DELETE"):
        status, body, _ = await api.call(method, f"/locations/{cabin['id']}")
        assert status == 404
        assert body["title"] == "Entity Not Found"
    status, _, _ = await api.call("POST", "/users/nobody/locations", json=CABIN)
    assert status == 404


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"name": None}, '"name" must be a non-empty string'),
        ({"latitude": 91}, '"latitude" must be between'),
        ({"longitude": "x"}, '"longitude" must be a number'),
        ({"timezoneName": "Mars/Olympus"}, "not a known IANA time zone"),
    ],
)
async def test_validation(api: Api, change: dict[str, Any], detail: str) -> None:
    status, body, headers = await api.call(
        "POST", "/users/demo-user/locations", json={**CABIN, **change}
    )
    assert status == 400
    assert headers["Content-Type"].startswith("application/problem+json")
    assert detail in body["detail"]
    status, body, _ = await api.call(
        "POST", "/users/demo-user/locations", json={"name": "x", "latitude": 1}
    )
    assert status == 400
    assert "is required" in body["detail"]


async def test_geofence_distance_rule(api: Api) -> None:
    near = {**CABIN, "latitude": 59.9145, "longitude": 10.7522}  # ~67 m from home
    status, body, _ = await api.call("POST", "/users/demo-user/locations", json=near)
    assert status == 400
    assert "at least 200 m apart" in body["detail"]
    far = await api.post("/users/demo-user/locations", {**near, "latitude": 59.9170})  # ~345 m
    # Update does not re-check the distance rule (SMART.md 6.2).
    status, _, _ = await api.call("PUT", f"/locations/{far['id']}", json=near)
    assert status == 200


async def test_vehicle_follows_geofence(api: Api) -> None:
    path = f"/_emulator/vehicles/{VEHICLE}/position"
    # 230 m away: still inside the 270 m exit radius.
    status, vehicle, _ = await api.call(
        "PUT", path, json={"latitude": 59.9160, "longitude": 10.7522}
    )
    assert status == 200
    assert vehicle["location"]["id"] == SITE
    assert vehicle["location"]["latitude"] == 59.9160
    vehicle = (await api.call("PUT", path, json={"latitude": 60.5, "longitude": 9.1}))[1]
    assert vehicle["location"]["id"] is None
    cabin = await api.post("/users/demo-user/locations", CABIN)
    assert (await api.get(f"/vehicles/{VEHICLE}"))["location"]["id"] == cabin["id"]
    # Deleting a Location clears location.id on the assets there [?].
    await api.call("DELETE", f"/locations/{cabin['id']}")
    assert (await api.get(f"/vehicles/{VEHICLE}"))["location"]["id"] is None
    await api.call("DELETE", f"/locations/{SITE}")
    assert (await api.get(f"/chargers/{CHARGER}"))["location"]["id"] is None


async def test_assign_charger_location(api: Api) -> None:
    cabin = await api.post("/users/demo-user/locations", CABIN)
    status, charger, _ = await api.call(
        "PUT", f"/chargers/{CHARGER}", json={"locationId": cabin["id"]}
    )
    assert status == 200
    assert charger["location"]["id"] == cabin["id"]
    assert (await api.get(f"/chargers/{CHARGER}"))["location"]["id"] == cabin["id"]
    status, body, _ = await api.call("PUT", f"/chargers/{CHARGER}", json={})
    assert status == 400
    assert body["title"] == "Payload validation failed"
    status, _, _ = await api.call("PUT", f"/chargers/{CHARGER}", json={"locationId": "nope"})
    assert status == 404
    status, _, _ = await api.call("PUT", f"/vehicles/{VEHICLE}", json={"locationId": None})
    assert status == 405
