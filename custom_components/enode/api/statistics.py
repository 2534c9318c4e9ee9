"""Statistics series: HEM systems, inverters and charging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple

from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    number,
    obj,
    parse_datetime,
    raw_field,
    sub,
    text_field,
    value,
)

_NAME_KEY: Final = "__aioenode_series__"  # a series' name (its key in `timeseries`)

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
class HemStatisticsSeries(EnodeModel):
    """One HEM time series such as ``generation`` or ``import``."""

    name: str = text_field(_NAME_KEY, "")
    is_available: bool = field(
        default=False, metadata=alias("isAvailable", deserialize=lambda v: v is True)
    )
    reason: str | None = text_field("reason")
    unit: str | None = text_field("unit")
    unit_type: str | None = text_field("unitType")
    resolution: str | None = text_field("_resolution")
    sampling_mode: str | None = text_field("_samplingMode")
    timezone: str | None = text_field("timezone")
    points: tuple[StatisticsPoint, ...] = field(
        default=(), metadata=alias("data", deserialize=parse_points)
    )
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        sampling = sub(d, "sampling")
        return {
            **d,
            "_resolution": sampling.get("resolution"),
            "_samplingMode": sampling.get("mode"),
        }


def _series(value: Any) -> dict[str, HemStatisticsSeries]:
    return {
        name: HemStatisticsSeries.from_dict({**item, _NAME_KEY: name})
        for name, item in (value.items() if isinstance(value, dict) else ())
        if isinstance(item, dict)
    }


def _resolutions(value: Any) -> dict[str, tuple[StatisticsPoint, ...]]:
    return {
        name: parse_points(item.get("data"))
        for name, item in (value.items() if isinstance(value, dict) else ())
        if isinstance(item, dict)
    }


@dataclass(frozen=True, slots=True)
class HemStatistics(EnodeModel):
    """HEM system statistics for one DAY or MONTH interval, keyed by series name."""

    series: dict[str, HemStatisticsSeries] = field(
        default_factory=dict, metadata=alias("timeseries", deserialize=_series)
    )
    raw: JsonObject = raw_field()


@dataclass(frozen=True, slots=True)
class InverterStatistics(EnodeModel):
    """Inverter production in kWh per bucket, keyed by resolution (QUARTER_HOUR or DAY)."""

    resolutions: dict[str, tuple[StatisticsPoint, ...]] = field(
        default_factory=dict, metadata=alias("resolutions", deserialize=_resolutions)
    )
    raw: JsonObject = raw_field()

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
class ChargingStatisticsBucket(EnodeModel):
    """One bucket of ``/users/{id}/statistics/charging`` (SMART.md 9.1).

    Every key is documented as required, but each is read defensively: a member that is
    missing, null or not a number is None. ``non_smart_price`` members and
    ``estimated_savings`` are null when smart charging did not affect the bucket.
    """

    date: datetime | None = value("date")
    kw: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("kw", deserialize=MinMaxMean.from_value),
    )
    kwh_sum: float | None = value("kwhSum")
    price: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("price", deserialize=MinMaxMean.from_value),
    )
    cost_sum: float | None = value("costSum")
    non_smart_price: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("nonSmartPrice", deserialize=MinMaxMean.from_value),
    )
    estimated_savings: float | None = value("estimatedSavings")
    raw: JsonObject = raw_field()

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
class ChargingSession(EnodeModel):
    """One session of ``/users/{id}/statistics/charging/sessions`` (SMART.md 9.2).

    ``asset_id`` is the session's ``id``: the asset's id.
    """

    asset_id: str | None = text_field("id")
    location_id: str | None = text_field("locationId")
    start: datetime | None = value("from")
    end: datetime | None = value("to")
    kw: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("kw", deserialize=MinMaxMean.from_value),
    )
    kwh_sum: float | None = value("kwhSum")
    price: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("price", deserialize=MinMaxMean.from_value),
    )
    cost_sum: float | None = value("costSum")
    non_smart_price: MinMaxMean = field(
        default=MinMaxMean(None, None, None),
        metadata=alias("nonSmartPrice", deserialize=MinMaxMean.from_value),
    )
    estimated_savings: float | None = value("estimatedSavings")
    raw: JsonObject = raw_field()
