"""The admin API under /_emulator/: fault injection, state changes and observation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .clock import iso
from .problems import ProblemError
from .web import CORE_REF, core_of, json_body, no_content, ok

routes = web.RouteTableDef()
P = "/_emulator"


def _dict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProblemError(400, "The body must be a JSON object")
    return body


@routes.get(f"{P}/state")
async def state(request: web.Request) -> web.Response:
    """Summarise the emulator state."""
    core = core_of(request)
    return ok(
        {
            "time": iso(core.clock.now()),
            "clientId": core.config.client_id,
            "users": sorted(core.store.users),
            "assets": [
                {"id": a.id, "type": a.kind, "userId": a.user_id, "vendor": a.vendor}
                for a in core.store.assets.values()
            ],
        }
    )


@routes.get(f"{P}/clock")
async def clock(request: web.Request) -> web.Response:
    """Return the simulated time."""
    return ok({"time": iso(core_of(request).clock.now())})


@routes.post(f"{P}/clock/advance")
async def advance(request: web.Request) -> web.Response:
    """Advance the clock by `seconds` and process everything due."""
    body = _dict(await json_body(request))
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ProblemError(400, "'seconds' must be a non-negative number")
    core = core_of(request)
    await core.advance(float(seconds))
    return ok({"time": iso(core.clock.now())})


@routes.post(f"{P}/faults")
async def add_fault(request: web.Request) -> web.Response:
    """Fail or slow down requests matching a path pattern."""
    return ok(core_of(request).add_fault(await json_body(request)).to_json())


@routes.get(f"{P}/faults")
async def list_faults(request: web.Request) -> web.Response:
    """List active fault rules."""
    return ok([rule.to_json() for rule in core_of(request).faults.rules])


@routes.delete(f"{P}/faults")
async def clear_faults(request: web.Request) -> web.Response:
    """Remove every fault rule."""
    core_of(request).faults.clear()
    return no_content()


@routes.post(f"{P}/tokens/expire")
async def expire_tokens(request: web.Request) -> web.Response:
    """Expire every access token now."""
    return ok({"expired": core_of(request).expire_tokens()})


@routes.post(f"{P}/users/{{userId}}/vendors/{{vendor}}/invalidate")
async def invalidate(request: web.Request) -> web.Response:
    """Invalidate a vendor's credentials for a user."""
    info = request.match_info
    core_of(request).invalidate_credentials(info["userId"], info["vendor"])
    return no_content()


@routes.post(f"{P}/webhook-faults")
async def webhook_fault(request: web.Request) -> web.Response:
    """Drop, delay, duplicate or reorder the next webhook deliveries."""
    body = _dict(await json_body(request))
    core_of(request).add_webhook_fault(
        str(body.get("mode")), int(body.get("count", 1)), float(body.get("delay", 0.0))
    )
    return no_content()


@routes.post(f"{P}/users/{{userId}}/assets")
async def add_asset(request: web.Request) -> web.Response:
    """Add an asset to a user (discovered + updated events)."""
    spec = _dict(await json_body(request))
    return ok(core_of(request).add_asset(request.match_info["userId"], spec).data)


@routes.delete(f"{P}/assets/{{assetId}}")
async def remove_asset(request: web.Request) -> web.Response:
    """Remove an asset (deleted event)."""
    core_of(request).remove_asset(request.match_info["assetId"])
    return no_content()


@routes.patch(f"{P}/assets/{{assetId}}")
async def patch_asset(request: web.Request) -> web.Response:
    """Deep-merge a patch into an asset (updated event)."""
    core = core_of(request)
    return ok(core.patch_asset(request.match_info["assetId"], await json_body(request)).data)


@routes.put(f"{P}/assets/{{assetId}}/action-outcome")
async def action_outcome(request: web.Request) -> web.Response:
    """Set how the asset's next actions resolve."""
    body = _dict(await json_body(request))
    core_of(request).set_action_outcome(request.match_info["assetId"], body.get("outcome"))
    return no_content()


@routes.put(f"{P}/inverters/{{assetId}}/statistics-pending")
async def statistics_pending(request: web.Request) -> web.Response:
    """Answer the inverter's statistics with 202 (still backfilling) for `seconds`."""
    body = _dict(await json_body(request))
    core_of(request).set_statistics_pending(request.match_info["assetId"], body.get("seconds"))
    return no_content()


@routes.put(f"{P}/features")
async def features(request: web.Request) -> web.Response:
    """Switch optional pre-2024-10-01 behaviour (`{chargerSmartOverride: bool}`)."""
    body = _dict(await json_body(request))
    config = core_of(request).config
    if "chargerSmartOverride" in body:
        if not isinstance(body["chargerSmartOverride"], bool):
            raise ProblemError(400, "'chargerSmartOverride' must be a boolean")
        config.charger_smart_override = body["chargerSmartOverride"]
    return ok({"chargerSmartOverride": config.charger_smart_override})


@routes.put(f"{P}/assets/{{assetId}}/schedule-controlled")
async def schedule_controlled(request: web.Request) -> web.Response:
    """Mark an asset as schedule-controlled (controls answer 422)."""
    body = _dict(await json_body(request))
    core_of(request).set_schedule_controlled(
        request.match_info["assetId"], bool(body.get("controlled", True))
    )
    return no_content()


