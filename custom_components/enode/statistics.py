"""Import Enode HEM-system and inverter history into Home Assistant's long-term statistics.

Only imported when the recorder is loaded (see ``__init__.py``), so the recorder modules are
imported at the top of this module.

One external statistic per asset and energy series, ``enode:<asset id>_<series>``, with one row
per hour: kWh in ``state`` and a cumulative ``sum`` (what the Energy dashboard reads). Power
buckets (kW over 5/15 minutes) are integrated into kWh; energy buckets (kWh) are added up. Hours
are UTC hours, which are the local hours of every zone with a whole-hour offset (Europe/Oslo
included); days are fetched by local date, so 23- and 25-hour days come out as 23 or 25 rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise
import re
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter

from .api import (
    AssetType,
    EnodeAuthenticationError,
    EnodeBadRequestError,
    EnodeControlledEntityError,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
)
from .const import (
    CONF_BACKFILL_DAYS,
    DEFAULT_BACKFILL_DAYS,
    DOMAIN,
    LOGGER,
    SIGNAL_ENERGY_TODAY,
    SIGNAL_STATISTICS_UPDATED,
)
from .devices import device_name

if TYPE_CHECKING:
    from .api import Asset, EnodeClient, StatisticsPoint
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

# HEM energy series. batteryLevel is a percentage, not energy: the battery's level sensor
# already records it from setup on, and the Energy dashboard has no use for it.
HEM_SERIES = ("generation", "consumption", "import", "export", "charge", "discharge")
INVERTER_SERIES = "production"
SERIES_NAMES = {
    "generation": "solar generation",
    "consumption": "consumption",
    "import": "grid import",
    "export": "grid export",
    "charge": "battery charge",
    "discharge": "battery discharge",
    INVERTER_SERIES: "solar production",
}

RUN_INTERVAL = timedelta(hours=1)
FIRST_RUN_DELAY = 30.0  # seconds after setup: let Home Assistant finish starting
# Seconds: HEM systems report updates every minute or so; statistics are hourly, so one run
# per ten minutes absorbs every burst (about four requests per run and system).
SIGNAL_COOLDOWN = 600.0
REFETCH_DAYS = 1  # re-fetch the day of the last imported hour and this many before it
BACKOFF_FIRST = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)
RATE_LIMIT_DEFAULT = 60.0
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")

type Hourly = dict[datetime, float]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def statistic_id(asset_id: str, series: str) -> str:
    """Return the external statistic id of one asset's series (a valid, lower-case slug)."""
    return f"{DOMAIN}:{_slug(asset_id)}_{_slug(series)}"


def _hour(moment: datetime) -> datetime:
    """Return the UTC hour that contains ``moment``."""
    return dt_util.as_utc(moment).replace(minute=0, second=0, microsecond=0)


def _bucket_minutes(resolution: str | None, points: tuple[StatisticsPoint, ...]) -> float:
    """Minutes per bucket: from ``PT5M``-style resolutions, else the smallest point spacing."""
    if resolution and (match := _DURATION.match(resolution)) and any(match.groups()):
        return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    gaps = [
        (later.time - earlier.time).total_seconds() / 60
        for earlier, later in pairwise(points)
        if later.time > earlier.time
    ]
    return min(gaps) if gaps else 60.0


def integrate(points: Iterable[StatisticsPoint], minutes: float, *, power: bool) -> Hourly:
    """Return kWh per UTC hour from buckets of ``minutes`` (kW when ``power``, else kWh).

    Null buckets are gaps: an hour without any value is absent, never zero. A trailing hour that
    is not yet complete (the hour in progress) is left out; later runs import it.
    """
    per_hour = 60 / minutes
    energy: Hourly = {}
    counts: dict[datetime, int] = {}
    for point in points:
        if point.value is None:
            continue
        hour = _hour(point.time)
        kwh = point.value * minutes / 60 if power else point.value
        energy[hour] = energy.get(hour, 0.0) + kwh
        counts[hour] = counts.get(hour, 0) + 1
    for hour in sorted(energy, reverse=True):
        if counts[hour] >= per_hour:
            break
        del energy[hour]  # incomplete tail
    return {hour: round(value, 6) for hour, value in energy.items()}


