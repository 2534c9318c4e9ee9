"""Import Enode HEM-system and inverter history into Home Assistant's long-term statistics.

Only imported when the recorder is loaded (see ``__init__.py``), so the recorder modules are
imported at the top of this module.

One external statistic per asset and energy series, ``enode:<asset id>_<series>``, with one row
per hour: kWh in ``state`` and a cumulative ``sum`` (what the Energy dashboard reads). Power
buckets (kW over 5/15 minutes) are integrated into kWh; energy buckets (kWh) are added up.

Time. The recorder only takes rows that start on a whole UTC hour, so rows are UTC hours in
every zone. Enode answers by *local* day (the asset's zone), so days are fetched by local date
and 23- and 25-hour days come out as 23 or 25 rows. In a zone with a whole-hour offset (Europe/
Oslo) every UTC hour lies in one local day. In a zone with a half- or quarter-hour offset
(Asia/Kolkata +05:30, Australia/Adelaide +09:30/+10:30, Asia/Kathmandu +05:45) the UTC hour that
contains local midnight holds buckets of two local days: each bucket goes to the UTC hour it
starts in, and an hour is written only when every local day it touches was fetched
(``covered_hours``). So such an hour is never written half-filled (nothing lost, nothing
counted twice across local midnight); the run that fetches both days writes it. The energy-today
sensors add up the buckets of the local day from local midnight, whatever the offset.

Cadence. Long-term statistics are hourly, so each series is fetched at most once per closed
hour: one run ``RUN_MINUTE`` minutes after every UTC hour (Home Assistant's clock), whatever the
number of statistics events (they are only counted; the contract does not promise them, so they
cannot replace the hourly fetch). A run fetches, per asset, only the local days holding closed
hours not imported yet: in steady state today alone (one request per HEM system and per
stand-alone inverter, see ``importable``), around local midnight the previous day (both days for
the hour that straddles midnight in a half-hour zone). Corrections (the day of the last imported
hour and ``REFETCH_DAYS`` before it, plus the month fallback for days without fine data) run once
a day per asset, and on the first run after setup, which also does the backfill.

Rewrites. Every fetched, covered hour is rewritten with the sum continuing from the row before
it; an hour that had a row and now comes back null is written without a state and with the sum
carried, so it no longer contributes, and stored rows after the rewritten ones are re-summed.

Removal. The asset ids this entry ever imported are kept in a ``Store`` (runtime state, not
configuration), so removing the entry clears the statistics of devices removed earlier too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
import re
from typing import TYPE_CHECKING, Any, Final, Literal
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
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
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
from .import_runs import ImportRuns

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
# The series charging_statistics.py writes per vehicle and charger (energy, cost).
CHARGING_SERIES: Final = ("charging_energy", "charging_cost")
# Every series name this integration writes: what entry removal may clear under the domain,
# which another integration also used.
OUR_SERIES_SUFFIXES: Final = tuple(
    f"_{series}" for series in (*HEM_SERIES, INVERTER_SERIES, *CHARGING_SERIES)
)

HOUR = timedelta(hours=1)
# Minutes after each UTC hour: the hour has closed and Enode had a moment to finish its buckets
# (an hour still incomplete then is taken by the next run, which fetches from it again).
RUN_MINUTE = 5
FIRST_RUN_DELAY = 30.0  # seconds after setup: let Home Assistant finish starting
REFETCH_DAYS = 1  # corrections: the day of the last imported hour and this many before it
CORRECTION_INTERVAL = timedelta(days=1)
# A correction is due a day after the last one, less this: the hourly run that falls on the
# day's mark is the one that corrects, not the one an hour later.
CORRECTION_SLACK = timedelta(minutes=10)
STORAGE_VERSION = 1
BACKOFF_FIRST = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")

type Hourly = dict[datetime, float]
# Per UTC hour: kWh, or None for an hour that was fetched and came back without any value.
type HourlyOrNull = dict[datetime, float | None]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def statistic_id(asset_id: str, series: str) -> str:
    """Return the external statistic id of one asset's series (a valid, lower-case slug)."""
    return f"{DOMAIN}:{_slug(asset_id)}_{_slug(series)}"


