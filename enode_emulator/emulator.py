"""The `Emulator`: a core served over HTTP with a background ticker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from aiohttp import web

from .app import build_app
from .clock import SimClock
from .config import EmulatorConfig
from .core import Core, RequestLogEntry
from .faults import FaultRule
from .models import JSON
from .persistence import load_core, save_core
from .web import CORE_REF, CoreRef
from .webhooks import DeliveryLogEntry

_LOGGER = logging.getLogger(__name__)


class Emulator:
    """A local Enode API: start it, point a client at `base_url`, drive time with `advance`."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        """Build the emulator state (the server starts with `start`)."""
        self.config = config or EmulatorConfig()
        saved = load_core(self.config.state_file) if self.config.state_file else None
        if saved is not None:
            _LOGGER.info("Resuming the emulator state saved in %s", self.config.state_file)
        self._app = build_app(saved or Core(self.config))
        self._ref: CoreRef = self._app[CORE_REF]
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._port = 0
        self._host = "127.0.0.1"

    @property
    def core(self) -> Core:
        """Return the current core (state and simulation)."""
        return self._ref.core

    @property
    def clock(self) -> SimClock:
        """Return the simulation clock."""
        return self.core.clock

    @property
    def base_url(self) -> str:
        """Return the API base URL."""
        return f"http://{self._host}:{self._port}"

    @property
    def token_url(self) -> str:
        """Return the OAuth2 token URL."""
        return f"{self.base_url}/oauth2/token"

    @property
    def client_id(self) -> str:
        """Return the accepted client id."""
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        """Return the accepted client secret."""
        return self.config.client_secret

    @property
    def request_log(self) -> list[RequestLogEntry]:
        """Return the log of handled requests."""
        return self.core.request_log

    @property
    def delivery_log(self) -> list[DeliveryLogEntry]:
        """Return the log of webhook deliveries."""
        return self.core.webhooks.delivery_log

    @property
    def events(self) -> list[JSON]:
        """Return every emitted event."""
        return self.core.bus.history

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on `host:port` (0 picks a free port) and start the ticker."""
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes no public bound-port API
        assert server is not None  # noqa: S101
        sockets = getattr(server, "sockets", None) or []
        self._host = host
        self._port = int(sockets[0].getsockname()[1]) if sockets else port
        self._ticker = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        """Stop the ticker, the server and the webhook client."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.core.webhooks.close()
        self.save()

    def save(self) -> None:
        """Write the state file now (when one is configured)."""
        if self.config.state_file is not None:
            save_core(self.core, self.config.state_file)

    async def _tick(self) -> None:
        saved = time.monotonic()
        while True:
            await asyncio.sleep(self.config.tick_interval)
            try:
                await self.core.process_due()
            except Exception:  # pragma: no cover - keep ticking whatever a step raises
                _LOGGER.exception("Emulator tick failed")
            if time.monotonic() - saved >= self.config.save_interval:
                saved = time.monotonic()
                self.save()

    async def advance(self, seconds: float) -> None:
        """Advance the simulation clock and process everything that became due."""
        await self.core.advance(seconds)

    # Admin operations (the same as the /_emulator/ HTTP API)

    def add_fault(self, **rule: Any) -> FaultRule:
        """Fail or slow down matching requests, e.g. `add_fault(path="/vehicles*", status=503)`."""
        return self.core.add_fault(rule)

    def expire_tokens(self) -> int:
        """Expire every access token now."""
        return self.core.expire_tokens()

    def invalidate_credentials(self, user_id: str, vendor: str) -> None:
        """Invalidate a vendor's credentials (sends `user:credentials:invalidated`)."""
        self.core.invalidate_credentials(user_id, vendor)

    def set_interventions(
        self, asset_id: str, intervention_ids: list[str], capabilities: list[str] | None = None
    ) -> JSON:
        """Put intervention ids on an asset's capabilities ([] clears them); return the asset."""
        body: JSON = {"interventionIds": intervention_ids}
        if capabilities is not None:
            body["capabilities"] = capabilities
        return self.core.set_interventions(asset_id, body).data

    def set_vendor_status(
        self, vendor: str, status: str, linking_status: str | None = None, *, untyped: bool = False
    ) -> None:
        """Set a vendor's status in `GET /integrations` ("OUTAGE" simulates an outage).

        `untyped` lists the vendor once, without `vendorType`.
        """
        self.core.set_vendor_status(vendor, status, linking_status, untyped=untyped)

    def add_webhook_fault(self, mode: str, count: int = 1, delay: float = 0.0) -> None:
        """Drop, delay, duplicate or reorder the next webhook deliveries."""
        self.core.add_webhook_fault(mode, count, delay)

    def add_asset(self, user_id: str, spec: JSON) -> JSON:
        """Add an asset from a scenario-style spec and return its API object."""
        return self.core.add_asset(user_id, spec).data

    def remove_asset(self, asset_id: str) -> None:
        """Remove an asset."""
        self.core.remove_asset(asset_id)

    def patch_asset(self, asset_id: str, patch: JSON) -> JSON:
        """Deep-merge a patch into an asset and return it."""
        return self.core.patch_asset(asset_id, patch).data

    def set_action_outcome(self, asset_id: str, outcome: Any) -> None:
        """Set how the asset's next actions resolve ("confirm", "fail", "cancel" or a dict)."""
        self.core.set_action_outcome(asset_id, outcome)

    def set_statistics_pending(self, inverter_id: str, seconds: float) -> None:
        """Answer the inverter's statistics with 202 (still backfilling) for ``seconds``."""
        self.core.set_statistics_pending(inverter_id, seconds)

    def set_schedule_controlled(self, asset_id: str, controlled: bool = True) -> None:
        """Mark an asset as schedule-controlled."""
        self.core.set_schedule_controlled(asset_id, controlled)

    def set_statistics_shape(self, asset_id: str, shape: JSON) -> None:
        """Shape a HEM system's or inverter's statistics answers (`{}` clears; README)."""
        self.core.set_statistics_shape(asset_id, shape)

    def set_prices(
        self, location_id: str, prices: list[float] | None, currency: str | None = None
    ) -> None:
        """Set a Location's hourly market prices (24 values, local hours) or None = none."""
        self.core.set_prices(location_id, prices, currency)

    def plug_vehicle(self, vehicle_id: str, plugged_in: bool = True) -> JSON:
        """Plug a vehicle in or unplug it; return the vehicle."""
        return self.core.plug_vehicle(vehicle_id, plugged_in).data

    def move_vehicle(self, vehicle_id: str, latitude: float, longitude: float) -> JSON:
        """Move a vehicle; its `location.id` follows the geofences."""
        return self.core.move_vehicle(vehicle_id, latitude, longitude).data

    def set_smart_charging_claimed(self, vehicle_id: str, claimed: bool = True) -> None:
        """Pretend another user enabled smart charging for the vehicle."""
        self.core.set_smart_charging_claimed(vehicle_id, claimed)

    def seed_charging_history(self, user_id: str, days: int) -> int:
        """Fabricate past charging sessions (see `POST /_emulator/users/{id}/charging-history`)."""
        return self.core.seed_charging_history(user_id, days)

    def asset(self, asset_id: str) -> JSON:
        """Return an asset's API object."""
        return self.core.store.find_asset(asset_id).data

    async def reset(self) -> None:
        """Reload the scenario, keeping the clock and tokens."""
        self._ref.core = await self.core.reset()
