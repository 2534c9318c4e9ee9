"""Statistics series: HEM systems, inverters and charging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Self

from .parsing import JsonObject, boolean, number, obj, parse_datetime, sub, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

# The bucket timestamp key is unconfirmed (API.md 8.1/8.2 [?]): HEM uses t/v, the older
# inverter schema used date/value. Accept any of them.
_TIME_KEYS = ("t", "date", "timestamp", "start")
_VALUE_KEYS = ("v", "value")


class StatisticsPoint(NamedTuple):
    """One bucket: its start time and value (None for missing or future buckets)."""

    time: datetime
    value: float | None


def parse_points(value: Any) -> tuple[StatisticsPoint, ...]:
    """Parse a list of buckets, skipping items without a readable timestamp."""
    if not isinstance(value, list):
        return ()
    points = []
    for item in value:
        if not isinstance(item, dict):
            continue
        time = next(
            (t for t in (parse_datetime(item.get(key)) for key in _TIME_KEYS) if t is not None),
            None,
        )
        if time is None:
            continue
        reading = next(
            (v for v in (number(item, key) for key in _VALUE_KEYS) if v is not None), None
        )
        points.append(StatisticsPoint(time, reading))
    return tuple(points)


@dataclass(frozen=True, slots=True)
class HemStatisticsSeries:
    """One HEM time series such as ``generation`` or ``import``."""

    name: str
    is_available: bool
    reason: str | None
    unit: str | None
    unit_type: str | None
    resolution: str | None
    sampling_mode: str | None
    timezone: str | None
    points: tuple[StatisticsPoint, ...]
    raw: JsonObject

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> Self:
        """Parse one series of a HEM statistics response."""
        sampling = sub(data, "sampling")
        return cls(
            name=name,
            is_available=boolean(data, "isAvailable") is True,
            reason=text(data, "reason"),
            unit=text(data, "unit"),
            unit_type=text(data, "unitType"),
            resolution=text(sampling, "resolution"),
            sampling_mode=text(sampling, "mode"),
            timezone=text(data, "timezone"),
            points=parse_points(data.get("data")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class HemStatistics:
    """HEM system statistics for one DAY or MONTH interval, keyed by series name."""

    series: dict[str, HemStatisticsSeries]
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``{timeseries: {...}}`` response."""
        return cls(
            series={
                name: HemStatisticsSeries.from_dict(name, value)
                for name, value in sub(data, "timeseries").items()
                if isinstance(value, dict)
            },
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class InverterStatistics:
    """Inverter production in kWh per bucket, keyed by resolution (QUARTER_HOUR or DAY)."""

    resolutions: dict[str, tuple[StatisticsPoint, ...]]
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``{resolutions: {NAME: {data: [...]}}}`` response."""
        return cls(
            resolutions={
                name: parse_points(value.get("data"))
                for name, value in sub(data, "resolutions").items()
                if isinstance(value, dict)
            },
            raw=dict(data),
        )

    @property
    def points(self) -> tuple[StatisticsPoint, ...]:
        """Return the buckets of the finest resolution present (a day or month has one)."""
        for name in ("QUARTER_HOUR", "DAY"):
            if name in self.resolutions:
                return self.resolutions[name]
        return next(iter(self.resolutions.values()), ())


@dataclass(frozen=True, slots=True)
class ChargingStatisticsBucket:
    """One bucket of ``/users/{id}/statistics/charging``."""

    date: datetime | None
    kw_min: float | None
    kw_max: float | None
    kw_mean: float | None
    kwh_sum: float | None
    price_mean: float | None
    cost_sum: float | None
    non_smart_price_mean: float | None
    estimated_savings: float | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one charging statistics bucket."""
        kw = sub(data, "kw")
        return cls(
            date=timestamp(data, "date"),
            kw_min=number(kw, "min"),
            kw_max=number(kw, "max"),
            kw_mean=number(kw, "mean"),
            kwh_sum=number(data, "kwhSum"),
            price_mean=number(obj(data.get("price")), "mean"),
            cost_sum=number(data, "costSum"),
            non_smart_price_mean=number(obj(data.get("nonSmartPrice")), "mean"),
            estimated_savings=number(data, "estimatedSavings"),
            raw=dict(data),
        )