@routes.put(f"{P}/assets/{{assetId}}/statistics")
async def statistics_shape(request: web.Request) -> web.Response:
    """Shape a HEM system's or inverter's statistics answers (late, missing, revised buckets)."""
    core_of(request).set_statistics_shape(request.match_info["assetId"], await json_body(request))
    return no_content()


@routes.put(f"{P}/locations/{{locationId}}/prices")
async def prices(request: web.Request) -> web.Response:
    """Set a Location's hourly market price curve (24 numbers) or null (no price area)."""
    body = _dict(await json_body(request))
    core_of(request).set_prices(
        request.match_info["locationId"], body.get("prices"), body.get("currency")
    )
    return no_content()


@routes.post(f"{P}/vehicles/{{vehicleId}}/plug")
async def plug(request: web.Request) -> web.Response:
    """Plug a vehicle in or unplug it (`{pluggedIn: bool}`, default true)."""
    body = _dict(await json_body(request, required=False) or {})
    vehicle = core_of(request).plug_vehicle(
        request.match_info["vehicleId"], bool(body.get("pluggedIn", True))
    )
    return ok(vehicle.data)


@routes.post(f"{P}/vehicles/{{vehicleId}}/unplug")
async def unplug(request: web.Request) -> web.Response:
    """Unplug a vehicle (charging stops)."""
    return ok(core_of(request).plug_vehicle(request.match_info["vehicleId"], False).data)


@routes.put(f"{P}/vehicles/{{vehicleId}}/position")
async def position(request: web.Request) -> web.Response:
    """Move a vehicle (`{latitude, longitude}`); `location.id` follows the geofences."""
    body = _dict(await json_body(request))
    vehicle = core_of(request).move_vehicle(
        request.match_info["vehicleId"], body.get("latitude"), body.get("longitude")
    )
    return ok(vehicle.data)


@routes.put(f"{P}/vehicles/{{vehicleId}}/smart-charging-claimed")
async def smart_claimed(request: web.Request) -> web.Response:
    """Pretend another user has smart charging enabled for the vehicle (`{claimed}`)."""
    body = _dict(await json_body(request))
    core_of(request).set_smart_charging_claimed(
        request.match_info["vehicleId"], bool(body.get("claimed", True))
    )
    return no_content()


@routes.get(f"{P}/vehicles/{{vehicleId}}/smart-charging")
async def smart_internals(request: web.Request) -> web.Response:
    """Return the engine's hidden view of a vehicle: planned charging slots and minimum."""
    core = core_of(request)
    vehicle = core.store.get_asset("vehicle", request.match_info["vehicleId"])
    smart = core.smart.vehicles.get(vehicle.id)
    return ok(
        {
            "state": smart.state if smart else "DISABLED",
            "active": bool(smart and smart.active),
            "slots": [
                {"from": iso(start), "to": iso(end)}
                for start, end in (smart.slots if smart else [])
            ],
            "minimumChargeLimit": smart.minimum if smart else 0,
            "deadlineAt": iso(smart.deadline_at) if smart and smart.deadline_at else None,
        }
    )


@routes.get(f"{P}/requests")
async def requests_log(request: web.Request) -> web.Response:
    """Return the request log."""
    return ok([entry.to_json() for entry in core_of(request).request_log])


@routes.get(f"{P}/link-sessions")
async def link_sessions(request: web.Request) -> web.Response:
    """Every Link session in creation order, with the language it asked for and was shown in."""
    return ok(
        [
            {
                "userId": session.user_id,
                "kinds": session.kinds,
                "scopes": session.scopes,
                "vendor": session.vendor,
                "language": session.language,
                "shownLanguage": session.shown_language,
                "relinkAssetId": session.relink_asset_id,
                "used": session.used,
                "createdAt": iso(session.created_at),
            }
            for session in core_of(request).links.sessions.values()
        ]
    )


@routes.get(f"{P}/deliveries")
async def deliveries(request: web.Request) -> web.Response:
    """Return the webhook delivery log."""
    return ok([entry.to_json() for entry in core_of(request).webhooks.delivery_log])


@routes.get(f"{P}/events")
async def events(request: web.Request) -> web.Response:
    """Return every emitted event."""
    return ok(core_of(request).bus.history)


@routes.post(f"{P}/reset")
async def reset(request: web.Request) -> web.Response:
    """Reload the scenario (the clock keeps running; tokens stay valid)."""
    ref = request.app[CORE_REF]
    ref.core = await ref.core.reset()
    return no_content()


@routes.post(f"{P}/users/{{userId}}/charging-history")
async def charging_history(request: web.Request) -> web.Response:
    """Fabricate `{days}` days of past charging sessions (deterministic by seed)."""
    body = _dict(await json_body(request))
    count = core_of(request).seed_charging_history(request.match_info["userId"], body.get("days"))
    return ok({"sessions": count})


@routes.put("/_emulator/assets/{assetId}/interventions")
async def set_interventions(request: web.Request) -> web.Response:
    """Put intervention ids on an asset's capabilities (`{interventionIds, capabilities?}`)."""
    core = core_of(request)
    asset = core.vendors.set_interventions(request.match_info["assetId"], await json_body(request))
    return ok(asset.data)


@routes.put("/_emulator/vendors/{vendor}/status")
async def set_vendor_status(request: web.Request) -> web.Response:
    """Set a vendor's status in `GET /integrations` (`{status, linkingStatus?, untyped?}`)."""
    core_of(request).vendors.set_status(request.match_info["vendor"], await json_body(request))
    return no_content()
