"""Schedules (SMART.md 5): CRUD, validation and execution on the emulator clock.

A charge schedule (vehicle or charger) says per rule whether the target should charge; a
temperature schedule (HVAC) says which target state it should hold. Every tick each schedule is
evaluated: its status (`ScheduleState`) follows the target, and a misaligned target gets the same
vendor action a user command creates (`ActionManager.create`: charging START/STOP, permanentHold,
followSchedule), so action delay, admin outcomes and physics apply. A status change emits
`user:schedule:execution-updated`. An enabled schedule marks its target `schedule_controlled`, so
user controls answer the documented 422 (routes_control.py). A vehicle schedule and smart charging
exclude each other (SMART.md 5.4): the one enabled last wins.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
import uuid

from .actions import ActionManager
from .clock import iso
from .locations import hour_minute
from .models import JSON, Asset, Site
from .problems import ProblemError
from .profiles import zone
from .smart import SmartCharging
from .state import Store

RETRY = timedelta(minutes=5)
_INVALID = "Payload validation failed"
_FILTER_KEYS = ("hourMinute", "fromTimestamp", "toTimestamp", "weekdays")
_CHARGE_TARGETS = ("vehicle", "charger")
_HVAC_MODES = ("HEAT", "COOL", "AUTO", "OFF")
# How far ahead upcoming transitions are searched (a weekly schedule repeats within 8 days).
_HORIZON = timedelta(days=8)


@dataclass
class ScheduleRecord:
    """One schedule: its API object plus the execution state behind its status."""

    data: JSON
    user_id: str
    seq: int
    state: str = "PENDING"
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    action_id: str | None = None
    retry_at: datetime | None = None
    status: JSON | None = None

    @property
    def kind(self) -> str:
        """CHARGE or TEMPERATURE."""
        return "TEMPERATURE" if self.data["targetType"] == "hvac" else "CHARGE"


def _bad(detail: str) -> ProblemError:
    return ProblemError(400, detail, _INVALID)


def _parse_time(value: Any, key: str) -> datetime:
    if not isinstance(value, str):
        raise _bad(f'"{key}" must be a date-time string')
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise _bad(f'"{key}" is not a valid date-time: {value}') from err
    if moment.tzinfo is None:
        raise _bad(f'"{key}" must include a time zone')
    return moment


def _check_filters(rule: JSON, index: int) -> None:
    where = f"rules[{index}]"
    if "hourMinute" in rule:
        window = rule["hourMinute"]
        if not isinstance(window, dict) or set(window) != {"from", "to"}:
            raise _bad(f'"{where}.hourMinute" must be an object with "from" and "to"')
        hour_minute(window["from"], f"{where}.hourMinute.from")
        hour_minute(window["to"], f"{where}.hourMinute.to")
    start = (
        _parse_time(rule["fromTimestamp"], f"{where}.fromTimestamp")
        if ("fromTimestamp" in rule)
        else None
    )
    end = (
        _parse_time(rule["toTimestamp"], f"{where}.toTimestamp")
        if ("toTimestamp" in rule)
        else None
    )
    if start is not None and end is not None and end <= start:
        raise _bad(f'"{where}.toTimestamp" must be after "fromTimestamp"')
    if "weekdays" in rule:
        days = rule["weekdays"]
        if (
            not isinstance(days, list)
            or not days
            or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
        ):
            raise _bad(f'"{where}.weekdays" must be a non-empty list of integers 0-6')


def _check_target_state(value: Any, key: str, caps: JSON | None) -> JSON:
    """Validate a temperature target state (SMART.md 5.3) and return a clean copy."""
    if not isinstance(value, dict):
        raise _bad(f'"{key}" must be an object')
    hold = value.get("holdType")
    if hold == "SCHEDULED":
        if set(value) != {"holdType"}:
            raise _bad(f'"{key}" with holdType SCHEDULED takes no other keys')
        return {"holdType": "SCHEDULED"}
    if hold != "PERMANENT":
        raise _bad(f'"{key}.holdType" must be SCHEDULED or PERMANENT')
    mode = value.get("mode")
    if mode not in _HVAC_MODES:
        raise _bad(f'"{key}.mode" must be one of {list(_HVAC_MODES)}')
    needed = {
        "HEAT": ["heatSetpoint"],
        "COOL": ["coolSetpoint"],
        "AUTO": ["heatSetpoint", "coolSetpoint"],
        "OFF": [],
    }[mode]
    extra = set(value) - {"holdType", "mode", *needed}
    if extra:
        raise _bad(f'"{key}" has keys not allowed for mode {mode}: {sorted(extra)}')
    clean: JSON = {"holdType": "PERMANENT", "mode": mode}
    for name in needed:
        number = value.get(name)
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _bad(f'"{key}.{name}" must be a number')
        bounds = (caps or {}).get(name.replace("Setpoint", "SetpointRange")) or {}
        low, high = bounds.get("min"), bounds.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            raise _bad(f'"{key}.{name}" must be between {low} and {high}')
        clean[name] = number
    return clean


def _window_active(rule: JSON, local: datetime, now: datetime) -> bool:
    """Whether a rule's filters all hold at `now` (`local` = now on the schedule's clock)."""
    if "fromTimestamp" in rule and now < _parse_time(rule["fromTimestamp"], "fromTimestamp"):
        return False
    if "toTimestamp" in rule and now >= _parse_time(rule["toTimestamp"], "toTimestamp"):
        return False
    day = local.weekday()
    if "hourMinute" in rule:
        start = hour_minute(rule["hourMinute"]["from"], "from")
        end = hour_minute(rule["hourMinute"]["to"], "to")
        current = local.hour * 60 + local.minute
        if end > start:
            inside = start <= current < end
        else:
            # `to` resolves after `from`: the window crosses midnight (or spans 24 h if equal);
            # the weekday filter applies to the day the window started on.
            inside = current >= start or current < end
            if current < end and not current >= start:
                day = (day - 1) % 7
        if not inside:
            return False
    return "weekdays" not in rule or day in rule["weekdays"]


class Schedules:
    """Every schedule of the emulator and their execution."""

    def __init__(self, store: Store, actions: ActionManager, smart: SmartCharging) -> None:
        """Initialise an empty set of schedules."""
        self.store = store
        self.actions = actions
        self.smart = smart
        self.records: dict[str, ScheduleRecord] = {}
        self._ticked: datetime | None = None
        store.removal_hooks.append(self._asset_removed)

    # CRUD (SMART.md 5.1)

    def list_for(self, user_id: str) -> list[ScheduleRecord]:
        """Return a user's schedules in creation order."""
        self.store.get_user(user_id)
        self._exclusion()
        return sorted(
            (r for r in self.records.values() if r.user_id == user_id), key=lambda r: r.seq
        )

    def get(self, schedule_id: str) -> ScheduleRecord:
        """Return a schedule or raise 404."""
        self._exclusion()
        record = self.records.get(schedule_id)
        if record is None:
            raise ProblemError(404, f"Schedule {schedule_id} not found", "Entity Not Found")
        return record

    def create(self, user_id: str, body: Any) -> JSON:
        """Validate and store a new schedule (200 with the Schedule, SMART.md 5.1)."""
        user = self.store.get_user(user_id)
        if not isinstance(body, dict):
            raise _bad("The body must be a JSON object")
        data = self._validate(user.id, body, None)
        data = {"id": str(uuid.uuid4()), **data}
        now = self.store.clock.now()
        record = ScheduleRecord(data, user.id, self.store.next_seq(), changed_at=now)
        self.records[data["id"]] = record
        if data["isEnabled"]:
            self._enabled(record)
        self.evaluate(record, now)
        return copy.deepcopy(record.data)

    def update(self, schedule_id: str, body: Any) -> JSON:
        """Apply a partial update (any subset of the keys; the result is validated whole)."""
        record = self.get(schedule_id)
        if not isinstance(body, dict):
            raise _bad("The body must be a JSON object")
        if "id" in body and body["id"] != schedule_id:
            raise _bad('"id" cannot be changed')
        merged = {**{k: v for k, v in record.data.items() if k != "id"}, **body}
        merged.pop("id", None)
        was_enabled = record.data["isEnabled"]
        data = self._validate(record.user_id, merged, record)
        target_changed = (data["targetType"], data["targetId"]) != (
            record.data["targetType"],
            record.data["targetId"],
        )
        old_target = record.data["targetId"]
        record.data = {"id": schedule_id, **data}
        if target_changed:
            record.action_id = None
        if data["isEnabled"] and (not was_enabled or target_changed):
            self._enabled(record)
        self._sync_controlled(old_target)
        self.evaluate(record, self.store.clock.now())
        return copy.deepcopy(record.data)

    def delete(self, schedule_id: str) -> None:
        """Delete a schedule (204); its target is no longer schedule-controlled."""
        record = self.get(schedule_id)
        del self.records[schedule_id]
        self._sync_controlled(record.data["targetId"])

    def status(self, schedule_id: str) -> JSON:
        """Return the ScheduleStatus (SMART.md 5.5), evaluated now."""
        record = self.get(schedule_id)
        self.evaluate(record, self.store.clock.now())
        return copy.deepcopy(record.status or {})

    def _validate(self, user_id: str, body: JSON, record: ScheduleRecord | None) -> JSON:
        """Check a whole schedule body and return the stored API object (without id)."""
        target_type = body.get("targetType")
        if target_type not in (*_CHARGE_TARGETS, "hvac"):
            raise _bad('"targetType" must be one of vehicle, charger, hvac')
        target_id = body.get("targetId")
        if not isinstance(target_id, str) or not target_id:
            raise _bad('"targetId" must be a non-empty string')
        asset = self.store.assets.get(target_id)
        if asset is None or asset.kind != target_type or asset.user_id != user_id:
            raise ProblemError(404, f"{target_type} {target_id} not found", "Entity Not Found")
        enabled = body.get("isEnabled", True)
        if not isinstance(enabled, bool):
            raise _bad('"isEnabled" must be a boolean')
        rules = body.get("rules")
        if not isinstance(rules, list):
            raise _bad('"rules" must be a list')
        charge = target_type in _CHARGE_TARGETS
        allowed = {
            *(
                (
                    "isEnabled",
                    "defaultShouldCharge",
                    "rules",
                    "targetId",
                    "targetType",
                    "locationId",
                )
                if charge
                else ("isEnabled", "defaultTargetState", "rules", "targetId", "targetType")
            ),
        }
        extra = set(body) - allowed
        if extra:
            raise _bad(
                f"Keys not allowed in a {'charge' if charge else 'temperature'} schedule: "
                f"{sorted(extra)}"
            )
        data: JSON = {"isEnabled": enabled, "targetId": target_id, "targetType": target_type}
        clean_rules: list[JSON] = []
        caps = asset.data.get("capabilities")
        value_key = "shouldCharge" if charge else "targetState"
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                raise _bad(f'"rules[{index}]" must be an object')
            unknown = set(rule) - {value_key, *_FILTER_KEYS}
            if unknown:
                raise _bad(f'"rules[{index}]" has unknown keys: {sorted(unknown)}')
            if value_key not in rule:
                raise _bad(f'"rules[{index}].{value_key}" is required')
            _check_filters(rule, index)
            clean = copy.deepcopy(rule)
            if charge:
                if not isinstance(rule["shouldCharge"], bool):
                    raise _bad(f'"rules[{index}].shouldCharge" must be a boolean')
            else:
                clean["targetState"] = _check_target_state(
                    rule["targetState"], f"rules[{index}].targetState", caps
                )
            clean_rules.append(clean)
        if charge:
            default = body.get("defaultShouldCharge")
            if not isinstance(default, bool):
                raise _bad('"defaultShouldCharge" must be a boolean')
            if "locationId" not in body:
                raise _bad('"locationId" is required (uuid or null)')
            location_id = body["locationId"]
            if location_id is not None:
                site = self.store.sites.get(location_id) if isinstance(location_id, str) else None
                if site is None or site.deleted or site.user_id != user_id:
                    raise ProblemError(404, f"Location {location_id} not found", "Entity Not Found")
            data.update(
                {"defaultShouldCharge": default, "rules": clean_rules, "locationId": location_id}
            )
        else:
            if "defaultTargetState" not in body:
                raise _bad('"defaultTargetState" is required')
            data["defaultTargetState"] = _check_target_state(
                body["defaultTargetState"], "defaultTargetState", caps
            )
            data["rules"] = clean_rules
        return data

    # Mutual exclusion and the 422 (SMART.md 3.4, 5.4)

    def _enabled(self, record: ScheduleRecord) -> None:
        """A schedule just became enabled on its target: it takes control."""
        target = self.store.assets.get(record.data["targetId"])
        if target is None:
            return
        if target.kind == "vehicle" and target.data["smartChargingPolicy"]["isEnabled"]:
            # Enabling a vehicle schedule disables smart charging (SMART.md 5.4).
            self.smart.put_policy(target, {"isEnabled": False})
        record.data["isEnabled"] = True
        self._sync_controlled(target.id)

    def _exclusion(self) -> None:
        """Smart charging enabled after a vehicle schedule disables that schedule (5.4)."""
        for record in self.records.values():
            target = self.store.assets.get(record.data["targetId"])
            if (
                record.data["isEnabled"]
                and target is not None
                and target.kind == "vehicle"
                and target.data["smartChargingPolicy"]["isEnabled"]
            ):
                record.data["isEnabled"] = False
                record.action_id = None
                self._sync_controlled(target.id)

    def _sync_controlled(self, asset_id: str) -> None:
        asset = self.store.assets.get(asset_id)
        if asset is not None:
            asset.schedule_controlled = any(
                r.data["isEnabled"] and r.data["targetId"] == asset_id
                for r in self.records.values()
            )

    # Execution on the clock

    def next_due(self) -> datetime | None:
        """Return the next rule transition of an enabled schedule after the last tick."""
        dues = [
            moment
            for record in self.records.values()
            if record.data["isEnabled"] and record.status
            for moment in (_parse_time(t["at"], "at") for t in record.status["upcomingTransitions"])
            if self._ticked is None or moment > self._ticked
        ]
        dues += [
            r.retry_at
            for r in self.records.values()
            if r.retry_at is not None and (self._ticked is None or r.retry_at > self._ticked)
        ]
        return min(dues) if dues else None

    def tick(self, now: datetime) -> None:
        """Re-evaluate every schedule (after physics, actions and smart charging)."""
        self._ticked = now
        self._exclusion()
        for record in sorted(self.records.values(), key=lambda r: r.seq):
            self.evaluate(record, now)

    def _site(self, record: ScheduleRecord, target: Asset) -> Site | None:
        location_id = record.data.get("locationId") or target.data.get("location", {}).get("id")
        site = self.store.sites.get(str(location_id)) if location_id else None
        return site if site is not None and not site.deleted else None

    def _local(self, site: Site | None, now: datetime) -> datetime:
        # [?] SMART.md 5.2 / 13.3: hourMinute read as the Location's local time, UTC without one.
        return now.astimezone(zone(site.timezone)) if site is not None else now.astimezone(UTC)

    def expected(self, record: ScheduleRecord, site: Site | None, now: datetime) -> Any:
        """The value the schedule asks for at `now`: the first matching rule, else the default."""
        # [?] SMART.md 5.2: precedence is not stated; the first matching rule wins.
        local = self._local(site, now)
        key = "shouldCharge" if record.kind == "CHARGE" else "targetState"
        for rule in record.data["rules"]:
            if _window_active(rule, local, now):
                return copy.deepcopy(rule[key])
        default = "defaultShouldCharge" if record.kind == "CHARGE" else "defaultTargetState"
        return copy.deepcopy(record.data[default])

    def transitions(self, record: ScheduleRecord, site: Site | None, now: datetime) -> list[JSON]:
        """The next (at most two) moments the expected value changes (SMART.md 5.5)."""
        candidates: set[datetime] = set()
        local_now = self._local(site, now)
        tz = local_now.tzinfo
        for rule in record.data["rules"]:
            for key in ("fromTimestamp", "toTimestamp"):
                if key in rule:
                    candidates.add(_parse_time(rule[key], key).astimezone(UTC))
            times = (
                [rule["hourMinute"]["from"], rule["hourMinute"]["to"]]
                if "hourMinute" in rule
                else ["00:00"]
                if "weekdays" in rule
                else []
            )
            for day in range(9):
                date = (local_now + timedelta(days=day)).date()
                for hhmm in times:
                    hours, mins = (int(part) for part in hhmm.split(":"))
                    moment = datetime(date.year, date.month, date.day, hours, mins, tzinfo=tz)
                    candidates.add(moment.astimezone(UTC))
        found: list[JSON] = []
        current = self.expected(record, site, now)
        key = "shouldCharge" if record.kind == "CHARGE" else "target"
        for moment in sorted(c for c in candidates if now < c <= now + _HORIZON):
            value = self.expected(record, site, moment)
            if value != current:
                found.append({"at": iso(moment), key: value})
                current = value
                if len(found) == 2:
                    break
        return found

    def evaluate(self, record: ScheduleRecord, now: datetime) -> None:
        """Run one schedule: act on its target, compute its status, emit on change."""
        target = self.store.assets.get(record.data["targetId"])
        if target is None:  # pragma: no cover - deleted targets delete their schedules
            return
        site = self._site(record, target)
        expected = self.expected(record, site, now)
        if record.kind == "CHARGE":
            status = self._charge(record, target, site, bool(expected), now)
        else:
            status = self._temperature(record, target, expected, now)
        if status["state"] != record.state:
            record.state, record.changed_at = status["state"], now
        status = {
            "scheduleId": record.data["id"],
            "scheduleType": record.kind,
            "changedAt": iso(record.changed_at),
            **status,
            "upcomingTransitions": self.transitions(record, site, now),
        }
        previous = record.status
        record.status = status
        if previous is not None and previous != status:
            fields = sorted(k for k in status if previous.get(k) != status[k])
            self.store.bus.emit(
                "user:schedule:execution-updated",
                record.user_id,
                {
                    "status": copy.deepcopy(status),
                    "schedule": copy.deepcopy(record.data),
                    "updatedFields": fields,
                },
            )

    def _inactive(self, record: ScheduleRecord, target: Asset, site: Site | None) -> str | None:
        if not record.data["isEnabled"]:
            return "INACTIVE:DISABLED"
        caps = target.data.get("capabilities", {})
        needed = (
            ("startCharging", "stopCharging")
            if record.kind == "CHARGE"
            else ("setPermanentHold", "setFollowSchedule")
        )
        if not all(caps.get(name, {}).get("isCapable") for name in needed):
            return "INACTIVE:INCAPABLE"
        if record.kind == "CHARGE":
            location_id = record.data["locationId"]
            at = target.data.get("location", {}).get("id")
            # Chargers ignore a null locationId; vehicles need to be at the schedule's Location,
            # or at some known Location when it is null [?] SMART.md 5.2.
            if location_id is not None and at != location_id:
                return "INACTIVE:AWAY"
            if location_id is None and target.kind == "vehicle" and site is None:
                return "INACTIVE:AWAY"
            if target.id in self.smart.overrides:
                return "INACTIVE:OVERRIDDEN"
        return None

    def _drive(
        self, record: ScheduleRecord, target: Asset, effect: str, value: Any, now: datetime
    ) -> str:
        """Send the correcting action (or follow the one in flight); return the state."""
        action = self.actions.actions.get(record.action_id or "")
        if action is not None and action.pending:
            return "PENDING"
        if action is not None and action.data["state"] != "CONFIRMED":
            record.action_id, record.retry_at = None, now + RETRY
            return "MISALIGNED"
        record.action_id = None
        if record.retry_at is not None and now < record.retry_at:
            return "MISALIGNED"
        record.retry_at = None
        if any(a.pending and a.asset_id == target.id for a in self.actions.actions.values()):
            return "PENDING"  # another command is in flight; look again when it resolved
        record.action_id = self.actions.create(target, effect, value).data["id"]
        return "PENDING"

    def _charge(
        self, record: ScheduleRecord, target: Asset, site: Site | None, should: bool, now: datetime
    ) -> JSON:
        charge = target.data["chargeState"]
        plugged = bool(charge.get("isPluggedIn"))
        charging = bool(charge.get("isCharging"))
        needs = not (target.kind == "vehicle" and charge.get("isFullyCharged"))
        expected = needs and plugged and should
        state = self._inactive(record, target, site)
        if state is None:
            if charging == expected:
                record.action_id, record.retry_at = None, None
                state = "ALIGNED"
            elif not plugged and not charging:
                state = "ALIGNED"  # pragma: no cover - not charging is what is expected then
            else:
                state = self._drive(
                    record, target, "charging", "START" if expected else "STOP", now
                )
        else:
            record.action_id = None
        return {
            "state": state,
            "isCharging": charging,
            "isChargingExpected": expected,
            "isChargingExpectedParts": {
                "needsCharge": needs,
                "isPluggedIn": plugged,
                "shouldCharge": should,
            },
            "smartOverride": self.smart._override_status(target.id),  # noqa: SLF001
        }

    def _temperature(
        self, record: ScheduleRecord, target: Asset, expected: JSON, now: datetime
    ) -> JSON:
        current = _current_target(target)
        state = self._inactive(record, target, None)
        if state is None:
            if _same_target(current, expected):
                record.action_id, record.retry_at = None, None
                state = "ALIGNED"
            elif expected["holdType"] == "SCHEDULED":
                state = self._drive(
                    record, target, "followSchedule", {"holdType": "SCHEDULED"}, now
                )
            else:
                state = self._drive(record, target, "permanentHold", dict(expected), now)
        else:
            record.action_id = None
        return {"state": state, "current": current, "expected": expected}

    def _asset_removed(self, asset: Asset) -> None:
        """A deleted target takes its schedules with it [?] (not stated by SMART.md)."""
        for schedule_id in [
            sid for sid, r in self.records.items() if r.data["targetId"] == asset.id
        ]:
            del self.records[schedule_id]


def _current_target(hvac: Asset) -> JSON | None:
    """The HVAC unit's current state as a target state (None when it reports none)."""
    thermo = hvac.data.get("thermostatState") or {}
    hold = thermo.get("holdType")
    if hold == "SCHEDULED":
        return {"holdType": "SCHEDULED"}
    if hold != "PERMANENT":
        return None
    mode = thermo.get("mode")
    state: JSON = {"holdType": "PERMANENT", "mode": mode}
    if mode in ("HEAT", "AUTO"):
        state["heatSetpoint"] = thermo.get("heatSetpoint")
    if mode in ("COOL", "AUTO"):
        state["coolSetpoint"] = thermo.get("coolSetpoint")
    return state


def _same_target(current: JSON | None, expected: JSON) -> bool:
    if current is None:
        return False
    if current.keys() != expected.keys():
        return False
    return all(
        abs(float(current[k]) - float(expected[k])) < 0.01
        if k.endswith("Setpoint")
        else current[k] == expected[k]
        for k in expected
    )
