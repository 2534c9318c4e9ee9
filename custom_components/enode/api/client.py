"""The Enode API client: authenticated requests, retries, pagination and every endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC
from enum import Enum
import json
import logging
import random
import re
from typing import TYPE_CHECKING, Any, Final, Literal, Self
from urllib.parse import quote

import aiohttp

from .actions import Action, SmartOverride
from .assets import (
    ASSET_MODELS,
    Asset,
    BaseAsset,
    Battery,
    Charger,
    HemSystem,
    Hvac,
    Inverter,
    Meter,
    SmartChargingPolicy,
    Vehicle,
    parse_asset,
)
from .auth import TokenManager
from .bodies import permanent_hold_body
from .const import (
    ACTION_ASSET_TYPES,
    API_VERSION,
    CHARGEABLE_ASSET_TYPES,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RETRY_BASE_DELAY,
    MAX_GET_RETRIES,
    AssetType,
    Environment,
    StatisticsResolution,
)
from .exceptions import (
    EnodeActionResolvedError,
    EnodeBadRequestError,
    EnodeConflictError,
    EnodeConnectionError,
    EnodeError,
    EnodeForbiddenError,
    EnodeInvalidResponseError,
    EnodeNotFoundError,
    EnodeNotSupportedError,
    EnodeServerError,
    EnodeSmartChargingPolicyError,
    EnodeStatisticsPendingError,
    EnodeTimeoutError,
    error_from_response,
)
from .interventions import (
    Intervention,
    VendorIntegration,
    parse_integrations,
    parse_interventions,
)
from .parsing import JsonObject, sub, text, timestamp
from .schedules import Schedule, ScheduleStatus
from .smart import (
    Location,
    LocationTariffInterval,
    SmartChargingPlan,
    SmartChargingStatus,
    TariffInterval,
    TariffRate,
    parse_location_tariff,
)
from .statistics import (
    ChargingSession,
    ChargingStatisticsBucket,
    HemStatistics,
    InverterStatistics,
)
from .subscriptions import Webhook, WebhookAuthentication, WebhookTestResult
from .users import LinkSession, User

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

_TRANSIENT_STATUSES = frozenset({502, 503, 504})
_HEM_INTERVAL = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class _Unset(Enum):
    """Marks an argument that was not passed (distinct from an explicit None)."""

    UNSET = "unset"


UNSET: Final = _Unset.UNSET

type Authentication = WebhookAuthentication | Mapping[str, str]


def _seg(value: str) -> str:
    """Percent-encode one path segment (IDs are opaque strings)."""
    return quote(str(value), safe="")


class EnodeClient:
    """Async client for the Enode API (version 2024-10-01).

    The client never retries a POST, PATCH or DELETE: a retried control could
    create a second action. GETs retry transient failures at most twice.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        client_id: str,
        client_secret: str,
        *,
        environment: Environment = Environment.PRODUCTION,
        api_url: str | None = None,
        token_url: str | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        retry_base_delay: float = DEFAULT_RETRY_BASE_DELAY,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        """Initialise the client.

        Args:
            session: The aiohttp session to use (owned by the caller), or None: the client
                then creates one when it first needs it and closes it in `close` (or at the
                end of ``async with``).
            client_id: The Enode client ID.
            client_secret: The Enode client secret.
            environment: Production or sandbox; CUSTOM requires both URLs.
            api_url: Overrides the API base URL (emulator or proxy).
            token_url: Overrides the OAuth2 token URL.
            request_timeout: Total timeout of each HTTP request, in seconds.
            retry_base_delay: Base of the exponential backoff between GET retries.
            page_size: Page size requested when listing.

        Raises:
            ValueError: A URL is missing for a custom environment.
        """
        resolved_api_url = api_url or environment.api_url
        resolved_token_url = token_url or environment.token_url
        if resolved_api_url is None or resolved_token_url is None:
            raise ValueError("A custom environment needs both api_url and token_url")
        self._session = session
        self._owns_session = session is None
        self._environment = environment
        self._api_url = resolved_api_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._retry_base_delay = retry_base_delay
        self._page_size = page_size
        self._tokens = TokenManager(
            self._http,
            client_id,
            client_secret,
            resolved_token_url,
            request_timeout=request_timeout,
        )

    def _http(self) -> aiohttp.ClientSession:
        """The session requests go through (created here when none was given)."""
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session the client created; a session passed in is left to its owner."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        """Use the client as an async context manager (``close`` at the end)."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the session the client created."""
        await self.close()

    def __repr__(self) -> str:
        """Describe the client without its credentials."""
        return f"EnodeClient(api_url={self._api_url!r})"

    @property
    def environment(self) -> Environment:
        """Return the configured environment."""
        return self._environment

    @property
    def api_url(self) -> str:
        """Return the API base URL."""
        return self._api_url

    @property
    def token_url(self) -> str:
        """Return the OAuth2 token URL."""
        return self._tokens.token_url

    # --- transport -------------------------------------------------------------------------

    async def async_get_token(self) -> str:
        """Return a valid access token; use it to validate the credentials.

        Raises:
            EnodeAuthenticationError: The credentials were rejected.
        """
        return await self._tokens.async_get_token()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send an authenticated request and return the decoded JSON (None if empty).

        GETs retry connection errors, timeouts and 502/503/504 at most twice.
        """
        return (await self._request_full(method, path, params=params, json_body=json_body))[1]

    async def _request_full(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
    ) -> tuple[int, Any]:
        """Like `_request`, but also return the HTTP status (2xx) of the answer."""
        retries = MAX_GET_RETRIES if method == "GET" else 0
        attempt = 0
        while True:
            try:
                return await self._authorized_request(method, path, params, json_body)
            except (EnodeConnectionError, EnodeServerError) as err:
                transient = isinstance(err, EnodeConnectionError) or (
                    err.status in _TRANSIENT_STATUSES
                )
                if attempt >= retries or not transient:
                    raise
                # Jitter spreads out retries from many clients; not security relevant.
                delay = self._retry_base_delay * 2**attempt * (0.5 + random.random())  # noqa: S311
                attempt += 1
                _LOGGER.debug("Retrying %s %s in %.2f s (attempt %d)", method, path, delay, attempt)
                await asyncio.sleep(delay)

    async def _authorized_request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
    ) -> tuple[int, Any]:
        """Send a request with a bearer token; on 401 refresh the token and retry once."""
        token = await self._tokens.async_get_token()
        status, headers, body = await self._send(method, path, token, params, json_body)
        if status == 401:
            # Only drop the token this request used, so concurrent 401s share one refresh.
            self._tokens.invalidate(token)
            token = await self._tokens.async_get_token()
            status, headers, body = await self._send(method, path, token, params, json_body)
        if status >= 400:
            # A 401 that persists after the refresh maps to EnodeAuthenticationError.
            raise error_from_response(status, body, headers)
        if not body.strip():
            return status, None
        try:
            return status, json.loads(body)
        except ValueError as err:
            raise EnodeInvalidResponseError(
                f"Response to {method} {path} is not JSON", status=status
            ) from err

    async def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one HTTP request; return status, headers and raw body."""
        headers = {
            "Authorization": f"Bearer {token}",
            "Enode-Version": API_VERSION,
            "Accept": "application/json",
        }
        try:
            async with self._http().request(
                method,
                f"{self._api_url}{path}",
                params=params,
                json=json_body,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                body = await response.read()
        except TimeoutError as err:
            _LOGGER.debug("%s %s -> timeout", method, path)
            raise EnodeTimeoutError(f"Timed out on {method} {path}") from err
        except aiohttp.ClientError as err:
            _LOGGER.debug("%s %s -> %s", method, path, type(err).__name__)
            raise EnodeConnectionError(
                f"Cannot reach Enode on {method} {path} ({type(err).__name__})"
            ) from err
        _LOGGER.debug("%s %s -> %s", method, path, response.status)
        return response.status, response.headers, body

    async def _request_object(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
    ) -> JsonObject:
        """Send a request whose response must be a JSON object."""
        data = await self._request(method, path, params=params, json_body=json_body)
        if not isinstance(data, dict):
            raise EnodeInvalidResponseError(f"Response to {method} {path} is not an object")
        return data

    async def _paginate(self, path: str) -> list[JsonObject]:
        """Return every item of a paginated list, following ``after`` until it is null."""
        items: list[JsonObject] = []
        seen: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, str | int] = {"pageSize": self._page_size}
            if after is not None:
                params["after"] = after
            page = await self._request_object("GET", path, params=params)
            data = page.get("data")
            if not isinstance(data, list):
                raise EnodeInvalidResponseError(f"Response to GET {path} lacks a data list")
            items.extend(item for item in data if isinstance(item, dict))
            after = text(sub(page, "pagination"), "after")
            if after is None:
                return items
            if after in seen:  # a broken cursor must not loop forever
                raise EnodeInvalidResponseError(f"Pagination of GET {path} repeats a cursor")
            seen.add(after)

    # --- users and linking ---------------------------------------------------------------

    async def get_user(self, user_id: str) -> User:
        """Return a user with their linked vendors."""
        return User.from_dict(await self._request_object("GET", f"/users/{_seg(user_id)}"))

    async def delete_user(self, user_id: str) -> None:
        """Delete a user and all their data."""
        await self._request("DELETE", f"/users/{_seg(user_id)}")

    async def disconnect_vendor(
        self, user_id: str, vendor: str, vendor_type: AssetType | str | None = None
    ) -> None:
        """Disconnect one vendor (optionally one asset type of it) from a user."""
        path = f"/users/{_seg(user_id)}/vendors/{_seg(vendor)}"
        if vendor_type is not None:
            path += f"/{_seg(vendor_type)}"
        await self._request("DELETE", path)

    async def create_link_session(
        self,
        user_id: str,
        *,
        scopes: Sequence[str],
        redirect_uri: str,
        language: str = "browser",
        vendor: str | None = None,
        vendor_type: AssetType | str | None = None,
    ) -> LinkSession:
        """Create a link session; the user opens ``link_url`` to link vendor accounts."""
        body: dict[str, Any] = {
            "scopes": list(scopes),
            "language": language,
            "redirectUri": redirect_uri,
        }
        if vendor is not None:
            body["vendor"] = vendor
        if vendor_type is not None:
            body["vendorType"] = str(vendor_type)
        data = await self._request_object("POST", f"/users/{_seg(user_id)}/link", json_body=body)
        return LinkSession.from_dict(data)

    async def relink_asset(
        self, asset_id: str, *, redirect_uri: str, language: str = "browser"
    ) -> LinkSession:
        """Create a link session that restores access to one asset."""
        data = await self._request_object(
            "POST",
            f"/assets/{_seg(asset_id)}/relink",
            json_body={"language": language, "redirectUri": redirect_uri},
        )
        return LinkSession.from_dict(data)

    # --- interventions and vendor availability (SMART.md 8, 10) ------------------------------

    async def list_interventions(
        self,
        *,
        language: str | None = None,
        vendor: str | None = None,
        vendor_type: AssetType | str | None = None,
    ) -> list[Intervention]:
        """Return every intervention Enode knows, titles and descriptions in ``language``.

        ``language`` is one of Enode's codes (``intervention_language`` maps any BCP 47 tag);
        Enode answers in en-US without it or for one it does not support.
        """
        data = await self._request(
            "GET", "/interventions", params=_filters(language, vendor, vendor_type)
        )
        if not isinstance(data, list | dict):
            raise EnodeInvalidResponseError("Interventions response is not a list")
        return parse_interventions(data)

    async def get_intervention(
        self, intervention_id: str, *, language: str | None = None
    ) -> Intervention:
        """Return one intervention (404 EnodeNotFoundError when Enode does not know it)."""
        data = await self._request_object(
            "GET",
            f"/interventions/{_seg(intervention_id)}",
            params=_filters(language, None, None),
        )
        return Intervention.from_dict(data)

    async def list_integrations(self) -> list[VendorIntegration]:
        """Return the vendors available per asset type, with their status."""
        data = await self._request("GET", "/integrations")
        if not isinstance(data, list | dict):
            raise EnodeInvalidResponseError("Integrations response is not a list")
        return parse_integrations(data)

    # --- assets --------------------------------------------------------------------------

    async def list_assets(self, user_id: str, asset_type: AssetType) -> list[Asset]:
        """Return every asset of one type that a user linked (all pages)."""
        return list(await self._list_of(user_id, ASSET_MODELS[AssetType(asset_type)]))

    async def list_vehicles(self, user_id: str) -> list[Vehicle]:
        """Return a user's vehicles (all pages)."""
        return await self._list_of(user_id, Vehicle)

    async def list_chargers(self, user_id: str) -> list[Charger]:
        """Return a user's chargers (all pages)."""
        return await self._list_of(user_id, Charger)

    async def list_batteries(self, user_id: str) -> list[Battery]:
        """Return a user's batteries (all pages)."""
        return await self._list_of(user_id, Battery)

    async def list_hvacs(self, user_id: str) -> list[Hvac]:
        """Return a user's HVAC units (all pages)."""
        return await self._list_of(user_id, Hvac)

    async def list_inverters(self, user_id: str) -> list[Inverter]:
        """Return a user's inverters (all pages)."""
        return await self._list_of(user_id, Inverter)

    async def list_meters(self, user_id: str) -> list[Meter]:
        """Return a user's meters (all pages)."""
        return await self._list_of(user_id, Meter)

    async def list_hem_systems(self, user_id: str) -> list[HemSystem]:
        """Return a user's HEM systems (all pages).

        ``GET /users/{id}/hem-systems`` is documented in the HEM guide, not in the 2024-10-01
        reference; `find_hem_systems` falls back to what the reference offers.
        """
        return await self._list_of(user_id, HemSystem)

    async def get_hem_system(self, hem_system_id: str) -> HemSystem:
        """Return one HEM system (``GET /hem-systems/{id}``, in the 2024-10-01 reference)."""
        data = await self._request_object("GET", f"/hem-systems/{_seg(hem_system_id)}")
        return HemSystem.from_dict(data)

    async def find_hem_systems(
        self, user_id: str, members: Sequence[BaseAsset] | None = None
    ) -> list[HemSystem]:
        """Return a user's HEM systems, also where the user list route is missing.

        Tries ``GET /users/{id}/hem-systems``; when it answers 404 or 403, reads the
        ``hemSystemId`` of the user's batteries, inverters and meters (``members`` when given,
        else listed) and fetches each HEM system by id (one that answers 404 is skipped).
        """
        try:
            return await self.list_hem_systems(user_id)
        except (EnodeNotFoundError, EnodeForbiddenError):
            _LOGGER.debug("No HEM system list for users; using hemSystemId of the assets")
        if members is None:
            members = [
                *await self.list_batteries(user_id),
                *await self.list_inverters(user_id),
                *await self.list_meters(user_id),
            ]
        found: list[HemSystem] = []
        for hem_id in dict.fromkeys(a.hem_system_id for a in members if a.hem_system_id):
            try:
                found.append(await self.get_hem_system(hem_id))
            except EnodeNotFoundError:
                continue
        return found

    async def _list_of[T: BaseAsset](self, user_id: str, model: type[T]) -> list[T]:
        """Return every asset of one model's type that a user linked (all pages)."""
        items = await self._paginate(f"/users/{_seg(user_id)}/{model.ASSET_TYPE.path}")
        return [model.from_dict(item) for item in items]

    async def get_asset(self, asset_type: AssetType, asset_id: str) -> Asset:
        """Return one asset by its Enode ID."""
        asset_type = AssetType(asset_type)
        data = await self._request_object("GET", f"/{asset_type.path}/{_seg(asset_id)}")
        return parse_asset(asset_type, data)

    async def refresh_hint(self, asset_type: AssetType, asset_id: str) -> None:
        """Ask Enode to refresh an asset's data sooner than usual (use sparingly)."""
        asset_type = AssetType(asset_type)
        await self._request("POST", f"/{asset_type.path}/{_seg(asset_id)}/refresh-hint")

    # --- controls ------------------------------------------------------------------------

    async def _control(
        self, asset_type: AssetType, asset_id: str, operation: str, body: Any = None
    ) -> Action:
        """POST a control and return the Action Enode created."""
        data = await self._request_object(
            "POST", f"/{asset_type.path}/{_seg(asset_id)}/{operation}", json_body=body
        )
        return Action.from_dict(data)

    async def set_charging(self, asset_type: AssetType, asset_id: str, start: bool) -> Action:
        """Start or stop charging a vehicle or charger."""
        asset_type = _require(asset_type, CHARGEABLE_ASSET_TYPES, "charging")
        return await self._control(
            asset_type, asset_id, "charging", {"action": "START" if start else "STOP"}
        )

    async def set_max_current(self, asset_type: AssetType, asset_id: str, amps: float) -> Action:
        """Set the maximum charging current of a vehicle or charger, in amps."""
        asset_type = _require(asset_type, CHARGEABLE_ASSET_TYPES, "max current")
        return await self._control(asset_type, asset_id, "max-current", {"maxCurrent": amps})

    async def set_charge_rate_limit(self, charger_id: str, kw: float) -> Action:
        """Set a charger's charge-rate limit in kW (Early Adopter)."""
        # The body key is inferred from the endpoint description (API.md 6.3 [?]).
        # [S>SDK] The route is in the seed reference, not in the 2024-10-01 SDK: the seed wins.
        return await self._control(
            AssetType.CHARGER, charger_id, "charge-rate-limit", {"chargeRateLimit": kw}
        )

    async def set_battery_operation_mode(self, battery_id: str, mode: str) -> Action:
        """Set a battery's operation mode (e.g. ``SELF_RELIANCE``; never ``UNKNOWN``)."""
        return await self._control(
            AssetType.BATTERY, battery_id, "operation-mode", {"operationMode": str(mode)}
        )

    async def set_hvac_permanent_hold(
        self,
        hvac_id: str,
        mode: str,
        *,
        heat_setpoint: float | None = None,
        cool_setpoint: float | None = None,
    ) -> Action:
        """Hold an HVAC unit in a mode (HEAT, COOL, AUTO, OFF) with setpoints in °C.

        Raises:
            ValueError: The mode's setpoint is missing (see `bodies.permanent_hold_body`);
                nothing is sent.
        """
        body = permanent_hold_body(mode, heat_setpoint=heat_setpoint, cool_setpoint=cool_setpoint)
        return await self._control(AssetType.HVAC, hvac_id, "permanent-hold", body)

    async def set_hvac_follow_schedule(self, hvac_id: str) -> Action:
        """Return an HVAC unit to its own schedule, ending any permanent hold."""
        return await self._control(AssetType.HVAC, hvac_id, "follow-schedule")

    async def create_smart_override(self, asset_type: AssetType, asset_id: str) -> SmartOverride:
        """Force charging now although smart charging or a schedule controls the asset.

        Raises:
            EnodeNotSupportedError: A charger, and Enode lacks the charger route (404/405).
        """
        return await self._smart_override("POST", asset_type, asset_id)

    async def end_smart_override(self, asset_type: AssetType, asset_id: str) -> SmartOverride:
        """End a smart override, handing control back (charging is not stopped).

        Raises:
            EnodeNotSupportedError: A charger, and Enode lacks the charger route (404/405).
        """
        return await self._smart_override("DELETE", asset_type, asset_id)

    async def _smart_override(
        self, method: str, asset_type: AssetType, asset_id: str
    ) -> SmartOverride:
        asset_type = _require(asset_type, CHARGEABLE_ASSET_TYPES, "smart override")
        path = f"/{asset_type.path}/{_seg(asset_id)}/smart-override"
        try:
            data = await self._request_object(method, path)
        except EnodeError as err:
            # 2024-10-01 documents the vehicle route only (the seed reference too); the charger
            # route existed in 2024-01-01. Its 404/405 means "not here", not "no such charger".
            if asset_type is AssetType.CHARGER and err.status in (404, 405):
                raise EnodeNotSupportedError(
                    "Enode does not support smart override on chargers in this API version",
                    status=err.status,
                    title=err.title,
                    detail=err.detail,
                    problem_type=err.problem_type,
                ) from err
            raise
        return SmartOverride.from_dict(data)

    # --- smart charging (SMART.md 1-3) ----------------------------------------------------

    async def get_vehicle_smart_charging_policy(self, vehicle_id: str) -> SmartChargingPolicy:
        """Return a vehicle's smart charging policy.

        [?] SMART.md 1.2: the GET route was seen in 2024-01-01 only; if it answers 404 the
        policy is read from the vehicle object (which raises 404 for an unknown vehicle).
        """
        path = f"/vehicles/{_seg(vehicle_id)}/smart-charging-policy"
        try:
            return SmartChargingPolicy.from_dict(await self._request_object("GET", path))
        except EnodeNotFoundError:
            vehicle = await self._request_object("GET", f"/vehicles/{_seg(vehicle_id)}")
            return SmartChargingPolicy.from_dict(sub(vehicle, "smartChargingPolicy"))

    async def set_vehicle_smart_charging_policy(
        self,
        vehicle_id: str,
        *,
        is_enabled: bool | None = None,
        deadline: str | Literal[_Unset.UNSET] | None = UNSET,
        minimum_charge_limit: float | None = None,
    ) -> SmartChargingPolicy:
        """Update a vehicle's smart charging policy; only the given fields change.

        ``deadline`` is local HH:MM of the charging Location (``None`` sends null, whose
        effect is undocumented [?]).

        Raises:
            EnodeSmartChargingPolicyError: Enode refused the policy; ``cause`` says why.
        """
        body: dict[str, Any] = {}
        if is_enabled is not None:
            body["isEnabled"] = is_enabled
        if deadline is not UNSET:
            body["deadline"] = deadline
        if minimum_charge_limit is not None:
            body["minimumChargeLimit"] = minimum_charge_limit
        try:
            data = await self._request_object(
                "PUT", f"/vehicles/{_seg(vehicle_id)}/smart-charging-policy", json_body=body
            )
        except EnodeBadRequestError as err:
            raise EnodeSmartChargingPolicyError.from_bad_request(err) from err
        return SmartChargingPolicy.from_dict(data)

    async def get_vehicle_smart_charging_status(self, vehicle_id: str) -> SmartChargingStatus:
        """Return a vehicle's smart charging status (state, consideration, plan, override)."""
        data = await self._request_object(
            "GET", f"/vehicles/{_seg(vehicle_id)}/smart-charging-status"
        )
        return SmartChargingStatus.from_dict(data)

    async def get_vehicle_smart_charging_plan(
        self, vehicle_id: str, plan_id: str = "latest"
    ) -> SmartChargingPlan:
        """Return a smart charging plan by id, or the most recent one (``latest``)."""
        data = await self._request_object(
            "GET", f"/vehicles/{_seg(vehicle_id)}/smart-charging-plans/{_seg(plan_id)}"
        )
        return SmartChargingPlan.from_dict(data)

    # --- schedules (SMART.md 5) --------------------------------------------------------------

    async def list_schedules(self, user_id: str) -> list[Schedule]:
        """Return a user's schedules (every page)."""
        items = await self._paginate(f"/users/{_seg(user_id)}/schedules")
        return [Schedule.from_dict(item) for item in items]

    async def get_schedule(self, schedule_id: str) -> Schedule:
        """Return one schedule."""
        return Schedule.from_dict(
            await self._request_object("GET", f"/schedules/{_seg(schedule_id)}")
        )

    async def create_schedule(self, user_id: str, schedule: Mapping[str, Any]) -> Schedule:
        """Create a schedule; Enode answers 200 with the schedule and its id.

        Build the body with ``charge_schedule_body`` or ``temperature_schedule_body``.
        """
        data = await self._request_object(
            "POST", f"/users/{_seg(user_id)}/schedules", json_body=dict(schedule)
        )
        return Schedule.from_dict(data)

    async def update_schedule(self, schedule_id: str, changes: Mapping[str, Any]) -> Schedule:
        """Update a schedule partially (any subset of its keys, Enode's names)."""
        data = await self._request_object(
            "PUT", f"/schedules/{_seg(schedule_id)}", json_body=dict(changes)
        )
        return Schedule.from_dict(data)

    async def delete_schedule(self, schedule_id: str) -> None:
        """Delete a schedule (204)."""
        await self._request("DELETE", f"/schedules/{_seg(schedule_id)}")

    async def get_schedule_status(self, schedule_id: str) -> ScheduleStatus:
        """Return a schedule's execution status."""
        data = await self._request_object("GET", f"/schedules/{_seg(schedule_id)}/status")
        return ScheduleStatus.from_dict(data)

    # --- locations and tariffs (SMART.md 6, 7) ---------------------------------------------

    async def list_locations(self, user_id: str | None = None) -> list[Location]:
        """Return a user's Locations, or every Location of the client."""
        path = "/locations" if user_id is None else f"/users/{_seg(user_id)}/locations"
        return [Location.from_dict(item) for item in await self._paginate(path)]

    async def get_location(self, location_id: str) -> Location:
        """Return one Location."""
        return Location.from_dict(
            await self._request_object("GET", f"/locations/{_seg(location_id)}")
        )

    async def create_location(
        self,
        user_id: str,
        *,
        name: str,
        latitude: float,
        longitude: float,
        timezone_name: str = "UTC",
    ) -> Location:
        """Create a Location (Enode rejects one within 200 m of another: 400)."""
        body = _location_body(name, latitude, longitude, timezone_name)
        data = await self._request_object(
            "POST", f"/users/{_seg(user_id)}/locations", json_body=body
        )
        return Location.from_dict(data)

    async def update_location(
        self,
        location_id: str,
        *,
        name: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        timezone_name: str | None = None,
    ) -> Location:
        """Update a Location; omitted fields keep their values.

        Enode requires all four keys on PUT (SMART.md 6.1), so a partial update reads the
        Location first.
        """
        if None in (name, latitude, longitude, timezone_name):
            current = await self.get_location(location_id)
            name = current.name if name is None else name
            latitude = current.latitude if latitude is None else latitude
            longitude = current.longitude if longitude is None else longitude
            timezone_name = current.timezone_name if timezone_name is None else timezone_name
        body = _location_body(name, latitude, longitude, timezone_name)
        data = await self._request_object("PUT", f"/locations/{_seg(location_id)}", json_body=body)
        return Location.from_dict(data)

    async def delete_location(self, location_id: str) -> Location | None:
        """Delete a Location; returns the deleted Location (None if Enode sent no body)."""
        data = await self._request("DELETE", f"/locations/{_seg(location_id)}")
        return Location.from_dict(data) if isinstance(data, dict) else None

    async def set_asset_location(
        self, asset_type: AssetType, asset_id: str, location_id: str | None
    ) -> Asset:
        """Assign a charger or HVAC unit to a Location (None clears it).

        These assets report no GPS, so their Location is set by the client
        (``PUT /{chargers|hvacs}/{id}`` with ``{locationId}``, SMART.md 6.3; [?] seen in
        2024-01-01 only). Vehicles follow the geofences instead.

        Raises:
            ValueError: The asset type is not a charger or HVAC unit.
        """
        asset_type = _require(
            asset_type, frozenset({AssetType.CHARGER, AssetType.HVAC}), "location assignment"
        )
        data = await self._request_object(
            "PUT", f"/{asset_type.path}/{_seg(asset_id)}", json_body={"locationId": location_id}
        )
        return parse_asset(asset_type, data)

    async def set_tariff(
        self, tariff_id: str, rates: Sequence[TariffRate | Mapping[str, str]]
    ) -> None:
        """Create or replace a tariff's named rates (cost: decimal string per kWh)."""
        body = [rate.as_dict() if isinstance(rate, TariffRate) else dict(rate) for rate in rates]
        await self._request("PUT", f"/tariffs/{_seg(tariff_id)}", json_body=body)

    async def get_tariff(self, tariff_id: str) -> list[TariffRate]:
        """Return a tariff's rates."""
        data = await self._request("GET", f"/tariffs/{_seg(tariff_id)}")
        # Documented as a bare array; tolerate a {data: [...]} envelope too.
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list):
            raise EnodeInvalidResponseError("Tariff response is not a list")
        return [TariffRate.from_dict(item) for item in data if isinstance(item, dict)]

    async def set_location_tariff(
        self,
        location_id: str,
        tariff_id: str,
        intervals: Sequence[TariffInterval | Mapping[str, Any]],
    ) -> None:
        """Replace the tariff schedule of a Location (local times; no overlaps: 400)."""
        body = {
            "tariffId": tariff_id,
            "tariffIntervals": [
                item.as_dict() if isinstance(item, TariffInterval) else dict(item)
                for item in intervals
            ],
        }
        await self._request("PUT", f"/locations/{_seg(location_id)}/tariff", json_body=body)

    async def get_location_tariff(self, location_id: str) -> list[LocationTariffInterval]:
        """Return the tariff schedule of a Location, one row per weekday."""
        data = await self._request("GET", f"/locations/{_seg(location_id)}/tariff")
        return parse_location_tariff(data)

    async def get_action(self, asset_type: AssetType, action_id: str) -> Action:
        """Return an action of a vehicle, charger, battery or HVAC unit."""
        asset_type = _require(asset_type, ACTION_ASSET_TYPES, "actions")
        data = await self._request_object("GET", f"/{asset_type.path}/actions/{_seg(action_id)}")
        return Action.from_dict(data)

    async def cancel_action(self, asset_type: AssetType, action_id: str) -> Action:
        """Cancel a pending action and return it (state CANCELLED).

        Raises:
            EnodeActionResolvedError: The action already ended (409); its ``action`` is the
                final Action Enode sent as the 409 body.
            EnodeConflictError: A 409 whose body is not an Action.
        """
        asset_type = _require(asset_type, ACTION_ASSET_TYPES, "actions")
        try:
            data = await self._request_object(
                "POST", f"/{asset_type.path}/actions/{_seg(action_id)}/cancel"
            )
        except EnodeConflictError as err:
            body = err.payload
            if isinstance(body, dict) and isinstance(body.get("id"), str) and "state" in body:
                raise EnodeActionResolvedError(Action.from_dict(body)) from err
            raise
        return Action.from_dict(data)

    # --- webhooks ------------------------------------------------------------------------

    async def list_webhooks(self) -> list[Webhook]:
        """Return every webhook of the client (all pages)."""
        return [Webhook.from_dict(item) for item in await self._paginate("/webhooks")]

    async def get_webhook(self, webhook_id: str) -> Webhook:
        """Return one webhook."""
        return Webhook.from_dict(await self._request_object("GET", f"/webhooks/{_seg(webhook_id)}"))

    async def create_webhook(
        self,
        url: str,
        secret: str,
        *,
        events: Sequence[str] = ("*",),
        api_version: str | None = API_VERSION,
        authentication: Authentication | None = None,
    ) -> Webhook:
        """Subscribe ``url`` to events, signed with ``secret`` (never returned by Enode)."""
        body: dict[str, Any] = {
            "url": url,
            "secret": secret,
            "events": list(events),
            "apiVersion": api_version,
        }
        if authentication is not None:
            body["authentication"] = _authentication_body(authentication)
        return Webhook.from_dict(await self._request_object("POST", "/webhooks", json_body=body))

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        secret: str | None = None,
        events: Sequence[str] | None = None,
        api_version: str | Literal[_Unset.UNSET] | None = UNSET,
        authentication: Authentication | Literal[_Unset.UNSET] | None = UNSET,
    ) -> Webhook:
        """Update a webhook with PATCH; only the given fields change.

        ``authentication=None`` removes the authentication header.
        """
        body: dict[str, Any] = {}
        if url is not None:
            body["url"] = url
        if secret is not None:
            body["secret"] = secret
        if events is not None:
            body["events"] = list(events)
        if api_version is not UNSET:
            body["apiVersion"] = api_version
        if authentication is not UNSET:
            body["authentication"] = (
                None if authentication is None else _authentication_body(authentication)
            )
        data = await self._request_object("PATCH", f"/webhooks/{_seg(webhook_id)}", json_body=body)
        return Webhook.from_dict(data)

    async def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook."""
        await self._request("DELETE", f"/webhooks/{_seg(webhook_id)}")

    async def test_webhook(self, webhook_id: str) -> WebhookTestResult:
        """Ask Enode to send a test event (this also reactivates an inactive webhook)."""
        data = await self._request_object("POST", f"/webhooks/{_seg(webhook_id)}/test")
        return WebhookTestResult.from_dict(data)

    # --- statistics ----------------------------------------------------------------------

    async def get_hem_system_statistics(self, hem_system_id: str, interval: str) -> HemStatistics:
        """Return HEM statistics for a DAY (``YYYY-MM-DD``) or MONTH (``YYYY-MM``).

        Raises:
            ValueError: The interval has neither form.
        """
        if not _HEM_INTERVAL.match(interval):
            raise ValueError("interval must be YYYY-MM-DD or YYYY-MM")
        # The guide writes ?interval=, the statistics page a bare date (API.md 8.1 [?]).
        data = await self._request_object(
            "GET",
            f"/hem-systems/{_seg(hem_system_id)}/statistics",
            params={"interval": interval},
        )
        return HemStatistics.from_dict(data)

    async def get_inverter_statistics(
        self, inverter_id: str, year: int, month: int, day: int | None = None
    ) -> InverterStatistics:
        """Return an inverter's production for one day (quarter-hours) or month (days).

        Raises:
            EnodeStatisticsPendingError: Enode answered 202 (still collecting): the partial
                data is on the error; ask again after its ``retry_at``.
        """
        params: dict[str, str | int] = {"year": year, "month": month}
        if day is not None:
            params["day"] = day
        path = f"/inverters/{_seg(inverter_id)}/statistics"
        status, data = await self._request_full("GET", path, params=params)
        if not isinstance(data, dict):
            raise EnodeInvalidResponseError(f"Response to GET {path} is not an object")
        statistics = InverterStatistics.from_dict(data)
        if status == 202:
            # 2024-10-01: Enode is still backfilling; the body is partial and says when to
            # ask again (`retryAfter`, a timestamp). Never hand it out as final data.
            raise EnodeStatisticsPendingError(
                f"Enode is still collecting the statistics of inverter {inverter_id}",
                retry_at=timestamp(data, "retryAfter"),
                statistics=statistics,
            )
        return statistics

    async def get_charging_statistics(
        self,
        user_id: str,
        *,
        asset_type: AssetType,
        start: datetime,
        end: datetime | None = None,
        asset_id: str | None = None,
        resolution: StatisticsResolution | str = StatisticsResolution.DAY,
        location_id: str | None = None,
    ) -> list[ChargingStatisticsBucket]:
        """Return a user's charging statistics (vehicle, charger or HVAC), oldest first."""
        params = _charging_filters(asset_type, start, end, asset_id, location_id)
        params["resolution"] = str(resolution)
        data = await self._request(
            "GET", f"/users/{_seg(user_id)}/statistics/charging", params=params
        )
        return [
            ChargingStatisticsBucket.from_dict(item)
            for item in _json_list(data, "Charging statistics")
        ]

    async def get_charging_sessions(
        self,
        user_id: str,
        *,
        asset_type: AssetType,
        start: datetime,
        end: datetime | None = None,
        asset_id: str | None = None,
        location_id: str | None = None,
    ) -> list[ChargingSession]:
        """Return the charging sessions intersecting ``[start, end]`` (``end`` default now)."""
        params = _charging_filters(asset_type, start, end, asset_id, location_id)
        data = await self._request(
            "GET", f"/users/{_seg(user_id)}/statistics/charging/sessions", params=params
        )
        return [ChargingSession.from_dict(item) for item in _json_list(data, "Charging sessions")]


