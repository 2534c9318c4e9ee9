"""Lists, pagination, single objects, users, locations and the asset shapes of API.md 4."""

from __future__ import annotations

from typing import Any

import pytest

from enode_emulator import Emulator

from .conftest import BATTERY, CHARGER, HEM, HVAC, INVERTER, METER, USER, VEHICLE, Api

NUM = (int, float)
DT = str


def _get(obj: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        assert part in obj, f"missing {path}"
        obj = obj[part]
    return obj


def _check(obj: dict[str, Any], fields: dict[str, tuple[Any, bool]]) -> None:
    """Every field present; type right (None allowed where nullable)."""
    for path, (kind, nullable) in fields.items():
        value = _get(obj, path)
        if value is None:
            assert nullable, f"{path} must not be null"
        else:
            assert isinstance(value, kind), f"{path}: {value!r}"
            if kind is NUM:
                assert not isinstance(value, bool)


def _capabilities(obj: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        cap = obj["capabilities"][key]
        assert isinstance(cap["isCapable"], bool)
        assert isinstance(cap["interventionIds"], list)


COMMON = {
    "id": (str, False),
    "userId": (str, False),
    "vendor": (str, False),
    "lastSeen": (DT, False),
    "isReachable": (bool, False),
    "scopes": (list, False),
}
LOCATED = {
    "location.id": (str, True),
    "location.longitude": (NUM, True),
    "location.latitude": (NUM, True),
    "location.lastUpdated": (DT, True),
}

SHAPES: dict[str, tuple[str, dict[str, tuple[Any, bool]], list[str]]] = {
    "vehicle": (
        VEHICLE,
        {
            **COMMON,
            **LOCATED,
            "information.vin": (str, True),
            "information.brand": (str, True),
            "information.model": (str, True),
            "information.year": (NUM, True),
            "information.displayName": (str, True),
            "information.imageUrl": (str, True),
            "chargeState.batteryLevel": (NUM, True),
            "chargeState.range": (NUM, True),
            "chargeState.isPluggedIn": (bool, True),
            "chargeState.isCharging": (bool, True),
            "chargeState.isFullyCharged": (bool, True),
            "chargeState.batteryCapacity": (NUM, True),
            "chargeState.chargeLimit": (NUM, True),
            "chargeState.chargeRate": (NUM, True),
            "chargeState.chargeTimeRemaining": (NUM, True),
            "chargeState.lastUpdated": (DT, True),
            "chargeState.maxCurrent": (NUM, True),
            "chargeState.powerDeliveryState": (str, False),
            "chargeState.pluggedInChargerId": (str, True),
            "smartChargingPolicy.isEnabled": (bool, False),
            "smartChargingPolicy.deadline": (str, True),
            "smartChargingPolicy.minimumChargeLimit": (NUM, False),
            "odometer.distance": (NUM, True),
            "odometer.lastUpdated": (DT, True),
        },
        [
            "information",
            "chargeState",
            "location",
            "odometer",
            "setMaxCurrent",
            "startCharging",
            "stopCharging",
            "smartCharging",
        ],
    ),
    "charger": (
        CHARGER,
        {
            **COMMON,
            "location.id": (str, True),
            "location.lastUpdated": (DT, True),
            "chargeState.isPluggedIn": (bool, True),
            "chargeState.isCharging": (bool, True),
            "chargeState.chargeRate": (NUM, True),
            "chargeState.lastUpdated": (DT, True),
            "chargeState.maxCurrent": (NUM, True),
            "chargeState.powerDeliveryState": (str, False),
            "chargeState.chargeRateLimit": (NUM, True),
            "chargeState.pluggedInVehicleId": (str, True),
            "information.brand": (str, False),
            "information.model": (str, False),
            "information.year": (NUM, True),
            "information.serialNumber": (str, False),
            "information.imageUrl": (str, True),
        },
        ["information", "chargeState", "startCharging", "stopCharging", "setMaxCurrent"],
    ),
    "battery": (
        BATTERY,
        {
            **COMMON,
            **LOCATED,
            "chargeState.status": (str, True),
            "chargeState.batteryCapacity": (NUM, True),
            "chargeState.batteryLevel": (NUM, True),
            "chargeState.chargeRate": (NUM, True),
            "chargeState.dischargeLimit": (NUM, True),
            "chargeState.lastUpdated": (DT, True),
            "config.operationMode": (str, True),
            "config.lastUpdated": (DT, True),
            "information.id": (str, False),
            "information.brand": (str, False),
            "information.model": (str, False),
            "information.siteName": (str, False),
            "information.installationDate": (DT, False),
            "hemSystemId": (str, True),
        },
        ["exportFocus", "importFocus", "timeOfUse", "selfReliance"],
    ),
    "hvac": (
        HVAC,
        {
            **COMMON,
            "consumptionRate": (NUM, True),
            "information.brand": (str, False),
            "information.model": (str, True),
            "information.displayName": (str, False),
            "information.groupName": (str, True),
            "information.category": (str, False),
            "capabilities.capableModes": (list, True),
            "capabilities.capableHoldTypes": (list, True),
            "capabilities.coolSetpointRange.min": (NUM, True),
            "capabilities.coolSetpointRange.max": (NUM, True),
            "capabilities.heatSetpointRange.min": (NUM, True),
            "capabilities.heatSetpointRange.max": (NUM, True),
            "capabilities.setpointDifferenceRange.min": (NUM, True),
            "capabilities.setpointDifferenceRange.max": (NUM, True),
            "temperatureState.currentTemperature": (NUM, True),
            "temperatureState.isActive": (bool, False),
            "temperatureState.lastUpdated": (DT, True),
            "thermostatState.mode": (str, True),
            "thermostatState.heatSetpoint": (NUM, True),
            "thermostatState.coolSetpoint": (NUM, True),
            "thermostatState.holdType": (str, True),
            "thermostatState.lastUpdated": (DT, True),
            "location.id": (str, True),
            "location.lastUpdated": (DT, True),
        },
        ["setFollowSchedule", "setPermanentHold"],
    ),
    "inverter": (
        INVERTER,
        {
            **COMMON,
            **LOCATED,
            "productionState.productionRate": (NUM, True),
            "productionState.isProducing": (bool, True),
            "productionState.totalLifetimeProduction": (NUM, True),
            "productionState.lastUpdated": (DT, True),
            "information.id": (str, False),
            "information.sn": (str, False),
            "information.brand": (str, False),
            "information.model": (str, False),
            "information.siteName": (str, False),
            "information.installationDate": (DT, False),
            "timezone": (str, True),
            "hemSystemId": (str, True),
        },
        ["productionState", "productionStatistics"],
    ),
    "meter": (
        METER,
        {
            **COMMON,
            **LOCATED,
            "information.brand": (str, False),
            "information.model": (str, False),
            "information.siteName": (str, False),
            "information.installationDate": (DT, False),
            "energyState.power": (NUM, True),
            "energyState.lastUpdated": (DT, True),
            "hemSystemId": (str, True),
        },
        ["measuresConsumption", "measuresProduction"],
    ),
}
PATHS = {
    "vehicle": "vehicles",
    "charger": "chargers",
    "battery": "batteries",
    "hvac": "hvacs",
    "inverter": "inverters",
    "meter": "meters",
}


@pytest.mark.parametrize("kind", sorted(SHAPES))
async def test_asset_shapes(api: Api, kind: str) -> None:
    asset_id, fields, capabilities = SHAPES[kind]
    obj = await api.get(f"/{PATHS[kind]}/{asset_id}")
    _check(obj, fields)
    _capabilities(obj, capabilities)
    assert obj["userId"] == USER
    # Deprecated top-level location ids moved into location.id in 2024-10-01.
    assert "locationId" not in obj
    assert "chargingLocationId" not in obj


async def test_hem_system_groups_one_site(api: Api) -> None:
    hem = await api.get(f"/hem-systems/{HEM}")
    assert hem["batteryIds"] == [BATTERY]
    assert hem["inverterIds"] == [INVERTER]
    assert hem["meterIds"] == [METER]
    assert hem["information"]["brand"] == "Huawei"
    for path in (f"/batteries/{BATTERY}", f"/inverters/{INVERTER}", f"/meters/{METER}"):
        assert (await api.get(path))["hemSystemId"] == HEM
    assert (await api.get(f"/users/{USER}/hem-systems"))["data"][0]["id"] == HEM
    assert len((await api.get("/hem-systems"))["data"]) == 1


async def test_demo_brands(api: Api) -> None:
    vehicle = await api.get(f"/vehicles/{VEHICLE}")
    charger = await api.get(f"/chargers/{CHARGER}")
    assert (vehicle["information"]["brand"], vehicle["information"]["model"]) == (
        "Tesla",
        "Model 3",
    )
    assert charger["information"]["brand"] == "Zaptec"
    inverter = await api.get(f"/inverters/{INVERTER}")
    assert inverter["timezone"] == "Europe/Oslo"


@pytest.mark.parametrize("path", [*PATHS.values(), "hem-systems"])
async def test_lists_and_unknown_ids(api: Api, path: str) -> None:
    everyone = await api.get(f"/{path}")
    mine = await api.get(f"/users/{USER}/{path}")
    assert len(everyone["data"]) == 1
    assert everyone == mine
    assert everyone["pagination"] == {"before": None, "after": None}
    status, body, _ = await api.call("GET", f"/{path}/does-not-exist")
    assert status == 404
    assert body["title"] == "Entity Not Found"


async def test_unknown_user_lists_404(api: Api) -> None:
    assert (await api.call("GET", "/users/ghost/vehicles"))[0] == 404
    assert (await api.call("GET", "/users/ghost"))[0] == 404
    assert (await api.call("GET", "/users/ghost/locations"))[0] == 404
    assert (await api.call("GET", "/users/ghost/schedules"))[0] == 404


async def test_pagination_over_pages(api: Api, emulator: Emulator) -> None:
    ids = [
        emulator.add_asset(f"user-{n}", {"type": "meter", "vendor": "HUAWEI"})["id"]
        for n in range(5)
    ]
    first = await api.get("/meters", params={"pageSize": "2"})
    assert [m["id"] for m in first["data"]] == [ids[4], ids[3]]  # newest first
    assert first["pagination"]["before"] is None
    second = await api.get(
        "/meters", params={"pageSize": "2", "after": first["pagination"]["after"]}
    )
    assert [m["id"] for m in second["data"]] == [ids[2], ids[1]]
    third = await api.get(
        "/meters", params={"pageSize": "2", "after": second["pagination"]["after"]}
    )
    assert [m["id"] for m in third["data"]] == [ids[0], METER]
    assert third["pagination"]["after"] is None
    back = await api.get(
        "/meters", params={"pageSize": "2", "before": third["pagination"]["before"]}
    )
    assert back["data"] == second["data"]
    users = await api.get("/users", params={"pageSize": "50"})
    assert {u["id"] for u in users["data"]} == {USER, *(f"user-{n}" for n in range(5))}
    assert set(users["data"][0]) == {"id", "createdAt", "scopes"}


@pytest.mark.parametrize(
    "params",
    [
        {"before": "x", "after": "y"},
        {"pageSize": "0"},
        {"pageSize": "many"},
        {"after": "!!!"},
        {"after": "Zm9vOjE"},  # "foo:1"
    ],
)
async def test_pagination_errors(api: Api, params: dict[str, str]) -> None:
    status, body, _ = await api.call("GET", "/vehicles", params=params)
    assert status == 400
    assert body["title"] == "Bad Request"


async def test_user_and_locations(api: Api) -> None:
    user = await api.get(f"/users/{USER}")
    assert user["id"] == USER
    assert {(v["vendor"], v["vendorType"]) for v in user["linkedVendors"]} >= {
        ("TESLA", "vehicle"),
        ("HUAWEI", "battery"),
    }
    assert all(v["isValid"] for v in user["linkedVendors"])
    locations = await api.get("/locations")
    location = locations["data"][0]
    assert location["timezoneName"] == "Europe/Oslo"
    assert await api.get(f"/locations/{location['id']}") == location
    assert (await api.get(f"/users/{USER}/locations"))["data"] == [location]
    assert (await api.call("GET", "/locations/nope"))[0] == 404
    assert (await api.get(f"/users/{USER}/schedules"))["data"] == []


async def test_refresh_hint(api: Api) -> None:
    status, body, _ = await api.call("POST", f"/vehicles/{VEHICLE}/refresh-hint")
    assert (status, body) == (204, None)
    assert (await api.call("POST", f"/meters/{METER}/refresh-hint"))[0] == 204
    assert (await api.call("POST", f"/meters/{VEHICLE}/refresh-hint"))[0] == 404


async def test_delete_vendor_type_vendor_and_user(api: Api, emulator: Emulator) -> None:
    status, _, _ = await api.call("DELETE", f"/users/{USER}/vendors/HUAWEI/meter")
    assert status == 204
    assert (await api.call("GET", f"/meters/{METER}"))[0] == 404
    hem = await api.get(f"/hem-systems/{HEM}")
    assert hem["meterIds"] == []
    assert (await api.call("DELETE", f"/users/{USER}/vendors/HUAWEI"))[0] == 204
    assert (await api.call("GET", f"/batteries/{BATTERY}"))[0] == 404
    assert (await api.call("GET", f"/hem-systems/{HEM}"))[0] == 404  # emptied HEM goes too
    user = await api.get(f"/users/{USER}")
    assert all(v["vendor"] != "HUAWEI" for v in user["linkedVendors"])
    assert (await api.call("DELETE", f"/users/{USER}/vendors/HUAWEI"))[0] == 404
    events = [e["event"] for e in emulator.events]
    assert "user:meter:deleted" in events
    assert "user:hem-system:deleted" in events
    assert (await api.call("DELETE", f"/users/{USER}"))[0] == 204
    assert (await api.call("GET", f"/users/{USER}"))[0] == 404
    assert (await api.get("/vehicles"))["data"] == []
    assert (await api.call("DELETE", f"/users/{USER}"))[0] == 404


async def test_delete_user_with_a_hem_system(api: Api, emulator: Emulator) -> None:
    """Deleting a user whose HEM system empties on the way removes everything (once)."""
    assert (await api.call("DELETE", f"/users/{USER}"))[0] == 204
    assert (await api.call("GET", f"/hem-systems/{HEM}"))[0] == 404
    assert (await api.call("GET", f"/batteries/{BATTERY}"))[0] == 404
    deleted = [e["event"] for e in emulator.events if e["event"].endswith(":deleted")]
    assert deleted.count("user:hem-system:deleted") == 1
