"""Actions: asynchronous control commands that resolve after a delay."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
import random
from typing import Any
import uuid

from .assets import charge_rate_kw
from .catalog import AssetType
from .clock import iso
from .models import JSON, ActionOutcome, Asset, set_value
from .problems import ProblemError
from .state import Store

RESOLVED = ("CONFIRMED", "FAILED", "CANCELLED")


@dataclass
class Action:
    """An action record: the API object plus what it does when confirmed."""

    data: JSON
    asset_id: str
    kind: AssetType
    effect: (
        str  # charging, maxCurrent, chargeRateLimit, operationMode, permanentHold, followSchedule
    )
    target: Any
    due_at: datetime
    seq: int

    @property
    def pending(self) -> bool:
        """Return whether the action is still PENDING."""
        return bool(self.data["state"] == "PENDING")


class ActionManager:
    """Creates, resolves and cancels actions; one active action per asset."""

    def __init__(self, store: Store, delay: float, failure_rate: float, seed: int) -> None:
        """Initialise the manager."""
        self.store = store
        self.delay = delay
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.actions: dict[str, Action] = {}
        store.removal_hooks.append(self._asset_removed)

    def next_due(self) -> datetime | None:
        """Return when the earliest pending action resolves."""
        dues = [action.due_at for action in self.actions.values() if action.pending]
        return min(dues) if dues else None

    def get(self, kind: AssetType, action_id: str) -> Action:
        """Return an action of an asset type or raise 404."""
        action = self.actions.get(action_id)
        if action is None or action.kind != kind:
            raise ProblemError(404, f"No action with id {action_id}", "Entity Not Found")
        return action

    def create(self, asset: Asset, effect: str, target: Any) -> Action:
        """Create a PENDING action, cancelling the asset's earlier pending one.

        A vehicle or charger START/STOP repeated while an identical one is pending returns
        the pending action instead (API.md 5).
        """
        current = self._pending_for(asset.id)
        if current is not None:
            if effect == "charging" and current.effect == effect and current.target == target:
                return current
            self._finish(current, "CANCELLED", "CONFLICT", "A newer action replaced this one.")
        now = self.store.clock.now()
        data: JSON = {
            "id": str(uuid.uuid4()),
            "userId": asset.user_id,
            "createdAt": iso(now),
            "updatedAt": iso(now),
            "completedAt": None,
            "state": "PENDING",
            "targetId": asset.id,
            "targetType": asset.kind,
        }
        if effect == "charging":
            data["kind"] = target
        elif effect in ("permanentHold", "followSchedule"):
            data["target"] = copy.deepcopy(target)
        else:
            data["targetState"] = {effect: target}
        data["failureReason"] = None
        action = Action(
            data=data,
            asset_id=asset.id,
            kind=asset.kind,
            effect=effect,
            target=target,
            due_at=now + timedelta(seconds=self.delay),
            seq=self.store.next_seq(),
        )
        self.actions[data["id"]] = action
        return action

    def cancel(self, kind: AssetType, action_id: str) -> tuple[Action, bool]:
        """Cancel a pending action; returns it and whether this call cancelled it.

        An action that already ended is returned as it is: 2024-10-01 answers that cancel
        with 409 and the final Action as the body (not a problem).
        """
        action = self.get(kind, action_id)
        if not action.pending:
            return action, False
        self._finish(action, "CANCELLED", "REQUESTED_CANCELLATION", "Cancelled by the client.")
        return action, True

    def resolve_due(self, now: datetime) -> None:
        """Resolve every pending action whose delay has passed, in creation order."""
        due = [a for a in self.actions.values() if a.pending and a.due_at <= now]
        for action in sorted(due, key=lambda item: item.seq):
            asset = self.store.assets.get(action.asset_id)
            if asset is None:  # pragma: no cover - removal hook already cancelled it
                continue
            outcome = asset.outcome or self._random_outcome()
            if outcome.state == "CONFIRMED":
                before = copy.deepcopy(asset.data)
                apply_effect(asset, action.effect, action.target, now)
                self._finish(action, "CONFIRMED")
                self.store.commit(asset, before)
            else:
                self._finish(
                    action,
                    outcome.state,
                    outcome.failure_type or "NO_RESPONSE",
                    outcome.failure_detail or "The device did not respond in time.",
                )

    def _random_outcome(self) -> ActionOutcome:
        if self.failure_rate and self.rng.random() < self.failure_rate:
            return ActionOutcome("FAILED", "NO_RESPONSE", "The device did not respond in time.")
        return ActionOutcome()

    def _pending_for(self, asset_id: str) -> Action | None:
        return next(
            (a for a in self.actions.values() if a.pending and a.asset_id == asset_id), None
        )

    def _finish(
        self, action: Action, state: str, reason: str | None = None, detail: str | None = None
    ) -> None:
        stamp = iso(self.store.clock.now())
        action.data.update({"state": state, "updatedAt": stamp, "completedAt": stamp})
        fields = ["completedAt", "state", "updatedAt"]
        if reason is not None:
            action.data["failureReason"] = {"type": reason, "detail": detail or reason}
            fields.append("failureReason")
        self.store.bus.emit(
            "user:vendor-action:updated",
            action.data["userId"],
            {"vendorAction": action.data, "updatedFields": sorted(fields)},
        )

    def _asset_removed(self, asset: Asset) -> None:
        pending = self._pending_for(asset.id)
        if pending is not None:
            self._finish(pending, "CANCELLED", "NOT_FOUND", "The asset was deleted.")


def apply_effect(asset: Asset, effect: str, target: Any, now: datetime) -> None:
    """Change an asset's state the way a confirmed action does."""
    if effect == "charging":
        _charging(asset, target == "START", now)
    elif effect == "maxCurrent":
        set_value(asset, "chargeState", "maxCurrent", float(target), now)
        if asset.kind == "charger":
            limit = charge_rate_kw(float(target), int(asset.sim["phases"]))
            set_value(asset, "chargeState", "chargeRateLimit", limit, now)
        _refresh_rate(asset, now)
    elif effect == "chargeRateLimit":
        phases = int(asset.sim["phases"])
        current = round(float(target) * 1000 / (230 * phases), 1)
        set_value(asset, "chargeState", "chargeRateLimit", float(target), now)
        set_value(asset, "chargeState", "maxCurrent", current, now)
        _refresh_rate(asset, now)
    elif effect == "operationMode":
        set_value(asset, "config", "operationMode", target, now)
    elif effect == "permanentHold":
        for key in ("mode", "heatSetpoint", "coolSetpoint"):
            set_value(asset, "thermostatState", key, target.get(key), now)
        set_value(asset, "thermostatState", "holdType", "PERMANENT", now)
    elif effect == "followSchedule":
        set_value(asset, "thermostatState", "holdType", "SCHEDULED", now)
        set_value(asset, "thermostatState", "mode", "HEAT", now)
        set_value(asset, "thermostatState", "heatSetpoint", asset.sim["scheduleHeat"], now)
        set_value(asset, "thermostatState", "coolSetpoint", None, now)


def _charging(asset: Asset, start: bool, now: datetime) -> None:
    set_value(asset, "chargeState", "isCharging", start, now)
    state = "PLUGGED_IN:CHARGING" if start else "PLUGGED_IN:STOPPED"
    set_value(asset, "chargeState", "powerDeliveryState", state, now)
    if asset.kind == "vehicle":
        set_value(asset, "chargeState", "isFullyCharged", False, now)
    _refresh_rate(asset, now)


def _refresh_rate(asset: Asset, now: datetime) -> None:
    state = asset.data["chargeState"]
    if not state["isCharging"]:
        set_value(asset, "chargeState", "chargeRate", None, now)
        return
    rate = charge_rate_kw(float(state["maxCurrent"] or 16), int(asset.sim["phases"]))
    if asset.kind == "vehicle":
        rate = min(rate, float(asset.sim["maxChargeKw"]))
    set_value(asset, "chargeState", "chargeRate", rate, now)
