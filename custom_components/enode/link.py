"""Enode Link inside Home Assistant: signed single-use state and the redirect callback view.

The Link session's redirectUri points at our callback view. It carries a state signed with a
per-instance secret and bound to one flow; the view verifies it, consumes it (single use) and
resumes that flow with Enode's result, then closes the browser window.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
import hashlib
import hmac
import json
import secrets
import time
from typing import TYPE_CHECKING, Any, Literal, cast

from aiohttp import web
from homeassistant.data_entry_flow import UnknownFlow
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView, current_request
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from .api import link_language
from .const import (
    CONTROL_SCOPES,
    DOMAIN,
    LINK_CALLBACK_PATH,
    LINK_STATE_LIFETIME,
    LOCATION_SCOPES,
    LOGGER,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .api import EnodeClient

FlowKind = Literal["config", "options", "repairs"]
DATA_LINK: str = f"{DOMAIN}_link"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Enode</title></head>
<body><p>{message}</p><script>window.close()</script></body></html>"""


@dataclass(slots=True)
class _LinkStates:
    """Per-instance signing key and the one outstanding nonce of each flow."""

    key: bytes
    outstanding: dict[str, str]
    view_registered: bool = False


def _states(hass: HomeAssistant) -> _LinkStates:
    data: _LinkStates | None = hass.data.get(DATA_LINK)
    if data is None:
        data = hass.data[DATA_LINK] = _LinkStates(key=secrets.token_bytes(32), outstanding={})
    return data


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def async_create_state(hass: HomeAssistant, kind: FlowKind, flow_id: str) -> str:
    """Sign a new single-use state for a flow; it replaces any earlier state of that flow."""
    states = _states(hass)
    nonce = secrets.token_urlsafe(16)
    states.outstanding[flow_id] = nonce
    expires = int(time.time() + LINK_STATE_LIFETIME.total_seconds())
    payload = _b64(json.dumps({"k": kind, "f": flow_id, "n": nonce, "e": expires}).encode())
    signature = _b64(hmac.new(states.key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def async_consume_state(hass: HomeAssistant, state: str) -> tuple[FlowKind, str] | None:
    """Verify and consume a state; None when forged, expired, replayed or unknown."""
    states = _states(hass)
    try:
        payload, signature = state.split(".", 1)
        expected = _b64(hmac.new(states.key, payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            return None
        data: dict[str, Any] = json.loads(_unb64(payload))
        kind, flow_id, nonce, expires = data["k"], data["f"], data["n"], data["e"]
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() > expires or kind not in ("config", "options", "repairs"):
        return None
    if states.outstanding.get(flow_id) != nonce:
        return None
    del states.outstanding[flow_id]
    return cast("FlowKind", kind), flow_id


def link_scopes(asset_types: list[str], control: bool, location: bool) -> list[str]:
    """Scopes for a Link session: read data always, control and location when granted."""
    scopes: list[str] = []
    for asset_type in asset_types:
        scopes.append(f"{asset_type}:read:data")
        if location and asset_type in LOCATION_SCOPES:
            scopes.append(LOCATION_SCOPES[asset_type])
        if control and asset_type in CONTROL_SCOPES:
            scopes.append(CONTROL_SCOPES[asset_type])
    return scopes


def relink_scopes(asset_types: list[str]) -> list[str]:
    """Scopes a relink asks for: only those the integration uses.

    Read data and control for every type; coordinates only for vehicles (their device tracker):
    the integration never reads where a battery, inverter or meter is.
    """
    scopes = link_scopes(asset_types, control=True, location=False)
    if "vehicle" in asset_types:
        scopes.append(LOCATION_SCOPES["vehicle"])
    return scopes


def async_forget_flow(hass: HomeAssistant, flow_id: str) -> None:
    """Drop the outstanding state of a flow that ended."""
    _states(hass).outstanding.pop(flow_id, None)


def async_redirect_uri(hass: HomeAssistant, state: str) -> str:
    """Build the redirect URI from the URL the user's browser uses, as core's OAuth helper does."""
    base: str | None = None
    if (request := current_request.get()) is not None:
        base = request.headers.get("HA-Frontend-Base")
    if not base:
        try:
            base = get_url(hass, prefer_external=True)
        except NoURLAvailableError:
            base = get_url(hass, allow_external=False, allow_ip=True)
    return str(URL(base.rstrip("/") + LINK_CALLBACK_PATH).with_query(state=state))


async def async_link_url(
    hass: HomeAssistant,
    kind: FlowKind,
    flow_id: str,
    client: EnodeClient,
    user_id: str,
    *,
    scopes: list[str],
    vendor: str | None = None,
) -> str:
    """Create an Enode Link session whose redirect resumes this flow; returns the Link URL.

    Enode Link opens in Home Assistant's language where Enode has it, else in the browser's.
    """
    async_register_view(hass)
    state = async_create_state(hass, kind, flow_id)
    session = await client.create_link_session(
        user_id,
        scopes=scopes,
        redirect_uri=async_redirect_uri(hass, state),
        language=link_language(hass.config.language),
        vendor=vendor,
    )
    return session.link_url


async def async_relink_url(
    hass: HomeAssistant, kind: FlowKind, flow_id: str, client: EnodeClient, asset_id: str
) -> str:
    """Create a relink session for one asset (it keeps the asset's scopes); the Link URL."""
    async_register_view(hass)
    state = async_create_state(hass, kind, flow_id)
    session = await client.relink_asset(
        asset_id,
        redirect_uri=async_redirect_uri(hass, state),
        language=link_language(hass.config.language),
    )
    return session.link_url


def link_error(user_input: dict[str, Any]) -> str | None:
    """Enode's error message from a resumed flow's input, or None when linking succeeded."""
    if user_input.get("linked"):
        return None
    return str(user_input.get("error_message") or user_input.get("error") or "")


def async_register_view(hass: HomeAssistant) -> None:
    """Register the callback view once per Home Assistant instance."""
    states = _states(hass)
    if not states.view_registered:
        hass.http.register_view(EnodeLinkCallbackView())
        states.view_registered = True


class EnodeLinkCallbackView(HomeAssistantView):
    """Where Enode Link sends the browser back to: resumes the flow and closes the window."""

    url = LINK_CALLBACK_PATH
    name = "api:enode:link:callback"
    requires_auth = False

    async def get(self, request: web.Request) -> web.Response:
        """Handle the redirect from Enode Link."""
        hass = request.app[KEY_HASS]
        consumed = async_consume_state(hass, request.query.get("state", ""))
        if consumed is None:
            LOGGER.warning("Refused an Enode Link callback with an invalid or used state")
            # Ended flows drop their state (async_forget_flow), so "ended" lands here too.
            return _page(
                "This link is invalid, was already used, or its setup flow has ended.", status=400
            )
        kind, flow_id = consumed
        user_input: dict[str, Any] = {"linked": "error" not in request.query}
        if "error" in request.query:
            user_input["error"] = request.query.get("error", "")
            user_input["error_message"] = request.query.get("error_message", "")
        manager = _flow_manager(hass, kind)
        try:
            await manager.async_configure(flow_id=flow_id, user_input=user_input)
        except UnknownFlow:
            return _page("This setup flow has already ended.", status=400)
        return _page("Done. You can close this window and return to Home Assistant.")


def _flow_manager(hass: HomeAssistant, kind: FlowKind) -> Any:
    if kind == "config":
        return hass.config_entries.flow
    if kind == "options":
        return hass.config_entries.options
    from homeassistant.components.repairs import (  # noqa: PLC0415 - only when repairs resumes
        repairs_flow_manager,
    )

    return repairs_flow_manager(hass)


def _page(message: str, status: int = 200) -> web.Response:
    return web.Response(text=PAGE.format(message=message), status=status, content_type="text/html")