def utc_hour(moment: datetime) -> datetime:
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


def _per_hour(
    points: Iterable[StatisticsPoint], minutes: float, *, power: bool
) -> tuple[Hourly, dict[datetime, int]]:
    """Return kWh and the count of valued buckets per UTC hour (a bucket counts in its start hour).

    A bucket's time is its identity: one sent twice (two fetched days overlapping, should
    Enode ever do that) counts once.
    """
    unique = {dt_util.as_utc(point.time): point.value for point in points}
    energy: Hourly = {}
    counts: dict[datetime, int] = {}
    for moment, value in unique.items():
        if value is None:
            continue
        hour = utc_hour(moment)
        energy[hour] = energy.get(hour, 0.0) + (value * minutes / 60 if power else value)
        counts[hour] = counts.get(hour, 0) + 1
    return energy, counts


def covered_hours(days: Iterable[date], tz: tzinfo, end: datetime) -> list[datetime]:
    """UTC hours ending by ``end`` whose every instant lies on one of the local ``days``.

    In a half-hour zone the UTC hour holding local midnight needs both days: with one of them
    only, it would be written half-filled.
    """
    wanted = set(days)
    hours: set[datetime] = set()
    for day in wanted:
        hour = utc_hour(datetime.combine(day, time(), tz))
        stop = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
        while hour < stop:
            last = hour + HOUR - timedelta(microseconds=1)
            if (
                hour + HOUR <= end
                and hour.astimezone(tz).date() in wanted
                and last.astimezone(tz).date() in wanted
            ):
                hours.add(hour)
            hour += HOUR
    return sorted(hours)


def hourly_rows(
    points: Iterable[StatisticsPoint], minutes: float, *, power: bool, hours: Iterable[datetime]
) -> HourlyOrNull:
    """Return kWh per covered hour; None for one without any value (it may have a row).

    Trailing hours that are not complete (Enode still filling the hour that just closed) are
    left out, valued or not: the next run fetches from them again.
    """
    energy, counts = _per_hour(points, minutes, power=power)
    ordered = sorted(hours)
    while ordered and counts.get(ordered[-1], 0) < 60 / minutes:
        ordered.pop()
    return {hour: round(energy[hour], 6) if hour in energy else None for hour in ordered}


def cumulate(hourly: Mapping[datetime, float | None], base: float) -> list[StatisticData]:
    """Rows for the recorder: the hour's kWh as state and the running sum from ``base``.

    An hour mapped to None gets no state and the sum carried: it adds nothing.
    """
    rows: list[StatisticData] = []
    total = base
    for hour in sorted(hourly):
        value = hourly[hour]
        if value is None:
            rows.append(StatisticData(start=hour, sum=total))
            continue
        total = round(total + value, 6)
        rows.append(StatisticData(start=hour, state=value, sum=total))
    return rows


