"""Controls (Enode API reference: each asset type's controls): validation and their actions.

The routes in `routes_control.py` only read the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .assets import BATTERY_MODES, HVAC_MODES
from .models import JSON, Asset
from .problems import ProblemError

if TYPE_CHECKING:
    from .actions import Action
    from .core import Core

_MODE_CAPABILITY = {
    "IMPORT_FOCUS": "importFocus",
    "EXPORT_FOCUS": "exportFocus",
    "TIME_OF_USE": "timeOfUse",
    "SELF_RELIANCE": "selfReliance",
    "IDLE": "idle",
}


def _reject(detail: str) -> ProblemError:
    return ProblemError(400, detail, "Action Rejected")


def _require(asset: Asset, capability: str) -> None:
    if not asset.data["capabilities"].get(capability, {}).get("isCapable"):
        raise _reject(f"The {asset.kind} is not capable of {capability}.")


def _not_controlled(asset: Asset) -> None:
    if asset.schedule_controlled:
        raise ProblemError(
            422,
            f"The {asset.kind} is controlled by a schedule. Disable it or use smart override.",
        )


def _field(body: Any, key: str) -> Any:
    if not isinstance(body, dict) or key not in body:
        raise ProblemError(400, f'"{key}" is required', "Payload validation failed")
    return body[key]


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemError(400, f'"{key}" must be a number', "Payload validation failed")
    return float(value)


def charging(core: Core, asset: Asset, body: Any) -> Action:
    """`POST /{vehicles|chargers}/{id}/charging` (`{action: START|STOP}`)."""
    command = _field(body, "action")
    if command not in ("START", "STOP"):
        raise ProblemError(400, '"action" must be START or STOP', "Payload validation failed")
    _not_controlled(asset)
    if asset.kind == "vehicle" and core.smart.controls(asset):
        # SMART.md 3.4: an active smart charging plan answers 422 (an override lifts it [?]).
        raise ProblemError(
            422,
            "The vehicle has an active smart charging plan. "
            "Disable smart charging or use smart override.",
        )
    action = _charge_action(core, asset, command)
    if asset.kind == "vehicle":
        core.smart.evaluate(asset, core.clock.now())
    return action


def _charge_action(core: Core, asset: Asset, command: str) -> Action:
    _require(asset, "startCharging" if command == "START" else "stopCharging")
    state = asset.data["chargeState"]
    pending = [a for a in core.actions.actions.values() if a.pending and a.asset_id == asset.id]
    repeat = any(a.effect == "charging" and a.target == command for a in pending)
    if not repeat:
        if command == "START" and state["isCharging"]:
            raise _reject(f"The {asset.kind} is already charging.")
        if command == "STOP" and not state["isCharging"]:
            raise _reject(f"The {asset.kind} is already stopped.")
        if command == "START" and not state["isPluggedIn"]:
            raise _reject(f"The {asset.kind} is not plugged in.")
        if command == "START" and asset.kind == "vehicle" and state["isFullyCharged"]:
            raise _reject("The vehicle is fully charged.")
    return core.actions.create(asset, "charging", command)


def max_current(core: Core, asset: Asset, body: Any) -> Action:
    """`POST /{vehicles|chargers}/{id}/max-current` (`{maxCurrent}`, amps within the limits)."""
    value = _number(_field(body, "maxCurrent"), "maxCurrent")
    _require(asset, "setMaxCurrent")
    low, high = (
        (asset.sim.get("minCurrent", 6.0), asset.sim.get("maxCurrent", 32.0))
        if asset.kind == "charger"
        else (5.0, 48.0)
    )
    if not low <= value <= high:
        raise ProblemError(
            400, f'"maxCurrent" must be between {low} and {high} A', "Payload validation failed"
        )
    _not_controlled(asset)
    return core.actions.create(asset, "maxCurrent", value)


def charge_rate_limit(core: Core, asset: Asset, body: Any) -> Action:
    """`POST /chargers/{id}/charge-rate-limit` (`{chargeRateLimit}` kW; max current follows)."""
    # [?] API.md 6.3: the body field name is inferred from the description.
    value = _number(_field(body, "chargeRateLimit"), "chargeRateLimit")
    _require(asset, "setChargeRateLimit")
    phases = int(asset.sim["phases"])
    low = round(float(asset.sim["minCurrent"]) * 230 * phases / 1000, 2)
    high = round(float(asset.sim["maxCurrent"]) * 230 * phases / 1000, 2)
    if not low <= value <= high:
        raise ProblemError(
            400,
            f'"chargeRateLimit" must be between {low} and {high} kW',
            "Payload validation failed",
        )
    _not_controlled(asset)
    return core.actions.create(asset, "chargeRateLimit", value)


def operation_mode(core: Core, asset: Asset, body: Any) -> Action:
    """`POST /batteries/{id}/operation-mode` (`{operationMode}` the battery is capable of)."""
    mode = _field(body, "operationMode")
    if mode not in BATTERY_MODES:
        raise ProblemError(
            400,
            f'"operationMode" must be one of {list(BATTERY_MODES)}',
            "Payload validation failed",
        )
    _require(asset, _MODE_CAPABILITY[mode])
    _not_controlled(asset)
    return core.actions.create(asset, "operationMode", mode)


def permanent_hold(core: Core, asset: Asset, body: Any) -> Action:
    """`POST /hvacs/{id}/permanent-hold`: the mode and exactly the setpoints it needs."""
    target = _hold_target(asset, body)
    _require(asset, "setPermanentHold")
    _not_controlled(asset)
    return core.actions.create(asset, "permanentHold", target)


def follow_schedule(core: Core, asset: Asset) -> Action:
    """`POST /hvacs/{id}/follow-schedule`."""
    _require(asset, "setFollowSchedule")
    _not_controlled(asset)
    return core.actions.create(asset, "followSchedule", {"holdType": "SCHEDULED"})


def _hold_target(asset: Asset, body: Any) -> JSON:
    mode = _field(body, "mode")
    caps = asset.data["capabilities"]
    if mode not in HVAC_MODES or mode not in (caps.get("capableModes") or []):
        raise ProblemError(
            400, f'"mode" must be one of {caps.get("capableModes")}', "Payload validation failed"
        )
    target: JSON = {"mode": mode, "holdType": "PERMANENT"}
    needed = {
        "HEAT": ["heatSetpoint"],
        "COOL": ["coolSetpoint"],
        "AUTO": ["heatSetpoint", "coolSetpoint"],
        "OFF": [],
    }[mode]
    for key in needed:
        value = _number(_field(body, key), key)
        bounds = caps[key.replace("Setpoint", "SetpointRange")]
        if (bounds["min"] is not None and value < bounds["min"]) or (
            bounds["max"] is not None and value > bounds["max"]
        ):
            raise ProblemError(
                400,
                f'"{key}" must be between {bounds["min"]} and {bounds["max"]}',
                "Payload validation failed",
            )
        target[key] = value
    if mode == "AUTO":
        gap = target["coolSetpoint"] - target["heatSetpoint"]
        bounds = caps["setpointDifferenceRange"]
        if (bounds["min"] is not None and gap < bounds["min"]) or (
            bounds["max"] is not None and gap > bounds["max"]
        ):
            raise ProblemError(
                400,
                f"coolSetpoint - heatSetpoint must be between {bounds['min']} and {bounds['max']}",
                "Payload validation failed",
            )
    return target
