"""Schedules (SMART.md 5.1): CRUD and status; the engine is `schedules.Schedules`."""

from __future__ import annotations

from aiohttp import web

from .pagination import paginate
from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


@routes.get("/users/{userId}/schedules")
async def list_schedules(request: web.Request) -> web.Response:
    """List a user's schedules (paginated like every list)."""
    records = core_of(request).schedules.list_for(request.match_info["userId"])
    return ok(paginate([(r.seq, dict(r.data)) for r in records], request.query))


@routes.post("/users/{userId}/schedules")
async def create_schedule(request: web.Request) -> web.Response:
    """Create a charge or temperature schedule (200, not 201, per [O])."""
    core = core_of(request)
    return ok(core.schedules.create(request.match_info["userId"], await json_body(request)))


@routes.get("/schedules/{scheduleId}")
async def get_schedule(request: web.Request) -> web.Response:
    """Return one schedule."""
    return ok(dict(core_of(request).schedules.get(request.match_info["scheduleId"]).data))


@routes.put("/schedules/{scheduleId}")
async def update_schedule(request: web.Request) -> web.Response:
    """Update a schedule partially (any subset of its keys)."""
    core = core_of(request)
    return ok(core.schedules.update(request.match_info["scheduleId"], await json_body(request)))


@routes.delete("/schedules/{scheduleId}")
async def delete_schedule(request: web.Request) -> web.Response:
    """Delete a schedule (204)."""
    core_of(request).schedules.delete(request.match_info["scheduleId"])
    return no_content()


@routes.get("/schedules/{scheduleId}/status")
async def schedule_status(request: web.Request) -> web.Response:
    """Return a schedule's status, evaluated now."""
    return ok(core_of(request).schedules.status(request.match_info["scheduleId"]))
