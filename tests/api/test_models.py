"""Lenient parsing of Enode objects: unknown enums, nulls, missing objects, old shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from aioenode import (
    Action,
    ActionState,
    AssetType,
    Battery,
    BatteryOperationMode,
    BatteryStatus,
    ChargeActionKind,
    Charger,
    ChargingStatisticsBucket,
    FailureReasonType,
    HemStatistics,
    HemSystem,
    Hvac,
    HvacHoldType,
    HvacMode,
    Inverter,
    InverterStatistics,
    LinkSession,
    Meter,
    PowerDeliveryState,
    SmartOverride,
    User,
    Vehicle,
    Webhook,
    WebhookTestResult,
    parse_asset,
)
from aioenode.parsing import integer, label, parse_datetime

VEHICLE = {
    "id": "veh-1",
    "userId": "user-1",
    "vendor": "TESLA",
    "lastSeen": "2025-01-01T12:00:00Z",
    "isReachable": True,
    "information": {
        "vin": "5YJ3E1EA7JF000000",
        "brand": "Tesla",
        "model": "Model 3",
        "year": 2022,
        "displayName": "Roadrunner",
        "imageUrl": "https://cdn/x.png",
    },
    "chargeState": {
        "batteryLevel": 80,
        "range": 400.5,
        "isPluggedIn": True,
        "isCharging": True,
        "isFullyCharged": False,
        "batteryCapacity": 75,
        "chargeLimit": 90,
        "chargeRate": 11,
        "chargeTimeRemaining": 35,
        "lastUpdated": "2025-01-01T12:05:00+01:00",
        "maxCurrent": 16,
        "powerDeliveryState": "PLUGGED_IN:CHARGING",
        "pluggedInChargerId": "chg-1",
    },
    "smartChargingPolicy": {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20},
    "location": {
        "id": "loc-1",
        "longitude": 10.7,
        "latitude": 59.9,
        "lastUpdated": "2025-01-01T12:10:00Z",
    },
    "odometer": {"distance": 12345.6, "lastUpdated": "2025-01-01T11:00:00Z"},
    "capabilities": {
        "information": {"isCapable": True, "interventionIds": []},
        "startCharging": {"isCapable": False, "interventionIds": ["int-1"]},
        "weird": "not-a-capability",
    },
    "scopes": ["vehicle:read:data", "vehicle:control:charging", 7],
    "futureField": {"ignored": True},
}


def test_vehicle_full() -> None:
    vehicle = Vehicle.from_dict(VEHICLE)
    assert vehicle.id == "veh-1"
    assert vehicle.user_id == "user-1"
    assert vehicle.asset_type is AssetType.VEHICLE
    assert vehicle.brand == "Tesla"
    assert vehicle.model == "Model 3"
    assert vehicle.information is not None
    assert vehicle.information.display_name == "Roadrunner"
    assert vehicle.information is not None
    assert vehicle.information.year == 2022
    assert vehicle.information.vin == "5YJ3E1EA7JF000000"
    assert vehicle.information.image_url == "https://cdn/x.png"
    state = vehicle.charge_state
    assert state is not None
    assert state.power_delivery_state is PowerDeliveryState.CHARGING
    assert state.range == 400.5
    assert state.plugged_in_charger_id == "chg-1"
    assert state.last_updated == datetime(2025, 1, 1, 11, 5, tzinfo=UTC)
    assert vehicle.smart_charging_policy is not None
    assert vehicle.smart_charging_policy.deadline == "07:00"
    assert vehicle.odometer is not None
    assert vehicle.odometer.distance == 12345.6
    assert vehicle.location is not None
    assert vehicle.location.id == "loc-1"
    assert vehicle.location.latitude == 59.9
    assert set(vehicle.capabilities) == {"information", "startCharging"}
    assert vehicle.is_capable("information")
    assert not vehicle.is_capable("startCharging")
    assert not vehicle.is_capable("missing")
    assert vehicle.capabilities["startCharging"].intervention_ids == ("int-1",)
    assert vehicle.scopes == ("vehicle:read:data", "vehicle:control:charging")
    assert vehicle.raw["futureField"] == {"ignored": True}
    # Newest timestamp: location.lastUpdated 12:10Z beats lastSeen and chargeState.
    assert vehicle.last_updated == datetime(2025, 1, 1, 12, 10, tzinfo=UTC)


def test_vehicle_minimal_and_nulls() -> None:
    vehicle = Vehicle.from_dict(
        {
            "id": "v",
            "lastSeen": None,
            "isReachable": None,
            "information": None,
            "chargeState": {"batteryLevel": None, "chargeLimit": None, "powerDeliveryState": None},
            "capabilities": None,
            "scopes": None,
        }
    )
    assert vehicle.information is None
    assert vehicle.brand is None
    assert vehicle.model is None
    assert vehicle.location is None
    assert vehicle.odometer is None
    assert vehicle.smart_charging_policy is None
    assert vehicle.charge_state is not None
    assert vehicle.charge_state.battery_level is None
    assert vehicle.charge_state.power_delivery_state is None
    assert vehicle.capabilities == {}
    assert vehicle.scopes == ()
    assert vehicle.last_updated is None
    assert Vehicle.from_dict({}).id == ""


def test_unknown_enums_stay_strings() -> None:
    vehicle = Vehicle.from_dict(
        {"id": "v", "chargeState": {"powerDeliveryState": "PLUGGED_IN:WARP_SPEED"}}
    )
    assert vehicle.charge_state is not None
    assert vehicle.charge_state.power_delivery_state == "PLUGGED_IN:WARP_SPEED"
    assert not isinstance(vehicle.charge_state.power_delivery_state, PowerDeliveryState)
    battery = Battery.from_dict(
        {"id": "b", "chargeState": {"status": "LEVITATING"}, "config": {"operationMode": "TURBO"}}
    )
    assert battery.charge_state is not None
    assert battery.charge_state.status == "LEVITATING"
    assert battery.config is not None
    assert battery.config.operation_mode == "TURBO"


def test_wrong_types_become_none() -> None:
    vehicle = Vehicle.from_dict(
        {
            "id": 5,
            "isReachable": "yes",
            "lastSeen": "yesterday",
            "information": {"year": "2020", "brand": True, "model": ["3"], "vin": 1.5},
            "chargeState": {"batteryLevel": True, "isCharging": 1, "maxCurrent": "16"},
        }
    )
    assert vehicle.id == ""
    assert vehicle.is_reachable is None
    assert vehicle.last_seen is None
    assert vehicle.information is not None
    assert vehicle.information.year is None
    assert vehicle.information.brand is None
    assert vehicle.information.model is None
    assert vehicle.information.vin is None
    assert vehicle.charge_state is not None
    assert vehicle.charge_state.battery_level is None
    assert vehicle.charge_state.is_charging is None
    assert vehicle.charge_state.max_current is None
    assert integer({"x": 2.5}, "x") is None
    assert integer({"x": 2.0}, "x") == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Model 3", "Model 3"), (3, "3"), (2022.0, "2022"), (123456789012, "123456789012")],
)
def test_names_sent_as_numbers_become_text(value: object, expected: str) -> None:
    """A model or serial number sent as a whole number is kept, as its decimal text."""
    info = Vehicle.from_dict(
        {"id": "v", "information": {"model": value, "vin": value, "brand": value}}
    ).information
    assert info is not None
    assert (info.model, info.vin, info.brand) == (expected, expected, expected)
    assert label({"sn": value}, "sn") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-01T12:00:00Z", datetime(2025, 1, 1, 12, tzinfo=UTC)),
        ("2025-01-01T12:00:00.123Z", datetime(2025, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)),
        (
            "2025-01-01T14:00:00+02:00",
            datetime(2025, 1, 1, 14, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2025-01-01T12:00:00", datetime(2025, 1, 1, 12, tzinfo=UTC)),
        ("2025-13-01T12:00:00Z", None),
        ("", None),
        (None, None),
        (1735732800, None),
    ],
)
def test_timestamps(value: object, expected: datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_old_location_shapes() -> None:
    charger = Charger.from_dict({"id": "c", "locationId": "loc-old"})
    assert charger.location is not None
    assert charger.location.id == "loc-old"
    assert charger.location.latitude is None
    inverter = Inverter.from_dict({"id": "i", "chargingLocationId": "loc-inv"})
    assert inverter.location is not None
    assert inverter.location.id == "loc-inv"
    # New shape wins; a location without an id falls back to the old key.
    both = Charger.from_dict({"id": "c", "locationId": "old", "location": {"id": "new"}})
    assert both.location is not None
    assert both.location.id == "new"
    partial = Charger.from_dict({"id": "c", "locationId": "old", "location": {"lastUpdated": None}})
    assert partial.location is not None
    assert partial.location.id == "old"
    hvac = Hvac.from_dict({"id": "h", "location": {"id": "loc"}})
    assert hvac.location is not None
    assert hvac.location.last_updated is None


def test_charger() -> None:
    charger = Charger.from_dict(
        {
            "id": "c",
            "isReachable": False,
            "chargeState": {
                "isPluggedIn": True,
                "chargeRate": None,
                "chargeRateLimit": 7.4,
                "maxCurrent": 32,
                "powerDeliveryState": "PLUGGED_IN:STOPPED",
                "pluggedInVehicleId": "veh-1",
                "lastUpdated": "2025-02-01T00:00:00Z",
            },
            "information": {"brand": "Zaptec", "model": "Go", "serialNumber": "ZAP123"},
        }
    )
    assert charger.is_reachable is False
    assert charger.charge_state is not None
    assert charger.charge_state.charge_rate_limit == 7.4
    assert charger.charge_state.power_delivery_state is PowerDeliveryState.STOPPED
    assert charger.charge_state.plugged_in_vehicle_id == "veh-1"
    assert charger.information is not None
    assert charger.information.serial_number == "ZAP123"
    assert charger.last_updated == datetime(2025, 2, 1, tzinfo=UTC)


def test_battery() -> None:
    battery = Battery.from_dict(
        {
            "id": "b",
            "hemSystemId": "hem-1",
            "chargeState": {
                "status": "DISCHARGING",
                "batteryCapacity": 13.5,
                "batteryLevel": 60,
                "chargeRate": -2.5,
                "dischargeLimit": 10,
                "lastUpdated": "2025-01-01T00:00:00Z",
            },
            "config": {"operationMode": "IDLE", "lastUpdated": "2025-01-02T00:00:00Z"},
            "information": {
                "id": "vendor-b",
                "siteName": "Home",
                "installationDate": "2020-05-01T00:00:00Z",
            },
        }
    )
    assert battery.hem_system_id == "hem-1"
    assert battery.charge_state is not None
    assert battery.charge_state.status is BatteryStatus.DISCHARGING
    assert battery.charge_state.charge_rate == -2.5
    assert battery.config is not None
    assert battery.config.operation_mode is BatteryOperationMode.IDLE
    assert battery.information is not None
    assert battery.information.site_name == "Home"
    assert battery.information is not None
    assert battery.information.vendor_id == "vendor-b"
    assert battery.information.installation_date == datetime(2020, 5, 1, tzinfo=UTC)
    assert battery.last_updated == datetime(2025, 1, 2, tzinfo=UTC)


def test_hvac() -> None:
    hvac = Hvac.from_dict(
        {
            "id": "h",
            "consumptionRate": 1.2,
            "information": {
                "displayName": "Living room",
                "groupName": "Ground",
                "category": "HEAT_PUMP",
            },
            "capabilities": {
                "capableModes": ["HEAT", "COOL", "AUTO", "OFF"],
                "capableHoldTypes": None,
                "heatSetpointRange": {"min": 7, "max": 30},
                "coolSetpointRange": {"min": 16, "max": None},
                "setpointDifferenceRange": None,
                "setPermanentHold": {"isCapable": True, "interventionIds": []},
                "setFollowSchedule": {"isCapable": False, "interventionIds": []},
            },
            "temperatureState": {"currentTemperature": 21.5, "isActive": True},
            "thermostatState": {
                "mode": "Unknown",
                "heatSetpoint": 20,
                "coolSetpoint": None,
                "holdType": "PERMANENT",
            },
        }
    )
    assert hvac.consumption_rate == 1.2
    assert hvac.information is not None
    assert hvac.information.group_name == "Ground"
    assert hvac.information.category == "HEAT_PUMP"
    assert hvac.capable_modes == ("HEAT", "COOL", "AUTO", "OFF")
    assert hvac.capable_hold_types is None
    assert hvac.heat_setpoint_range is not None
    assert (hvac.heat_setpoint_range.min, hvac.heat_setpoint_range.max) == (7, 30)
    assert hvac.cool_setpoint_range is not None
    assert hvac.cool_setpoint_range.max is None
    assert hvac.setpoint_difference_range is None
    assert hvac.is_capable("setPermanentHold")
    assert not hvac.is_capable("setFollowSchedule")
    assert hvac.temperature_state is not None
    assert hvac.temperature_state.current_temperature == 21.5
    assert hvac.thermostat_state is not None
    assert hvac.thermostat_state.mode is HvacMode.UNKNOWN
    assert hvac.thermostat_state.hold_type is HvacHoldType.PERMANENT
    odd = Hvac.from_dict({"id": "h", "thermostatState": {"mode": 3}})
    assert odd.thermostat_state is not None
    assert odd.thermostat_state.mode is None


def test_inverter_meter_hem() -> None:
    inverter = Inverter.from_dict(
        {
            "id": "i",
            "timezone": "Europe/Oslo",
            "productionState": {
                "productionRate": 3.2,
                "isProducing": True,
                "totalLifetimeProduction": 1000,
                "lastUpdated": "2025-01-01T00:00:00Z",
            },
            "information": {"sn": "SN-1"},
        }
    )
    assert inverter.timezone == "Europe/Oslo"
    assert inverter.production_state is not None
    assert inverter.production_state.production_rate == 3.2
    assert inverter.information is not None
    assert inverter.information.serial_number == "SN-1"
    meter = Meter.from_dict({"id": "m", "energyState": {"power": -1.5}})
    assert meter.energy_state is not None
    assert meter.energy_state.power == -1.5
    hem = HemSystem.from_dict({"id": "hem", "information": {"brand": "Huawei"}, "extra": 1})
    assert hem.brand == "Huawei"
    assert hem.asset_type is AssetType.HEM_SYSTEM
    for asset_type in AssetType:
        assert parse_asset(asset_type, {"id": "x"}).asset_type is asset_type


def test_action_variants() -> None:
    charge = Action.from_dict(
        {
            "id": "a",
            "userId": "u",
            "createdAt": "2025-01-01T00:00:00Z",
            "updatedAt": "2025-01-01T00:00:01Z",
            "completedAt": None,
            "state": "PENDING",
            "targetId": "v",
            "targetType": "vehicle",
            "kind": "START",
            "failureReason": None,
        }
    )
    assert charge.kind is ChargeActionKind.START
    assert charge.state is ActionState.PENDING
    assert not charge.is_final
    assert charge.failure_reason_type is None
    assert charge.completed_at is None
    failed = Action.from_dict(
        {
            "id": "a",
            "state": "FAILED",
            "targetState": {"maxCurrent": 10},
            "failureReason": {"type": "NO_RESPONSE", "detail": "Timed out"},
        }
    )
    assert failed.is_final
    assert failed.target_state == {"maxCurrent": 10}
    assert failed.failure_reason_type is FailureReasonType.NO_RESPONSE
    assert failed.failure_reason_detail == "Timed out"
    hvac = Action.from_dict(
        {"id": "a", "state": "SOMETHING_NEW", "target": {"mode": "HEAT", "holdType": "PERMANENT"}}
    )
    assert hvac.state == "SOMETHING_NEW"
    assert not hvac.is_final
    assert hvac.target_state == {"mode": "HEAT", "holdType": "PERMANENT"}
    odd = Action.from_dict({"failureReason": {"type": "GREMLINS"}})
    assert odd.failure_reason_type == "GREMLINS"
    assert odd.id == ""


def test_user_link_webhook_models() -> None:
    user = User.from_dict(
        {
            "id": "u",
            "linkedVendors": [
                {"vendor": "TESLA", "vendorType": "vehicle", "isValid": True},
                "junk",
                {"vendor": "ZAPTEC", "isValid": False},
            ],
        }
    )
    assert [(v.vendor, v.vendor_type, v.is_valid) for v in user.linked_vendors] == [
        ("TESLA", "vehicle", True),
        ("ZAPTEC", None, False),
    ]
    assert User.from_dict({"id": "u", "linkedVendors": None}).linked_vendors == ()
    session = LinkSession.from_dict({"linkUrl": "https://link", "linkToken": "tok"})
    assert (session.link_url, session.link_token) == ("https://link", "tok")
    webhook = Webhook.from_dict(
        {
            "id": "w",
            "url": "https://x",
            "events": ["*"],
            "isActive": True,
            "lastSuccess": None,
            "createdAt": "2025-01-01T00:00:00Z",
            "apiVersion": "2024-10-01",
            "authentication": {"headerName": "x-auth"},
        }
    )
    assert webhook.authentication_header_name == "x-auth"
    assert webhook.events == ("*",)
    assert Webhook.from_dict({"id": "w", "authentication": None}).authentication_header_name is None
    result = WebhookTestResult.from_dict(
        {
            "status": "FAILURE",
            "description": "bad",
            "response": {"code": 500, "body": "x", "headers": None},
        }
    )
    assert not result.is_success
    assert result.response_code == 500
    ok = WebhookTestResult.from_dict({"status": "SUCCESS", "response": None})
    assert ok.is_success
    assert ok.response_code is None
    override = SmartOverride.from_dict(
        {
            "createdAt": "2025-01-01T00:00:00Z",
            "endedAt": None,
            "targetType": "vehicle",
            "vendorActionId": "a",
        }
    )
    assert override.vendor_action_id == "a"
    assert override.ended_at is None


def test_hem_statistics() -> None:
    stats = HemStatistics.from_dict(
        {
            "timeseries": {
                "generation": {
                    "isAvailable": True,
                    "unit": "kW",
                    "unitType": "Power",
                    "sampling": {"mode": "bucketed", "resolution": "PT5M"},
                    "timezone": "Europe/Berlin",
                    "data": [
                        {"t": "2025-10-08T06:00:00+02:00", "v": 0.001},
                        {"t": "2025-10-08T06:05:00+02:00", "v": None},
                        {"t": "garbage", "v": 1},
                        "junk",
                    ],
                },
                "import": {"isAvailable": False, "reason": "No data"},
                "broken": 5,
            }
        }
    )
    assert set(stats.series) == {"generation", "import"}
    generation = stats.series["generation"]
    assert generation.is_available
    assert generation.resolution == "PT5M"
    assert generation.sampling_mode == "bucketed"
    assert generation.unit_type == "Power"
    assert len(generation.points) == 2
    assert generation.points[0].value == 0.001
    assert generation.points[0].time.utcoffset() == timedelta(hours=2)
    assert generation.points[1] == (datetime(2025, 10, 8, 4, 5, tzinfo=UTC), None)
    missing = stats.series["import"]
    assert not missing.is_available
    assert missing.reason == "No data"
    assert missing.points == ()
    assert HemStatistics.from_dict({}).series == {}


def test_inverter_statistics_both_key_styles() -> None:
    stats = InverterStatistics.from_dict(
        {
            "resolutions": {
                "DAY": {
                    "data": [
                        {"date": "2025-01-01T00:00:00Z", "value": 12.5},
                        {"t": "2025-01-02T00:00:00+01:00", "v": 3},
                        {"timestamp": "2025-01-03T00:00:00Z", "value": None},
                    ]
                },
                "bad": [],
            }
        }
    )
    assert list(stats.resolutions) == ["DAY"]
    assert [p.value for p in stats.points] == [12.5, 3.0, None]
    quarter = InverterStatistics.from_dict(
        {"resolutions": {"QUARTER_HOUR": {"data": []}, "DAY": {"data": None}}}
    )
    assert quarter.points == ()
    other = InverterStatistics.from_dict(
        {"resolutions": {"HOUR": {"data": [{"date": "2025-01-01T00:00:00Z", "value": 1}]}}}
    )
    assert len(other.points) == 1
    assert InverterStatistics.from_dict({}).points == ()


def test_charging_statistics_bucket() -> None:
    bucket = ChargingStatisticsBucket.from_dict(
        {
            "date": "2025-01-01T00:00:00Z",
            "kw": {"min": 0, "max": 11, "mean": 5.5},
            "kwhSum": 20,
            "price": {"min": 1, "max": 2, "mean": 1.5},
            "costSum": 30,
            "nonSmartPrice": {"mean": None},
            "estimatedSavings": None,
        }
    )
    assert bucket.kw_max == 11
    assert bucket.kwh_sum == 20
    assert bucket.price_mean == 1.5
    assert bucket.non_smart_price_mean is None
    assert bucket.estimated_savings is None
    empty = ChargingStatisticsBucket.from_dict({})
    assert empty.date is None
    assert empty.price_mean is None