def plan_days(
    *, now: datetime, tz: tzinfo, first: date, newest: datetime | None, correct: bool
) -> list[date]:
    """The local days one run fetches for one asset.

    ``first`` is the earliest day allowed (backfill window, installation date), ``newest`` the
    newest imported hour of the asset's series. Without history, or with ``correct``: from the
    backfill start, or from ``REFETCH_DAYS`` before the newest hour's day, to today. Otherwise
    only the days of the closed hours after ``newest`` (at most ``REFETCH_DAYS`` before the
    latest closed hour's day, so an asset that stopped reporting costs little): none when the
    hour that closed last is imported already.
    """
    today = now.astimezone(tz).date()
    if newest is None:
        start, last = first, today
    elif correct:
        resume = newest.astimezone(tz).date() - timedelta(days=REFETCH_DAYS)
        start, last = max(first, min(resume, today)), today
    else:
        end = utc_hour(now)
        resume_hour = newest + HOUR
        if resume_hour >= end:
            return []
        last = (end - timedelta(microseconds=1)).astimezone(tz).date()
        start = max(first, resume_hour.astimezone(tz).date(), last - timedelta(days=REFETCH_DAYS))
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def importable(assets: Iterable[Asset]) -> list[Asset]:
    """The assets whose statistics are fetched: HEM systems, and stand-alone inverters.

    An inverter in a HEM system that is held has its production in the system's
    ``generation`` series already (what the Energy dashboard uses): fetching its own would
    cost a request per hour for a duplicate. Membership is the inverter's ``hemSystemId``, or,
    when the inverter has no such key, the system's ``inverterIds`` [?: the HEM object is
    undocumented beyond id and information (API.md 4.7), so that list is read defensively
    from the raw object]. Of the stand-alone
    ones only an inverter whose ``productionStatistics`` capability is not reported as
    incapable is asked (API.md 4.5); without that capability in the data it is asked as before.
    """
    held = list(assets)
    hem_ids = {asset.id for asset in held if asset.asset_type == AssetType.HEM_SYSTEM}
    members: set[str] = set()
    for asset in held:
        if asset.asset_type != AssetType.HEM_SYSTEM:
            continue
        listed = asset.raw.get("inverterIds")
        if isinstance(listed, list):
            members.update(item for item in listed if isinstance(item, str))
    chosen: list[Asset] = [asset for asset in held if asset.id in hem_ids]
    for asset in held:
        if asset.asset_type != AssetType.INVERTER:
            continue
        # The documented hemSystemId first; the system's list only when the inverter lacks it.
        if asset.hem_system_id in hem_ids or (
            "hemSystemId" not in asset.raw and asset.id in members
        ):
            continue
        capability = asset.capabilities.get("productionStatistics")
        if capability is not None and not capability.is_capable:
            continue
        chosen.append(asset)
    return chosen


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
    """Back-off state of one asset's statistics endpoint, and when its correction is due."""

    failures: int = 0
    retry_at: datetime | None = None
    error: str | None = None
    correct_at: datetime | None = None  # None: not corrected since setup (the first run does)


