"""Every sensor: asset values, Location, smart charging, pairing, month charging, schedules.

Pairing: Enode pairs a user's vehicle and charger while they are connected
(`pluggedInChargerId`, `pluggedInVehicleId`); the state is the other device's name, `none`
while nothing of the user's is connected, unknown for an id the user does not have. Energy
today and the month's charging are fed by the statistics importers (no requests of their own);
month sensors are `total` with `last_reset` at the start of the local month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Generic

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfLength,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import StateType

from .api import (
    Asset,
    AssetType,
    Battery,
    BatteryStatus,
    Charger,
    Hvac,
    Inverter,
    Location,
    Meter,
    PowerDeliveryState,
    ScheduleState,
    ScheduleStatus,
    SmartChargingPlan,
    SmartChargingState,
    SmartChargingStatus,
    Vehicle,
)
from .const import LOCATION_AWAY, SIGNAL_CHARGING_STATISTICS, SIGNAL_ENERGY_TODAY
from .coordinator import is_smart_capable
from .devices import async_shown_name
from .entity import (
    AssetT_contra,
    EnodeEntity,
    EnodeScheduleEntity,
    async_add_asset_entities,
    async_add_schedule_entities,
)
from .smart_charging import smart_status

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .charging_statistics import MonthTotals
    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 0

# Enum states are the Enode values in lower case with ':' as '_'; UNKNOWN (and any value a newer
# API version adds) is reported as Home Assistant's unknown state.
POWER_DELIVERY_STATES = [
    state.value.lower().replace(":", "_")
    for state in PowerDeliveryState
    if state is not PowerDeliveryState.UNKNOWN
]
BATTERY_STATUSES = [
    status.value.lower() for status in BatteryStatus if status is not BatteryStatus.UNKNOWN
]

SMART_CHARGING_STATES = [
    state.value.lower().replace(":", "_")
    for state in SmartChargingState
    if state is not SmartChargingState.UNKNOWN
]


def _enum_state(value: object, options: list[str]) -> str | None:
    """Map an Enode enum value to a sensor option; unknown values become None."""
    if not isinstance(value, str):
        return None
    state = value.lower().replace(":", "_")
    return state if state in options else None


def _positive(value: float | None) -> float | None:
    """The value when positive, else 0 (None stays None)."""
    if value is None:
        return None
    return value if value > 0 else 0.0


def _charge_rate(asset: Vehicle | Charger) -> float | None:
    """The charge rate in kW; 0 while known not to be charging (Enode sends null then)."""
    state = asset.charge_state
    if state is None:
        return None
    if state.charge_rate is not None:
        return state.charge_rate
    if state.is_charging is False or state.is_plugged_in is False:
        return 0.0
    return None


def _charge_limit(vehicle: Vehicle) -> float | None:
    """The charge limit in %; null means the vendor reported none: Enode says assume 100 %."""
    state = vehicle.charge_state
    if state is None:
        return None
    return 100.0 if state.charge_limit is None else state.charge_limit


def _battery_rate(battery: Battery) -> float | None:
    """A battery's power in kW: positive while charging, negative while discharging."""
    return battery.charge_state.charge_rate if battery.charge_state else None


def _meter_power(meter: Meter) -> float | None:
    """A grid meter's power in kW: positive while importing, negative while exporting."""
    return meter.energy_state.power if meter.energy_state else None


def _negative(value: float | None) -> float | None:
    """The magnitude of the value when negative, else 0 (None stays None)."""
    if value is None:
        return None
    return -value if value < 0 else 0.0


@dataclass(frozen=True, kw_only=True)
class EnodeSensorEntityDescription(SensorEntityDescription, Generic[AssetT_contra]):  # noqa: UP046
    """Describes an Enode sensor: how to read it and whether an asset has it."""

    value_fn: Callable[[AssetT_contra], StateType | date | datetime]
    exists_fn: Callable[[AssetT_contra], bool] = lambda _: True


LAST_SEEN = EnodeSensorEntityDescription[Asset](
    key="last_seen",
    translation_key="last_seen",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    value_fn=lambda asset: asset.last_seen,
)


def _power[A: Asset](
    key: str, value_fn: Callable[[A], float | None], translation_key: str | None = None
) -> EnodeSensorEntityDescription[A]:
    """A power sensor in kW (every Enode power reading has this shape)."""
    return EnodeSensorEntityDescription[A](
        key=key,
        translation_key=translation_key or key,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=2,
        value_fn=value_fn,
    )


