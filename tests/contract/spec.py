"""Enode's 2024-10-01 operations as the SDK models them, and a strict validator.

`OPERATIONS` maps each operation the client uses to the SDK's request and response models
(None where the SDK has none; those operations are in `allowlist.MISSING_FROM_SDK`).
`violations` validates a JSON value and returns the problems as ``(location, message)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import importlib
import pkgutil
import re
from typing import Any

from enode import models
import enode.models
from enode.models.chargeraction import ChargerActionUnion
from enode.models.hvacaction import HvacActionUnion
import enode.utils
from pydantic import TypeAdapter, ValidationError


def _lenient_discriminators() -> None:
    """Work around an SDK defect: its tag functions raise ValueError when the tag is missing.

    In a union such as `TemperatureTargetState` (`ScheduledTargetState | PermanentHold...`,
    the latter tagged by `mode`) that ValueError escapes pydantic instead of letting it try
    the other member, so a valid `{"holdType": "SCHEDULED"}` could never validate. Returning
    None is pydantic's way to say "no tag": the member fails as a ValidationError instead.
    """
    original = enode.utils.get_discriminator

    def lenient(model: Any, fieldname: str, key: str) -> Any:
        try:
            return original(model, fieldname, key)
        except ValueError:
            return None

    for info in pkgutil.iter_modules(enode.models.__path__):
        module = importlib.import_module(f"enode.models.{info.name}")
        if getattr(module, "get_discriminator", None) is original:
            module.get_discriminator = lenient  # type: ignore[attr-defined]


_lenient_discriminators()


@dataclass(frozen=True)
class Operation:
    """One operation: request body model, response models by status."""

    method: str
    template: str
    request: Any = None
    responses: tuple[tuple[int, Any], ...] = ()

    @property
    def name(self) -> str:
        """``METHOD /path/{param}``."""
        return f"{self.method} {self.template}"

    @property
    def pattern(self) -> re.Pattern[str]:
        """The concrete paths of this operation."""
        return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", self.template) + "$")


def _op(method: str, template: str, request: Any = None, *responses: tuple[int, Any]) -> Operation:
    return Operation(method, template, request, responses)


_CONTROL_ACTIONS = {
    "vehicle": models.VehicleAction,
    "charger": ChargerActionUnion,
    "hvac": HvacActionUnion,
    "battery": models.OperationModeAction,
}

OPERATIONS: tuple[Operation, ...] = (
    _op("GET", "/users/{userId}", None, (200, models.UserResponse)),
    _op("POST", "/users/{userId}/link", models.LinkUserPayload, (200, models.LinkUserResponse)),
    _op(
        "POST", "/assets/{assetId}/relink", models.RelinkUserPayload, (200, models.LinkUserResponse)
    ),
    _op("DELETE", "/users/{userId}"),
    _op("DELETE", "/users/{userId}/vendors/{vendor}"),
    _op("DELETE", "/users/{userId}/vendors/{vendor}/{vendorType}"),
    _op("GET", "/users/{userId}/vehicles", None, (200, models.PaginatedVehicleList)),
    _op("GET", "/users/{userId}/chargers", None, (200, models.PaginatedChargerList)),
    _op("GET", "/users/{userId}/batteries", None, (200, models.PaginatedBatteryList)),
    _op("GET", "/users/{userId}/hvacs", None, (200, models.PaginatedHVACList)),
    _op("GET", "/users/{userId}/inverters", None, (200, models.PaginatedInverterList)),
    _op("GET", "/users/{userId}/meters", None, (200, models.PaginatedMeterList)),
    _op("GET", "/users/{userId}/hem-systems"),
    _op("GET", "/vehicles/{vehicleId}", None, (200, models.GetVehicleResponse)),
    _op("GET", "/chargers/{chargerId}", None, (200, models.Charger)),
    _op("GET", "/batteries/{batteryId}", None, (200, models.Battery)),
    _op("GET", "/hvacs/{hvacId}", None, (200, models.GetHVACResponse)),
    _op("GET", "/inverters/{inverterId}", None, (200, models.Inverter)),
    _op("GET", "/meters/{meterId}", None, (200, models.Meter)),
    _op("GET", "/hem-systems/{hemSystem}"),
    _op("PUT", "/chargers/{chargerId}", models.ChargerUpdatePayload, (200, models.Charger)),
    _op("PUT", "/hvacs/{hvacId}", models.HvacUpdatePayload, (200, models.UpdateHVACResponse)),
    _op("POST", "/vehicles/{vehicleId}/refresh-hint"),
    _op("POST", "/chargers/{chargerId}/refresh-hint"),
    _op("POST", "/batteries/{batteryId}/refresh-hint"),
    _op("POST", "/hvacs/{hvacId}/refresh-hint"),
    _op("POST", "/inverters/{inverterId}/refresh-hint"),
    _op("POST", "/meters/{meterId}/refresh-hint"),
    _op(
        "POST",
        "/vehicles/{vehicleId}/charging",
        models.PostVehiclesVehicleidChargingRequestBody,
        (200, models.ChargeAction),
    ),
    _op(
        "POST",
        "/chargers/{chargerId}/charging",
        models.ControlChargerChargingRequestBody,
        (200, models.ChargeAction),
    ),
    _op(
        "POST",
        "/vehicles/{vehicleId}/max-current",
        models.TargetMaxCurrent,
        (200, models.MaxCurrentAction),
    ),
    _op(
        "POST",
        "/chargers/{chargerId}/max-current",
        models.TargetMaxCurrent,
        (200, models.MaxCurrentAction),
    ),
    _op("POST", "/chargers/{chargerId}/charge-rate-limit"),
    _op(
        "POST",
        "/batteries/{batteryId}/operation-mode",
        models.SetBatteryOperationModePayload,
        (200, models.OperationModeAction),
    ),
    _op(
        "POST",
        "/hvacs/{hvacId}/permanent-hold",
        models.HVACSetPermanentHoldPayload,
        (200, models.HvacActionPermanentHold),
    ),
    _op("POST", "/hvacs/{hvacId}/follow-schedule", None, (200, models.HvacActionFollowSchedule)),
    _op(
        "POST",
        "/vehicles/{vehicleId}/smart-override",
        None,
        (200, models.VehicleCreateSmartOverrideResponse),
    ),
    _op(
        "DELETE",
        "/vehicles/{vehicleId}/smart-override",
        None,
        (200, models.VehicleEndSmartOverrideResponse),
    ),
    _op("POST", "/chargers/{chargerId}/smart-override"),
    _op("DELETE", "/chargers/{chargerId}/smart-override"),
    *(
        _op("GET", f"/{path}/actions/{{actionId}}", None, (200, model))
        for path, model in (
            ("vehicles", _CONTROL_ACTIONS["vehicle"]),
            ("chargers", _CONTROL_ACTIONS["charger"]),
            ("hvacs", _CONTROL_ACTIONS["hvac"]),
            ("batteries", _CONTROL_ACTIONS["battery"]),
        )
    ),
    *(
        _op("POST", f"/{path}/actions/{{actionId}}/cancel", None, (200, model), (409, model))
        for path, model in (
            ("vehicles", _CONTROL_ACTIONS["vehicle"]),
            ("chargers", _CONTROL_ACTIONS["charger"]),
            ("hvacs", _CONTROL_ACTIONS["hvac"]),
            ("batteries", _CONTROL_ACTIONS["battery"]),
        )
    ),
    _op(
        "GET",
        "/vehicles/{vehicleId}/smart-charging-policy",
        None,
        (200, models.VehicleSmartChargingPolicy),
    ),
    _op(
        "PUT",
        "/vehicles/{vehicleId}/smart-charging-policy",
        models.PartialVehicleSmartChargingPolicy,
        (200, models.VehicleSmartChargingPolicy),
    ),
    _op(
        "GET",
        "/vehicles/{vehicleId}/smart-charging-status",
        None,
        (200, models.GetVehiclesVehicleidSmartchargingstatusResponse),
    ),
    _op("GET", "/vehicles/{vehicleId}/smart-charging-plans/{planId}"),
    _op("GET", "/users/{userId}/schedules", None, (200, models.PaginatedScheduleList)),
    _op("POST", "/users/{userId}/schedules", models.Schedule, (200, models.ScheduleResponse)),
    _op("GET", "/schedules/{scheduleId}", None, (200, models.ScheduleResponse)),
    _op("PUT", "/schedules/{scheduleId}", models.PartialSchedule, (200, models.ScheduleResponse)),
    _op("DELETE", "/schedules/{scheduleId}"),
    _op("GET", "/schedules/{scheduleId}/status", None, (200, models.ScheduleStatus)),
    _op("GET", "/locations", None, (200, models.PaginatedLocationList)),
    _op("GET", "/users/{userId}/locations", None, (200, models.PaginatedLocationList)),
    _op(
        "POST",
        "/users/{userId}/locations",
        models.LocationPayload,
        (200, models.LocationResponse),
    ),
    _op("GET", "/locations/{locationId}", None, (200, models.LocationResponse)),
    _op("PUT", "/locations/{locationId}", models.PartialLocation, (200, models.LocationResponse)),
    _op("DELETE", "/locations/{locationId}", None, (200, models.LocationResponse)),
    _op("PUT", "/tariffs/{tariffId}", list[models.TariffRate]),
    _op("GET", "/tariffs/{tariffId}", None, (200, list[models.TariffRate])),
    _op("PUT", "/locations/{locationId}/tariff", models.LocationTariffInterval),
    _op(
        "GET",
        "/locations/{locationId}/tariff",
        None,
        (200, list[models.LocationTariffSchedule]),
    ),
    _op("GET", "/interventions", None, (200, list[models.Intervention])),
    _op("GET", "/interventions/{interventionId}", None, (200, models.Intervention)),
    _op("GET", "/integrations", None, (200, list[models.Integration])),
    _op("GET", "/webhooks", None, (200, models.PaginatedWebhookList)),
    _op("POST", "/webhooks", models.WebhookCreatePayload, (200, models.WebhookResponse)),
    _op("GET", "/webhooks/{webhookId}", None, (200, models.WebhookResponse)),
    _op(
        "PATCH",
        "/webhooks/{webhookId}",
        models.WebhookUpdatePayload,
        (200, models.WebhookResponse),
    ),
    _op("DELETE", "/webhooks/{webhookId}"),
    _op("POST", "/webhooks/{webhookId}/test", None, (200, models.TestFirehoseWebhook)),
    _op("GET", "/hem-systems/{hemSystem}/statistics"),
    _op(
        "GET",
        "/inverters/{inverterId}/statistics",
        None,
        (200, models.InverterStatistics),
        (202, models.GetInverterStatisticsResponseBody),
    ),
    _op(
        "GET",
        "/users/{userId}/statistics/charging",
        None,
        (200, list[models.ChargingStatisticsTimeseries]),
    ),
    _op(
        "GET",
        "/users/{userId}/statistics/charging/sessions",
        None,
        (200, list[models.SessionsStatisticsTimeseries]),
    ),
)

# Objects carried by webhook events (the SDK has no event models: the payloads are validated).
EVENT_PAYLOADS: dict[str, Any] = {
    "vehicle": models.GetVehicleResponse,
    "charger": models.Charger,
    "battery": models.Battery,
    "hvac": models.GetHVACResponse,
    "inverter": models.Inverter,
    "meter": models.Meter,
    "smartChargingStatus": models.GetVehiclesVehicleidSmartchargingstatusResponse,
    "schedule": models.ScheduleResponse,
    "status": models.ScheduleStatus,
}
ACTION_MODELS: dict[str, Any] = _CONTROL_ACTIONS


def operation_of(method: str, path: str) -> Operation | None:
    """The operation a concrete request belongs to (the most literal template wins)."""
    found = [op for op in OPERATIONS if op.method == method and op.pattern.match(path)]
    found.sort(key=lambda op: -sum(1 for part in op.template.split("/") if "{" not in part))
    return found[0] if found else None


_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


def adapter(model: Any) -> TypeAdapter[Any]:
    """A cached TypeAdapter (models, unions and lists alike)."""
    key = id(model)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(model)
    return _ADAPTERS[key]


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def violations(model: Any, value: Any, *, where: str = "") -> list[tuple[str, str]]:
    """Validate ``value`` against ``model``; also require an offset on every timestamp.

    Pydantic accepts naive date-times, but Enode's are RFC 3339 (`Z` or an offset).
    """
    found: list[tuple[str, str]] = []
    try:
        adapter(model).validate_python(value)
    except ValidationError as err:
        found.extend(
            (where + ".".join(str(part) for part in error["loc"]), error["type"])
            for error in err.errors()
        )
    except ValueError as err:  # the SDK's discriminators raise it for a missing tag
        found.append((where, f"discriminator: {err}"))
    found.extend((where + loc, "naive_datetime") for loc in _naive_datetimes(value, ""))
    return found


def _naive_datetimes(value: Any, loc: str) -> list[str]:
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _naive_datetimes(item, f"{loc}.{key}" if loc else str(key))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _naive_datetimes(item, f"{loc}.{index}" if loc else str(index))
        ]
    if isinstance(value, str) and _DATE_TIME.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return []
        return [loc] if parsed.tzinfo is None else []
    return []


def unknown_keys(model: Any, body: Any) -> list[str]:
    """Top-level keys of a request body the request model does not know (pydantic drops them)."""
    if not isinstance(body, dict):
        return []
    schema = adapter(model).json_schema(by_alias=True)
    known: set[str] = set(schema.get("properties", {}))
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []):
        ref = variant.get("$ref", "").rsplit("/", 1)[-1]
        known |= set(schema.get("$defs", {}).get(ref, {}).get("properties", {}))
    return sorted(set(body) - known) if known else []
