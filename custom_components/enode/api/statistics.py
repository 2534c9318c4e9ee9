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


class MinMaxMean(NamedTuple):
    """Aggregates of one quantity over a bucket or session; each None when not reported."""

    min: float | None
    max: float | None
    mean: float | None

    @classmethod
    def from_value(cls, value: Any) -> MinMaxMean:
        """Parse ``{min, max, mean}``; anything else (null, missing) gives three Nones."""
        data = obj(value)
        return cls(number(data, "min"), number(data, "max"), number(data, "mean"))


@dataclass(frozen=True, slots=True)
class ChargingStatisticsBucket:
    """One bucket of ``/users/{id}/statistics/charging`` (SMART.md 9.1).

    Every key is documented as required, but each is read defensively: a member that is
    missing, null or not a number is None. ``non_smart_price`` members and
    ``estimated_savings`` are null when smart charging did not affect the bucket.
    """

    date: datetime | None
    kw: MinMaxMean
    kwh_sum: float | None
    price: MinMaxMean
    cost_sum: float | None
    non_smart_price: MinMaxMean
    estimated_savings: float | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one charging statistics bucket."""
        return cls(
            date=timestamp(data, "date"),
            kw=MinMaxMean.from_value(data.get("kw")),
            kwh_sum=number(data, "kwhSum"),
            price=MinMaxMean.from_value(data.get("price")),
            cost_sum=number(data, "costSum"),
            non_smart_price=MinMaxMean.from_value(data.get("nonSmartPrice")),
            estimated_savings=number(data, "estimatedSavings"),
            raw=dict(data),
        )

    # The flat names of the first version of this model.
    @property
    def kw_min(self) -> float | None:
        """The lowest charging power (kW)."""
        return self.kw.min

    @property
    def kw_max(self) -> float | None:
        """The highest charging power (kW)."""
        return self.kw.max

    @property
    def kw_mean(self) -> float | None:
        """The mean charging power (kW)."""
        return self.kw.mean

    @property
    def price_mean(self) -> float | None:
        """The mean price per kWh."""
        return self.price.mean

    @property
    def non_smart_price_mean(self) -> float | None:
        """The mean price per kWh without smart charging (None when not smart charged)."""
        return self.non_smart_price.mean


@dataclass(frozen=True, slots=True)
class ChargingSession:
    """One session of ``/users/{id}/statistics/charging/sessions`` (SMART.md 9.2)."""

    asset_id: str | None
    location_id: str | None
    start: datetime | None
    end: datetime | None
    kw: MinMaxMean
    kwh_sum: float | None
    price: MinMaxMean
    cost_sum: float | None
    non_smart_price: MinMaxMean
    estimated_savings: float | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one charging session (``id`` is the asset's id)."""
        return cls(
            asset_id=text(data, "id"),
            location_id=text(data, "locationId"),
            start=timestamp(data, "from"),
            end=timestamp(data, "to"),
            kw=MinMaxMean.from_value(data.get("kw")),
            kwh_sum=number(data, "kwhSum"),
            price=MinMaxMean.from_value(data.get("price")),
            cost_sum=number(data, "costSum"),
            non_smart_price=MinMaxMean.from_value(data.get("nonSmartPrice")),
            estimated_savings=number(data, "estimatedSavings"),
            raw=dict(data),
        )
