"""Asset models: vehicles, chargers, batteries, HVAC units, inverters, meters, HEM systems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self

from .const import (
    AssetType,
    BatteryOperationMode,
    BatteryStatus,
    HvacHoldType,
    HvacMode,
    PowerDeliveryState,
)
from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    enum_field,
    enum_or_str,
    label,
    label_field,
    model_field,
    obj,
    parse_datetime,
    raw_field,
    strings_field,
    sub,
    text,
    text_field,
    value,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

# The pre-2024-10-01 top-level Location id, handed to `AssetLocation` with its object.
_LEGACY_LOCATION_KEY: Final = "__aioenode_legacy_location__"


def _capability_flag(value: Any) -> bool:
    return value is True


@dataclass(frozen=True, slots=True)
class Capability(EnodeModel):
    """Whether an asset can do something, and which interventions block it."""

    is_capable: bool = field(
        default=False, metadata=alias("isCapable", deserialize=_capability_flag)
    )
    intervention_ids: tuple[str, ...] = strings_field("interventionIds")
    raw: JsonObject = raw_field()


@dataclass(frozen=True, slots=True)
class AssetInformation(EnodeModel):
    """Static information about an asset; the keys differ per asset type.

    Names and identifiers (brand, model, VIN, serial number, ...) sent as whole numbers are kept
    as their decimal text (Home Assistant 2026.12 wants strings in the device registry).
    """

    vendor_id: str | None = text_field("id")
    brand: str | None = label_field("brand")
    model: str | None = label_field("model")
    year: int | None = value("year")
    display_name: str | None = label_field("displayName")
    vin: str | None = label_field("vin")
    # Chargers use serialNumber, inverters sn (both new in 2024-10-01).
    serial_number: str | None = label_field("_serialNumber")
    site_name: str | None = label_field("siteName")
    group_name: str | None = label_field("groupName")
    category: str | None = text_field("category")
    image_url: str | None = text_field("imageUrl")
    installation_date: datetime | None = value("installationDate")

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        return {**d, "_serialNumber": label(d, "serialNumber") or label(d, "sn")}


@dataclass(frozen=True, slots=True)
class AssetLocation(EnodeModel):
    """Where an asset is: its Enode Location and, with a location scope, coordinates."""

    id: str | None = text_field("_id")
    latitude: float | None = value("latitude")
    longitude: float | None = value("longitude")
    last_updated: datetime | None = value("lastUpdated")

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        return {**d, "_id": text(d, "id") or text(d, _LEGACY_LOCATION_KEY)}

    @classmethod
    def from_asset(cls, data: Mapping[str, Any]) -> Self | None:
        """Parse ``location`` from an asset, falling back to pre-2024-10-01 top-level IDs."""
        location = obj(data.get("location"))
        legacy_id = text(data, "locationId") or text(data, "chargingLocationId")
        if location is None:
            return None if legacy_id is None else cls(legacy_id, None, None, None)
        return cls.from_dict({**location, _LEGACY_LOCATION_KEY: legacy_id})


@dataclass(frozen=True, slots=True)
class ChargeState(EnodeModel):
    """Charging state of a vehicle or charger (vehicle-only keys are None on chargers)."""

    battery_level: float | None = value("batteryLevel")
    range: float | None = value("range")
    is_plugged_in: bool | None = value("isPluggedIn")
    is_charging: bool | None = value("isCharging")
    is_fully_charged: bool | None = value("isFullyCharged")
    battery_capacity: float | None = value("batteryCapacity")
    charge_limit: float | None = value("chargeLimit")
    charge_rate: float | None = value("chargeRate")
    # Key name inferred from the charge-rate-limit endpoint (API.md 4.2 [?]).
    # [S>SDK] absent from the 2024-10-01 SDK, documented by the seed: the seed wins.
    charge_rate_limit: float | None = value("chargeRateLimit")
    charge_time_remaining: float | None = value("chargeTimeRemaining")
    max_current: float | None = value("maxCurrent")
    power_delivery_state: PowerDeliveryState | str | None = enum_field(
        "powerDeliveryState", PowerDeliveryState
    )
    plugged_in_charger_id: str | None = text_field("pluggedInChargerId")
    plugged_in_vehicle_id: str | None = text_field("pluggedInVehicleId")
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class SmartChargingPolicy(EnodeModel):
    """A vehicle's smart charging settings."""

    is_enabled: bool | None = value("isEnabled")
    deadline: str | None = text_field("deadline")
    minimum_charge_limit: float | None = value("minimumChargeLimit")


