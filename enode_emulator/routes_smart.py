"""Smart charging (Enode API reference: vehicle smart charging; SMART.md 1-3)."""

from __future__ import annotations

from aiohttp import web

from .web import core_of, json_body, ok

routes = web.RouteTableDef()


# Vehicle smart charging (SMART.md 1, 2)


@routes.get("/vehicles/{vehicleId}/smart-charging-policy")
async def get_policy(request: web.Request) -> web.Response:
    """Return a vehicle's smart charging policy."""
    vehicle = core_of(request).store.get_asset("vehicle", request.match_info["vehicleId"])
    return ok(dict(vehicle.data["smartChargingPolicy"]))


@routes.put("/vehicles/{vehicleId}/smart-charging-policy")
async def put_policy(request: web.Request) -> web.Response:
    """Update a vehicle's smart charging policy (partial)."""
    core = core_of(request)
    vehicle = core.store.get_asset("vehicle", request.match_info["vehicleId"])
    return ok(core.smart.put_policy(vehicle, await json_body(request)))


@routes.get("/vehicles/{vehicleId}/smart-charging-status")
async def get_status(request: web.Request) -> web.Response:
    """Return a vehicle's smart charging status."""
    core = core_of(request)
    vehicle = core.store.get_asset("vehicle", request.match_info["vehicleId"])
    return ok(core.smart.status(vehicle))


@routes.get("/vehicles/{vehicleId}/smart-charging-plans/{planId}")
async def get_plan(request: web.Request) -> web.Response:
    """Return a smart charging plan by id or `latest`."""
    core = core_of(request)
    vehicle = core.store.get_asset("vehicle", request.match_info["vehicleId"])
    return ok(core.smart.plan(vehicle, request.match_info["planId"]))