def cumulate(hourly: Hourly, base: float) -> list[StatisticData]:
    """Rows for the recorder: the hour's kWh as state and the running sum from ``base``."""
    rows: list[StatisticData] = []
    total = base
    for hour in sorted(hourly):
        total = round(total + hourly[hour], 6)
        rows.append(StatisticData(start=hour, state=hourly[hour], sum=total))
    return rows


def metadata(statistic: str, name: str) -> StatisticMetaData:
    """Metadata of an hourly energy statistic (valid for every recorder generation)."""
    return StatisticMetaData(
        has_sum=True,
        mean_type=StatisticMeanType.NONE,
        name=name,
        source=DOMAIN,
        statistic_id=statistic,
        unit_class=EnergyConverter.UNIT_CLASS,
        unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    )


@dataclass(slots=True)
class SeriesStatus:
    """What diagnostics show about one series."""

    last_hour: datetime | None = None
    skipped: str | None = None


@dataclass(slots=True)
class AssetStatus:
    """Back-off state of one asset's statistics endpoint."""

    failures: int = 0
    retry_at: datetime | None = None
    error: str | None = None


@dataclass(slots=True)
class Fetched:
    """What one run fetched for one asset: buckets per series, and why others are missing."""

    points: dict[str, list[StatisticsPoint]] = field(default_factory=dict)
    minutes: dict[str, float] = field(default_factory=dict)
    power: dict[str, bool] = field(default_factory=dict)
    daily: dict[str, list[StatisticsPoint]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    fallback_days: dict[str, set[date]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EnergyToday:
    """A HEM system's energy per series so far on one local day (kWh), from the latest run."""

    day: date
    kwh: dict[str, float]


def energy_on(
    points: Iterable[StatisticsPoint], minutes: float, *, power: bool, day: date, tz: tzinfo
) -> float | None:
    """The energy (kWh) of the buckets on local ``day``, the bucket in progress included."""
    values = [
        point.value * minutes / 60 if power else point.value
        for point in points
        if point.value is not None and point.time.astimezone(tz).date() == day
    ]
    return round(sum(values), 6) if values else None


class StatisticsImporter:
    """Imports one entry's HEM-system and inverter statistics; one run at a time."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        coordinator: EnodeCoordinator,
    ) -> None:
        """Initialise; nothing runs until ``async_start``."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._lock = asyncio.Lock()
        self._debouncer: Debouncer[None] | None = None
        self._retry: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self.series: dict[str, SeriesStatus] = {}
        self.assets: dict[str, AssetStatus] = {}
        self.paused_until: datetime | None = None
        self.last_run: datetime | None = None
        # When the oldest statistics event not yet covered by a run arrived.
        self._signalled_at: datetime | None = None
        self.requests = 0
        self.today: dict[str, EnergyToday] = {}  # HEM system id -> energy so far today

    def energy_today(self, asset: Asset, series: str) -> float | None:
        """A HEM system's kWh of one series so far today (its local day); None when unknown."""
        known = self.today.get(asset.id)
        if known is None or known.day != dt_util.utcnow().astimezone(self._timezone(asset)).date():
            return None
        return known.kwh.get(series)

    @callback
    def _async_publish_today(self, asset: Asset, fetched: Fetched, tz: tzinfo, today: date) -> None:
        """Keep today's totals from what this run fetched anyway and tell the sensors."""
        previous = self.today.get(asset.id)
        kwh = dict(previous.kwh) if previous and previous.day == today else {}
        for name in HEM_SERIES:
            if points := fetched.points.get(name):
                total = energy_on(
                    points,
                    fetched.minutes[name],
                    power=fetched.power.get(name, True),
                    day=today,
                    tz=tz,
                )
                if total is not None:
                    kwh[name] = total
        self.today[asset.id] = EnergyToday(day=today, kwh=kwh)
        async_dispatcher_send(
            self._hass, SIGNAL_ENERGY_TODAY.format(entry_id=self._entry.entry_id), asset.id
        )

    @callback
    def async_start(self) -> None:
        """Schedule the first run, hourly runs and runs on statistics events."""
        entry = self._entry
        self._debouncer = Debouncer(
            self._hass,
            LOGGER,
            cooldown=SIGNAL_COOLDOWN,
            immediate=False,
            function=self._async_debounced_run,
        )
        entry.async_on_unload(self._debouncer.async_shutdown)
        entry.async_on_unload(
            async_dispatcher_connect(
                self._hass,
                SIGNAL_STATISTICS_UPDATED.format(entry_id=entry.entry_id),
                self._async_signal,
            )
        )
        entry.async_on_unload(
            async_track_time_interval(
                self._hass, self._async_timer, RUN_INTERVAL, name="Enode statistics import"
            )
        )
        entry.async_on_unload(async_call_later(self._hass, FIRST_RUN_DELAY, self._async_timer))
        entry.async_on_unload(self._async_cancel_retry)

    @callback
    def _async_cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry()
            self._retry = None

    @callback
    def _async_signal(self) -> None:
        """A statistics event arrived: run once the burst is over."""
        if self._signalled_at is None:
            self._signalled_at = dt_util.utcnow()
        if self._debouncer is not None:
            self._entry.async_create_background_task(
                self._hass, self._debouncer.async_call(), f"{DOMAIN} statistics debounce"
            )

    @callback
    def _async_debounced_run(self) -> None:
        """Run for the events of the burst, unless an import started since covered them."""
        signalled_at, self._signalled_at = self._signalled_at, None
        if signalled_at is not None and self.last_run is not None and self.last_run > signalled_at:
            return  # e.g. the hourly run started after the events arrived
        self._async_background_run()

    @callback
    def _async_timer(self, _now: datetime) -> None:
        self._async_background_run()

    @callback
    def _async_retry_timer(self, _now: datetime) -> None:
        self._retry = None
        self._async_background_run()

    @callback
    def _async_background_run(self) -> None:
        if self._lock.locked() or (self._task is not None and not self._task.done()):
            return  # the running (or starting) import covers it
        self._task = self._entry.async_create_background_task(
            self._hass, self.async_run(), f"{DOMAIN} statistics import"
        )

    async def async_run(self) -> None:
        """Import every HEM system's and inverter's statistics (waits for a running import)."""
        async with self._lock:
            now = dt_util.utcnow()
            if self.paused_until and now < self.paused_until:
                LOGGER.debug("Statistics import paused by rate limit until %s", self.paused_until)
                return
            self.last_run = now
            assets = self._coordinator.data.of_type(
                AssetType.HEM_SYSTEM
            ) + self._coordinator.data.of_type(AssetType.INVERTER)
            for asset in assets:
                status = self.assets.setdefault(asset.id, AssetStatus())
                if status.retry_at and now < status.retry_at:
                    continue
                try:
                    await self._async_import_asset(asset, status, now)
                except EnodeRateLimitError as err:
                    delay = err.retry_after if err.retry_after is not None else RATE_LIMIT_DEFAULT
                    self.paused_until = now + timedelta(seconds=delay)
                    LOGGER.info("Enode rate-limited the statistics import; retrying in %ss", delay)
                    if self._retry is not None:
                        self._retry()
                    self._retry = async_call_later(self._hass, delay, self._async_retry_timer)
                    return

    # --- one asset ------------------------------------------------------------------------

    async def _async_import_asset(self, asset: Asset, status: AssetStatus, now: datetime) -> None:
        series = HEM_SERIES if asset.asset_type == AssetType.HEM_SYSTEM else (INVERTER_SERIES,)
        ids = {name: statistic_id(asset.id, name) for name in series}
        tz = self._timezone(asset)
        today = now.astimezone(tz).date()
        last = {name: await self._async_last_hour(ids[name]) for name in series}
        for name, hour in last.items():
            self.series.setdefault(ids[name], SeriesStatus()).last_hour = hour
        backfill = int(self._entry.options.get(CONF_BACKFILL_DAYS, DEFAULT_BACKFILL_DAYS))
        first = today - timedelta(days=backfill)
        if installed := self._installation_date(asset, tz):
            first = max(first, installed)
        known = [hour for hour in last.values() if hour is not None]
        if known:
            # The newest series decides: a series that stopped (now unavailable) must not drag
            # every run back to the start of the backfill window.
            resume = max(known).astimezone(tz).date() - timedelta(days=REFETCH_DAYS)
            first = max(first, min(resume, today))
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        fetched = Fetched()
        try:
            if asset.asset_type == AssetType.HEM_SYSTEM:
                await self._async_fetch_hem(asset.id, days, tz, fetched)
            else:
                await self._async_fetch_inverter(asset.id, days, fetched)
        except EnodeRateLimitError:
            await self._async_write(asset, series, fetched, tz, today)
            raise
        except (EnodeAuthenticationError, EnodeForbiddenError, EnodeNotFoundError) as err:
            LOGGER.debug("Statistics of %s unavailable: %s", asset.id, err)
        except EnodeError as err:
            # 422 (controlled by the vendor), 5xx and network errors: back off, keep what
            # arrived before the failing day and continue from there later.
            status.failures += 1
            backoff = min(BACKOFF_FIRST * 2 ** (status.failures - 1), BACKOFF_MAX)
            status.retry_at = now + backoff
            if status.error is None:
                log = LOGGER.debug if isinstance(err, EnodeControlledEntityError) else LOGGER.info
                log("Enode statistics of %s unavailable (%s); retrying later", asset.id, err)
            status.error = f"{type(err).__name__}: {err}"
        else:
            if status.error is not None:
                LOGGER.info("Enode statistics of %s available again", asset.id)
            status.failures, status.retry_at, status.error = 0, None, None
        await self._async_write(asset, series, fetched, tz, today)

    async def _async_fetch_hem(
        self, hem_id: str, days: list[date], tz: tzinfo, fetched: Fetched
    ) -> None:
        """One request per day; a MONTH request only for days without finer data."""
        for day in days:
            try:
                stats = await self._client.get_hem_system_statistics(hem_id, day.isoformat())
            except EnodeBadRequestError:
                LOGGER.debug("No HEM statistics for %s (outside the allowed range)", day)
                continue
            finally:
                self.requests += 1
            for name in HEM_SERIES:
                item = stats.series.get(name)
                if item is None or not item.is_available:
                    fetched.reasons[name] = (item.reason if item else None) or "Not provided"
                    fetched.fallback_days.setdefault(name, set()).add(day)
                    continue
                fetched.points.setdefault(name, []).extend(item.points)
                fetched.minutes[name] = _bucket_minutes(item.resolution, item.points)
                fetched.power[name] = (item.unit or "kW").lower() != "kwh"
        months = sorted({(d.year, d.month) for ds in fetched.fallback_days.values() for d in ds})
        for year, month in months:
            try:
                stats = await self._client.get_hem_system_statistics(hem_id, f"{year}-{month:02d}")
            except EnodeBadRequestError:
                continue
            finally:
                self.requests += 1
            for name, wanted in fetched.fallback_days.items():
                item = stats.series.get(name)
                if item is None or not item.is_available:
                    continue
                fetched.daily.setdefault(name, []).extend(
                    point
                    for point in item.points
                    if point.time.astimezone(tz).date() in wanted
                    and (item.unit or "kWh").lower() == "kwh"
                )

    async def _async_fetch_inverter(
        self, inverter_id: str, days: list[date], fetched: Fetched
    ) -> None:
        for day in days:
            try:
                stats = await self._client.get_inverter_statistics(
                    inverter_id, day.year, day.month, day.day
                )
            except EnodeBadRequestError:
                continue
            finally:
                self.requests += 1
            points = stats.resolutions.get("QUARTER_HOUR", ())
            fetched.points.setdefault(INVERTER_SERIES, []).extend(points)
            fetched.minutes[INVERTER_SERIES] = 15.0
            fetched.power[INVERTER_SERIES] = False

    # --- writing --------------------------------------------------------------------------

    async def _async_write(
        self, asset: Asset, series: Iterable[str], fetched: Fetched, tz: tzinfo, today: date
    ) -> None:
        """Queue the hourly rows of every series, sums continuing from the stored history."""
        if asset.asset_type == AssetType.HEM_SYSTEM:
            self._async_publish_today(asset, fetched, tz, today)
        for name in series:
            statistic = statistic_id(asset.id, name)
            status = self.series.setdefault(statistic, SeriesStatus())
            hourly: Hourly = {}
            if points := fetched.points.get(name):
                hourly = integrate(
                    points, fetched.minutes[name], power=fetched.power.get(name, True)
                )
            for point in fetched.daily.get(name, ()):
                if point.value is not None and point.time.astimezone(tz).date() < today:
                    hourly.setdefault(_hour(point.time), round(point.value, 6))
            if not hourly:
                if name in fetched.reasons and not fetched.points.get(name):
                    status.skipped = fetched.reasons[name]
                continue
            status.skipped = None
            base = await self._async_sum_before(statistic, min(hourly))
            meta = metadata(statistic, f"{device_name(asset)} {SERIES_NAMES[name]}")
            async_add_external_statistics(self._hass, meta, cumulate(hourly, base))
            status.last_hour = max(hourly)

    # --- reading --------------------------------------------------------------------------

    async def _async_last_hour(self, statistic: str) -> datetime | None:
        result = await get_instance(self._hass).async_add_executor_job(
            get_last_statistics, self._hass, 1, statistic, False, {"sum"}
        )
        start = result[statistic][0].get("start") if result.get(statistic) else None
        return dt_util.utc_from_timestamp(start) if start is not None else None

    async def _async_sum_before(self, statistic: str, hour: datetime) -> float:
        """Return the cumulative sum of the last row before ``hour`` (0 when there is none)."""
        for start in (hour - timedelta(days=7), datetime(2000, 1, 1, tzinfo=dt_util.UTC)):
            rows = await self._async_rows(statistic, start, hour)
            if rows:
                return float(rows[-1].get("sum") or 0.0)
        return 0.0

    async def _async_rows(
        self, statistic: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        types: set[Literal["change", "last_reset", "max", "mean", "min", "state", "sum"]] = {"sum"}
        result = await get_instance(self._hass).async_add_executor_job(
            statistics_during_period, self._hass, start, end, {statistic}, "hour", None, types
        )
        return [dict(row) for row in result.get(statistic, [])]

    # --- helpers --------------------------------------------------------------------------

    def _timezone(self, asset: Asset) -> tzinfo:
        """The asset's zone (inverter field or HEM raw ``timezone``), else Home Assistant's."""
        name = getattr(asset, "timezone", None) or asset.raw.get("timezone")
        if isinstance(name, str):
            try:
                return ZoneInfo(name)
            except (ValueError, KeyError, OSError):
                LOGGER.debug("Unknown timezone %s; using Home Assistant's", name)
        return dt_util.get_default_time_zone()

    @staticmethod
    def _installation_date(asset: Asset, tz: tzinfo) -> date | None:
        installed = asset.information.installation_date if asset.information else None
        return installed.astimezone(tz).date() if installed else None  # parsed as aware

    def as_diagnostics(self, aliases: dict[str, str]) -> dict[str, Any]:
        """Per series: last imported hour and skip reason; per asset: back-off (ids aliased)."""
        series: dict[str, Any] = {}
        assets: dict[str, Any] = {}
        for asset_id, alias in aliases.items():
            for name in (*HEM_SERIES, INVERTER_SERIES):
                status = self.series.get(statistic_id(asset_id, name))
                if status is not None:
                    series[f"{alias}_{name}"] = {
                        "last_imported_hour": status.last_hour.isoformat()
                        if status.last_hour
                        else None,
                        "skipped": status.skipped,
                    }
            if (backoff := self.assets.get(asset_id)) and backoff.error:
                assets[alias] = {
                    "error": backoff.error,
                    "retry_at": backoff.retry_at.isoformat() if backoff.retry_at else None,
                }
        return {
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "requests": self.requests,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            "series": series,
            "backoff": assets,
        }


async def async_clear_statistics(hass: HomeAssistant, asset_ids: Iterable[str]) -> list[str]:
    """Delete the imported statistics of these assets; returns the ids deleted."""
    prefixes = tuple(f"{DOMAIN}:{_slug(asset_id)}_" for asset_id in asset_ids)
    instance = get_instance(hass)
    found = await instance.async_add_executor_job(_enode_statistic_ids, hass, prefixes)
    if found:
        instance.async_clear_statistics(found)
    return found


def _enode_statistic_ids(hass: HomeAssistant, prefixes: tuple[str, ...]) -> list[str]:
    """Statistic ids of source ``enode`` that start with one of ``prefixes``."""
    return sorted(
        statistic
        for statistic in get_metadata(hass, statistic_source=DOMAIN)
        if statistic.startswith(prefixes)
    )