@dataclass(slots=True)
class Fetched:
    """What one run fetched for one asset: buckets per series, and why others are missing."""

    points: dict[str, list[StatisticsPoint]] = field(default_factory=dict)
    minutes: dict[str, float] = field(default_factory=dict)
    power: dict[str, bool] = field(default_factory=dict)
    daily: dict[str, list[StatisticsPoint]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    fallback_days: dict[str, set[date]] = field(default_factory=dict)
    # Local days answered with fine data, per series: only their hours may be rewritten.
    days: dict[str, set[date]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EnergyToday:
    """A HEM system's energy per series so far on one local day (kWh), from the latest run."""

    day: date
    kwh: dict[str, float]


def energy_on(
    points: Iterable[StatisticsPoint], minutes: float, *, power: bool, day: date, tz: tzinfo
) -> float | None:
    """The energy (kWh) of the buckets on local ``day``, the bucket in progress included."""
    unique = {dt_util.as_utc(point.time): point.value for point in points}
    values = [
        value * minutes / 60 if power else value
        for moment, value in unique.items()
        if value is not None and moment.astimezone(tz).date() == day
    ]
    return round(sum(values), 6) if values else None


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.statistics.{entry_id}"


@dataclass(slots=True)
class _Imported:
    """One entry's Store of imported asset ids, loaded once, written when an id is new."""

    store: Store[dict[str, list[str]]]
    ids: set[str] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_IMPORTED: HassKey[dict[str, _Imported]] = HassKey(f"{DOMAIN}_statistics_imported")


async def async_remember_imported(hass: HomeAssistant, entry_id: str, asset_id: str) -> None:
    """Note that the entry imports statistics of the asset, before its first rows are queued.

    Entry removal (``async_clear_entry_statistics``) clears every asset noted here, devices
    removed long before included. Every importer of the entry shares one Store through this.
    """
    entries = hass.data.setdefault(_IMPORTED, {})
    if (imported := entries.get(entry_id)) is None:
        imported = entries[entry_id] = _Imported(
            Store(hass, STORAGE_VERSION, _storage_key(entry_id))
        )
    if imported.ids is not None and asset_id in imported.ids:
        return
    async with imported.lock:
        if imported.ids is None:
            imported.ids = _asset_ids_of(await imported.store.async_load())
        if asset_id not in imported.ids:
            imported.ids.add(asset_id)
            await imported.store.async_save({"asset_ids": sorted(imported.ids)})


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
        self._runs = ImportRuns(
            hass,
            entry,
            self.async_run,
            name=f"{DOMAIN} statistics import",
            minute=RUN_MINUTE,
            first_run=FIRST_RUN_DELAY,
        )
        self.series: dict[str, SeriesStatus] = {}
        self.assets: dict[str, AssetStatus] = {}
        self.last_run: datetime | None = None
        self.requests = 0
        # Statistics events since the last run: counted only, they fetch nothing themselves.
        self.events = 0
        self.today: dict[str, EnergyToday] = {}  # HEM system id -> energy so far today

    @property
    def paused_until(self) -> datetime | None:
        """Until when Enode's rate limit pauses the import."""
        return self._runs.paused_until

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
        """Schedule the first run and a run a few minutes after every UTC hour."""
        entry = self._entry
        entry.async_on_unload(
            async_dispatcher_connect(
                self._hass,
                SIGNAL_STATISTICS_UPDATED.format(entry_id=entry.entry_id),
                self._async_signal,
            )
        )
        self._runs.async_start()

    @callback
    def _async_signal(self) -> None:
        """A statistics event arrived: counted; the next hourly run fetches the closed hour."""
        self.events += 1

    async def async_run(self) -> float | None:
        """Import every HEM system's and inverter's statistics (waits for a running import).

        Returns Enode's Retry-After (seconds) when it rate-limited the run.
        """
        async with self._runs.lock:
            now = dt_util.utcnow()
            if self._runs.paused(now):
                LOGGER.debug("Statistics import paused by rate limit until %s", self.paused_until)
                return None
            self.last_run = now
            self.events = 0
            for asset in importable(self._coordinator.data.assets.values()):
                status = self.assets.setdefault(asset.id, AssetStatus())
                if status.retry_at and now < status.retry_at:
                    continue
                try:
                    await self._async_import_asset(asset, status, now)
                except EnodeRateLimitError as err:
                    delay = self._runs.async_pause(now, err)
                    LOGGER.info("Enode rate-limited the statistics import; retrying in %ss", delay)
                    return delay
        return None

    # --- one asset ------------------------------------------------------------------------

    async def _async_import_asset(self, asset: Asset, status: AssetStatus, now: datetime) -> None:
        series = HEM_SERIES if asset.asset_type == AssetType.HEM_SYSTEM else (INVERTER_SERIES,)
        ids = {name: statistic_id(asset.id, name) for name in series}
        tz = self._timezone(asset)
        today = now.astimezone(tz).date()
        last = {name: await async_last_hour(self._hass, ids[name]) for name in series}
        for name, hour in last.items():
            self.series.setdefault(ids[name], SeriesStatus()).last_hour = hour
        backfill = int(self._entry.options.get(CONF_BACKFILL_DAYS, DEFAULT_BACKFILL_DAYS))
        first = today - timedelta(days=backfill)
        if installed := self._installation_date(asset, tz):
            first = max(first, installed)
        known = [hour for hour in last.values() if hour is not None]
        # The newest series decides: a series that stopped (now unavailable) must not drag
        # every run back to the start of the backfill window.
        newest = max(known) if known else None
        correct = newest is None or status.correct_at is None or now >= status.correct_at
        days = plan_days(now=now, tz=tz, first=first, newest=newest, correct=correct)
        if not days:
            return  # the hour that closed last is imported already (e.g. a retry run)
        fetched = Fetched()
        try:
            if asset.asset_type == AssetType.HEM_SYSTEM:
                # Days without fine data get the month's daily kWh: corrections only (the
                # hourly runs fetch today, whose daily value is not written anyway).
                await self._async_fetch_hem(asset.id, days, tz, fetched, today, fallback=correct)
            else:
                await self._async_fetch_inverter(asset.id, days, fetched)
        except EnodeRateLimitError:
            await self._async_write(asset, series, fetched, tz, now)
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
            if correct:
                status.correct_at = now + CORRECTION_INTERVAL - CORRECTION_SLACK
        await self._async_write(asset, series, fetched, tz, now)

    async def _async_fetch_hem(
        self,
        hem_id: str,
        days: list[date],
        tz: tzinfo,
        fetched: Fetched,
        today: date,
        *,
        fallback: bool,
    ) -> None:
        """One request per day; a MONTH request only for past days without finer data."""
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
                    if fallback and day < today:
                        fetched.fallback_days.setdefault(name, set()).add(day)
                    continue
                fetched.points.setdefault(name, []).extend(item.points)
                fetched.minutes[name] = _bucket_minutes(item.resolution, item.points)
                fetched.power[name] = (item.unit or "kW").lower() != "kwh"
                fetched.days.setdefault(name, set()).add(day)
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
            points = stats.resolutions.get("QUARTER_HOUR")
            if points is None:
                continue  # no quarter hours: nothing to say about that day's hours
            fetched.points.setdefault(INVERTER_SERIES, []).extend(points)
            fetched.minutes[INVERTER_SERIES] = 15.0
            fetched.power[INVERTER_SERIES] = False
            fetched.days.setdefault(INVERTER_SERIES, set()).add(day)

    # --- writing --------------------------------------------------------------------------

    async def _async_write(
        self, asset: Asset, series: Iterable[str], fetched: Fetched, tz: tzinfo, now: datetime
    ) -> None:
        """Queue the hourly rows of every series, sums continuing from the stored history."""
        today = now.astimezone(tz).date()
        if asset.asset_type == AssetType.HEM_SYSTEM:
            self._async_publish_today(asset, fetched, tz, today)
        for name in series:
            statistic = statistic_id(asset.id, name)
            status = self.series.setdefault(statistic, SeriesStatus())
            hourly: HourlyOrNull = {}
            if points := fetched.points.get(name):
                hours = covered_hours(fetched.days.get(name, ()), tz, utc_hour(now))
                hourly = hourly_rows(
                    points, fetched.minutes[name], power=fetched.power.get(name, True), hours=hours
                )
            for point in fetched.daily.get(name, ()):
                if (
                    point.value is not None
                    and point.time.astimezone(tz).date() < today
                    and hourly.get(utc_hour(point.time)) is None
                ):
                    hourly[utc_hour(point.time)] = round(point.value, 6)
            if not any(value is not None for value in hourly.values()):
                if name in fetched.reasons and not fetched.points.get(name):
                    status.skipped = fetched.reasons[name]
                if not hourly:
                    continue
            else:
                status.skipped = None
            start = min(hourly)
            base, stored = await async_stored(self._hass, statistic, start)
            rows = _merge(hourly, stored)
            if not rows:
                continue  # only null hours, none of which had a row
            await self._async_remember(asset.id)
            meta = metadata(statistic, f"{device_name(asset)} {SERIES_NAMES[name]}")
            async_add_external_statistics(self._hass, meta, cumulate(rows, base))
            if valued := [hour for hour, value in rows.items() if value is not None]:
                status.last_hour = max(valued)

    async def _async_remember(self, asset_id: str) -> None:
        await async_remember_imported(self._hass, self._entry.entry_id, asset_id)

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
        due = [status.correct_at for status in self.assets.values() if status.correct_at]
        return {
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "requests": self.requests,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            # The next run that re-fetches earlier days; None until the first run is done.
            "next_correction": min(due).isoformat() if due else None,
            "events_since_last_run": self.events,
            "series": series,
            "backoff": assets,
        }


def _merge(
    hourly: Mapping[datetime, float | None], stored: Mapping[datetime, float | None]
) -> HourlyOrNull:
    """The rows to write: fetched hours, null ones only over a stored row, later rows re-summed.

    A stored row the fetch says nothing about keeps its state; rewriting it keeps its sum in
    line with the corrected hours before it.
    """
    rows: HourlyOrNull = {
        hour: value for hour, value in hourly.items() if value is not None or hour in stored
    }
    if not rows:
        return rows
    for hour, state in stored.items():
        rows.setdefault(hour, state)
    return rows


def _asset_ids_of(data: object) -> set[str]:
    """The asset ids in the Store's content; defensive about a hand-edited file."""
    ids = data.get("asset_ids") if isinstance(data, dict) else None
    return {item for item in ids if isinstance(item, str)} if isinstance(ids, list) else set()


# --- reading the recorder (shared with charging_statistics.py) -------------------------------


async def async_last_hour(hass: HomeAssistant, statistic: str) -> datetime | None:
    """The start of the newest stored row of a statistic (None when it has none)."""
    result = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, statistic, False, {"sum"}
    )
    start = result[statistic][0].get("start") if result.get(statistic) else None
    return dt_util.utc_from_timestamp(start) if start is not None else None


async def async_stored(
    hass: HomeAssistant, statistic: str, hour: datetime
) -> tuple[float, dict[datetime, float | None]]:
    """The sum of the last row before ``hour`` (0 when none) and the states from ``hour``."""
    rows = await _async_rows(hass, statistic, hour - timedelta(days=7), None)
    before = [row for row in rows if row["start"] < hour.timestamp()]
    if not before:
        before = await _async_rows(hass, statistic, datetime(2000, 1, 1, tzinfo=UTC), hour)
    base = float(before[-1].get("sum") or 0.0) if before else 0.0
    stored = {
        dt_util.utc_from_timestamp(row["start"]): row.get("state")
        for row in rows
        if row["start"] >= hour.timestamp()
    }
    return base, stored


async def _async_rows(
    hass: HomeAssistant, statistic: str, start: datetime, end: datetime | None
) -> list[dict[str, Any]]:
    types: set[Literal["change", "last_reset", "max", "mean", "min", "state", "sum"]] = {
        "state",
        "sum",
    }
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period, hass, start, end, {statistic}, "hour", None, types
    )
    return [dict(row) for row in result.get(statistic, [])]