def _signed_power[A: Asset](
    read: Callable[[A], float | None], net: tuple[str, str], inward: str, outward: str
) -> tuple[EnodeSensorEntityDescription[A], ...]:
    """A signed power as it is, plus its positive and negative parts as separate sensors.

    The Energy dashboard and automations want "charging" and "discharging" (or "import" and
    "export") as two non-negative powers; ``net`` is (key, translation key) of the signed one.
    """
    return (
        _power(net[0], read, net[1]),
        _power(inward, lambda asset: _positive(read(asset))),
        _power(outward, lambda asset: _negative(read(asset))),
    )


CHARGE_RATE = _power("charge_rate", _charge_rate)
POWER_DELIVERY_STATE = EnodeSensorEntityDescription[Vehicle | Charger](
    key="power_delivery_state",
    translation_key="power_delivery_state",
    device_class=SensorDeviceClass.ENUM,
    options=POWER_DELIVERY_STATES,
    value_fn=lambda asset: _enum_state(
        asset.charge_state.power_delivery_state if asset.charge_state else None,
        POWER_DELIVERY_STATES,
    ),
)

VEHICLE_SENSORS: tuple[EnodeSensorEntityDescription[Vehicle], ...] = (
    EnodeSensorEntityDescription[Vehicle](
        key="battery_level",
        translation_key="battery_level",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda v: v.charge_state.battery_level if v.charge_state else None,
    ),
    EnodeSensorEntityDescription[Vehicle](
        key="range",
        translation_key="range",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=0,
        value_fn=lambda v: v.charge_state.range if v.charge_state else None,
    ),
    CHARGE_RATE,
    EnodeSensorEntityDescription[Vehicle](
        key="charge_time_remaining",
        translation_key="charge_time_remaining",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        # Shown as hours and minutes ("5h 35m"): the frontend formats durations in hours so.
        suggested_unit_of_measurement=UnitOfTime.HOURS,
        value_fn=lambda v: v.charge_state.charge_time_remaining if v.charge_state else None,
    ),
    EnodeSensorEntityDescription[Vehicle](
        key="charge_limit",
        translation_key="charge_limit",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=_charge_limit,
    ),
    EnodeSensorEntityDescription[Vehicle](
        key="battery_capacity",
        translation_key="battery_capacity",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda v: v.charge_state.battery_capacity if v.charge_state else None,
    ),
    EnodeSensorEntityDescription[Vehicle](
        key="odometer",
        translation_key="odometer",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=0,
        value_fn=lambda v: v.odometer.distance if v.odometer else None,
        exists_fn=lambda v: v.odometer is not None,
    ),
    POWER_DELIVERY_STATE,
    LAST_SEEN,
)

CHARGER_SENSORS: tuple[EnodeSensorEntityDescription[Charger], ...] = (
    CHARGE_RATE,
    POWER_DELIVERY_STATE,
    LAST_SEEN,
)

BATTERY_SENSORS: tuple[EnodeSensorEntityDescription[Battery], ...] = (
    EnodeSensorEntityDescription[Battery](
        key="battery_level",
        translation_key="battery_level",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda b: b.charge_state.battery_level if b.charge_state else None,
    ),
    *_signed_power(
        _battery_rate,
        ("charge_rate", "battery_power"),
        "charging_power",
        "discharging_power",
    ),
    EnodeSensorEntityDescription[Battery](
        key="battery_capacity",
        translation_key="battery_capacity",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda b: b.charge_state.battery_capacity if b.charge_state else None,
    ),
    EnodeSensorEntityDescription[Battery](
        key="discharge_limit",
        translation_key="discharge_limit",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda b: b.charge_state.discharge_limit if b.charge_state else None,
    ),
    EnodeSensorEntityDescription[Battery](
        key="status",
        translation_key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUSES,
        value_fn=lambda b: _enum_state(
            b.charge_state.status if b.charge_state else None, BATTERY_STATUSES
        ),
    ),
    LAST_SEEN,
)