def _enode_time(moment: datetime) -> str:
    """A query date-time as Enode writes them (``2021-03-21T00:15:00.000Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _charging_filters(
    asset_type: AssetType | str,
    start: datetime,
    end: datetime | None,
    asset_id: str | None,
    location_id: str | None,
) -> dict[str, str | int]:
    """The query both charging statistics endpoints share; unset filters are left out."""
    params: dict[str, str | int] = {"startDate": _enode_time(start), "type": str(asset_type)}
    if end is not None:
        params["endDate"] = _enode_time(end)
    if asset_id is not None:
        params["id"] = asset_id
    if location_id is not None:
        params["locationId"] = location_id
    return params


def _json_list(data: Any, what: str) -> list[JsonObject]:
    """The objects of a documented bare array; a ``{data: [...]}`` envelope is tolerated."""
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise EnodeInvalidResponseError(f"{what} response is not a list")
    return [item for item in data if isinstance(item, dict)]


def _require(
    asset_type: AssetType | str, allowed: frozenset[AssetType], operation: str
) -> AssetType:
    """Return ``asset_type`` as AssetType if it supports ``operation``, else raise ValueError."""
    asset_type = AssetType(asset_type)
    if asset_type not in allowed:
        raise ValueError(f"{asset_type} does not support {operation}")
    return asset_type


def _filters(
    language: str | None, vendor: str | None, vendor_type: AssetType | str | None
) -> dict[str, str | int]:
    """Query parameters of the intervention endpoints; unset filters are left out."""
    params: dict[str, str | int] = {}
    if language is not None:
        params["language"] = language
    if vendor is not None:
        params["vendor"] = vendor
    if vendor_type is not None:
        params["vendorType"] = str(vendor_type)
    return params


def _location_body(
    name: str | None, latitude: float | None, longitude: float | None, timezone_name: str | None
) -> dict[str, Any]:
    """Return the request form of a Location (all four keys, as Enode requires)."""
    return {
        "name": name,
        "latitude": latitude,
        "longitude": longitude,
        "timezoneName": timezone_name,
    }


def _authentication_body(authentication: Authentication) -> dict[str, str]:
    """Return the request form of a webhook authentication header."""
    if isinstance(authentication, WebhookAuthentication):
        return authentication.as_dict()
    return dict(authentication)