async def async_clear_entry_statistics(
    hass: HomeAssistant, entry_id: str, asset_ids: Iterable[str], *, last_entry: bool = False
) -> list[str]:
    """Delete every statistic the entry imported (devices removed earlier included).

    With ``last_entry`` (no other entry of this integration is left) every statistic of ours
    goes, by its series name: nothing can own one any more, e.g. those of devices removed before
    the Store existed. Statistics of another integration that used the domain stay.
    """
    hass.data.get(_IMPORTED, {}).pop(entry_id, None)
    store: Store[dict[str, list[str]]] = Store(hass, STORAGE_VERSION, _storage_key(entry_id))
    remembered = _asset_ids_of(await store.async_load())
    found = await async_clear_statistics(hass, None if last_entry else remembered | set(asset_ids))
    await store.async_remove()
    return found


async def async_clear_statistics(hass: HomeAssistant, asset_ids: Iterable[str] | None) -> list[str]:
    """Delete the imported statistics of these assets (None: all of ours); returns the ids."""
    prefixes = (
        (f"{DOMAIN}:",)
        if asset_ids is None
        else tuple(f"{DOMAIN}:{_slug(asset_id)}_" for asset_id in asset_ids)
    )
    instance = get_instance(hass)
    found = [
        statistic
        for statistic in await instance.async_add_executor_job(_enode_statistic_ids, hass, prefixes)
        if statistic.endswith(OUR_SERIES_SUFFIXES)
    ]
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