HVAC_SENSORS: tuple[EnodeSensorEntityDescription[Hvac], ...] = (
    _power("consumption_rate", lambda h: h.consumption_rate),
    # The room temperature of every unit that reports one (with or without a climate entity):
    # a sensor has history, statistics and can trigger automations.
    EnodeSensorEntityDescription[Hvac](
        key="current_temperature",
        translation_key="current_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=lambda h: h.temperature_state.current_temperature if h.temperature_state else None,
        exists_fn=lambda h: (
            h.temperature_state is not None and h.temperature_state.current_temperature is not None
        ),
    ),
    LAST_SEEN,
)

INVERTER_SENSORS: tuple[EnodeSensorEntityDescription[Inverter], ...] = (
    _power(
        "production_rate",
        lambda i: i.production_state.production_rate if i.production_state else None,
    ),
    EnodeSensorEntityDescription[Inverter](
        key="lifetime_production",
        translation_key="lifetime_production",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda i: (
            i.production_state.total_lifetime_production if i.production_state else None
        ),
    ),
    LAST_SEEN,
)

METER_SENSORS: tuple[EnodeSensorEntityDescription[Meter], ...] = (
    *_signed_power(
        _meter_power,
        ("grid_power", "grid_power"),
        "import_power",
        "export_power",
    ),
    LAST_SEEN,
)

# The HEM system object has no documented flow fields (API.md 4.7): only its information.
HEM_SENSORS: tuple[EnodeSensorEntityDescription[Asset], ...] = (
    EnodeSensorEntityDescription[Asset](
        key="installation_date",
        translation_key="installation_date",
        device_class=SensorDeviceClass.DATE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda a: (
            a.information.installation_date.date()
            if a.information and a.information.installation_date
            else None
        ),
        exists_fn=lambda a: bool(a.information and a.information.installation_date),
    ),
    LAST_SEEN,
)


@dataclass(frozen=True, kw_only=True)
class EnodeEnergyTodayEntityDescription(SensorEntityDescription):
    """A HEM system's energy of one statistics series so far today."""

    series: str


# From the statistics the importer fetches anyway (no requests of their own); a counter that
# starts again at each local midnight, which total_increasing takes as a new cycle.
ENERGY_TODAY: tuple[EnodeEnergyTodayEntityDescription, ...] = tuple(
    EnodeEnergyTodayEntityDescription(
        key=f"today_{series}",
        translation_key=f"today_{series}",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        series=series,
    )
    for series in ("generation", "consumption", "import", "export", "charge", "discharge")
)


def location_options(locations: dict[str, Location]) -> list[str]:
    """The location sensor's states: every Location's name, then away."""
    names = sorted({loc.name for loc in locations.values() if loc.name} - {LOCATION_AWAY})
    return [*names, LOCATION_AWAY]


def location_state(asset: Asset, locations: dict[str, Location]) -> str | None:
    """The name of the Location an asset is at, away at none; unknown for an unlisted one."""
    location_id = asset.location.id if asset.location else None
    if not location_id:
        return LOCATION_AWAY
    location = locations.get(location_id)
    # A Location the last poll did not list: the coordinator lists them again.
    return location.name if location is not None and location.name else None


@dataclass(frozen=True, kw_only=True)
class EnodeLocationSensorEntityDescription(SensorEntityDescription):
    """Where an asset is: its value needs the coordinator's Locations, not only the asset."""

    value_fn: Callable[[Asset, dict[str, Location]], str | None] = location_state
    options_fn: Callable[[dict[str, Location]], list[str]] = location_options


# Vehicles move between Locations; chargers and other assets are assigned one and stay, so
# their sensor is there for automations but not enabled by default.
LOCATION_SENSORS: dict[bool, EnodeLocationSensorEntityDescription] = {
    moves: EnodeLocationSensorEntityDescription(
        key="location",
        translation_key="location",
        device_class=SensorDeviceClass.ENUM,
        entity_registry_enabled_default=moves,
    )
    for moves in (True, False)
}


@dataclass(frozen=True, kw_only=True)
class EnodeSmartSensorEntityDescription(SensorEntityDescription):
    """A sensor of a vehicle's smart charging status (pushed, or polled without push)."""

    value_fn: Callable[[SmartChargingStatus], StateType | datetime]
    unit_fn: Callable[[SmartChargingStatus], str | None] | None = None


