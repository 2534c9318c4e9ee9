"""Builders of asset objects in the exact 2024-10-01 shapes (API.md section 4)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, NamedTuple
import uuid

from .catalog import CONTROL_SCOPE, LOCATION_SCOPE, READ_SCOPE, AssetType, VendorType
from .clock import iso
from .models import JSON, Asset, Site

HVAC_MODES = ("OFF", "AUTO", "COOL", "HEAT")
# [S>SDK] IDLE: in the seed reference, not in the 2024-10-01 SDK's enums; the seed wins.
BATTERY_MODES = ("IMPORT_FOCUS", "EXPORT_FOCUS", "TIME_OF_USE", "SELF_RELIANCE", "IDLE")
VOLTAGE = 230.0


class _Context(NamedTuple):
    brand: str
    model: str
    site: Site
    now: str
    read: bool
    control: bool
    located: bool


def capability(capable: bool) -> JSON:
    """Return a Capability object; without the scope there are no interventions."""
    return {"isCapable": capable, "interventionIds": []}


def default_scopes(kind: VendorType) -> list[str]:
    """Return every scope Enode knows for an asset type."""
    scopes = [READ_SCOPE[kind]]
    if kind in LOCATION_SCOPE:
        scopes.append(LOCATION_SCOPE[kind])
    if kind in CONTROL_SCOPE:
        scopes.append(CONTROL_SCOPE[kind])
    return scopes


def deep_merge(base: JSON, overlay: JSON) -> JSON:
    """Merge `overlay` into `base` in place (nested dicts merge, other values replace)."""
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _location(site: Site, with_coordinates: bool, now: str) -> JSON:
    return {
        "id": site.id,
        "longitude": site.longitude if with_coordinates else None,
        "latitude": site.latitude if with_coordinates else None,
        "lastUpdated": now,
    }


def charge_rate_kw(current: float, phases: int) -> float:
    """Return the charge power in kW for a current in A (230 V per phase)."""
    return round(current * VOLTAGE * phases / 1000, 2)


def build_asset(
    kind: VendorType,
    *,
    user_id: str,
    vendor: str,
    brand: str,
    model: str,
    scopes: list[str],
    site: Site,
    now: datetime,
    seq: int,
    asset_id: str | None = None,
    state: JSON | None = None,
    sim: JSON | None = None,
) -> Asset:
    """Build an asset of a vendor type with plausible defaults.

    Args:
        kind: The asset type.
        user_id: Owner.
        vendor: Vendor machine name.
        brand: Display brand.
        model: Model name.
        scopes: Granted scopes; they decide capabilities and location coordinates.
        site: The household the asset belongs to.
        now: Link time.
        seq: Creation sequence number (for list ordering).
        asset_id: Fixed id (default a new UUID).
        state: Values deep-merged into the API object.
        sim: Physics parameters that override the defaults.
    """
    stamp = iso(now)
    read = READ_SCOPE[kind] in scopes
    control = kind in CONTROL_SCOPE and CONTROL_SCOPE[kind] in scopes
    located = kind in LOCATION_SCOPE and LOCATION_SCOPE[kind] in scopes
    data: JSON = {
        "id": asset_id or str(uuid.uuid4()),
        "userId": user_id,
        "vendor": vendor,
        "lastSeen": stamp,
        "isReachable": True,
    }
    builder = _BUILDERS[kind]
    params: JSON = {}
    builder(data, params, _Context(brand, model, site, stamp, read, control, located))
    data["scopes"] = sorted(scopes)
    deep_merge(data, state or {})
    params.update(sim or {})
    asset = Asset(kind=kind, data=data, seq=seq, site_id=site.id, sim=params)
    sync_hidden(asset)
    return asset


def sync_hidden(asset: Asset) -> None:
    """Copy published values into the precise hidden physics values."""
    data, sim = asset.data, asset.sim
    if asset.kind in ("vehicle", "battery"):
        sim["level"] = float(data["chargeState"]["batteryLevel"] or 0)
    elif asset.kind == "hvac":
        sim["temperature"] = float(data["temperatureState"]["currentTemperature"] or 20)
    elif asset.kind == "inverter":
        sim["lifetime"] = float(data["productionState"]["totalLifetimeProduction"] or 0)


def _vehicle(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    sim.update({"phases": 3, "maxChargeKw": 11.0, "kmPerKwh": 6.5})
    data["information"] = {
        "vin": "5YJ3E7EB" + data["id"].replace("-", "")[:9].upper(),
        "brand": brand,
        "model": model,
        "year": 2022,
        "displayName": f"My {model}",
        "imageUrl": None,
    }
    data["chargeState"] = {
        "batteryLevel": 54.0,
        "range": 270.0,
        "isPluggedIn": True,
        "isCharging": False,
        "isFullyCharged": False,
        "batteryCapacity": 75.0,
        "chargeLimit": 80.0,
        "chargeRate": None,
        "chargeTimeRemaining": None,
        "lastUpdated": now,
        "maxCurrent": 16.0,
        "powerDeliveryState": "PLUGGED_IN:STOPPED",
        "pluggedInChargerId": None,
    }
    data["smartChargingPolicy"] = {"isEnabled": False, "deadline": None, "minimumChargeLimit": 0}
    data["location"] = _location(site, located, now)
    data["odometer"] = {"distance": 24_312.0, "lastUpdated": now}
    data["capabilities"] = {
        "information": capability(read),
        "chargeState": capability(read),
        "location": capability(located),
        "odometer": capability(read),
        "setMaxCurrent": capability(control and data["vendor"] == "TESLA"),
        "startCharging": capability(control),
        "stopCharging": capability(control),
        "smartCharging": capability(control),
    }


def _charger(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    del located  # chargers carry no coordinates (API.md 14)
    sim.update({"phases": 3, "minCurrent": 6.0, "maxCurrent": 32.0})
    data["location"] = {"id": site.id, "lastUpdated": now}
    data["chargeState"] = {
        "isPluggedIn": True,
        "isCharging": False,
        "chargeRate": None,
        "lastUpdated": now,
        "maxCurrent": 16.0,
        "powerDeliveryState": "PLUGGED_IN:STOPPED",
        # [?] API.md 4.2: name and place inferred from the charge-rate-limit endpoint.
        "chargeRateLimit": charge_rate_kw(16.0, 3),
        "pluggedInVehicleId": None,
    }
    data["information"] = {
        "brand": brand,
        "model": model,
        "year": 2023,
        "serialNumber": "ZAP" + data["id"].replace("-", "")[:8].upper(),
        "imageUrl": None,
    }
    data["capabilities"] = {
        "information": capability(read),
        "chargeState": capability(read),
        "startCharging": capability(control),
        "stopCharging": capability(control),
        "setMaxCurrent": capability(control),
        "setChargeRateLimit": capability(control),  # [?] key name
    }


def _battery(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    del read
    sim.update({"maxRateKw": 5.0})
    data["chargeState"] = {
        "status": "IDLE",
        "batteryCapacity": 10.0,
        "batteryLevel": 60.0,
        "chargeRate": 0.0,
        "dischargeLimit": 10.0,
        "lastUpdated": now,
    }
    data["config"] = {"operationMode": "SELF_RELIANCE", "lastUpdated": now}
    data["information"] = {
        "id": "BAT-" + data["id"][:8].upper(),
        "brand": brand,
        "model": model,
        "siteName": site.name,
        "installationDate": iso(site.created_at),
    }
    data["location"] = _location(site, located, now)
    data["capabilities"] = {
        "exportFocus": capability(control),
        "importFocus": capability(control),
        "timeOfUse": capability(control),
        "selfReliance": capability(control),
        "idle": capability(control and data["vendor"] == "HUAWEI"),  # [?] key name
    }
    data["hemSystemId"] = None


def _hvac(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    del read, located
    sim.update({"powerKw": 2.0, "scheduleHeat": 21.0, "scheduleCool": 25.0})
    data["consumptionRate"] = 0.0
    data["information"] = {
        "brand": brand,
        "model": model,
        "displayName": f"{brand} heat pump",
        "groupName": "Living room",
        "category": "HEAT_PUMP",
    }
    data["capabilities"] = {
        "capableModes": list(HVAC_MODES),
        "capableHoldTypes": ["PERMANENT", "SCHEDULED"],
        "coolSetpointRange": {"min": 15.0, "max": 30.0},
        "heatSetpointRange": {"min": 10.0, "max": 28.0},
        "setpointDifferenceRange": {"min": 2.0, "max": 10.0},
        "setFollowSchedule": capability(control),
        "setPermanentHold": capability(control),
    }
    data["temperatureState"] = {"currentTemperature": 20.0, "isActive": False, "lastUpdated": now}
    data["thermostatState"] = {
        "mode": "HEAT",
        "heatSetpoint": 21.0,
        "coolSetpoint": None,
        "holdType": "SCHEDULED",
        "lastUpdated": now,
    }
    data["location"] = {"id": site.id, "lastUpdated": now}


def _inverter(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    del control
    sim.update({"peakKw": 8.0})
    data["productionState"] = {
        "productionRate": 0.0,
        "isProducing": False,
        "totalLifetimeProduction": 12_345.0,
        "lastUpdated": now,
    }
    data["information"] = {
        "id": "INV-" + data["id"][:8].upper(),
        "sn": "HV" + data["id"].replace("-", "")[:10].upper(),
        "brand": brand,
        "model": model,
        "siteName": site.name,
        "installationDate": iso(site.created_at),
    }
    data["location"] = _location(site, located, now)
    data["timezone"] = site.timezone
    data["capabilities"] = {
        "productionState": capability(read),
        "productionStatistics": capability(read),
    }
    data["hemSystemId"] = None


def _meter(data: JSON, sim: JSON, ctx: _Context) -> None:
    brand, model, site, now, read, control, located = ctx
    del control, sim
    data["information"] = {
        "brand": brand,
        "model": model,
        "siteName": site.name,
        "installationDate": iso(site.created_at),
    }
    data["energyState"] = {"power": 0.0, "lastUpdated": now}
    data["location"] = _location(site, located, now)
    data["capabilities"] = {
        "measuresConsumption": capability(read),
        "measuresProduction": capability(read),
    }
    data["hemSystemId"] = None


_BUILDERS: dict[VendorType, Any] = {
    "vehicle": _vehicle,
    "charger": _charger,
    "battery": _battery,
    "hvac": _hvac,
    "inverter": _inverter,
    "meter": _meter,
}


def build_hem_system(
    *,
    user_id: str,
    vendor: str,
    brand: str,
    site: Site,
    now: datetime,
    seq: int,
    members: list[Asset],
    hem_id: str | None = None,
) -> Asset:
    """Build a HEM system grouping one vendor's inverter, battery and meter at a site.

    The full HEM object is not documented ([?] API.md 4.7); beyond `id` and `information`
    this shape (member id lists, timezone, location) is the most plausible guess.
    """
    stamp = iso(now)
    data: JSON = {
        "id": hem_id or str(uuid.uuid4()),
        "userId": user_id,
        "vendor": vendor,
        "lastSeen": stamp,
        "isReachable": True,
        "information": {
            "brand": brand,
            "siteName": site.name,
            "installationDate": iso(site.created_at),
        },
        "timezone": site.timezone,
        "location": {"id": site.id, "lastUpdated": stamp},
        "batteryIds": [],
        "inverterIds": [],
        "meterIds": [],
    }
    hem = Asset(kind="hem-system", data=data, seq=seq, site_id=site.id)
    for member in members:
        attach(hem, member)
    return hem


_MEMBER_KEYS: dict[AssetType, str] = {
    "battery": "batteryIds",
    "inverter": "inverterIds",
    "meter": "meterIds",
}


def attach(hem: Asset, member: Asset) -> None:
    """Attach a battery, inverter or meter to a HEM system."""
    ids = hem.data[_MEMBER_KEYS[member.kind]]
    if member.id not in ids:
        ids.append(member.id)
    member.data["hemSystemId"] = hem.id


def detach(hem: Asset, member: Asset) -> None:
    """Detach an asset from a HEM system."""
    ids = hem.data[_MEMBER_KEYS[member.kind]]
    if member.id in ids:
        ids.remove(member.id)