@dataclass(frozen=True, slots=True)
class Odometer(EnodeModel):
    """A vehicle's odometer reading in km."""

    distance: float | None = value("distance")
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class BatteryChargeState(EnodeModel):
    """Charge state of a home battery; ``charge_rate`` is positive while charging."""

    status: BatteryStatus | str | None = enum_field("status", BatteryStatus)
    battery_capacity: float | None = value("batteryCapacity")
    battery_level: float | None = value("batteryLevel")
    charge_rate: float | None = value("chargeRate")
    discharge_limit: float | None = value("dischargeLimit")
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class BatteryConfig(EnodeModel):
    """Configuration of a home battery."""

    operation_mode: BatteryOperationMode | str | None = enum_field(
        "operationMode", BatteryOperationMode
    )
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class TemperatureState(EnodeModel):
    """Measured temperature of an HVAC unit in °C."""

    current_temperature: float | None = value("currentTemperature")
    is_active: bool | None = value("isActive")
    last_updated: datetime | None = value("lastUpdated")


def _hvac_mode(value: Any) -> HvacMode | str | None:
    # The changelog writes "Unknown"; accept any casing of the known modes (API.md 4.4 [?]).
    return enum_or_str(HvacMode, value.upper() if isinstance(value, str) else None)


@dataclass(frozen=True, slots=True)
class ThermostatState(EnodeModel):
    """Thermostat settings of an HVAC unit (setpoints in °C)."""

    mode: HvacMode | str | None = field(
        default=None, metadata=alias("mode", deserialize=_hvac_mode)
    )
    heat_setpoint: float | None = value("heatSetpoint")
    cool_setpoint: float | None = value("coolSetpoint")
    hold_type: HvacHoldType | str | None = enum_field("holdType", HvacHoldType)
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class SetpointRange(EnodeModel):
    """An inclusive range in °C; either end may be unknown."""

    min: float | None = value("min")
    max: float | None = value("max")

    @classmethod
    def from_value(cls, data: Any) -> Self | None:
        """Parse ``{min, max}``, or return None when absent."""
        return cls.from_dict(data) if isinstance(data, dict) else None


@dataclass(frozen=True, slots=True)
class ProductionState(EnodeModel):
    """Solar production of an inverter (kW, lifetime kWh)."""

    production_rate: float | None = value("productionRate")
    is_producing: bool | None = value("isProducing")
    total_lifetime_production: float | None = value("totalLifetimeProduction")
    last_updated: datetime | None = value("lastUpdated")


@dataclass(frozen=True, slots=True)
class EnergyState(EnodeModel):
    """Grid power at a meter in kW; positive means importing."""

    power: float | None = value("power")
    last_updated: datetime | None = value("lastUpdated")


def _with_asset(d: dict[str, Any]) -> dict[str, Any]:
    """The whole asset object for `AssetLocation.from_asset` (it reads top-level keys too)."""
    return {**d, "_asset": d}


def _capabilities(value: Any) -> dict[str, Capability]:
    return {
        name: Capability.from_dict(item)
        for name, item in (value.items() if isinstance(value, dict) else ())
        if isinstance(item, dict) and "isCapable" in item
    }


@dataclass(frozen=True, slots=True)
class BaseAsset(EnodeModel):
    """Fields shared by every asset type."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.VEHICLE  # overridden by each subclass

    # An asset without an ID is useless but should not crash a whole list.
    id: str = text_field("id", "")
    user_id: str | None = text_field("userId")
    vendor: str | None = text_field("vendor")
    last_seen: datetime | None = value("lastSeen")
    is_reachable: bool | None = value("isReachable")
    information: AssetInformation | None = model_field("information", AssetInformation)
    location: AssetLocation | None = field(
        default=None, metadata=alias("_asset", deserialize=AssetLocation.from_asset)
    )
    capabilities: dict[str, Capability] = field(
        default_factory=dict, metadata=alias("capabilities", deserialize=_capabilities)
    )
    scopes: tuple[str, ...] = strings_field("scopes")
    hem_system_id: str | None = text_field("hemSystemId")
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        return _with_asset(d)

    @property
    def asset_type(self) -> AssetType:
        """Return the asset type."""
        return self.ASSET_TYPE

    @property
    def brand(self) -> str | None:
        """Return the display brand."""
        return self.information.brand if self.information else None

    @property
    def model(self) -> str | None:
        """Return the model name."""
        return self.information.model if self.information else None

    def is_capable(self, capability: str) -> bool:
        """Return whether the named capability is present and capable."""
        found = self.capabilities.get(capability)
        return found is not None and found.is_capable

    @property
    def last_updated(self) -> datetime | None:
        """Return the newest of ``lastSeen`` and every nested ``lastUpdated``.

        Used to reject updates that arrive out of order.
        """
        times = [self.last_seen] + [
            parse_datetime(value.get("lastUpdated"))
            for value in self.raw.values()
            if isinstance(value, dict)
        ]
        known = [time for time in times if time is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class Vehicle(BaseAsset):
    """An electric vehicle."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.VEHICLE

    charge_state: ChargeState | None = model_field("chargeState", ChargeState)
    smart_charging_policy: SmartChargingPolicy | None = model_field(
        "smartChargingPolicy", SmartChargingPolicy
    )
    odometer: Odometer | None = model_field("odometer", Odometer)


