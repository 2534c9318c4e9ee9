"""The smart layer: locations, tariffs, vehicle smart charging policy, status and plans."""

from __future__ import annotations

import copy

from aiohttp import web

from .catalog import TYPE_OF_PATH, AssetType
from .clock import iso
from .pagination import paginate
from .problems import ProblemError
from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


# Locations (SMART.md 6)


@routes.get("/locations")
async def list_locations(request: web.Request) -> web.Response:
    """List every location of the client."""
    sites = core_of(request).pricing.locations_of(None)
    return ok(paginate([(s.seq, s.to_json()) for s in sites], request.query))


@routes.get("/users/{userId}/locations")
async def list_user_locations(request: web.Request) -> web.Response:
    """List a user's locations."""
    core = core_of(request)
    user = core.store.get_user(request.match_info["userId"])
    sites = core.pricing.locations_of(user.id)
    return ok(paginate([(s.seq, s.to_json()) for s in sites], request.query))


@routes.post("/users/{userId}/locations")
async def create_location(request: web.Request) -> web.Response:
    """Create a location (200 with the Location)."""
    core = core_of(request)
    site = core.pricing.create_location(request.match_info["userId"], await json_body(request))
    core.smart.tick(core.clock.now())
    return ok(site.to_json())


@routes.get("/locations/{locationId}")
async def get_location(request: web.Request) -> web.Response:
    """Return one location."""
    return ok(core_of(request).pricing.location(request.match_info["locationId"]).to_json())


@routes.put("/locations/{locationId}")
async def update_location(request: web.Request) -> web.Response:
    """Replace a location's name, coordinates and time zone."""
    core = core_of(request)
    body = await json_body(request)
    site = core.pricing.update_location(request.match_info["locationId"], body)
    core.smart.tick(core.clock.now())
    return ok(site.to_json())


@routes.delete("/locations/{locationId}")
async def delete_location(request: web.Request) -> web.Response:
    """Delete a location (200 with the deleted Location, not 204)."""
    core = core_of(request)
    site = core.pricing.delete_location(request.match_info["locationId"])
    core.smart.tick(core.clock.now())
    return ok(site.to_json())


@routes.put("/{kind:chargers|hvacs}/{assetId}")
async def set_asset_location(request: web.Request) -> web.Response:
    """Assign a charger or HVAC unit to a Location (`{locationId: uuid|null}`, SMART.md 6.3).

    [?] [O] has this route; whether it survives in 2024-10-01 is not known (API.md 6.9).
    """
    core = core_of(request)
    kind: AssetType = TYPE_OF_PATH[request.match_info["kind"]]
    asset = core.store.get_asset(kind, request.match_info["assetId"])
    body = await json_body(request)
    if not isinstance(body, dict) or "locationId" not in body:
        raise ProblemError(400, '"locationId" is required', "Payload validation failed")
    location_id = body["locationId"]
    if location_id is not None:
        if not isinstance(location_id, str):
            raise ProblemError(
                400, '"locationId" must be a string or null', "Payload validation failed"
            )
        site = core.pricing.location(location_id)
        if site.user_id != asset.user_id:
            raise ProblemError(404, f"Location {location_id} not found", "Entity Not Found")
    before = copy.deepcopy(asset.data)
    if asset.data["location"].get("id") != location_id:
        asset.data["location"]["id"] = location_id
        asset.data["location"]["lastUpdated"] = iso(core.clock.now())
    core.store.commit(asset, before)
    return ok(asset.data)


# Tariffs (SMART.md 7)


@routes.put("/tariffs/{tariffId}")
async def put_tariff(request: web.Request) -> web.Response:
    """Create or replace a tariff's rates (204)."""
    core_of(request).pricing.put_tariff(request.match_info["tariffId"], await json_body(request))
    return no_content()


@routes.get("/tariffs/{tariffId}")
async def get_tariff(request: web.Request) -> web.Response:
    """Return a tariff's rates."""
    return ok(core_of(request).pricing.get_tariff(request.match_info["tariffId"]))


@routes.put("/locations/{locationId}/tariff")
async def put_location_tariff(request: web.Request) -> web.Response:
    """Replace a location's tariff intervals (204)."""
    core = core_of(request)
    core.pricing.put_location_tariff(request.match_info["locationId"], await json_body(request))
    core.smart.tick(core.clock.now())
    return no_content()


@routes.get("/locations/{locationId}/tariff")
async def get_location_tariff(request: web.Request) -> web.Response:
    """Return a location's tariff intervals, one row per weekday."""
    return ok(core_of(request).pricing.location_tariff(request.match_info["locationId"]))


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
