"""One coordinator per Enode user: every linked asset, kept current by push and a safety poll.

Without healthy push, DataUpdateCoordinator's own timer polls everything every
POLL_INTERVAL_NO_PUSH. While push is healthy that timer is off and a safety round runs on its own
clock: one request at a time (the user, one list per asset type, the Locations, the schedules),
spread evenly over POLL_INTERVAL_PUSH. Pushed data is applied without touching either clock
(`_async_set_data`), and a delivery's events notify the listeners once (`async_batch`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Asset,
    AssetType,
    EnodeAuthenticationError,
    EnodeClient,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    Location,
    SmartChargingPolicy,
    SmartChargingStatus,
    SmartOverride,
    User,
    Vehicle,
)
from .const import (
    DOMAIN,
    LOGGER,
    POLL_INTERVAL_LOCATIONS,
    POLL_INTERVAL_NO_PUSH,
    POLL_INTERVAL_PUSH,
)
from .helpers import retry_after_text
from .schedule_data import ScheduleSnapshot, async_poll_schedules

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .models import EnodeConfigEntry
    from .push import PushState

# Steps of a safety round besides one list per asset type.
SAFETY_USER = "user"
SAFETY_LOCATIONS = "locations"
SAFETY_SCHEDULES = "schedules"

# Asset types that belong to a HEM system when the client has the HEM feature.
HEM_MEMBER_TYPES = frozenset({AssetType.BATTERY, AssetType.INVERTER, AssetType.METER})


@dataclass(frozen=True, slots=True)
class EnodeSnapshot:
    """What the coordinator holds: the user, every asset and every Location, by id."""

    user: User | None
    assets: dict[str, Asset] = field(default_factory=dict)
    # Smart charging status by vehicle id (push first; polled only while push is unhealthy).
    smart: dict[str, SmartChargingStatus] = field(default_factory=dict)
    # The last smart override Home Assistant started or ended, by asset id: chargers have no
    # status that shows one (SMART.md 3.3), vehicles use it until their status says otherwise.
    overrides: dict[str, SmartOverride] = field(default_factory=dict)
    # The user's Enode Locations, listed once per poll (location sensors read their names,
    # a smart charging deadline is read in its Location's time zone).
    locations: dict[str, Location] = field(default_factory=dict)
    schedules: ScheduleSnapshot = field(default_factory=ScheduleSnapshot)

    def of_type(self, asset_type: AssetType) -> list[Asset]:
        """Assets of one type."""
        return [a for a in self.assets.values() if a.asset_type == asset_type]


def is_smart_capable(asset: Asset) -> bool:
    """A vehicle Enode can smart charge (its capability, which follows its scopes)."""
    return (
        isinstance(asset, Vehicle)
        and asset.smart_charging_policy is not None
        and asset.is_capable("smartCharging")
    )


def is_older(candidate: Asset, held: Asset | None) -> bool:
    """True when candidate is older than what is held (updates never go backwards)."""
    if held is None or candidate.last_updated is None or held.last_updated is None:
        return False
    return candidate.last_updated < held.last_updated


def is_other_type(candidate: Asset, held: Asset | None) -> bool:
    """True when an asset of another type is already held under the candidate's id."""
    return held is not None and held.asset_type is not candidate.asset_type


def merge_poll(
    held: Mapping[str, Asset], polled: Mapping[str, Asset], polled_types: Iterable[AssetType]
) -> dict[str, Asset]:
    """The assets after a poll: what it listed, never older than what push already applied.

    Assets of types the poll did not list (e.g. HEM disabled mid-way) are kept. An asset the
    poll reports under another type than the held one replaces it: the poll is Enode's truth.
    """
    listed = set(polled_types)
    merged: dict[str, Asset] = {
        asset_id: asset for asset_id, asset in held.items() if asset.asset_type not in listed
    }
    for asset_id, asset in polled.items():
        current = held.get(asset_id)
        keep = (
            current is not None and not is_other_type(asset, current) and is_older(asset, current)
        )
        merged[asset_id] = current if keep and current is not None else asset
    return merged