@dataclass(frozen=True, slots=True)
class Charger(BaseAsset):
    """An EV charger."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.CHARGER

    charge_state: ChargeState | None = model_field("chargeState", ChargeState)


@dataclass(frozen=True, slots=True)
class Battery(BaseAsset):
    """A home battery."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.BATTERY

    charge_state: BatteryChargeState | None = model_field("chargeState", BatteryChargeState)
    config: BatteryConfig | None = model_field("config", BatteryConfig)


@dataclass(frozen=True, slots=True)
class Hvac(BaseAsset):
    """An HVAC unit (heat pump, thermostat, ...)."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.HVAC

    consumption_rate: float | None = value("consumptionRate")
    temperature_state: TemperatureState | None = model_field("temperatureState", TemperatureState)
    thermostat_state: ThermostatState | None = model_field("thermostatState", ThermostatState)
    # From `capabilities` (lists and ranges, not capability objects).
    capable_modes: tuple[str, ...] | None = strings_field("_capableModes", none_if_absent=True)
    capable_hold_types: tuple[str, ...] | None = strings_field(
        "_capableHoldTypes", none_if_absent=True
    )
    heat_setpoint_range: SetpointRange | None = model_field("_heatSetpointRange", SetpointRange)
    cool_setpoint_range: SetpointRange | None = model_field("_coolSetpointRange", SetpointRange)
    setpoint_difference_range: SetpointRange | None = model_field(
        "_setpointDifferenceRange", SetpointRange
    )

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        capabilities = sub(d, "capabilities")
        return {
            **_with_asset(d),
            "_capableModes": capabilities.get("capableModes"),
            "_capableHoldTypes": capabilities.get("capableHoldTypes"),
            "_heatSetpointRange": capabilities.get("heatSetpointRange"),
            "_coolSetpointRange": capabilities.get("coolSetpointRange"),
            "_setpointDifferenceRange": capabilities.get("setpointDifferenceRange"),
        }


@dataclass(frozen=True, slots=True)
class Inverter(BaseAsset):
    """A solar inverter."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.INVERTER

    production_state: ProductionState | None = model_field("productionState", ProductionState)
    timezone: str | None = text_field("timezone")

    @property
    def production_statistics(self) -> Capability | None:
        """``capabilities.productionStatistics`` (2024-10-01), None when not reported."""
        return self.capabilities.get("productionStatistics")

    @property
    def has_production_statistics(self) -> bool:
        """Whether ``GET /inverters/{id}/statistics`` can answer for this inverter.

        2024-10-01 reports it as ``capabilities.productionStatistics``; an inverter without
        the capability object (older data) is assumed able, as before the capability existed.
        """
        capability = self.production_statistics
        return capability is None or capability.is_capable


@dataclass(frozen=True, slots=True)
class Meter(BaseAsset):
    """An electricity meter."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.METER

    energy_state: EnergyState | None = model_field("energyState", EnergyState)


@dataclass(frozen=True, slots=True)
class HemSystem(BaseAsset):
    """A home energy management system (beta; only ``id`` and ``information`` are known)."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.HEM_SYSTEM


Asset = Vehicle | Charger | Battery | Hvac | Inverter | Meter | HemSystem

ASSET_MODELS: dict[AssetType, type[Asset]] = {
    AssetType.VEHICLE: Vehicle,
    AssetType.CHARGER: Charger,
    AssetType.BATTERY: Battery,
    AssetType.HVAC: Hvac,
    AssetType.INVERTER: Inverter,
    AssetType.METER: Meter,
    AssetType.HEM_SYSTEM: HemSystem,
}


def parse_asset(asset_type: AssetType, data: Mapping[str, Any]) -> Asset:
    """Parse an asset object of the given type."""
    return ASSET_MODELS[asset_type].from_dict(data)
