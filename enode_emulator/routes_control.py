"""Control routes (Enode API reference: controls, actions, smart override).

The rules are in `controls.py`.
"""

from __future__ import annotations

from aiohttp import web

from . import controls
from .catalog import TYPE_OF_PATH, AssetType
from .core import Core
from .models import Asset
from .problems import ProblemError
from .web import core_of, json_body, ok

routes = web.RouteTableDef()
_CHARGEABLE = "{kind:vehicles|chargers}"
_ACTIONABLE = "{kind:vehicles|chargers|batteries|hvacs}"


def _target(request: web.Request) -> tuple[Core, Asset]:
    core = core_of(request)
    kind: AssetType = TYPE_OF_PATH[request.match_info["kind"]]
    return core, core.store.get_asset(kind, request.match_info["assetId"])


@routes.post(f"/{_CHARGEABLE}/{{assetId}}/charging")
async def charging(request: web.Request) -> web.Response:
    """Start or stop charging."""
    core, asset = _target(request)
    return ok(controls.charging(core, asset, await json_body(request)).data)


@routes.post(f"/{_CHARGEABLE}/{{assetId}}/max-current")
async def max_current(request: web.Request) -> web.Response:
    """Set the maximum charging current (A)."""
    core, asset = _target(request)
    return ok(controls.max_current(core, asset, await json_body(request)).data)


@routes.post("/{kind:chargers}/{assetId}/charge-rate-limit")
async def charge_rate_limit(request: web.Request) -> web.Response:
    """Set a charger's charge rate limit (kW); its max current follows."""
    core, asset = _target(request)
    return ok(controls.charge_rate_limit(core, asset, await json_body(request)).data)


@routes.post("/{kind:batteries}/{assetId}/operation-mode")
async def operation_mode(request: web.Request) -> web.Response:
    """Set a battery's operation mode."""
    core, asset = _target(request)
    return ok(controls.operation_mode(core, asset, await json_body(request)).data)


@routes.post("/{kind:hvacs}/{assetId}/permanent-hold")
async def permanent_hold(request: web.Request) -> web.Response:
    """Hold an HVAC unit at a mode and setpoints."""
    core, asset = _target(request)
    return ok(controls.permanent_hold(core, asset, await json_body(request)).data)


@routes.post("/{kind:hvacs}/{assetId}/follow-schedule")
async def follow_schedule(request: web.Request) -> web.Response:
    """Return an HVAC unit to its own schedule."""
    core, asset = _target(request)
    return ok(controls.follow_schedule(core, asset).data)


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