def _active_plan(status: SmartChargingStatus) -> SmartChargingPlan | None:
    """The plan being executed; an ended plan has no start or finish ahead."""
    plan = status.plan
    return None if plan is None or plan.is_ended or status.is_ended else plan


def _plan_time(status: SmartChargingStatus, name: str) -> datetime | None:
    plan = _active_plan(status)
    value = getattr(plan, name) if plan is not None else None
    return value if isinstance(value, datetime) else None


SMART_SENSORS: tuple[EnodeSmartSensorEntityDescription, ...] = (
    EnodeSmartSensorEntityDescription(
        key="smart_charging_state",
        translation_key="smart_charging_state",
        device_class=SensorDeviceClass.ENUM,
        options=SMART_CHARGING_STATES,
        value_fn=lambda status: _enum_state(status.state, SMART_CHARGING_STATES),
    ),
    EnodeSmartSensorEntityDescription(
        key="planned_start",
        translation_key="planned_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda status: _plan_time(status, "start_at"),
    ),
    EnodeSmartSensorEntityDescription(
        key="estimated_finish",
        translation_key="estimated_finish",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda status: _plan_time(status, "estimated_finish_at"),
    ),
    # Unknown when Enode gives no costs (no price data or tariff for the Location).
    EnodeSmartSensorEntityDescription(
        key="smart_charging_saving",
        translation_key="smart_charging_saving",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        value_fn=lambda status: status.plan.savings if status.plan else None,
        unit_fn=lambda status: status.plan.currency if status.plan else None,
    ),
)

SENSORS: dict[AssetType, tuple[EnodeSensorEntityDescription[Any], ...]] = {
    AssetType.VEHICLE: VEHICLE_SENSORS,
    AssetType.CHARGER: CHARGER_SENSORS,
    AssetType.BATTERY: BATTERY_SENSORS,
    AssetType.HVAC: HVAC_SENSORS,
    AssetType.INVERTER: INVERTER_SENSORS,
    AssetType.METER: METER_SENSORS,
    AssetType.HEM_SYSTEM: HEM_SENSORS,
}


NOT_CONNECTED: Final = "none"


@dataclass(frozen=True, kw_only=True)
class EnodePairingSensorEntityDescription(SensorEntityDescription):
    """Names the asset of `partner_type` whose id `paired_id_fn` reads."""

    partner_type: AssetType
    key_name: str  # the chargeState key that carries the pairing (its presence = supported)
    paired_id_fn: Callable[[Asset], str | None]


PLUGGED_IN_CHARGER = EnodePairingSensorEntityDescription(
    key="plugged_in_charger",
    translation_key="plugged_in_charger",
    device_class=SensorDeviceClass.ENUM,
    partner_type=AssetType.CHARGER,
    key_name="pluggedInChargerId",
    paired_id_fn=lambda asset: (
        asset.charge_state.plugged_in_charger_id
        if isinstance(asset, Vehicle) and asset.charge_state
        else None
    ),
)
PLUGGED_IN_VEHICLE = EnodePairingSensorEntityDescription(
    key="plugged_in_vehicle",
    translation_key="plugged_in_vehicle",
    device_class=SensorDeviceClass.ENUM,
    partner_type=AssetType.VEHICLE,
    key_name="pluggedInVehicleId",
    paired_id_fn=lambda asset: (
        asset.charge_state.plugged_in_vehicle_id
        if isinstance(asset, Charger) and asset.charge_state
        else None
    ),
)
PAIRING_SENSORS: Final = {
    AssetType.VEHICLE: PLUGGED_IN_CHARGER,
    AssetType.CHARGER: PLUGGED_IN_VEHICLE,
}


def pairing_description(asset: Asset) -> EnodePairingSensorEntityDescription | None:
    """The pairing sensor of a vehicle or charger whose data carries the pairing field."""
    description = PAIRING_SENSORS.get(asset.asset_type)
    charge_state = asset.raw.get("chargeState")
    if description is None or not isinstance(charge_state, dict):
        return None
    # Older API versions and vendors without EV charger pairing leave the key out.
    return description if description.key_name in charge_state else None


CHARGING_ASSETS = (AssetType.VEHICLE, AssetType.CHARGER)


@dataclass(frozen=True, kw_only=True)
class EnodeChargingMonthEntityDescription(SensorEntityDescription):
    """One month-to-date charging figure; ``monetary`` ones are in Enode's currency."""

    value_fn: Callable[[MonthTotals], float]
    monetary: bool = False