class EnodeCoordinator(DataUpdateCoordinator[EnodeSnapshot]):
    """Polls the asset types a user has and merges pushed updates."""

    config_entry: EnodeConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        user_id: str,
        push: PushState,
    ) -> None:
        """Initialise the coordinator; it polls often until push proves healthy."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=POLL_INTERVAL_NO_PUSH,
            always_update=False,
        )
        self.client = client
        self.user_id = user_id
        # Asset types seen so far, so a poll keeps listing them even if linkedVendors lags.
        self._seen_types: set[AssetType] = set()
        # Clients without the HEM feature answer 403/404 on /hem-systems: stop asking.
        self._hem_supported = True
        self.last_poll: datetime | None = None
        # When a poll last listed the Locations (see POLL_INTERVAL_LOCATIONS).
        self._locations_listed_at: datetime | None = None
        self._locations_task: asyncio.Task[None] | None = None
        self.push = push
        # Pushed data applied inside async_batch notifies the listeners once at its end.
        self._batch_depth = 0
        self._batch_dirty = False
        # The safety round while push is healthy: the next step's index and its timer.
        self._safety_step = 0
        self._cancel_safety: CALLBACK_TYPE | None = None
        self.safety_requests = 0
        entry.async_on_unload(push.async_add_listener(self._async_push_health_changed))
        entry.async_on_unload(push.async_add_queueing_listener(self._async_enode_queueing))
        entry.async_on_unload(self._async_cancel_safety)

    @property
    def poll_interval(self) -> timedelta:
        """How often everything is polled: POLL_INTERVAL_PUSH is one safety round, spread."""
        return POLL_INTERVAL_PUSH if self.push.healthy else POLL_INTERVAL_NO_PUSH

    @callback
    def _async_push_health_changed(self) -> None:
        """Safety round while webhooks deliver, full polls when they do not; entities re-check."""
        LOGGER.debug("Poll interval is now %s", self.poll_interval)
        if self.push.healthy:
            # The base class's timer would poll everything at once: the safety round replaces it.
            self.update_interval = None
            self._async_unsub_refresh()
            self._async_schedule_safety()
        else:
            self._async_cancel_safety()
            self.update_interval = POLL_INTERVAL_NO_PUSH
            if self.data is not None:
                # Push went quiet: what it did not bring is fetched now, then every interval.
                self.config_entry.async_create_background_task(
                    self.hass, self.async_request_refresh(), "enode poll after push went quiet"
                )
        self.async_update_listeners()

    @callback
    def _async_enode_queueing(self) -> None:
        """Heartbeats say Enode queues events for us: poll once instead of waiting for them."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "enode poll while Enode queues"
        )

    @callback
    def _async_set_data(self, snapshot: EnodeSnapshot) -> None:
        """Hold pushed (or partly polled) data without rescheduling any poll.

        async_set_updated_data would reschedule the refresh timer: pushes arriving more often
        than the interval would then stop the safety net from ever running.
        """
        self.data = snapshot
        if self._batch_depth:
            self._batch_dirty = True
        else:
            self.async_update_listeners()

    @contextmanager
    def async_batch(self) -> Iterator[None]:
        """Apply many updates (one webhook delivery) and notify the listeners once."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and self._batch_dirty:
                self._batch_dirty = False
                self.async_update_listeners()

    def _safety_steps(self) -> list[AssetType | str]:
        """One safety round: the user, one list per asset type, the Locations, the schedules."""
        user = self.data.user if self.data else None
        types: list[AssetType | str] = list(self._types_to_poll(user)) if user else []
        return [SAFETY_USER, *types, SAFETY_LOCATIONS, SAFETY_SCHEDULES]

    @callback
    def _async_schedule_safety(self) -> None:
        """Arm the next step of the safety round (one request, 1/n of the interval away)."""
        self._async_cancel_safety()
        if self.config_entry.pref_disable_polling:
            return  # the user turned polling off for this entry (HA's system option)
        delay = POLL_INTERVAL_PUSH / len(self._safety_steps())
        self._cancel_safety = async_call_later(self.hass, delay, self._async_safety_due)

    @callback
    def _async_cancel_safety(self) -> None:
        if self._cancel_safety is not None:
            self._cancel_safety()
            self._cancel_safety = None

    @callback
    def _async_safety_due(self, _now: datetime) -> None:
        self._cancel_safety = None
        self.config_entry.async_create_background_task(
            self.hass, self._async_safety_run(), "enode safety poll"
        )

    async def _async_safety_run(self) -> None:
        """Make one step of the safety round, then arm the next (while push stays healthy)."""
        if not self.push.healthy or self.data is None:
            return
        steps = self._safety_steps()
        step = steps[self._safety_step % len(steps)]
        self._safety_step = (self._safety_step + 1) % len(steps)
        try:
            await self._async_safety_request(step)
        except EnodeAuthenticationError:
            self.config_entry.async_start_reauth(self.hass)
            return
        except EnodeError as err:
            # The next step (or the next round) tries again; push still brings the data.
            LOGGER.debug("Safety poll of %s failed: %s", step, err)
        if self.push.healthy:
            self._async_schedule_safety()

    async def _async_safety_request(self, step: AssetType | str) -> None:
        """One request of the safety round, merged like a poll (never older than pushed data)."""
        self.safety_requests += 1
        snapshot = self.data
        if step == SAFETY_USER:
            try:
                user = await self.client.get_user(self.user_id)
            except EnodeNotFoundError:
                return
            if self.data is not None and user != self.data.user:
                self._async_set_data(replace(self.data, user=user))
        elif step == SAFETY_LOCATIONS:
            await self._async_refresh_locations(raise_errors=True)
        elif step == SAFETY_SCHEDULES:
            schedules = await async_poll_schedules(
                self.client, self.user_id, snapshot.schedules, push_healthy=True
            )
            if self.data is not None and schedules != self.data.schedules:
                self._async_set_data(replace(self.data, schedules=schedules))
        else:
            asset_type = AssetType(step)
            try:
                polled = await self.client.list_assets(self.user_id, asset_type)
            except (EnodeForbiddenError, EnodeNotFoundError):
                if asset_type is not AssetType.HEM_SYSTEM:
                    raise
                self._hem_supported = False
                return
            held = self.data
            merged = merge_poll(held.assets, {a.id: a for a in polled}, [asset_type])
            if merged != held.assets:
                self._seen_types.update(a.asset_type for a in merged.values())
                updated = await self._async_poll_smart(replace(held, assets=merged))
                self._async_set_data(replace(self.data, assets=updated.assets, smart=updated.smart))

    def _types_to_poll(self, user: User) -> list[AssetType]:
        types = set(self._seen_types)
        known = {t.value for t in AssetType}
        types.update(
            AssetType(linked.vendor_type)
            for linked in user.linked_vendors
            if linked.vendor_type in known
        )
        if self._hem_supported and types & HEM_MEMBER_TYPES:
            types.add(AssetType.HEM_SYSTEM)
        elif not self._hem_supported:
            types.discard(AssetType.HEM_SYSTEM)
        return sorted(types)

    async def _async_update_data(self) -> EnodeSnapshot:
        try:
            try:
                user = await self.client.get_user(self.user_id)
            except EnodeNotFoundError:
                # Enode creates a user with its first Link session ("finish and link later"):
                # until then the user has no devices, which is not an error.
                user = User(id=self.user_id, linked_vendors=(), raw={})
            polled: dict[str, Asset] = {}
            polled_types: list[AssetType] = []
            for asset_type in self._types_to_poll(user):
                try:
                    assets = await self.client.list_assets(self.user_id, asset_type)
                except (EnodeForbiddenError, EnodeNotFoundError):
                    if asset_type is not AssetType.HEM_SYSTEM:
                        raise
                    LOGGER.debug("HEM systems are not enabled for this Enode client")
                    self._hem_supported = False
                    continue
                polled_types.append(asset_type)
                polled.update((asset.id, asset) for asset in assets)
            locations: dict[str, Location] | None = None  # None: keep the held ones
            if self._locations_due():
                locations = await self._async_list_locations()
                self._locations_listed_at = dt_util.utcnow()
            schedules = await async_poll_schedules(
                self.client,
                self.user_id,
                self.data.schedules if self.data else ScheduleSnapshot(),
                push_healthy=self.push.healthy,
            )
        except EnodeAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err
        except EnodeRateLimitError as err:
            raise UpdateFailed(
                retry_after=err.retry_after,
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"retry_after": retry_after_text(err)},
            ) from err
        except EnodeError as err:
            # Transient errors wait for the next cycle; the client already retried GETs.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self.last_poll = dt_util.utcnow()
        snapshot = self._merge_poll(user, polled, polled_types, locations, schedules)
        try:
            return await self._async_poll_smart(snapshot)
        except EnodeAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err

    def _locations_due(self) -> bool:
        """Locations: in every full poll while push is healthy (rare), else every 30 minutes."""
        return (
            self.push.healthy
            or self._locations_listed_at is None
            or dt_util.utcnow() - self._locations_listed_at >= POLL_INTERVAL_LOCATIONS
        )

    async def _async_list_locations(self) -> dict[str, Location]:
        """The user's Locations (one request per poll, not per asset).

        A user Enode does not know yet has none; a client without access keeps what it had.
        """
        try:
            listed = await self.client.list_locations(self.user_id)
        except EnodeNotFoundError:
            return {}
        except EnodeForbiddenError:
            LOGGER.debug("This Enode client may not list Locations")
            return self.data.locations if self.data else {}
        return {location.id: location for location in listed if location.id}

    def _merge_poll(
        self,
        user: User,
        polled: dict[str, Asset],
        polled_types: Iterable[AssetType],
        locations: dict[str, Location] | None = None,
        schedules: ScheduleSnapshot | None = None,
    ) -> EnodeSnapshot:
        """The snapshot after a poll; without listed Locations the held ones stay."""
        merged = merge_poll(self.data.assets if self.data else {}, polled, polled_types)
        self._seen_types.update(a.asset_type for a in merged.values())
        if locations is None:
            locations = self.data.locations if self.data else {}
        if schedules is None:
            schedules = self.data.schedules if self.data else ScheduleSnapshot()
        held = self.data or EnodeSnapshot(user=None)
        return EnodeSnapshot(
            user=user,
            assets=merged,
            smart={k: v for k, v in held.smart.items() if k in merged},
            overrides={k: v for k, v in held.overrides.items() if k in merged},
            locations=locations,
            schedules=schedules,
        )

    @callback
    def async_set_schedules(self, schedules: ScheduleSnapshot) -> None:
        """Hold new schedules (a pushed execution event, or a schedule action's answer)."""
        snapshot = self.data or EnodeSnapshot(user=None)
        self._async_set_data(replace(snapshot, schedules=schedules))

    def _is_unknown_location(self, asset: Asset) -> bool:
        """True when an asset is at a Location the last poll did not list."""
        location_id = asset.location.id if asset.location else None
        return (
            bool(location_id) and self.data is not None and location_id not in self.data.locations
        )

    async def _async_poll_smart(self, snapshot: EnodeSnapshot) -> EnodeSnapshot:
        """Smart charging status within the same poll as the assets.

        While push is healthy the status arrives by webhook: it is fetched only at startup (and
        once for a vehicle that has none yet). Otherwise one status request per smart-capable
        vehicle per poll. A failure keeps the last status: smart charging must not make the
        whole poll fail (bad credentials still start reauthentication).
        """
        vehicles = [a for a in snapshot.assets.values() if is_smart_capable(a)]
        if not vehicles:
            return snapshot
        startup = self.data is None
        smart = dict(snapshot.smart)
        polling = startup or not self.push.healthy
        for vehicle in vehicles:
            # A vehicle linked while push is healthy has no status yet: fetch it once.
            if polling or vehicle.id not in smart:
                try:
                    smart[vehicle.id] = await self.client.get_vehicle_smart_charging_status(
                        vehicle.id
                    )
                except EnodeAuthenticationError:
                    raise
                except EnodeError as err:
                    LOGGER.debug("No smart charging status of %s: %s", vehicle.id, err)
        return replace(snapshot, smart=smart)

    def async_apply_smart_status(self, vehicle_id: str, status: SmartChargingStatus) -> bool:
        """Merge a pushed smart charging status; False when older than the held one."""
        snapshot = self.data or EnodeSnapshot(user=None)
        held = snapshot.smart.get(vehicle_id)
        if (
            held is not None
            and held.updated_at is not None
            and status.updated_at is not None
            and status.updated_at < held.updated_at
        ):
            return False
        self._async_set_data(replace(snapshot, smart={**snapshot.smart, vehicle_id: status}))
        return True

    def async_apply_policy(self, vehicle_id: str, policy: SmartChargingPolicy) -> None:
        """Show a policy Enode confirmed (the PUT is synchronous) before the vehicle event."""
        snapshot = self.data
        vehicle = snapshot.assets.get(vehicle_id) if snapshot else None
        if snapshot is None or not isinstance(vehicle, Vehicle):
            return
        assets = {**snapshot.assets, vehicle_id: replace(vehicle, smart_charging_policy=policy)}
        self._async_set_data(replace(snapshot, assets=assets))

    def async_apply_override(self, asset_id: str, override: SmartOverride) -> None:
        """Remember a smart override Enode started or ended for this asset."""
        snapshot = self.data or EnodeSnapshot(user=None)
        overrides = {**snapshot.overrides, asset_id: override}
        self._async_set_data(replace(snapshot, overrides=overrides))

    def async_apply_asset(self, asset: Asset) -> bool:
        """Merge a pushed asset; False when it is older than, or of another type than, the held."""
        snapshot = self.data or EnodeSnapshot(user=None)
        held = snapshot.assets.get(asset.id)
        if is_other_type(asset, held):
            LOGGER.debug(
                "Ignoring a %s update of %s, held as another type", asset.asset_type, asset.id
            )
            return False
        if is_older(asset, held):
            LOGGER.debug("Ignoring an out-of-order update of %s", asset.id)
            return False
        self._seen_types.add(asset.asset_type)
        assets = {**snapshot.assets, asset.id: asset}
        unknown_location = self._is_unknown_location(asset)
        self._async_set_data(replace(snapshot, assets=assets))
        if unknown_location:
            # Enode sends no event for Locations: one made elsewhere (another app) shows up
            # first as an asset's location.id, so list the Locations again.
            self._async_schedule_locations_refresh()
        return True

    @callback
    def _async_schedule_locations_refresh(self) -> None:
        """List the Locations again (one request), at most one listing at a time."""
        if self._locations_task is None or self._locations_task.done():
            self._locations_task = self.config_entry.async_create_task(
                self.hass, self._async_refresh_locations(), "enode locations refresh"
            )

    async def _async_refresh_locations(self, *, raise_errors: bool = False) -> None:
        try:
            locations = await self._async_list_locations()
        except EnodeError as err:
            if raise_errors:
                raise
            LOGGER.debug("Could not list the Enode Locations: %s", err)
            return
        if self.data is not None and locations != self.data.locations:
            self._async_set_data(replace(self.data, locations=locations))

    def async_mark_credentials_invalid(self, vendor: str) -> None:
        """Hold what `user:credentials:invalidated` said until a poll brings the user again.

        Otherwise the next update would mirror the held (still valid) user into the repair
        issues and delete the issue the event just raised.
        """
        snapshot = self.data
        user = snapshot.user if snapshot else None
        if snapshot is None or user is None:
            return
        vendors = tuple(
            replace(linked, is_valid=False) if linked.vendor == vendor else linked
            for linked in user.linked_vendors
        )
        if vendors != user.linked_vendors:
            self._async_set_data(replace(snapshot, user=replace(user, linked_vendors=vendors)))

    def async_remove_asset(self, asset_id: str) -> None:
        """Forget an asset Enode reported as deleted."""
        snapshot = self.data
        if snapshot is None or asset_id not in snapshot.assets:
            return
        assets = {k: v for k, v in snapshot.assets.items() if k != asset_id}
        self._async_set_data(replace(snapshot, assets=assets))
