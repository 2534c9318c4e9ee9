"""Statistics endpoints: HEM systems, inverters and charging."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from .charging import ChargingQuery, parse_query, parse_resolution
from .clock import iso
from .problems import ProblemError
from .statistics import (
    apply_shape,
    hem_statistics,
    inverter_statistics,
    statistics_pending_until,
)
from .web import core_of, ok

if TYPE_CHECKING:
    from .catalog import AssetType

routes = web.RouteTableDef()


@routes.get("/hem-systems/{hemId}/statistics")
async def hem_system_statistics(request: web.Request) -> web.Response:
    """Return HEM system DAY or MONTH statistics."""
    core = core_of(request)
    hem = core.store.get_asset("hem-system", request.match_info["hemId"])
    site = core.store.sites[hem.site_id]
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    members = [core.store.assets[key] for key in ids if key in core.store.assets]
    now = core.clock.now()
    interval = request.query.get("interval")
    body = hem_statistics(
        core.stats, hem=hem, site=site, members=members, interval=interval, now=now
    )
    return ok(apply_shape(body, hem.sim.get("statisticsShape"), day=interval, now=now))


@routes.get("/inverters/{inverterId}/statistics")
async def inverter_stats(request: web.Request) -> web.Response:
    """Return inverter production statistics (kWh) for a day or a month."""
    core = core_of(request)
    inverter = core.store.get_asset("inverter", request.match_info["inverterId"])
    site = core.store.sites[inverter.site_id]
    query = dict(request.query)
    now = core.clock.now()
    body = inverter_statistics(inverter, site, query, now, core.config.seed)
    day = None
    if "day" in query:
        day = f"{int(query['year']):04d}-{int(query['month']):02d}-{int(query['day']):02d}"
    body = apply_shape(body, inverter.sim.get("statisticsShape"), day=day, now=now)
    pending = statistics_pending_until(inverter, now)
    if pending is not None:
        # 2024-10-01: 202 while Enode backfills; the body is partial and says when to retry.
        return ok({**body, "retryAfter": iso(pending)}, status=202)
    return ok(body)


def _charging_assets(request: web.Request, query: ChargingQuery) -> set[str]:
    """The user's assets of the query's type, or the one `id` (404 when it is not of that type)."""
    core = core_of(request)
    user_id = request.match_info["userId"]
    core.store.get_user(user_id)
    kind = cast("AssetType", query.kind)
    assets = {asset.id for asset in core.store.assets_of(kind, user_id)}
    # Removed assets keep no history here; sessions of unknown ids never match.
    if query.asset_id is not None:
        if query.asset_id not in assets:
            raise ProblemError(404, f"No {query.kind} with id {query.asset_id}", "Asset not found")
        return {query.asset_id}
    return assets


@routes.get("/users/{userId}/statistics/charging")
async def charging_statistics(request: web.Request) -> web.Response:
    """Charging statistics buckets (SMART.md 9.1)."""
    core = core_of(request)
    now = core.clock.now()
    query = parse_query(request.query, now)
    resolution, offset = parse_resolution(request.query)
    assets = _charging_assets(request, query)
    return ok(core.charging.buckets(assets, query, resolution, offset, now))


@routes.get("/users/{userId}/statistics/charging/sessions")
async def charging_sessions(request: web.Request) -> web.Response:
    """Charging sessions intersecting [startDate, endDate] (SMART.md 9.2)."""
    core = core_of(request)
    now = core.clock.now()
    query = parse_query(request.query, now)
    return ok(core.charging.session_list(_charging_assets(request, query), query, now))
