"""Month-to-date charging sensors of vehicles and chargers: energy, cost, smart savings.

Fed by the charging statistics importer's fetches (no requests of their own); they exist only
with the recorder, which the importer needs. ``total`` sensors whose ``last_reset`` is the start
of the local month, so long-term statistics see each month as a new cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .api import AssetType
from .const import SIGNAL_CHARGING_STATISTICS
from .entity import EnodeEntity

if TYPE_CHECKING:
    from .api import Asset
    from .charging_statistics import MonthTotals
    from .models import EnodeConfigEntry

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


def charging_sensors(entry: EnodeConfigEntry, asset: Asset) -> list[EnodeEntity]:
    """The month sensors of a vehicle or charger, when charging statistics are imported."""
    if entry.runtime_data.charging_statistics is None or asset.asset_type not in CHARGING_ASSETS:
        return []
    return [
        EnodeChargingMonthSensor(entry, asset, description)
        for description in CHARGING_MONTH_SENSORS
    ]


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
