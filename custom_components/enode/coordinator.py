"""The assets coordinator of one Enode user, and its daily safety poll.

`EnodeCoordinator` holds everything Enode reports for the user (`EnodeSnapshot`). Push feeds it
through `async_set_updated_data` (one update per delivery, `async_batch`); without healthy push
its own interval polls everything every POLL_INTERVAL_NO_PUSH, with healthy push the interval is
None (the Withings shape: push health flips `update_interval`). `SafetyPoll` is the second
cadence of the same source: one full poll every POLL_INTERVAL_PUSH whatever push delivers (what
push cannot bring: the user, Locations, schedules; and anything a lost event left behind),
merged by its listener like any poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Asset,
    AssetType,
    Charger,
    EnodeAuthenticationError,
    EnodeClient,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    Location,
    Schedule,
    ScheduleStatus,
    SmartChargingPolicy,
    SmartChargingState,
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
    # Assets whose smart-override route Enode does not serve (404/405): chargers have it in
    # 2024-01-01 only; the 2024-10-01 reference documents vehicles alone. Asked once per start.
    no_override: frozenset[str] = frozenset()
    # The user's Enode Locations, listed once per poll (location sensors read their names,
    # a smart charging deadline is read in its Location's time zone).
    locations: dict[str, Location] = field(default_factory=dict)
    schedules: ScheduleSnapshot = field(default_factory=ScheduleSnapshot)

    def of_type(self, asset_type: AssetType) -> list[Asset]:
        """Assets of one type."""
        return [a for a in self.assets.values() if a.asset_type == asset_type]

    def charge_now(self, asset: Asset) -> bool | None:
        """Whether a smart override ("Charge now") is active on the asset: the one answer.

        A vehicle's status shows it (SMART.md 3.3); the override Home Assistant itself started
        or ended counts until a newer status arrives. A charger has no status object: the
        override lasts until it stops charging [?: Enode says so; read from a charger update
        after the override started].
        """
        local = self.overrides.get(asset.id)
        status = self.smart.get(asset.id)
        if status is not None and (
            local is None
            or status.updated_at is None
            or (latest := local.ended_at or local.created_at) is None
            or status.updated_at >= latest
        ):
            return status.is_overridden
        charge = asset.charge_state if isinstance(asset, Vehicle | Charger) else None
        if local is None:
            return False if isinstance(asset, Vehicle | Charger) else None
        if local.ended_at is not None:
            return False
        stopped_since = (
            charge is not None
            and charge.is_charging is False
            and asset.last_updated is not None
            and local.created_at is not None
            and asset.last_updated > local.created_at
        )
        return not stopped_since


@dataclass(frozen=True, slots=True)
class Poll:
    """What one full poll fetched, before it is merged with what push applied meanwhile."""

    user: User
    assets: dict[str, Asset]
    types: tuple[AssetType, ...]  # the asset types listed (others are kept as held)
    locations: dict[str, Location] | None  # None: not listed this time, keep the held ones
    schedules: ScheduleSnapshot
    smart: dict[str, SmartChargingStatus]


def is_smart_capable(asset: Asset) -> bool:
    """A vehicle Enode can smart charge (its capability, which follows its scopes)."""
    return (
        isinstance(asset, Vehicle)
        and asset.smart_charging_policy is not None
        and asset.is_capable("smartCharging")
    )


def status_from_policy(vehicle: Vehicle) -> SmartChargingStatus:
    """The status of a vehicle with smart charging off, from its policy (no request).

    What Enode answers then (SMART.md 2.1): DISABLED, no consideration, plan or override.
    """
    return SmartChargingStatus(
        vehicle_id=vehicle.id,
        user_id=vehicle.user_id,
        vendor=vehicle.vendor,
        state=SmartChargingState.DISABLED,
        state_changed_at=None,
        updated_at=None,
        consideration=None,
        plan=None,
        smart_override=None,
        raw={},  # empty: made here, not fetched (is_from_policy)
    )


def is_from_policy(status: SmartChargingStatus) -> bool:
    """True for a status made from the policy rather than fetched or pushed."""
    return not status.raw


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
    """Holds the user's assets: polled without push, fed by push, one owner of every change."""

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
        self.push = push
        # Asset types seen so far, so a poll keeps listing them even if linkedVendors lags.
        self._seen_types: set[AssetType] = set()
        # Clients without the HEM feature answer 403/404 on /hem-systems: stop asking.
        self._hem_supported = True
        self.last_poll: datetime | None = None
        # When a poll last listed the Locations (see POLL_INTERVAL_LOCATIONS).
        self._locations_listed_at: datetime | None = None
        self._locations_task: asyncio.Task[None] | None = None
        # A delivery's changes are staged here and set once at its end (async_batch).
        self._staged: EnodeSnapshot | None = None
        self._batch_depth = 0
        entry.async_on_unload(push.async_add_listener(self._async_push_health_changed))
        entry.async_on_unload(push.async_add_queueing_listener(self._async_enode_queueing))

    @property
    def snapshot(self) -> EnodeSnapshot:
        """What the coordinator holds, including a delivery being applied."""
        return self._staged or self.data or EnodeSnapshot(user=None)

    @callback
    def _async_push_health_changed(self) -> None:
        """No interval while webhooks deliver, POLL_INTERVAL_NO_PUSH when they do not."""
        if self.push.healthy:
            self.update_interval = None
            # Setting the data reschedules the refresh: with no interval, the pending poll ends.
            self.async_set_updated_data(self.data)
            return
        self.update_interval = POLL_INTERVAL_NO_PUSH
        self.async_update_listeners()  # data_is_current may have changed: entities re-check
        # Push went quiet: what it did not bring is fetched now, then every interval.
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "enode poll after push went quiet"
        )

    @callback
    def _async_enode_queueing(self) -> None:
        """Heartbeats say Enode queues events for us: poll once instead of waiting for them."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "enode poll while Enode queues"
        )

    @callback
    def _async_set(self, snapshot: EnodeSnapshot) -> None:
        """Hold new data: at once, or at the end of the delivery being applied."""
        if self._batch_depth:
            self._staged = snapshot
        else:
            self.async_set_updated_data(snapshot)

    @contextmanager
    def async_batch(self) -> Iterator[None]:
        """Apply many updates (one webhook delivery) and notify the listeners once."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and self._staged is not None:
                staged, self._staged = self._staged, None
                self.async_set_updated_data(staged)

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

    @property
    def data_is_current(self) -> bool:
        """True while the data can be trusted: the last poll worked, or webhooks deliver.

        A failed poll does not matter while push is healthy; without push it means the data
        cannot be fetched. Entities take their availability from here.
        """
        return self.last_update_success or self.push.healthy

    async def _async_update_data(self) -> EnodeSnapshot:
        return self._merged(await self.async_fetch())

    async def async_fetch(self) -> Poll:
        """One full poll (both cadences): Enode's errors become the coordinator's errors."""
        try:
            return await self._async_fetch()
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

    async def _async_fetch(self) -> Poll:
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
        held = self.snapshot
        schedules = await async_poll_schedules(
            self.client, self.user_id, held.schedules, push_healthy=self.push.healthy
        )
        smart = await self._async_poll_smart(polled, held.smart)
        self.last_poll = dt_util.utcnow()
        return Poll(user, polled, tuple(polled_types), locations, schedules, smart)

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
            return self.snapshot.locations
        return {location.id: location for location in listed if location.id}

    async def _async_poll_smart(
        self, polled: Mapping[str, Asset], held: Mapping[str, SmartChargingStatus]
    ) -> dict[str, SmartChargingStatus]:
        """Smart charging status within the same poll as the assets, only where it says something.

        A vehicle whose policy (in the vehicle list) has smart charging off, with no override
        active, is DISABLED: its status comes from the policy, without a request. For the others
        one request per poll while push is unhealthy; while push is healthy the status arrives by
        webhook and is fetched only at startup (and once for a vehicle that has none yet, or only
        the one made from its policy). So a poll costs O(vehicles with smart charging on). A
        failure keeps the last status: smart charging must not make the whole poll fail (bad
        credentials still start reauthentication).
        """
        polling = self.data is None or not self.push.healthy
        smart: dict[str, SmartChargingStatus] = {}
        for vehicle in (a for a in polled.values() if isinstance(a, Vehicle)):
            if not is_smart_capable(vehicle):
                continue
            current = held.get(vehicle.id)
            if not self._status_says_something(vehicle, current):
                if current is None or not is_from_policy(current):
                    smart[vehicle.id] = status_from_policy(vehicle)
                continue
            # A vehicle linked (or switched on) while push is healthy: fetch it once.
            if polling or current is None or is_from_policy(current):
                try:
                    smart[vehicle.id] = await self.client.get_vehicle_smart_charging_status(
                        vehicle.id
                    )
                except EnodeAuthenticationError:
                    raise
                except EnodeError as err:
                    LOGGER.debug("No smart charging status of %s: %s", vehicle.id, err)
        return smart

    def _status_says_something(self, vehicle: Vehicle, current: SmartChargingStatus | None) -> bool:
        """Smart charging on (or unknown), a plan running, or an override active.

        An override Home Assistant started counts until it ended; one started elsewhere on a
        vehicle with smart charging off shows only once a status fetched for another reason
        (or pushed) carries it.
        """
        policy = vehicle.smart_charging_policy
        if policy is None or policy.is_enabled is not False:
            return True
        if current is not None and (current.is_overridden or current.is_executing):
            return True
        local = self.snapshot.overrides.get(vehicle.id)
        return local is not None and local.ended_at is None

    def _merged(self, poll: Poll) -> EnodeSnapshot:
        """The snapshot after a poll: never older than what push applied meanwhile."""
        held = self.snapshot
        assets = merge_poll(held.assets, poll.assets, poll.types)
        self._seen_types.update(a.asset_type for a in assets.values())
        smart = {**held.smart, **poll.smart}
        return EnodeSnapshot(
            user=poll.user,
            assets=assets,
            smart={k: v for k, v in smart.items() if k in assets},
            overrides={k: v for k, v in held.overrides.items() if k in assets},
            locations=held.locations if poll.locations is None else poll.locations,
            schedules=poll.schedules,
        )

    @callback
    def async_apply_poll(self, poll: Poll) -> None:
        """Merge a poll made on the other cadence (the safety poll)."""
        self._async_set(self._merged(poll))

    @callback
    def async_put_schedule(self, schedule: Schedule, status: ScheduleStatus | None = None) -> None:
        """Hold a schedule (and its status): a pushed execution event or an action's answer."""
        schedules = self.snapshot.schedules.with_schedule(schedule, status)
        self._async_set(replace(self.snapshot, schedules=schedules))

    @callback
    def async_drop_schedule(self, schedule_id: str) -> None:
        """Forget a schedule the user deleted."""
        schedules = self.snapshot.schedules.without(schedule_id)
        self._async_set(replace(self.snapshot, schedules=schedules))

    def async_apply_smart_status(self, vehicle_id: str, status: SmartChargingStatus) -> bool:
        """Merge a pushed smart charging status; False when older than the held one."""
        snapshot = self.snapshot
        held = snapshot.smart.get(vehicle_id)
        if (
            held is not None
            and held.updated_at is not None
            and status.updated_at is not None
            and status.updated_at < held.updated_at
        ):
            return False
        self._async_set(replace(snapshot, smart={**snapshot.smart, vehicle_id: status}))
        return True

    def async_apply_policy(self, vehicle_id: str, policy: SmartChargingPolicy) -> None:
        """Show a policy Enode confirmed (the PUT is synchronous) before the vehicle event."""
        snapshot = self.snapshot
        vehicle = snapshot.assets.get(vehicle_id)
        if not isinstance(vehicle, Vehicle):
            return
        assets = {**snapshot.assets, vehicle_id: replace(vehicle, smart_charging_policy=policy)}
        self._async_set(replace(snapshot, assets=assets))

    def async_apply_override(self, asset_id: str, override: SmartOverride) -> None:
        """Remember a smart override Enode started or ended for this asset."""
        snapshot = self.snapshot
        overrides = {**snapshot.overrides, asset_id: override}
        self._async_set(replace(snapshot, overrides=overrides))

    def async_mark_no_override(self, asset_id: str) -> None:
        """Enode has no smart override for this asset: Charge now stays unavailable."""
        snapshot = self.snapshot
        if asset_id in snapshot.no_override:
            return
        LOGGER.info("Enode does not offer a smart override (Charge now) for %s", asset_id)
        self._async_set(replace(snapshot, no_override=snapshot.no_override | {asset_id}))

    def async_apply_asset(self, asset: Asset) -> bool:
        """Merge a pushed asset; False when it is older than, or of another type than, the held."""
        snapshot = self.snapshot
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
        location_id = asset.location.id if asset.location else None
        self._async_set(replace(snapshot, assets={**snapshot.assets, asset.id: asset}))
        if location_id and location_id not in snapshot.locations:
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

    async def _async_refresh_locations(self) -> None:
        try:
            locations = await self._async_list_locations()
        except EnodeError as err:
            LOGGER.debug("Could not list the Enode Locations: %s", err)
            return
        if locations != self.snapshot.locations:
            self._async_set(replace(self.snapshot, locations=locations))

    def async_mark_credentials_invalid(self, vendor: str) -> None:
        """Hold what `user:credentials:invalidated` said until a poll brings the user again.

        Otherwise the next update would mirror the held (still valid) user into the repair
        issues and delete the issue the event just raised.
        """
        snapshot = self.snapshot
        user = snapshot.user
        if user is None:
            return
        vendors = tuple(
            replace(linked, is_valid=False) if linked.vendor == vendor else linked
            for linked in user.linked_vendors
        )
        if vendors != user.linked_vendors:
            self._async_set(replace(snapshot, user=replace(user, linked_vendors=vendors)))

    def async_remove_asset(self, asset_id: str) -> None:
        """Forget an asset Enode reported as deleted."""
        snapshot = self.snapshot
        if asset_id not in snapshot.assets:
            return
        assets = {k: v for k, v in snapshot.assets.items() if k != asset_id}
        self._async_set(replace(snapshot, assets=assets))


class SafetyPoll(DataUpdateCoordinator[Poll]):
    """The daily full poll: its own cadence, so deliveries never postpone it.

    Setting pushed data reschedules a coordinator's refresh, so the assets coordinator's own
    interval would never come while events arrive. This one has no other data: its listener
    merges each poll into the assets coordinator (never older than what push applied), and a
    failure here leaves the assets coordinator (and the entities' availability) untouched.
    """

    config_entry: EnodeConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: EnodeConfigEntry, assets: EnodeCoordinator
    ) -> None:
        """Attach to the assets coordinator; the first poll is one interval after setup."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} safety poll",
            update_interval=POLL_INTERVAL_PUSH,
        )
        self._assets = assets
        self._applied: Poll | None = None
        entry.async_on_unload(self.async_add_listener(self._async_polled))

    async def _async_update_data(self) -> Poll:
        return await self._assets.async_fetch()

    @callback
    def _async_polled(self) -> None:
        """Merge a new poll (listeners also hear about failures: nothing new to merge then)."""
        if self.data is not None and self.data is not self._applied:
            self._applied = self.data
            self._assets.async_apply_poll(self.data)
