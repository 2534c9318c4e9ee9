"""Locations (Enode API reference: Locations; SMART.md 6): CRUD of a user's Locations."""

from __future__ import annotations

from aiohttp import web

from .pagination import paginate
from .web import core_of, json_body, ok

routes = web.RouteTableDef()


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
