"""Control endpoints that create actions, plus action lookup and cancel."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .actions import Action
from .assets import BATTERY_MODES, HVAC_MODES
from .catalog import TYPE_OF_PATH, AssetType
from .core import Core
from .models import JSON, Asset
from .problems import ProblemError
from .web import core_of, json_body, ok

routes = web.RouteTableDef()
_CHARGEABLE = "{kind:vehicles|chargers}"
_ACTIONABLE = "{kind:vehicles|chargers|batteries|hvacs}"
_MODE_CAPABILITY = {
    "IMPORT_FOCUS": "importFocus",
    "EXPORT_FOCUS": "exportFocus",
    "TIME_OF_USE": "timeOfUse",
    "SELF_RELIANCE": "selfReliance",
    "IDLE": "idle",
}


def _target(request: web.Request) -> tuple[Core, Asset]:
    core = core_of(request)
    kind: AssetType = TYPE_OF_PATH[request.match_info["kind"]]
    return core, core.store.get_asset(kind, request.match_info["assetId"])


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


@routes.post(f"/{_CHARGEABLE}/{{assetId}}/charging")
async def charging(request: web.Request) -> web.Response:
    """Start or stop charging."""
    core, asset = _target(request)
    command = _field(await json_body(request), "action")
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
    return ok(action.data)


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


@routes.post(f"/{_CHARGEABLE}/{{assetId}}/max-current")
async def max_current(request: web.Request) -> web.Response:
    """Set the maximum charging current (A)."""
    core, asset = _target(request)
    value = _number(_field(await json_body(request), "maxCurrent"), "maxCurrent")
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
    return ok(core.actions.create(asset, "maxCurrent", value).data)


@routes.post("/{kind:chargers}/{assetId}/charge-rate-limit")
async def charge_rate_limit(request: web.Request) -> web.Response:
    """Set a charger's charge rate limit (kW); its max current follows."""
    core, asset = _target(request)
    # [?] API.md 6.3: the body field name is inferred from the description.
    value = _number(_field(await json_body(request), "chargeRateLimit"), "chargeRateLimit")
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
    return ok(core.actions.create(asset, "chargeRateLimit", value).data)


@routes.post("/{kind:batteries}/{assetId}/operation-mode")
async def operation_mode(request: web.Request) -> web.Response:
    """Set a battery's operation mode."""
    core, asset = _target(request)
    mode = _field(await json_body(request), "operationMode")
    if mode not in BATTERY_MODES:
        raise ProblemError(
            400,
            f'"operationMode" must be one of {list(BATTERY_MODES)}',
            "Payload validation failed",
        )
    _require(asset, _MODE_CAPABILITY[mode])
    _not_controlled(asset)
    return ok(core.actions.create(asset, "operationMode", mode).data)


@routes.post("/{kind:hvacs}/{assetId}/permanent-hold")
async def permanent_hold(request: web.Request) -> web.Response:
    """Hold an HVAC unit at a mode and setpoints."""
    core, asset = _target(request)
    body = await json_body(request)
    target = _hold_target(asset, body)
    _require(asset, "setPermanentHold")
    _not_controlled(asset)
    return ok(core.actions.create(asset, "permanentHold", target).data)


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


@routes.post("/{kind:hvacs}/{assetId}/follow-schedule")
async def follow_schedule(request: web.Request) -> web.Response:
    """Return an HVAC unit to its own schedule."""
    core, asset = _target(request)
    _require(asset, "setFollowSchedule")
    _not_controlled(asset)
    return ok(core.actions.create(asset, "followSchedule", {"holdType": "SCHEDULED"}).data)


def _override_route(request: web.Request) -> None:
    """2024-10-01 has the vehicle route only; the charger one is 2024-01-01's (opt-in)."""
    if (
        request.match_info["kind"] == "chargers"
        and not core_of(request).config.charger_smart_override
    ):
        raise ProblemError(404, f"No route for {request.method} {request.path}")


@routes.post(f"/{_CHARGEABLE}/{{assetId}}/smart-override")
async def create_override(request: web.Request) -> web.Response:
    """Force charging now even when smart charging or a schedule controls the asset."""
    _override_route(request)
    core, asset = _target(request)
    return ok(core.smart.create_override(asset))


@routes.delete(f"/{_CHARGEABLE}/{{assetId}}/smart-override")
async def end_override(request: web.Request) -> web.Response:
    """End a smart override (charging continues; 404 "No Smart Override Exists")."""
    _override_route(request)
    core, asset = _target(request)
    return ok(core.smart.end_override(asset))


@routes.get(f"/{_ACTIONABLE}/actions/{{actionId}}")
async def get_action(request: web.Request) -> web.Response:
    """Return an action."""
    core = core_of(request)
    kind = TYPE_OF_PATH[request.match_info["kind"]]
    return ok(core.actions.get(kind, request.match_info["actionId"]).data)


@routes.post(f"/{_ACTIONABLE}/actions/{{actionId}}/cancel")
async def cancel_action(request: web.Request) -> web.Response:
    """Cancel a pending action (409 with the final Action when it already ended)."""
    core = core_of(request)
    kind = TYPE_OF_PATH[request.match_info["kind"]]
    action, cancelled = core.actions.cancel(kind, request.match_info["actionId"])
    return ok(action.data, status=200 if cancelled else 409)
