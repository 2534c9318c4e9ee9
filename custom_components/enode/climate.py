"""HVAC units as climate entities: mode and setpoints through permanent holds, or the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    ATTR_TARGET_TEMP_HIGH,
    ATTR_TARGET_TEMP_LOW,
    PRESET_NONE,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, PRECISION_TENTHS, UnitOfTemperature
from homeassistant.exceptions import ServiceValidationError

from .api import Asset, Hvac, HvacHoldType, HvacMode, SetpointRange
from .const import DOMAIN
from .entity import EnodeEntity, async_add_asset_entities
from .helpers import format_number, validate_setting

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1

PRESET_FOLLOW_SCHEDULE = "follow_schedule"
VALUE_KEY = "thermostat"
CAPABILITY_HOLD = "setPermanentHold"
CAPABILITY_SCHEDULE = "setFollowSchedule"

ENODE_TO_HA: dict[str, HVACMode] = {
    HvacMode.OFF: HVACMode.OFF,
    HvacMode.HEAT: HVACMode.HEAT,
    HvacMode.COOL: HVACMode.COOL,
    HvacMode.AUTO: HVACMode.HEAT_COOL,
}
HA_TO_ENODE: dict[HVACMode, HvacMode] = {
    HVACMode.OFF: HvacMode.OFF,
    HVACMode.HEAT: HvacMode.HEAT,
    HVACMode.COOL: HvacMode.COOL,
    HVACMode.HEAT_COOL: HvacMode.AUTO,
}
# Used when a range is unknown, and as setpoints when switching into a mode without one.
DEFAULT_MIN_TEMP = 7.0
DEFAULT_MAX_TEMP = 35.0
DEFAULT_HEAT = 20.0
DEFAULT_COOL = 24.0

THERMOSTAT = ClimateEntityDescription(key="thermostat", translation_key="thermostat", name=None)


@dataclass(frozen=True, slots=True)
class Thermostat:
    """Mode, setpoints and hold type: as reported, or as requested while an action is pending."""

    mode: str | None
    heat: float | None
    cool: float | None
    hold: str | None


def reported_thermostat(hvac: Hvac | None) -> Thermostat:
    """Mode, setpoints and hold type as the unit reports them."""
    state = hvac.thermostat_state if hvac else None
    return Thermostat(
        mode=str(state.mode) if state and state.mode is not None else None,
        heat=state.heat_setpoint if state else None,
        cool=state.cool_setpoint if state else None,
        hold=str(state.hold_type) if state and state.hold_type is not None else None,
    )


def shows_request(asset: Asset, target: dict[str, Any]) -> bool:
    """True when a unit reports every value a command asked for (None: not part of it)."""
    if not isinstance(asset, Hvac):
        return False
    reported = reported_thermostat(asset)
    return all(
        getattr(reported, key) == value for key, value in target.items() if value is not None
    )


def _bounds(value: SetpointRange | None) -> tuple[float, float]:
    low = value.min if value and value.min is not None else DEFAULT_MIN_TEMP
    high = value.max if value and value.max is not None else DEFAULT_MAX_TEMP
    return low, high


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a climate entity for every HVAC unit that accepts permanent holds."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            [EnodeClimateEntity(entry, asset, THERMOSTAT, (CAPABILITY_HOLD,))]
            if isinstance(asset, Hvac) and asset.is_capable(CAPABILITY_HOLD)
            else []
        ),
    )


class EnodeClimateEntity(EnodeEntity, ClimateEntity):
    """An Enode HVAC unit; changes are permanent holds, the preset returns it to its schedule."""

    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_precision = PRECISION_TENTHS
    _attr_target_temperature_step = 0.5

    @property
    def hvac(self) -> Hvac | None:
        """The HVAC unit as last reported."""
        asset = self.asset
        return asset if isinstance(asset, Hvac) else None

    @property
    def thermostat(self) -> Thermostat:
        """The reported thermostat state with a pending command's request laid over it."""
        reported = reported_thermostat(self.hvac)
        requested = self.requested(VALUE_KEY, None)
        if not isinstance(requested, dict):
            return reported
        return Thermostat(
            mode=requested.get("mode", reported.mode),
            heat=requested.get("heat", reported.heat),
            cool=requested.get("cool", reported.cool),
            hold=requested.get("hold", reported.hold),
        )

    @property
    def hvac_modes(self) -> list[HVACMode]:
        """The unit's capable modes, and always OFF."""
        hvac = self.hvac
        capable = hvac.capable_modes if hvac and hvac.capable_modes is not None else ()
        modes = [ENODE_TO_HA[mode] for mode in capable if mode in ENODE_TO_HA]
        if HVACMode.OFF not in modes:
            modes.insert(0, HVACMode.OFF)
        return modes

    @property
    def hvac_mode(self) -> HVACMode | None:
        """The current mode (None while Enode reports UNKNOWN)."""
        mode = self.thermostat.mode
        return ENODE_TO_HA.get(mode) if mode else None

    @property
    def hvac_action(self) -> HVACAction | None:
        """What the unit does now: isActive, and in heat/cool the room against both setpoints.

        Enode reports only whether the unit is active. Inactive is idle. Active in heat/cool is
        heating below the heat setpoint, cooling above the cool setpoint and idle in between
        (unknown without a room temperature).
        """
        hvac = self.hvac
        active = hvac.temperature_state.is_active if hvac and hvac.temperature_state else None
        mode = self.hvac_mode
        if mode is HVACMode.OFF:
            return HVACAction.OFF
        if active is None or mode is None:
            return None
        if not active:
            return HVACAction.IDLE
        if mode is HVACMode.COOL:
            return HVACAction.COOLING
        if mode is HVACMode.HEAT_COOL:
            current, thermostat = self.native_current_temperature, self.thermostat
            if current is None:
                return None
            if thermostat.heat is not None and current < thermostat.heat:
                return HVACAction.HEATING
            if thermostat.cool is not None and current > thermostat.cool:
                return HVACAction.COOLING
            return HVACAction.IDLE
        return HVACAction.HEATING

    @property
    def supported_features(self) -> ClimateEntityFeature:
        """Features follow the capable modes and whether the unit can follow a schedule."""
        modes = self.hvac_modes
        features = ClimateEntityFeature(0)
        if HVACMode.HEAT in modes or HVACMode.COOL in modes:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE
        if HVACMode.HEAT_COOL in modes:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE_RANGE
        if len(modes) > 1:
            features |= ClimateEntityFeature.TURN_OFF | ClimateEntityFeature.TURN_ON
        hvac = self.hvac
        if hvac and hvac.is_capable(CAPABILITY_SCHEDULE):
            features |= ClimateEntityFeature.PRESET_MODE
        return features

    @property
    def native_current_temperature(self) -> float | None:
        """The measured temperature."""
        hvac = self.hvac
        return (
            hvac.temperature_state.current_temperature if hvac and hvac.temperature_state else None
        )

    @property
    def native_target_temperature(self) -> float | None:
        """The setpoint of the current mode (HEAT or COOL)."""
        thermostat = self.thermostat
        if thermostat.mode == HvacMode.HEAT:
            return thermostat.heat
        if thermostat.mode == HvacMode.COOL:
            return thermostat.cool
        return None

    @property
    def native_target_temperature_low(self) -> float | None:
        """The heat setpoint in AUTO."""
        thermostat = self.thermostat
        return thermostat.heat if thermostat.mode == HvacMode.AUTO else None

    @property
    def native_target_temperature_high(self) -> float | None:
        """The cool setpoint in AUTO."""
        thermostat = self.thermostat
        return thermostat.cool if thermostat.mode == HvacMode.AUTO else None

    @property
    def _heat_bounds(self) -> tuple[float, float]:
        hvac = self.hvac
        return _bounds(hvac.heat_setpoint_range if hvac else None)

    @property
    def _cool_bounds(self) -> tuple[float, float]:
        hvac = self.hvac
        return _bounds(hvac.cool_setpoint_range if hvac else None)

    @property
    def _difference_bounds(self) -> tuple[float, float]:
        hvac = self.hvac
        value = hvac.setpoint_difference_range if hvac else None
        low = value.min if value and value.min is not None else 0.0
        high = value.max if value and value.max is not None else DEFAULT_MAX_TEMP
        return low, high

    @property
    def min_temp(self) -> float:
        """The lowest setpoint of the current mode's range."""
        if self.thermostat.mode == HvacMode.COOL:
            return self._cool_bounds[0]
        if self.thermostat.mode == HvacMode.HEAT:
            return self._heat_bounds[0]
        return min(self._heat_bounds[0], self._cool_bounds[0])

    @property
    def max_temp(self) -> float:
        """The highest setpoint of the current mode's range."""
        if self.thermostat.mode == HvacMode.COOL:
            return self._cool_bounds[1]
        if self.thermostat.mode == HvacMode.HEAT:
            return self._heat_bounds[1]
        return max(self._heat_bounds[1], self._cool_bounds[1])

    @property
    def preset_modes(self) -> list[str] | None:
        """Follow the unit's schedule, or none (a permanent hold)."""
        if not self.supported_features & ClimateEntityFeature.PRESET_MODE:
            return None
        return [PRESET_FOLLOW_SCHEDULE, PRESET_NONE]

    @property
    def preset_mode(self) -> str | None:
        """follow_schedule while the unit follows its schedule, else none."""
        if not self.supported_features & ClimateEntityFeature.PRESET_MODE:
            return None
        hold = self.thermostat.hold
        if hold is None:
            return None
        return PRESET_FOLLOW_SCHEDULE if hold == HvacHoldType.SCHEDULED else PRESET_NONE

    # Commands ------------------------------------------------------------------------------

    def _check_setpoint(self, value: float, bounds: tuple[float, float]) -> None:
        """Within the mode's range and on the entity's own target_temp_step."""
        validate_setting(
            value, bounds[0], bounds[1], self.target_temperature_step or 0.5, kind="temperature"
        )

    def _check_difference(self, low: float, high: float) -> None:
        bounds = self._difference_bounds
        if not bounds[0] <= high - low <= bounds[1]:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="setpoint_difference_out_of_range",
                translation_placeholders={
                    "min": format_number(bounds[0]),
                    "max": format_number(bounds[1]),
                },
            )

    async def _async_hold(self, mode: str, heat: float | None, cool: float | None) -> None:
        """Send a permanent hold and show it while Enode carries it out."""
        target = {"mode": mode, "heat": heat, "cool": cool, "hold": str(HvacHoldType.PERMANENT)}
        await self.async_send_command(
            "set_hvac_hold",
            VALUE_KEY,
            target,
            self.coordinator.client.set_hvac_permanent_hold(
                self.asset_id, mode, heat_setpoint=heat, cool_setpoint=cool
            ),
            # Held until the unit reports the hold (no flip-back while polling).
            agrees=lambda asset: shows_request(asset, target),
        )

    def _enode_mode(self, hvac_mode: HVACMode | str) -> str:
        try:
            mode = HVACMode(hvac_mode)
        except ValueError:
            mode = None
        if mode is None or mode not in self.hvac_modes or mode not in HA_TO_ENODE:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="hvac_mode_not_supported",
                translation_placeholders={"mode": str(hvac_mode)},
            )
        return str(HA_TO_ENODE[mode])

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Hold the new mode, keeping (or defaulting) its setpoints within their ranges."""
        mode = self._enode_mode(hvac_mode)
        thermostat = self.thermostat
        heat: float | None = None
        cool: float | None = None
        if mode in (HvacMode.HEAT, HvacMode.AUTO):
            heat = _clamp(thermostat.heat or DEFAULT_HEAT, self._heat_bounds)
        if mode == HvacMode.COOL:
            cool = _clamp(thermostat.cool or DEFAULT_COOL, self._cool_bounds)
        if mode == HvacMode.AUTO and heat is not None:
            wanted = thermostat.cool if thermostat.cool is not None else DEFAULT_COOL
            cool = _clamp(heat + _clamp(wanted - heat, self._difference_bounds), self._cool_bounds)
        await self._async_hold(mode, heat, cool)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Hold the setpoint(s) of the current (or the given) mode, validated against ranges."""
        requested_mode = kwargs.get(ATTR_HVAC_MODE)
        mode = (
            self._enode_mode(requested_mode)
            if requested_mode is not None
            else (self.thermostat.mode or "")
        )
        temperature: float | None = kwargs.get(ATTR_TEMPERATURE)
        if mode in (HvacMode.HEAT, HvacMode.COOL):
            if temperature is None:
                temperature = kwargs.get(
                    ATTR_TARGET_TEMP_LOW if mode == HvacMode.HEAT else ATTR_TARGET_TEMP_HIGH
                )
            if temperature is None:
                return
            heat_mode = mode == HvacMode.HEAT
            self._check_setpoint(temperature, self._heat_bounds if heat_mode else self._cool_bounds)
            await self._async_hold(
                mode, temperature if heat_mode else None, None if heat_mode else temperature
            )
            return
        if mode == HvacMode.AUTO:
            low: float | None = kwargs.get(ATTR_TARGET_TEMP_LOW)
            high: float | None = kwargs.get(ATTR_TARGET_TEMP_HIGH)
            if low is None or high is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key="temperature_range_required"
                )
            self._check_setpoint(low, self._heat_bounds)
            self._check_setpoint(high, self._cool_bounds)
            self._check_difference(low, high)
            await self._async_hold(mode, low, high)
            return
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="temperature_not_adjustable"
        )

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """follow_schedule hands control to the unit's schedule; none holds the current state."""
        if preset_mode == PRESET_FOLLOW_SCHEDULE:
            target = {"hold": str(HvacHoldType.SCHEDULED)}
            await self.async_send_command(
                "follow_schedule",
                VALUE_KEY,
                target,
                self.coordinator.client.set_hvac_follow_schedule(self.asset_id),
                agrees=lambda asset: shows_request(asset, target),
            )
            return
        thermostat = self.thermostat
        mode = thermostat.mode
        if mode not in HA_TO_ENODE.values():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="hvac_mode_not_supported",
                translation_placeholders={"mode": str(mode).lower()},
            )
        await self._async_hold(
            str(mode),
            thermostat.heat if mode in (HvacMode.HEAT, HvacMode.AUTO) else None,
            thermostat.cool if mode in (HvacMode.COOL, HvacMode.AUTO) else None,
        )


# Home Assistant releases before the native_* temperature names (2026.11) read the old names.
if not hasattr(ClimateEntity, "native_current_temperature"):
    setattr(EnodeClimateEntity, "_attr_temperature_unit", UnitOfTemperature.CELSIUS)  # noqa: B010
    for _name in (
        "current_temperature",
        "target_temperature",
        "target_temperature_low",
        "target_temperature_high",
    ):
        setattr(EnodeClimateEntity, _name, getattr(EnodeClimateEntity, f"native_{_name}"))
