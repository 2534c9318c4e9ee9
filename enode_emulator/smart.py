"""Vehicle smart charging and smart override on the emulator clock (SMART.md sections 1-3).

Engine: when a vehicle with smart charging enabled is plugged in at a Location that has prices,
a plan is made: charge at once up to `minimumChargeLimit`, then in the cheapest 15-minute slots
before the deadline (local time of the Location) until `chargeLimit`, at the vehicle's charge
rate. The engine starts and stops charging with ordinary charge actions (so the action delay,
admin outcomes and physics all apply) and walks the `PLAN:EXECUTING:*` states until the plan
ends (`PLAN:ENDED:*`). Every status change emits `user:vehicle:smart-charging-status-updated`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math
from typing import Any
import uuid

from .actions import ActionManager
from .assets import charge_rate_kw
from .clock import iso
from .locations import Pricing, hour_minute
from .models import JSON, Asset, Site, changed_fields
from .problems import ProblemError
from .profiles import zone
from .state import Store

SLOT = timedelta(minutes=15)
RETRY = timedelta(minutes=5)
#: Vendors that refuse a low protective charge level (SMART.md 1.1: Mercedes, not below 50 %).
VENDOR_MINIMUM = {"MERCEDES": 50.0}
_INVALID = "Payload validation failed"
_REFUSED = "Smart Charging Policy Rejected"
EXECUTING = "PLAN:EXECUTING:"


@dataclass
class VehicleSmart:
    """Hidden smart charging state of one vehicle."""

    state: str
    changed_at: datetime
    status: JSON | None = None
    plan: JSON | None = None
    active: bool = False
    slots: list[tuple[datetime, datetime]] = field(default_factory=list)
    minimum: float = 0.0
    deadline: str | None = None
    deadline_at: datetime | None = None
    created_at: datetime | None = None
    action_id: str | None = None
    retry_at: datetime | None = None
    failure: str | None = None


@dataclass
class OverrideRecord:
    """An active smart override and whether its target has started charging."""

    data: JSON
    started: bool


class SmartCharging:
    """Policies, statuses, plans and overrides of every vehicle and charger."""

    def __init__(self, store: Store, actions: ActionManager, pricing: Pricing) -> None:
        """Initialise the engine."""
        self.store = store
        self.actions = actions
        self.pricing = pricing
        self.vehicles: dict[str, VehicleSmart] = {}
        self.plans: dict[str, JSON] = {}
        self.latest: dict[str, str] = {}
        self.overrides: dict[str, OverrideRecord] = {}
        #: Vehicle ids whose smart charging another user already enabled (admin toggle).
        self.claimed: set[str] = set()
        self._ticked: datetime | None = None
        store.removal_hooks.append(self._asset_removed)

    # Policy

    def put_policy(self, vehicle: Asset, body: Any) -> JSON:
        """Validate a partial policy, store it and re-evaluate (SMART.md 1.1)."""
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object", _INVALID)
        policy = dict(vehicle.data["smartChargingPolicy"])
        if "isEnabled" in body:
            if not isinstance(body["isEnabled"], bool):
                raise ProblemError(400, '"isEnabled" must be a boolean', _INVALID)
            policy["isEnabled"] = body["isEnabled"]
        if "deadline" in body:
            # [?] SMART.md 1.1: whether null clears the deadline is unknown; accepted here.
            if body["deadline"] is not None:
                hour_minute(body["deadline"], "deadline")
            policy["deadline"] = body["deadline"]
        if "minimumChargeLimit" in body:
            value = body["minimumChargeLimit"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProblemError(400, '"minimumChargeLimit" must be a number', _INVALID)
            if not 0 <= value <= 100:
                raise ProblemError(400, '"minimumChargeLimit" must be between 0 and 100', _INVALID)
            policy["minimumChargeLimit"] = value
        self._check_policy(vehicle, policy, body)
        before = copy.deepcopy(vehicle.data)
        if policy["isEnabled"] and not vehicle.data["smartChargingPolicy"]["isEnabled"]:
            # Smart charging and schedules exclude each other (SMART.md 1.1, 5.4).
            vehicle.schedule_controlled = False
        vehicle.data["smartChargingPolicy"] = policy
        self.store.commit(vehicle, before)
        self.evaluate(vehicle, self.store.clock.now())
        return dict(policy)

    def _check_policy(self, vehicle: Asset, policy: JSON, body: JSON) -> None:
        """Raise the documented 400s (SMART.md 1.1); each cause has its own title/detail."""
        limit = vehicle.data["chargeState"].get("chargeLimit")
        minimum = float(policy.get("minimumChargeLimit") or 0)
        if limit is not None and minimum > float(limit):
            raise ProblemError(
                400,
                f"minimumChargeLimit ({minimum:g}) is above the vehicle's charge limit "
                f"({float(limit):g}): maxChargeLimit < minChargeLimit",
                _REFUSED,
            )
        default = VENDOR_MINIMUM.get(vehicle.vendor, 0.0)
        threshold = float(vehicle.sim.get("smartMinimumThreshold", default))
        if policy["isEnabled"] and minimum < threshold:
            raise ProblemError(
                400,
                f"minimumChargeLimit must not be below the vendor threshold of {threshold:g} % "
                f"for {vehicle.vendor} vehicles",
                _REFUSED,
            )
        if not policy["isEnabled"]:
            return
        if vehicle.id in self.claimed:
            raise ProblemError(
                400,
                "Another user has already enabled smart charging for this vehicle",
                _REFUSED,
            )
        if not policy.get("deadline"):
            raise ProblemError(400, "A deadline is required to enable smart charging", _REFUSED)
        capabilities = vehicle.data["capabilities"]
        if not all(
            capabilities.get(key, {}).get("isCapable")
            for key in ("smartCharging", "startCharging", "stopCharging")
        ):
            raise ProblemError(
                400,
                "The vehicle lacks the scopes or controls smart charging needs",
                _REFUSED,
            )
        site = self._site(vehicle)
        candidates = [site] if site is not None else self.pricing.locations_of(vehicle.user_id)
        if not any(self.pricing.has_prices(item) for item in candidates):
            raise ProblemError(
                400,
                "The user has no price area or tariffs for smart charging",
                _REFUSED,
            )

    # Status and plans

    def status(self, vehicle: Asset) -> JSON:
        """Return the current smart charging status (evaluated now)."""
        self.evaluate(vehicle, self.store.clock.now())
        return copy.deepcopy(self._smart(vehicle).status or {})

    def plan(self, vehicle: Asset, plan_id: str) -> JSON:
        """Return a plan by id or `latest` (404 when unknown or none yet)."""
        key = self.latest.get(vehicle.id) if plan_id == "latest" else plan_id
        plan = self.plans.get(key or "")
        if plan is None or plan["vehicleId"] != vehicle.id:
            raise ProblemError(404, f"No smart charging plan {plan_id}", "Entity Not Found")
        return copy.deepcopy(plan)

    def controls(self, vehicle: Asset) -> bool:
        """Return whether an active plan controls the vehicle (no override): user charge → 422."""
        smart = self.vehicles.get(vehicle.id)
        return bool(smart and smart.active and vehicle.id not in self.overrides)

    # Overrides (SMART.md 3)

    def create_override(self, asset: Asset) -> JSON:
        """Start charging now without disabling smart charging or a schedule."""
        if not asset.data["capabilities"].get("startCharging", {}).get("isCapable"):
            raise ProblemError(
                400, f"The {asset.kind} is not capable of startCharging.", "Action Rejected"
            )
        state = asset.data["chargeState"]
        if not state["isPluggedIn"]:
            # [?] SMART.md 3.1 / 13.5: the error for an unplugged target is not documented.
            raise ProblemError(400, f"The {asset.kind} is not plugged in.", "Action Rejected")
        existing = self.overrides.get(asset.id)
        if existing is not None:
            return copy.deepcopy(existing.data)
        action = None
        if not state["isCharging"]:
            action = self.actions.create(asset, "charging", "START")
        data: JSON = {
            "createdAt": iso(self.store.clock.now()),
            "endedAt": None,
            "targetType": asset.kind,
            "targetId": asset.id,
            "vendorActionId": action.data["id"] if action else None,
            "userId": asset.user_id,
            "vendor": asset.vendor,
        }
        self.overrides[asset.id] = OverrideRecord(data, started=action is None)
        if asset.kind == "vehicle":
            smart = self.vehicles.get(asset.id)
            if smart is not None and smart.action_id is not None:
                smart.action_id = None  # replaced by the override's action
            self.evaluate(asset, self.store.clock.now())
        return copy.deepcopy(data)

    def end_override(self, asset: Asset) -> JSON:
        """End an override (charging is not stopped; the plan regains control)."""
        record = self.overrides.pop(asset.id, None)
        if record is None:
            raise ProblemError(404, "No Smart Override Exists", "Entity Not Found")
        record.data["endedAt"] = iso(self.store.clock.now())
        if asset.kind == "vehicle":
            self.evaluate(asset, self.store.clock.now())
        return copy.deepcopy(record.data)

    def _override_status(self, asset_id: str) -> JSON | None:
        record = self.overrides.get(asset_id)
        if record is None:
            return None
        keys = ("createdAt", "endedAt", "targetType", "targetId", "vendorActionId")
        return {key: record.data[key] for key in keys}

    def _check_overrides(self) -> None:
        """An override lasts until its target stops charging for any reason (SMART.md 3.3)."""
        for asset_id, record in list(self.overrides.items()):
            asset = self.store.assets.get(asset_id)
            if asset is None:
                del self.overrides[asset_id]
                continue
            charging = bool(asset.data["chargeState"]["isCharging"])
            action = self.actions.actions.get(str(record.data["vendorActionId"]))
            failed = action is not None and action.data["state"] in ("FAILED", "CANCELLED")
            if charging:
                record.started = True
            elif record.started or failed:
                record.data["endedAt"] = iso(self.store.clock.now())
                del self.overrides[asset_id]

    # Clock

    def next_due(self) -> datetime | None:
        """Return the next slot boundary of an active plan after the last tick."""
        after = self._ticked
        dues = [
            moment
            for smart in self.vehicles.values()
            if smart.active
            for start, end in smart.slots
            for moment in (start, end)
            if after is None or moment > after
        ]
        return min(dues) if dues else None

    def tick(self, now: datetime) -> None:
        """Re-evaluate every override and vehicle (after physics and actions)."""
        self._ticked = now
        self._check_overrides()
        for vehicle in self.store.assets_of("vehicle"):
            self.evaluate(vehicle, now)

    # Engine

    def _smart(self, vehicle: Asset) -> VehicleSmart:
        smart = self.vehicles.get(vehicle.id)
        if smart is None:
            smart = VehicleSmart(state="DISABLED", changed_at=self.store.clock.now())
            self.vehicles[vehicle.id] = smart
        return smart

    def _site(self, vehicle: Asset) -> Site | None:
        location_id = vehicle.data.get("location", {}).get("id")
        site = self.store.sites.get(str(location_id)) if location_id else None
        return site if site is not None and not site.deleted else None

    def evaluate(self, vehicle: Asset, now: datetime) -> None:
        """Run the state machine for one vehicle and emit an event when the status changed."""
        smart = self._smart(vehicle)
        self._check_overrides()
        state = self._next_state(vehicle, smart, now)
        if state != smart.state:
            smart.state, smart.changed_at = state, now
        self._publish(vehicle, smart, now)

    def _next_state(self, vehicle: Asset, smart: VehicleSmart, now: datetime) -> str:
        policy = vehicle.data["smartChargingPolicy"]
        charge = vehicle.data["chargeState"]
        site = self._site(vehicle)
        if not policy["isEnabled"]:
            if smart.active:
                self._end(vehicle, smart, now, "PLAN:ENDED:DISABLED")
            smart.plan = None
            return "DISABLED"
        if not vehicle.data["capabilities"].get("smartCharging", {}).get("isCapable"):
            if smart.active:
                self._end(vehicle, smart, now, "PLAN:ENDED:FAILED", "UNKNOWN")
            smart.plan = None
            return "UNKNOWN"
        if smart.active:
            if not charge["isPluggedIn"] or site is None:
                return self._end(vehicle, smart, now, "PLAN:ENDED:UNPLUGGED")
            if policy.get("deadline") != smart.deadline:
                self._end(vehicle, smart, now, "PLAN:ENDED:DEADLINE_CHANGED")
                smart.state, smart.changed_at = "PLAN:ENDED:DEADLINE_CHANGED", now
                self._publish(vehicle, smart, now)
            elif self._full(vehicle):
                return self._finish(vehicle, smart, now)
            elif (
                smart.failure is not None
                and smart.deadline_at is not None
                and now >= smart.deadline_at
            ):
                return self._end(vehicle, smart, now, "PLAN:ENDED:FAILED", smart.failure)
            else:
                return self._execute(vehicle, smart, now)
        here = bool(charge["isPluggedIn"]) and site is not None
        if smart.state == "PLAN:ENDED:UNPLUGGED" and not charge["isPluggedIn"]:
            return smart.state  # visible until the vehicle is plugged in again
        if smart.state in ("PLAN:ENDED:FINISHED", "PLAN:ENDED:FAILED") and here:
            return smart.state  # visible until the vehicle is unplugged or leaves
        smart.plan = None
        if not charge["isPluggedIn"] or site is None:
            return "CONSIDERING"
        if not self.pricing.has_prices(site):
            return "UNKNOWN"
        if self._full(vehicle):
            return "FULLY_CHARGED"
        if not policy.get("deadline"):
            return "CONSIDERING"
        self._make_plan(vehicle, smart, site, now)
        return self._execute(vehicle, smart, now)

    def _full(self, vehicle: Asset) -> bool:
        charge = vehicle.data["chargeState"]
        limit = float(charge["chargeLimit"] if charge["chargeLimit"] is not None else 100)
        return bool(charge["isFullyCharged"]) or float(vehicle.sim["level"]) >= limit - 0.05

    def rate_kw(self, vehicle: Asset) -> float:
        """Return the vehicle's charge rate in kW (the same formula as the physics)."""
        charge = vehicle.data["chargeState"]
        return min(
            float(vehicle.sim["maxChargeKw"]),
            charge_rate_kw(float(charge["maxCurrent"] or 16), int(vehicle.sim["phases"])),
        )

    def _make_plan(self, vehicle: Asset, smart: VehicleSmart, site: Site, now: datetime) -> None:
        policy = vehicle.data["smartChargingPolicy"]
        charge = vehicle.data["chargeState"]
        capacity = float(charge["batteryCapacity"] or 1)
        limit = float(charge["chargeLimit"] if charge["chargeLimit"] is not None else 100)
        level = float(vehicle.sim["level"])
        minimum = min(float(policy.get("minimumChargeLimit") or 0), limit)
        rate = max(self.rate_kw(vehicle), 0.1)
        deadline_at = _next_local(site, str(policy["deadline"]), now)
        energy = max(0.0, limit - level) / 100 * capacity
        energy_min = max(0.0, minimum - level) / 100 * capacity
        min_end = now + timedelta(hours=energy_min / rate)
        # Candidate slots on the quarter-hour grid from the end of protective charging.
        slots: list[tuple[datetime, datetime, float]] = []
        start = min_end
        while start < deadline_at:
            end = min(_ceil_quarter(start + timedelta(seconds=1)), deadline_at)
            price = self.pricing.price_at(site, start)
            slots.append((start, end, math.inf if price is None else price))
            start = end
        needed = energy - energy_min
        chosen: list[tuple[datetime, datetime]] = []
        for start, end, _ in sorted(slots, key=lambda item: (item[2], item[0])):
            if needed <= 1e-9:
                break
            hours = (end - start).total_seconds() / 3600
            take = min(hours, needed / rate)
            chosen.append((start, start + timedelta(hours=take)))
            needed -= take * rate
        if needed > 1e-9:
            # Not enough time before the deadline: charge on after it (it finishes late).
            tail = max([deadline_at, min_end, *(end for _, end in chosen)])
            chosen.append((tail, tail + timedelta(hours=needed / rate)))
        chosen = _merge(sorted(chosen))
        finish = chosen[-1][1] if chosen else min_end
        smart_cost = self._cost(site, now, min_end, rate) + sum(
            self._cost(site, start, end, rate) for start, end in chosen
        )
        plain_cost = self._cost(site, now, now + timedelta(hours=energy / rate), rate)
        plan_id = str(uuid.uuid4())
        smart.plan = {
            "id": plan_id,
            "vehicleId": vehicle.id,
            "userId": vehicle.user_id,
            "locationId": site.id,
            "vendor": vehicle.vendor,
            "currency": site.currency,
            "nonSmartCost": round(plain_cost, 2),
            "smartCost": round(smart_cost, 2),
            "stopAt": iso(min_end),
            "startAt": iso(chosen[0][0]) if chosen else None,
            "estimatedFinishAt": iso(finish),
            "stopConfirmedAt": None,
            "startConfirmedAt": None,
            "endedAt": None,
            "finalState": None,
            "failureCondition": None,
            # Deprecated in [O] (SMART.md 2.3); kept because [O] still lists them as required.
            "externalStart": None,
            "chargingLocationId": site.id,
        }
        smart.active = True
        smart.slots = chosen
        smart.minimum = minimum
        smart.deadline = str(policy["deadline"])
        smart.deadline_at = deadline_at
        smart.created_at = now
        smart.action_id = None
        smart.retry_at = None
        smart.failure = None
        self.plans[plan_id] = smart.plan
        self.latest[vehicle.id] = plan_id

    def _cost(self, site: Site, start: datetime, end: datetime, rate: float) -> float:
        total = 0.0
        moment = start
        while moment < end:
            step_end = min(_ceil_quarter(moment + timedelta(seconds=1)), end)
            price = self.pricing.price_at(site, moment) or 0.0
            total += price * rate * (step_end - moment).total_seconds() / 3600
            moment = step_end
        return total

    def should_charge(self, vehicle: Asset, smart: VehicleSmart, now: datetime) -> bool:
        """Return whether the plan wants the vehicle charging at `now`."""
        if float(vehicle.sim["level"]) < smart.minimum - 0.05:
            return True
        if any(start <= now < end for start, end in smart.slots):
            return True
        last_end = smart.slots[-1][1] if smart.slots else None
        # Past the last slot but not full (the rate changed, ...): charge on, finishing late.
        return last_end is not None and now >= last_end

    def _execute(self, vehicle: Asset, smart: VehicleSmart, now: datetime) -> str:
        plan = smart.plan
        if plan is None:  # pragma: no cover - _execute only runs with an active plan
            return smart.state
        charge = vehicle.data["chargeState"]
        charging = bool(charge["isCharging"])
        if charging and plan["startConfirmedAt"] is None:
            plan["startConfirmedAt"] = iso(now)
        if not charging and plan["stopConfirmedAt"] is None:
            plan["stopConfirmedAt"] = iso(now)
        override = self._override_status(vehicle.id)
        plan["externalStart"] = override
        if override is not None:
            smart.action_id = None
            return "PLAN:EXECUTING:OVERRIDDEN"
        want = self.should_charge(vehicle, smart, now)
        action = self.actions.actions.get(smart.action_id or "")
        if action is not None and action.pending:
            return (
                "PLAN:EXECUTING:STARTING" if action.target == "START" else "PLAN:EXECUTING:STOPPING"
            )
        if action is not None and action.data["state"] != "CONFIRMED":
            smart.action_id = None
            smart.retry_at = now + RETRY
            smart.failure = "START_FAILED" if action.target == "START" else "STOP_FAILED"
            return f"PLAN:EXECUTING:{smart.failure}"
        smart.action_id = None
        waiting = smart.retry_at is not None and now < smart.retry_at
        if want:
            if charging:
                smart.retry_at = None
                return "PLAN:EXECUTING:STARTED"
            if smart.state == "PLAN:EXECUTING:STARTED":
                # Charging stopped although the plan wants it (stopped at the car, ...).
                smart.retry_at = now + RETRY
                return "PLAN:EXECUTING:CHARGE_INTERRUPTED"
            if waiting:
                return smart.state
            smart.action_id = self.actions.create(vehicle, "charging", "START").data["id"]
            return "PLAN:EXECUTING:STARTING"
        if not charging:
            smart.retry_at = None
            return "PLAN:EXECUTING:STOPPED"
        if waiting:
            return smart.state
        smart.action_id = self.actions.create(vehicle, "charging", "STOP").data["id"]
        return "PLAN:EXECUTING:STOPPING"

    def _finish(self, vehicle: Asset, smart: VehicleSmart, now: datetime) -> str:
        deadline_at, created_at = smart.deadline_at or now, smart.created_at or now
        window = (deadline_at - created_at).total_seconds()
        late = (now - deadline_at).total_seconds()
        if late > 0.15 * window:
            # SMART.md 2.3: failureCondition is set with finalState FAILED; FINISHED_LATE is
            # read as "finished more than 15 % of the plan's time window after the deadline".
            return self._end(vehicle, smart, now, "PLAN:ENDED:FAILED", "FINISHED_LATE")
        return self._end(vehicle, smart, now, "PLAN:ENDED:FINISHED")

    def _end(
        self,
        vehicle: Asset,
        smart: VehicleSmart,
        now: datetime,
        final: str,
        failure: str | None = None,
    ) -> str:
        del vehicle
        if smart.plan is not None:
            smart.plan["endedAt"] = iso(now)
            smart.plan["finalState"] = final
            smart.plan["failureCondition"] = failure
        smart.active = False
        smart.slots = []
        smart.action_id = None
        return final

    def _publish(self, vehicle: Asset, smart: VehicleSmart, now: datetime) -> None:
        charge = vehicle.data["chargeState"]
        policy = vehicle.data["smartChargingPolicy"]
        consideration = None
        if policy["isEnabled"]:
            consideration = {
                "isPluggedIn": bool(charge["isPluggedIn"]),
                "isCharging": bool(charge["isCharging"]),
                "atChargingLocation": self._site(vehicle) is not None,
                "hasTimeEstimate": self.rate_kw(vehicle) > 0,
            }
        status: JSON = {
            "updatedAt": iso(now),
            "vehicleId": vehicle.id,
            "userId": vehicle.user_id,
            "vendor": vehicle.vendor,
            "state": smart.state,
            "stateChangedAt": iso(smart.changed_at),
            "consideration": consideration,
            "plan": copy.deepcopy(smart.plan) if smart.state.startswith("PLAN:") else None,
            "smartOverride": self._override_status(vehicle.id),
        }
        # The first evaluation compares against the default DISABLED status.
        previous = smart.status or {
            **status,
            "state": "DISABLED",
            "consideration": None,
            "plan": None,
            "smartOverride": None,
        }
        smart.status = status
        fields = [name for name in changed_fields(previous, status) if name != "updatedAt"]
        if fields:
            self.store.bus.emit(
                "user:vehicle:smart-charging-status-updated",
                vehicle.user_id,
                {"smartChargingStatus": status, "updatedFields": fields},
            )

    def _asset_removed(self, asset: Asset) -> None:
        self.vehicles.pop(asset.id, None)
        self.overrides.pop(asset.id, None)


def _ceil_quarter(moment: datetime) -> datetime:
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + SLOT


def _merge(slots: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in slots:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _next_local(site: Site, hhmm: str, now: datetime) -> datetime:
    """Return the next moment after `now` when the Location's local clock shows HH:MM."""
    local = now.astimezone(zone(site.timezone))
    hours, mins = (int(part) for part in hhmm.split(":"))
    candidate = local.replace(hour=hours, minute=mins, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + timedelta(days=1)).replace(hour=hours, minute=mins)
    return candidate.astimezone(now.tzinfo)
