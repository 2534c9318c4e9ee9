"""The emulator's state machine: everything except the HTTP server."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .actions import ActionManager
from .assets import deep_merge, sync_hidden
from .charging import ChargingLog
from .clock import SimClock, iso
from .config import EmulatorConfig
from .events import EventBus
from .faults import FaultInjector, FaultRule
from .history import History
from .links import LinkManager
from .locations import Pricing
from .models import JSON, Asset, set_value
from .physics import step
from .problems import ProblemError
from .scenario import ScenarioError, add_asset_from_spec, load_scenario, parse_outcome
from .schedules import Schedules
from .smart import SmartCharging
from .state import Store
from .statistics import StatisticsSource, solar_energy, validate_shape
from .tokens import TokenStore
from .vendors import Vendors
from .webhooks import DeliveryFault, WebhookManager

DELIVERY_FAULT_MODES = ("drop", "delay", "duplicate", "reorder")


@dataclass
class RequestLogEntry:
    """One handled HTTP request."""

    method: str
    path: str
    status: int
    time: str

    def to_json(self) -> JSON:
        """Return the entry as JSON."""
        return {"method": self.method, "path": self.path, "status": self.status, "time": self.time}


class Core:
    """State, simulation and the operations behind the API and the admin API."""

    def __init__(self, config: EmulatorConfig, clock: SimClock | None = None) -> None:
        """Build the state from the configured scenario."""
        self.config = config
        self.clock = clock or SimClock(config.start_time, config.speed)
        self.bus = EventBus(self.clock)
        self.store = Store(self.clock, self.bus)
        self.history = History()
        self.actions = ActionManager(
            self.store, config.action_delay, config.action_failure_rate, config.seed
        )
        self.webhooks = WebhookManager(self.clock, config)
        self.bus.subscribe(self.webhooks.enqueue)
        self.vendors = Vendors(self.store)
        self.links = LinkManager(self.store, self.vendors)
        self.faults = FaultInjector(config.seed)
        self.tokens = TokenStore(self.clock, config.token_lifetime)
        self.stats = StatisticsSource(self.history, config.seed, self.clock.start)
        self.request_log: list[RequestLogEntry] = []
        self.pricing = Pricing(self.store)
        self.smart = SmartCharging(self.store, self.actions, self.pricing)
        self.schedules = Schedules(self.store, self.actions, self.smart)
        self.charging = ChargingLog()
        self.store.removal_hooks.append(self.charging.asset_removed)
        self._lock = asyncio.Lock()
        self._physics_at = self.clock.now()
        load_scenario(self.store, config.scenario)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a saved core; one saved before vendor statuses existed gets them now."""
        self.__dict__.update(state)
        if "vendors" not in state:
            self.vendors = Vendors(self.store)
            self.links.vendors = self.vendors
        if "charging" not in state:  # saved before charging sessions were recorded
            self.charging = ChargingLog()

    # Simulation

    async def process_due(self) -> None:
        """Process everything that became due up to the current simulated time."""
        async with self._lock:
            target = self.clock.now()
            interval = timedelta(seconds=self.config.physics_interval)
            try:
                while True:
                    dues = [self._physics_at + interval]
                    dues += [due for due in (self.actions.next_due(),) if due is not None]
                    retry = self.webhooks.next_due()
                    if retry is not None:
                        dues.append(retry)
                    boundary = self.smart.next_due()
                    if boundary is not None:
                        dues.append(boundary)
                    transition = self.schedules.next_due()
                    if transition is not None:
                        dues.append(transition)
                    moment = min(dues)
                    if moment > target:
                        break
                    self.clock.pinned = moment
                    if self._physics_at + interval <= moment:
                        self._physics_step(self._physics_at + interval, interval.total_seconds())
                    self.actions.resolve_due(moment)
                    self.smart.tick(moment)
                    self.schedules.tick(moment)
                    await self.webhooks.process(moment)
                self.clock.pinned = target
                await self.webhooks.process(target)
            finally:
                self.clock.pinned = None

    def _physics_step(self, moment: datetime, seconds: float) -> None:
        before = {key: copy.deepcopy(asset.data) for key, asset in self.store.assets.items()}
        drawn = step(self.store, self.history, moment, seconds, self.config.seed)
        self.charging.record(
            store=self.store,
            pricing=self.pricing,
            smart=self.smart,
            moment=moment,
            seconds=seconds,
            power_kw=drawn,
        )
        self._physics_at = moment
        changed = {key for key, asset in self.store.assets.items() if asset.data != before[key]}
        for hem in self.store.assets_of("hem-system"):
            members = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
            if changed & set(members):
                hem.data["lastSeen"] = iso(moment)
        for key, asset in list(self.store.assets.items()):
            self.store.commit(asset, before[key])
        if int(moment.timestamp()) // 3600 != int(moment.timestamp() - seconds) // 3600:
            self._statistics_updated(moment)

    def _statistics_updated(self, moment: datetime) -> None:
        """Emit `user:inverter:statistics-updated` with the hour that just completed."""
        hour_end = moment.replace(minute=0, second=0, microsecond=0)
        for inverter in self.store.assets_of("inverter"):
            site = self.store.sites[inverter.site_id]
            data = []
            for quarter in range(4):
                start = hour_end - timedelta(minutes=60 - 15 * quarter)
                end = start + timedelta(minutes=15)
                value = solar_energy(
                    float(inverter.sim["peakKw"]), site, start, end, self.config.seed
                )
                data.append({"date": iso(start), "value": value})
            # [?] API.md 9.4: the inverter reference key of this event is not captured.
            self.bus.emit(
                "user:inverter:statistics-updated",
                inverter.user_id,
                {
                    "inverter": inverter.data,
                    "statistics": {"resolutions": {"QUARTER_HOUR": {"unit": "kWh", "data": data}}},
                },
            )

    async def advance(self, seconds: float) -> None:
        """Advance the clock and process everything that became due."""
        self.clock.advance(seconds)
        await self.process_due()

    # Admin operations (also exposed over HTTP under /_emulator/)

    def seed_charging_history(self, user_id: str, days: Any) -> int:
        """Fabricate `days` days of past charging sessions for a user's vehicles (and chargers)."""
        self.store.get_user(user_id)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
            raise ProblemError(400, "'days' must be a whole number from 1 to 366")
        return self.charging.seed_history(
            self.store,
            self.pricing,
            user_id=user_id,
            days=days,
            now=self.clock.now(),
            seed=self.config.seed,
        )

    def add_fault(self, body: Any) -> FaultRule:
        """Fail or slow down matching requests (see README)."""
        return self.faults.add(body)

    def expire_tokens(self) -> int:
        """Expire every access token now."""
        return self.tokens.expire_all()

    def invalidate_credentials(self, user_id: str, vendor: str) -> None:
        """Invalidate a vendor's credentials for a user."""
        self.store.invalidate_vendor(user_id, vendor)

    def set_interventions(self, asset_id: str, body: Any) -> Asset:
        """Put intervention ids on an asset's capabilities (see `Vendors.set_interventions`)."""
        return self.vendors.set_interventions(asset_id, body)

    def set_vendor_status(
        self, vendor: str, status: str, linking_status: str | None = None, *, untyped: bool = False
    ) -> None:
        """Set a vendor's status in `GET /integrations` (READY, ELEVATED_ERROR_RATE, OUTAGE)."""
        body = {"status": status, "linkingStatus": linking_status or status, "untyped": untyped}
        self.vendors.set_status(vendor, body)

    def add_webhook_fault(self, mode: str, count: int = 1, delay: float = 0.0) -> None:
        """Drop, delay, duplicate or reorder the next `count` webhook deliveries."""
        if mode not in DELIVERY_FAULT_MODES:
            raise ProblemError(400, f"'mode' must be one of {list(DELIVERY_FAULT_MODES)}")
        if count < 1:
            raise ProblemError(400, "'count' must be at least 1")
        self.webhooks.faults.append(DeliveryFault(mode=mode, remaining=count, delay=delay))

    def add_asset(self, user_id: str, spec: JSON) -> Asset:
        """Add an asset to a user (sends discovered and updated events)."""
        try:
            asset_id = add_asset_from_spec(self.store, user_id, spec)
        except (ScenarioError, ValueError, TypeError, KeyError) as err:
            raise ProblemError(400, f"Invalid asset: {err}") from err
        asset = self.store.assets[asset_id]
        site = self.store.sites[asset.site_id]
        self.store.group_hem(site, asset.vendor)
        return asset

    def remove_asset(self, asset_id: str) -> None:
        """Remove an asset (sends a deleted event)."""
        self.store.remove_asset(asset_id)

    def patch_asset(self, asset_id: str, patch: Any) -> Asset:
        """Deep-merge a patch into an asset's state (sends an updated event)."""
        asset = self.store.find_asset(asset_id)
        if not isinstance(patch, dict):
            raise ProblemError(400, "The patch must be a JSON object")
        before = copy.deepcopy(asset.data)
        deep_merge(asset.data, patch)
        if asset.data != before:
            asset.data["lastSeen"] = iso(self.clock.now())
        sync_hidden(asset)
        self.store.commit(asset, before)
        return asset

    def set_action_outcome(self, asset_id: str, outcome: Any) -> None:
        """Set how the asset's next actions resolve (None restores the default)."""
        asset = self.store.find_asset(asset_id)
        try:
            asset.outcome = None if outcome is None else parse_outcome(outcome)
        except ScenarioError as err:
            raise ProblemError(400, str(err)) from err

    def set_statistics_pending(self, asset_id: str, seconds: Any) -> None:
        """Make an inverter's statistics answer 202 (still backfilling) for ``seconds``."""
        asset = self.store.get_asset("inverter", asset_id)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ProblemError(400, "'seconds' must be a non-negative number")
        until = self.clock.now() + timedelta(seconds=float(seconds))
        asset.sim["statisticsPendingUntil"] = until if seconds else None

    def set_schedule_controlled(self, asset_id: str, controlled: bool) -> None:
        """Mark an asset as controlled by a schedule (controls then answer 422)."""
        self.store.find_asset(asset_id).schedule_controlled = controlled

    def set_statistics_shape(self, asset_id: str, shape: Any) -> None:
        """Shape the asset's HEM or inverter statistics answers (`{}` clears; README)."""
        self.store.find_asset(asset_id).sim["statisticsShape"] = validate_shape(shape)

    def set_prices(self, location_id: str, prices: Any, currency: Any = None) -> None:
        """Set a Location's hourly market prices (24 numbers, local hours) or None = none."""
        site = self.pricing.location(location_id)
        if prices is not None and (
            not isinstance(prices, list)
            or len(prices) != 24
            or any(isinstance(p, bool) or not isinstance(p, int | float) for p in prices)
        ):
            raise ProblemError(400, "'prices' must be 24 numbers (local hours 0-23) or null")
        if currency is not None and not isinstance(currency, str):
            raise ProblemError(400, "'currency' must be a string")
        site.prices = None if prices is None else [float(p) for p in prices]
        if currency is not None:
            site.currency = currency
        self.smart.tick(self.clock.now())

    def plug_vehicle(self, vehicle_id: str, plugged_in: bool) -> Asset:
        """Plug a vehicle in (at its charger, if paired) or unplug it (charging stops)."""
        vehicle = self.store.get_asset("vehicle", vehicle_id)
        now = self.clock.now()
        before = copy.deepcopy(vehicle.data)
        state = vehicle.data["chargeState"]
        charger_id = state.get("pluggedInChargerId") or vehicle.sim.get("chargerId")
        if plugged_in:
            full = float(vehicle.sim["level"]) >= float(state["chargeLimit"] or 100)
            delivery = "PLUGGED_IN:COMPLETE" if full else "PLUGGED_IN:STOPPED"
            updates: JSON = {"isPluggedIn": True, "powerDeliveryState": delivery}
            updates["pluggedInChargerId"] = charger_id
        else:
            if state.get("pluggedInChargerId"):
                vehicle.sim["chargerId"] = state["pluggedInChargerId"]
            updates = {
                "isPluggedIn": False,
                "isCharging": False,
                "chargeRate": None,
                "chargeTimeRemaining": None,
                "powerDeliveryState": "UNPLUGGED",
                "pluggedInChargerId": None,
            }
        for key, value in updates.items():
            set_value(vehicle, "chargeState", key, value, now)
        self.store.commit(vehicle, before)
        charger = self.store.assets.get(str(charger_id)) if charger_id else None
        if charger is not None and charger.kind == "charger":
            before = copy.deepcopy(charger.data)
            for key, value in (
                ("isPluggedIn", plugged_in),
                ("pluggedInVehicleId", vehicle.id if plugged_in else None),
                ("powerDeliveryState", "PLUGGED_IN:STOPPED" if plugged_in else "UNPLUGGED"),
                *((("isCharging", False), ("chargeRate", None)) if not plugged_in else ()),
            ):
                set_value(charger, "chargeState", key, value, now)
            self.store.commit(charger, before)
        self.smart.tick(now)
        self.schedules.tick(now)
        return vehicle

    def move_vehicle(self, vehicle_id: str, latitude: Any, longitude: Any) -> Asset:
        """Move a vehicle to coordinates; its `location.id` follows the geofences."""
        vehicle = self.store.get_asset("vehicle", vehicle_id)
        for value in (latitude, longitude):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProblemError(400, "'latitude' and 'longitude' must be numbers")
        self.pricing.move_vehicle(vehicle, float(latitude), float(longitude))
        self.smart.tick(self.clock.now())
        return vehicle

    def set_smart_charging_claimed(self, vehicle_id: str, claimed: bool) -> None:
        """Pretend another user enabled smart charging for this vehicle (policy PUT → 400)."""
        vehicle = self.store.get_asset("vehicle", vehicle_id)
        if claimed:
            self.smart.claimed.add(vehicle.id)
        else:
            self.smart.claimed.discard(vehicle.id)

    async def reset(self) -> Core:
        """Return a fresh core from the same scenario, keeping the clock and tokens."""
        await self.webhooks.close()
        fresh = Core(self.config, self.clock)
        fresh.tokens = self.tokens
        return fresh

    def log_request(self, method: str, path: str, status: int) -> None:
        """Append to the request log."""
        self.request_log.append(RequestLogEntry(method, path, status, iso(self.clock.now())))
