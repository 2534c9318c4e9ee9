"""Asset models: vehicles, chargers, batteries, HVAC units, inverters, meters, HEM systems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from .const import (
    AssetType,
    BatteryOperationMode,
    BatteryStatus,
    HvacHoldType,
    HvacMode,
    PowerDeliveryState,
)
from .parsing import (
    JsonObject,
    boolean,
    enum_or_str,
    integer,
    number,
    obj,
    parse_datetime,
    strings,
    sub,
    text,
    timestamp,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class Capability:
    """Whether an asset can do something, and which interventions block it."""

    is_capable: bool
    intervention_ids: tuple[str, ...]
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a Capability object."""
        return cls(
            is_capable=boolean(data, "isCapable") is True,
            intervention_ids=strings(data, "interventionIds"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class AssetInformation:
    """Static information about an asset; the keys differ per asset type."""

    vendor_id: str | None
    brand: str | None
    model: str | None
    year: int | None
    display_name: str | None
    vin: str | None
    serial_number: str | None
    site_name: str | None
    group_name: str | None
    category: str | None
    image_url: str | None
    installation_date: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse an ``information`` object."""
        return cls(
            vendor_id=text(data, "id"),
            brand=text(data, "brand"),
            model=text(data, "model"),
            year=integer(data, "year"),
            display_name=text(data, "displayName"),
            vin=text(data, "vin"),
            # Chargers use serialNumber, inverters sn (both new in 2024-10-01).
            serial_number=text(data, "serialNumber") or text(data, "sn"),
            site_name=text(data, "siteName"),
            group_name=text(data, "groupName"),
            category=text(data, "category"),
            image_url=text(data, "imageUrl"),
            installation_date=timestamp(data, "installationDate"),
        )


@dataclass(frozen=True, slots=True)
class AssetLocation:
    """Where an asset is: its Enode Location and, with a location scope, coordinates."""

    id: str | None
    latitude: float | None
    longitude: float | None
    last_updated: datetime | None

    @classmethod
    def from_asset(cls, data: Mapping[str, Any]) -> Self | None:
        """Parse ``location`` from an asset, falling back to pre-2024-10-01 top-level IDs."""
        location = obj(data.get("location"))
        legacy_id = text(data, "locationId") or text(data, "chargingLocationId")
        if location is None:
            return None if legacy_id is None else cls(legacy_id, None, None, None)
        return cls(
            id=text(location, "id") or legacy_id,
            latitude=number(location, "latitude"),
            longitude=number(location, "longitude"),
            last_updated=timestamp(location, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class ChargeState:
    """Charging state of a vehicle or charger (vehicle-only keys are None on chargers)."""

    battery_level: float | None
    range: float | None
    is_plugged_in: bool | None
    is_charging: bool | None
    is_fully_charged: bool | None
    battery_capacity: float | None
    charge_limit: float | None
    charge_rate: float | None
    charge_rate_limit: float | None
    charge_time_remaining: float | None
    max_current: float | None
    power_delivery_state: PowerDeliveryState | str | None
    plugged_in_charger_id: str | None
    plugged_in_vehicle_id: str | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a vehicle or charger ``chargeState`` object."""
        return cls(
            battery_level=number(data, "batteryLevel"),
            range=number(data, "range"),
            is_plugged_in=boolean(data, "isPluggedIn"),
            is_charging=boolean(data, "isCharging"),
            is_fully_charged=boolean(data, "isFullyCharged"),
            battery_capacity=number(data, "batteryCapacity"),
            charge_limit=number(data, "chargeLimit"),
            charge_rate=number(data, "chargeRate"),
            # Key name inferred from the charge-rate-limit endpoint (API.md 4.2 [?]).
            # [S>SDK] absent from the 2024-10-01 SDK, documented by the seed: the seed wins.
            charge_rate_limit=number(data, "chargeRateLimit"),
            charge_time_remaining=number(data, "chargeTimeRemaining"),
            max_current=number(data, "maxCurrent"),
            power_delivery_state=enum_or_str(PowerDeliveryState, data.get("powerDeliveryState")),
            plugged_in_charger_id=text(data, "pluggedInChargerId"),
            plugged_in_vehicle_id=text(data, "pluggedInVehicleId"),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class SmartChargingPolicy:
    """A vehicle's smart charging settings."""

    is_enabled: bool | None
    deadline: str | None
    minimum_charge_limit: float | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``smartChargingPolicy`` object."""
        return cls(
            is_enabled=boolean(data, "isEnabled"),
            deadline=text(data, "deadline"),
            minimum_charge_limit=number(data, "minimumChargeLimit"),
        )


@dataclass(frozen=True, slots=True)
class Odometer:
    """A vehicle's odometer reading in km."""

    distance: float | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse an ``odometer`` object."""
        return cls(distance=number(data, "distance"), last_updated=timestamp(data, "lastUpdated"))


@dataclass(frozen=True, slots=True)
class BatteryChargeState:
    """Charge state of a home battery; ``charge_rate`` is positive while charging."""

    status: BatteryStatus | str | None
    battery_capacity: float | None
    battery_level: float | None
    charge_rate: float | None
    discharge_limit: float | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a battery ``chargeState`` object."""
        return cls(
            status=enum_or_str(BatteryStatus, data.get("status")),
            battery_capacity=number(data, "batteryCapacity"),
            battery_level=number(data, "batteryLevel"),
            charge_rate=number(data, "chargeRate"),
            discharge_limit=number(data, "dischargeLimit"),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class BatteryConfig:
    """Configuration of a home battery."""

    operation_mode: BatteryOperationMode | str | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a battery ``config`` object."""
        return cls(
            operation_mode=enum_or_str(BatteryOperationMode, data.get("operationMode")),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class TemperatureState:
    """Measured temperature of an HVAC unit in °C."""

    current_temperature: float | None
    is_active: bool | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``temperatureState`` object."""
        return cls(
            current_temperature=number(data, "currentTemperature"),
            is_active=boolean(data, "isActive"),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class ThermostatState:
    """Thermostat settings of an HVAC unit (setpoints in °C)."""

    mode: HvacMode | str | None
    heat_setpoint: float | None
    cool_setpoint: float | None
    hold_type: HvacHoldType | str | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``thermostatState`` object."""
        mode = data.get("mode")
        # The changelog writes "Unknown"; accept any casing of the known modes (API.md 4.4 [?]).
        return cls(
            mode=enum_or_str(HvacMode, mode.upper() if isinstance(mode, str) else None),
            heat_setpoint=number(data, "heatSetpoint"),
            cool_setpoint=number(data, "coolSetpoint"),
            hold_type=enum_or_str(HvacHoldType, data.get("holdType")),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class SetpointRange:
    """An inclusive range in °C; either end may be unknown."""

    min: float | None
    max: float | None

    @classmethod
    def from_value(cls, value: Any) -> Self | None:
        """Parse ``{min, max}``, or return None when absent."""
        data = obj(value)
        return None if data is None else cls(min=number(data, "min"), max=number(data, "max"))


@dataclass(frozen=True, slots=True)
class ProductionState:
    """Solar production of an inverter (kW, lifetime kWh)."""

    production_rate: float | None
    is_producing: bool | None
    total_lifetime_production: float | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``productionState`` object."""
        return cls(
            production_rate=number(data, "productionRate"),
            is_producing=boolean(data, "isProducing"),
            total_lifetime_production=number(data, "totalLifetimeProduction"),
            last_updated=timestamp(data, "lastUpdated"),
        )


@dataclass(frozen=True, slots=True)
class EnergyState:
    """Grid power at a meter in kW; positive means importing."""

    power: float | None
    last_updated: datetime | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse an ``energyState`` object."""
        return cls(power=number(data, "power"), last_updated=timestamp(data, "lastUpdated"))


def _nested[T](data: Mapping[str, Any], key: str, parse: Callable[[JsonObject], T]) -> T | None:
    """Parse the nested object at ``key`` with ``parse``, or return None when absent."""
    value = obj(data.get(key))
    return None if value is None else parse(value)


@dataclass(frozen=True, slots=True)
class BaseAsset:
    """Fields shared by every asset type."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.VEHICLE  # overridden by each subclass

    id: str
    user_id: str | None
    vendor: str | None
    last_seen: datetime | None
    is_reachable: bool | None
    information: AssetInformation | None
    location: AssetLocation | None
    capabilities: dict[str, Capability]
    scopes: tuple[str, ...]
    hem_system_id: str | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse an asset object of this type; unknown keys are ignored."""
        capabilities = {
            name: Capability.from_dict(value)
            for name, value in sub(data, "capabilities").items()
            if isinstance(value, dict) and "isCapable" in value
        }
        return cls(
            # An asset without an ID is useless but should not crash a whole list.
            id=text(data, "id") or "",
            user_id=text(data, "userId"),
            vendor=text(data, "vendor"),
            last_seen=timestamp(data, "lastSeen"),
            is_reachable=boolean(data, "isReachable"),
            information=_nested(data, "information", AssetInformation.from_dict),
            location=AssetLocation.from_asset(data),
            capabilities=capabilities,
            scopes=strings(data, "scopes"),
            hem_system_id=text(data, "hemSystemId"),
            raw=dict(data),
            **cls._parse_specific(data),
        )

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return the type-specific fields; overridden by subclasses that have any."""
        return {}

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

    charge_state: ChargeState | None
    smart_charging_policy: SmartChargingPolicy | None
    odometer: Odometer | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "charge_state": _nested(data, "chargeState", ChargeState.from_dict),
            "smart_charging_policy": _nested(
                data, "smartChargingPolicy", SmartChargingPolicy.from_dict
            ),
            "odometer": _nested(data, "odometer", Odometer.from_dict),
        }


@dataclass(frozen=True, slots=True)
class Charger(BaseAsset):
    """An EV charger."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.CHARGER

    charge_state: ChargeState | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"charge_state": _nested(data, "chargeState", ChargeState.from_dict)}


@dataclass(frozen=True, slots=True)
class Battery(BaseAsset):
    """A home battery."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.BATTERY

    charge_state: BatteryChargeState | None
    config: BatteryConfig | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "charge_state": _nested(data, "chargeState", BatteryChargeState.from_dict),
            "config": _nested(data, "config", BatteryConfig.from_dict),
        }


@dataclass(frozen=True, slots=True)
class Hvac(BaseAsset):
    """An HVAC unit (heat pump, thermostat, ...)."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.HVAC

    consumption_rate: float | None
    temperature_state: TemperatureState | None
    thermostat_state: ThermostatState | None
    capable_modes: tuple[str, ...] | None
    capable_hold_types: tuple[str, ...] | None
    heat_setpoint_range: SetpointRange | None
    cool_setpoint_range: SetpointRange | None
    setpoint_difference_range: SetpointRange | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        capabilities = sub(data, "capabilities")
        return {
            "consumption_rate": number(data, "consumptionRate"),
            "temperature_state": _nested(data, "temperatureState", TemperatureState.from_dict),
            "thermostat_state": _nested(data, "thermostatState", ThermostatState.from_dict),
            "capable_modes": _string_list_or_none(capabilities, "capableModes"),
            "capable_hold_types": _string_list_or_none(capabilities, "capableHoldTypes"),
            "heat_setpoint_range": SetpointRange.from_value(capabilities.get("heatSetpointRange")),
            "cool_setpoint_range": SetpointRange.from_value(capabilities.get("coolSetpointRange")),
            "setpoint_difference_range": SetpointRange.from_value(
                capabilities.get("setpointDifferenceRange")
            ),
        }


@dataclass(frozen=True, slots=True)
class Inverter(BaseAsset):
    """A solar inverter."""

    ASSET_TYPE: ClassVar[AssetType] = AssetType.INVERTER

    production_state: ProductionState | None
    timezone: str | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "production_state": _nested(data, "productionState", ProductionState.from_dict),
            "timezone": text(data, "timezone"),
        }

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

    energy_state: EnergyState | None

    @classmethod
    def _parse_specific(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"energy_state": _nested(data, "energyState", EnergyState.from_dict)}


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


def _string_list_or_none(data: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    """Return the strings at ``key``, or None when the key is absent or null."""
    return strings(data, key) if isinstance(data.get(key), list) else None
