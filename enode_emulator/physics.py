"""Simulated physics: one step moves every site's assets forward by `dt` seconds."""

from __future__ import annotations

from datetime import datetime
import math

from .assets import charge_rate_kw
from .history import History
from .models import Asset, Site, set_value
from .profiles import household_kw, solar_fraction, zone
from .state import Store

_EPSILON = 0.005


def step(store: Store, history: History, now: datetime, dt: float, seed: int) -> dict[str, float]:
    """Advance every site by `dt` simulated seconds ending at `now`.

    Returns:
        The power (kW) each vehicle, charger and HVAC drew in the step (charging sessions).
    """
    drawn: dict[str, float] = {}
    for site in list(store.sites.values()):
        _step_site(store, history, site, now, dt=dt, seed=seed, drawn=drawn)
    return drawn


def _step_site(
    store: Store,
    history: History,
    site: Site,
    now: datetime,
    *,
    dt: float,
    seed: int,
    drawn: dict[str, float],
) -> None:
    assets = [asset for asset in store.assets.values() if asset.site_id == site.id]
    by_kind: dict[str, list[Asset]] = {}
    for asset in assets:
        by_kind.setdefault(asset.kind, []).append(asset)
    production = sum(_inverter(asset, site, now, dt, seed) for asset in by_kind.get("inverter", []))
    consumption = household_kw(site, now, seed)
    for hvac in by_kind.get("hvac", []):
        drawn[hvac.id] = _hvac(hvac, site, now, dt)
        consumption += drawn[hvac.id]
    paired = set()
    for charger in by_kind.get("charger", []):
        drawn[charger.id] = _charger(charger, now)
        consumption += drawn[charger.id]
        paired.add(charger.data["chargeState"].get("pluggedInVehicleId"))
    for vehicle in by_kind.get("vehicle", []):
        rate = drawn[vehicle.id] = _vehicle(vehicle, now, dt)
        if vehicle.id not in paired:
            consumption += rate
    battery_rate = 0.0
    levels = []
    for battery in by_kind.get("battery", []):
        battery_rate += _battery(battery, site, now, dt, production - consumption - battery_rate)
        levels.append(battery.sim["level"])
    grid = consumption - production + battery_rate
    for meter in by_kind.get("meter", []):
        set_value(meter, "energyState", "power", round(grid, 3), now)
    if by_kind.get("hem-system"):
        history.record(
            site.id,
            now,
            dt,
            {
                "generation": production,
                "consumption": consumption,
                "import": max(grid, 0.0),
                "export": max(-grid, 0.0),
                "charge": max(battery_rate, 0.0),
                "discharge": max(-battery_rate, 0.0),
            },
            sum(levels) / len(levels) if levels else None,
        )


def _inverter(asset: Asset, site: Site, now: datetime, dt: float, seed: int) -> float:
    rate = float(asset.sim["peakKw"]) * solar_fraction(site, now, seed)
    asset.sim["lifetime"] += rate * dt / 3600
    set_value(asset, "productionState", "productionRate", round(rate, 3), now)
    set_value(asset, "productionState", "isProducing", rate > _EPSILON, now)
    # Rounding an ever-growing value keeps the published total monotonic.
    set_value(
        asset, "productionState", "totalLifetimeProduction", round(asset.sim["lifetime"], 2), now
    )
    return rate


def _hvac(asset: Asset, site: Site, now: datetime, dt: float) -> float:
    thermostat = asset.data["thermostatState"]
    mode = thermostat.get("mode")
    heat = thermostat.get("heatSetpoint") if mode in ("HEAT", "AUTO") else None
    cool = thermostat.get("coolSetpoint") if mode in ("COOL", "AUTO") else None
    temp = float(asset.sim["temperature"])
    heating = heat is not None and temp < heat - (0.0 if asset.sim.get("active") else 0.3)
    cooling = cool is not None and temp > cool + (0.0 if asset.sim.get("active") else 0.3)
    rate_per_hour = 2.0
    if heating and heat is not None:
        temp = min(float(heat), temp + rate_per_hour * dt / 3600)
    elif cooling and cool is not None:
        temp = max(float(cool), temp - rate_per_hour * dt / 3600)
    else:
        # Passive drift toward the outdoor temperature (time constant 10 h).
        temp += (site.outdoor_temperature - temp) * (1 - math.exp(-dt / 36_000))
    active = heating or cooling
    asset.sim["temperature"] = temp
    asset.sim["active"] = active
    set_value(asset, "temperatureState", "currentTemperature", round(temp, 1), now)
    set_value(asset, "temperatureState", "isActive", active, now)
    power = float(asset.sim["powerKw"]) if active else 0.0
    if asset.data["consumptionRate"] != power:
        asset.data["consumptionRate"] = power
    return power