CHARGING_MONTH_SENSORS: tuple[EnodeChargingMonthEntityDescription, ...] = (
    EnodeChargingMonthEntityDescription(
        key="month_charging_energy",
        translation_key="month_charging_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda month: month.kwh,
    ),
    EnodeChargingMonthEntityDescription(
        key="month_charging_cost",
        translation_key="month_charging_cost",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda month: month.cost,
        monetary=True,
    ),
    EnodeChargingMonthEntityDescription(
        key="month_charging_savings",
        translation_key="month_charging_savings",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda month: month.savings,
        monetary=True,
    ),
)


# Schedule status options: the Enode state in lower case with ':' as '_'; a state a newer API
# adds is reported as unknown.
SCHEDULE_STATES = [state.value.lower().replace(":", "_") for state in ScheduleState]


@dataclass(frozen=True, kw_only=True)
class EnodeScheduleSensorDescription(SensorEntityDescription):
    """Describes a schedule status sensor."""

    value_fn: Callable[[ScheduleStatus], str | None]


SCHEDULE_STATUS = EnodeScheduleSensorDescription(
    key="schedule_status",
    translation_key="schedule_status",
    device_class=SensorDeviceClass.ENUM,
    options=SCHEDULE_STATES,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda status: _enum_state(status.state, SCHEDULE_STATES),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up sensors for every asset, now and as assets appear."""

    def build(asset: Asset) -> list[EnodeEntity]:
        entities: list[EnodeEntity] = [
            EnodeSensorEntity(entry, asset, description)
            for description in SENSORS.get(asset.asset_type, ())
            if description.exists_fn(asset)
        ]
        if asset.location is not None and asset.asset_type is not AssetType.HEM_SYSTEM:
            moves = asset.asset_type is AssetType.VEHICLE
            entities.append(EnodeLocationSensor(entry, asset, LOCATION_SENSORS[moves]))
        if is_smart_capable(asset):
            entities.extend(
                EnodeSmartSensorEntity(entry, asset, description) for description in SMART_SENSORS
            )
        if (pairing := pairing_description(asset)) is not None:
            entities.append(EnodePairingSensor(entry, asset, pairing))
        # Only with the recorder, which the charging statistics importer needs.
        if entry.runtime_data.charging_statistics is not None and (
            asset.asset_type in CHARGING_ASSETS
        ):
            entities.extend(
                EnodeChargingMonthSensor(entry, asset, description)
                for description in CHARGING_MONTH_SENSORS
            )
        # Only with the recorder, which the statistics importer needs.
        if asset.asset_type is AssetType.HEM_SYSTEM and entry.runtime_data.statistics is not None:
            entities.extend(
                EnodeEnergyTodaySensor(entry, asset, description) for description in ENERGY_TODAY
            )
        return entities

    async_add_asset_entities(entry, async_add_entities, build)
    async_add_schedule_entities(
        entry,
        async_add_entities,
        lambda schedule: EnodeScheduleStatusSensor(entry, schedule, SCHEDULE_STATUS),
    )


class EnodeSensorEntity(EnodeEntity, SensorEntity):
    """A sensor reading one value of an Enode asset."""

    entity_description: EnodeSensorEntityDescription[Any]

    @property
    def native_value(self) -> StateType | date | datetime:
        """The value from the asset's latest state."""
        asset = self.asset
        return None if asset is None else self.entity_description.value_fn(asset)


class EnodeLocationSensor(EnodeEntity, SensorEntity):
    """The Enode Location an asset is at (its name), or away."""

    entity_description: EnodeLocationSensorEntityDescription

    @property
    def options(self) -> list[str]:
        """Every Location's name and away, for the state selectors of automations."""
        return self.entity_description.options_fn(self.coordinator.data.locations)

    @property
    def native_value(self) -> str | None:
        """The name of the Location from the asset's location.id."""
        asset = self.asset
        if asset is None:
            return None
        return self.entity_description.value_fn(asset, self.coordinator.data.locations)


class EnodeSmartSensorEntity(EnodeEntity, SensorEntity):
    """A sensor reading the vehicle's smart charging status."""

    entity_description: EnodeSmartSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """The value from the latest status; unknown before one arrived."""
        status = smart_status(self)
        return None if status is None else self.entity_description.value_fn(status)

    @property
    def native_unit_of_measurement(self) -> str | None:
        """A saving is in the plan's currency (Enode's ISO 4217 code)."""
        unit_fn = self.entity_description.unit_fn
        if unit_fn is None:
            return super().native_unit_of_measurement
        status = smart_status(self)
        return None if status is None else unit_fn(status)


class EnodeEnergyTodaySensor(EnodeEntity, SensorEntity):
    """Energy so far today as the statistics importer last fetched it; updated by its signal."""

    entity_description: EnodeEnergyTodayEntityDescription

    async def async_added_to_hass(self) -> None:
        """Re-render when the importer has new totals for this HEM system."""
        await super().async_added_to_hass()

        @callback
        def _updated(asset_id: str) -> None:
            if asset_id == self.asset_id:
                self.async_write_ha_state()

        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_ENERGY_TODAY.format(entry_id=self.entry.entry_id), _updated
            )
        )

    @property
    def native_value(self) -> float | None:
        """Energy so far on the system's local day; unknown until today's statistics arrive."""
        asset, statistics = self.asset, self.entry.runtime_data.statistics
        if asset is None or statistics is None:
            return None
        return statistics.energy_today(asset, self.entity_description.series)