def _charger(asset: Asset, now: datetime) -> float:
    state = asset.data["chargeState"]
    if not state["isCharging"]:
        set_value(asset, "chargeState", "chargeRate", None, now)
        return 0.0
    rate = charge_rate_kw(float(state["maxCurrent"]), int(asset.sim["phases"]))
    set_value(asset, "chargeState", "chargeRate", rate, now)
    return rate


def _vehicle(asset: Asset, now: datetime, dt: float) -> float:
    state = asset.data["chargeState"]
    capacity = float(state["batteryCapacity"] or 1)
    limit = float(state["chargeLimit"] if state["chargeLimit"] is not None else 100)
    if not state["isCharging"]:
        set_value(asset, "chargeState", "chargeRate", None, now)
        set_value(asset, "chargeState", "chargeTimeRemaining", None, now)
        return 0.0
    rate = min(
        float(asset.sim["maxChargeKw"]),
        charge_rate_kw(float(state["maxCurrent"] or 16), int(asset.sim["phases"])),
    )
    level = min(limit, asset.sim["level"] + rate * dt / 3600 / capacity * 100)
    asset.sim["level"] = level
    set_value(asset, "chargeState", "batteryLevel", round(level, 1), now)
    set_value(
        asset,
        "chargeState",
        "range",
        round(level / 100 * capacity * float(asset.sim["kmPerKwh"]), 0),
        now,
    )
    if level >= limit:
        set_value(asset, "chargeState", "isCharging", False, now)
        set_value(asset, "chargeState", "isFullyCharged", True, now)
        set_value(asset, "chargeState", "powerDeliveryState", "PLUGGED_IN:COMPLETE", now)
        set_value(asset, "chargeState", "chargeRate", None, now)
        set_value(asset, "chargeState", "chargeTimeRemaining", None, now)
        return rate
    set_value(asset, "chargeState", "chargeRate", rate, now)
    remaining = (limit - level) / 100 * capacity / rate * 60
    set_value(asset, "chargeState", "chargeTimeRemaining", round(remaining), now)
    return rate


def battery_target(mode: str | None, surplus: float, max_rate: float, local_hour: int) -> float:
    """Return the wanted battery power (positive = charging) for an operation mode."""
    if mode == "IMPORT_FOCUS":
        return max_rate
    if mode == "EXPORT_FOCUS":
        return -max_rate
    if mode == "TIME_OF_USE" and 1 <= local_hour < 5:
        return max_rate  # cheap night hours
    if mode in ("SELF_RELIANCE", "TIME_OF_USE"):
        return max(-max_rate, min(max_rate, surplus))
    return 0.0  # IDLE, UNKNOWN


def _battery(asset: Asset, site: Site, now: datetime, dt: float, surplus: float) -> float:
    state = asset.data["chargeState"]
    capacity = float(state["batteryCapacity"] or 1)
    floor = float(state["dischargeLimit"] or 0)
    level = float(asset.sim["level"])
    hour = now.astimezone(zone(site.timezone)).hour
    rate = battery_target(
        asset.data["config"]["operationMode"], surplus, float(asset.sim["maxRateKw"]), hour
    )
    # Never overshoot full or the discharge limit within this step.
    headroom = (100 - level) / 100 * capacity * 3600 / dt
    reserve = max(0.0, level - floor) / 100 * capacity * 3600 / dt
    rate = max(-reserve, min(headroom, rate))
    level += rate * dt / 3600 / capacity * 100
    asset.sim["level"] = level
    rate = round(rate, 3)
    status = "CHARGING" if rate > _EPSILON else "DISCHARGING" if rate < -_EPSILON else "IDLE"
    set_value(asset, "chargeState", "chargeRate", rate, now)
    set_value(asset, "chargeState", "batteryLevel", round(level, 1), now)
    set_value(asset, "chargeState", "status", status, now)
    return rate