class EnodePairingSensor(EnodeEntity, SensorEntity):
    """The name of the device this one is plugged into (or `none`)."""

    entity_description: EnodePairingSensorEntityDescription

    def _name_of(self, asset: Asset) -> str:
        """The device's name as the user sees it (their rename first)."""
        return async_shown_name(self.hass, self.entry.entry_id, asset)

    @property
    def options(self) -> list[str]:
        """Every device the asset could be paired with, and none."""
        partner = self.entity_description.partner_type
        names = {self._name_of(asset) for asset in self.coordinator.data.of_type(partner)}
        return [*sorted(names - {NOT_CONNECTED}), NOT_CONNECTED]

    @property
    def native_value(self) -> str | None:
        """The paired device's name; none while not paired; unknown for a foreign id."""
        asset = self.asset
        if asset is None:
            return None
        paired_id = self.entity_description.paired_id_fn(asset)
        if paired_id is None:
            return NOT_CONNECTED
        partner = self.coordinator.data.assets.get(paired_id)
        if partner is None or partner.asset_type is not self.entity_description.partner_type:
            return None
        return self._name_of(partner)


class EnodeChargingMonthSensor(EnodeEntity, SensorEntity):
    """Charging so far this month, as the importer last fetched it; updated by its signal."""

    entity_description: EnodeChargingMonthEntityDescription

    async def async_added_to_hass(self) -> None:
        """Re-render after every import run and at the month change."""
        await super().async_added_to_hass()

        @callback
        def _updated() -> None:
            self.async_write_ha_state()

        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_CHARGING_STATISTICS.format(entry_id=self.entry.entry_id),
                _updated,
            )
        )

    def _month(self) -> MonthTotals | None:
        importer = self.entry.runtime_data.charging_statistics
        return importer.month(self.asset_id) if importer is not None else None

    def _currency(self) -> str | None:
        importer = self.entry.runtime_data.charging_statistics
        return importer.currency(self.asset_id) if importer is not None else None

    @property
    def native_value(self) -> float | None:
        """Unknown until this month's hours were fetched (and, for money, the currency)."""
        month = self._month()
        if month is None or (self.entity_description.monetary and self._currency() is None):
            return None
        return self.entity_description.value_fn(month)

    @property
    def last_reset(self) -> datetime | None:
        """The start of the local month."""
        month = self._month()
        return month.start if month is not None else None

    @property
    def native_unit_of_measurement(self) -> str | None:
        """kWh, or the currency Enode prices in."""
        if self.entity_description.monetary:
            return self._currency()
        return super().native_unit_of_measurement


class EnodeScheduleStatusSensor(EnodeScheduleEntity, SensorEntity):
    """What the schedule is doing (``ScheduleState``)."""

    entity_description: EnodeScheduleSensorDescription

    @property
    def native_value(self) -> str | None:
        """The state of the latest status (pushed or polled)."""
        status = self.coordinator.data.schedules.statuses.get(self.schedule_id)
        return None if status is None else self.entity_description.value_fn(status)
