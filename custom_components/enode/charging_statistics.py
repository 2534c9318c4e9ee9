"""Import Enode's charging statistics of vehicles and chargers into long-term statistics.

Only imported when the recorder is loaded (see ``__init__.py``), like ``statistics.py``.

Two external statistics per vehicle and charger, one row per UTC hour with a cumulative sum:
``enode:<asset id>_charging_energy`` (kWh) and ``enode:<asset id>_charging_cost`` (in the
currency Enode prices in; skipped while it is unknown). Requests are few on purpose (issue 19
budgets a whole household at three an hour): an asset's closed hours are fetched at minute 20
of the next hour (its readings appear up to 15 minutes late) only when the coordinator saw it
charging since its last import; once a day (and once after each start) the last 48 hours are
fetched again, because sessions appear late and can be revised. Each fetch is one request with
``resolution=HOUR`` over the whole missing range; the hours it covers are rewritten with sums
continuing from the row before them, so nothing is counted twice. The same fetches feed the
month-to-date sensors (``sensor.py``), which make no requests of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_metadata,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import (
    async_track_time_change,
)
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .api import (
    AssetType,
    EnodeAuthenticationError,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    PowerDeliveryState,
    StatisticsResolution,
)
from .const import (
    CONF_BACKFILL_DAYS,
    DEFAULT_BACKFILL_DAYS,
    DOMAIN,
    LOGGER,
    SIGNAL_CHARGING_STATISTICS,
)
from .devices import device_name
from .import_runs import ImportRuns
from .statistics import (
    CHARGING_SERIES,
    async_last_hour,
    async_remember_imported,
    async_stored,
    cumulate,
    metadata,
    statistic_id,
    utc_hour,
)

if TYPE_CHECKING:
    from .api import Asset, ChargingStatisticsBucket, EnodeClient
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

CHARGING_TYPES = (AssetType.VEHICLE, AssetType.CHARGER)
ENERGY, COST = CHARGING_SERIES
FETCH_MINUTE = 20  # closed hours are complete 15 minutes after they end
FIRST_RUN_DELAY = 45.0  # seconds after setup: let Home Assistant finish starting
CORRECTION_INTERVAL = timedelta(days=1)
CORRECTION_WINDOW = timedelta(hours=48)
MAX_BACKFILL_DAYS = 90
BACKOFF_FIRST = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)
HOUR = timedelta(hours=1)
# Enode prices in NOK in the Nordic and Baltic countries and in EUR in these, unless tariffs
# were supplied (API.md 8.3): the fallback when no smart charging plan has named a currency.
_NOK_COUNTRIES = frozenset({"NO", "SE", "DK", "FI", "EE", "LV", "LT"})
_EUR_COUNTRIES = frozenset({"AT", "BE", "DE", "FR", "NL", "PL", "ES"})


@dataclass(frozen=True, slots=True)
class HourValues:
    """One hour of charging: energy (kWh), cost and estimated smart-charging savings."""

    kwh: float
    cost: float
    savings: float | None


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """An asset's charging so far this (local) month, from the imported hours."""

    start: datetime
    kwh: float
    cost: float
    savings: float


@dataclass(slots=True)
class AssetProgress:
    """Import state of one vehicle or charger."""

    charged: bool = False  # seen charging since its last import
    loaded: bool = False  # last_hour and the stored currency were read from the recorder
    last_hour: datetime | None = None  # start of the newest imported hour
    last_correction: datetime | None = None
    month_loaded: bool = False  # this month's hours were fetched since Home Assistant started
    hours: dict[datetime, HourValues] = field(default_factory=dict)  # this month's hours
    stored_currency: str | None = None
    failures: int = 0
    retry_at: datetime | None = None
    error: str | None = None
    skipped: str | None = None
    cost_skipped: str | None = None


def is_charging(asset: Asset) -> bool:
    """The asset draws power now: charging, or plugged in with a charge rate."""
    state = getattr(asset, "charge_state", None)
    if state is None:
        return False
    if state.is_charging or state.power_delivery_state == PowerDeliveryState.CHARGING:
        return True
    return bool(state.is_plugged_in) and (state.charge_rate or 0) > 0


def default_currency(country: str | None) -> str | None:
    """Enode's documented default currency for a country (ISO 3166 alpha-2), else None."""
    if country in _NOK_COUNTRIES:
        return "NOK"
    if country in _EUR_COUNTRIES:
        return "EUR"
    return None


def hourly_values(buckets: Iterable[ChargingStatisticsBucket]) -> dict[datetime, HourValues]:
    """Hourly buckets by UTC hour; several buckets in one hour are added up."""
    result: dict[datetime, HourValues] = {}
    for bucket in buckets:
        if bucket.date is None:
            continue
        hour = utc_hour(bucket.date)
        before = result.get(hour)
        savings = bucket.estimated_savings
        if before is not None and before.savings is not None:
            savings = before.savings + (savings or 0.0)
        result[hour] = HourValues(
            kwh=(before.kwh if before else 0.0) + (bucket.kwh_sum or 0.0),
            cost=(before.cost if before else 0.0) + (bucket.cost_sum or 0.0),
            savings=savings,
        )
    return result


def cost_metadata(statistic: str, name: str, currency: str) -> StatisticMetaData:
    """Metadata of an hourly cost statistic in a currency (no unit conversion)."""
    return StatisticMetaData(
        has_sum=True,
        mean_type=StatisticMeanType.NONE,
        name=name,
        source=DOMAIN,
        statistic_id=statistic,
        unit_class=None,
        unit_of_measurement=currency,
    )


def _hours(start: datetime, end: datetime) -> list[datetime]:
    result = []
    while start < end:
        result.append(start)
        start += HOUR
    return result


def month_start(now: datetime) -> datetime:
    """Midnight of the first day of ``now``'s month in Home Assistant's zone (as UTC)."""
    local = dt_util.as_local(now)
    return dt_util.as_utc(dt_util.start_of_local_day(local.date().replace(day=1)))


class ChargingStatisticsImporter:
    """Imports one entry's vehicle and charger charging statistics; one run at a time."""

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
        self._user_id: str = coordinator.user_id
        self._runs = ImportRuns(
            hass,
            entry,
            self.async_run,
            name=f"{DOMAIN} charging statistics import",
            minute=FETCH_MINUTE,
            first_run=FIRST_RUN_DELAY,
        )
        self.progress: dict[str, AssetProgress] = {}
        self.last_run: datetime | None = None
        self.requests = 0

    @property
    def paused_until(self) -> datetime | None:
        """Until when Enode's rate limit pauses the import."""
        return self._runs.paused_until

    # --- scheduling -----------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Watch the coordinator for charging; run after setup and at minute 20 of each hour."""
        entry = self._entry
        self._async_watch()
        entry.async_on_unload(self._coordinator.async_add_listener(self._async_watch))
        self._runs.async_start()
        # The month sensors start again at local midnight of the first (no request).
        entry.async_on_unload(
            async_track_time_change(self._hass, self._async_midnight, hour=0, minute=0, second=0)
        )

    @callback
    def _async_watch(self) -> None:
        """Remember every vehicle and charger the coordinator shows drawing power."""
        for asset in self._coordinator.data.assets.values():
            if asset.asset_type in CHARGING_TYPES and is_charging(asset):
                self.progress.setdefault(asset.id, AssetProgress()).charged = True

    @callback
    def _async_midnight(self, now: datetime) -> None:
        if dt_util.as_local(now).day == 1:
            self._async_publish()

    @callback
    def _async_publish(self) -> None:
        async_dispatcher_send(
            self._hass, SIGNAL_CHARGING_STATISTICS.format(entry_id=self._entry.entry_id)
        )

    # --- what the sensors read ------------------------------------------------------------

    def month(self, asset_id: str) -> MonthTotals | None:
        """This month's totals of an asset; None until this month's hours were fetched."""
        progress = self.progress.get(asset_id)
        if progress is None or not progress.month_loaded or progress.skipped:
            return None
        start = month_start(dt_util.utcnow())
        hours = [v for h, v in progress.hours.items() if h >= start]
        return MonthTotals(
            start=start,
            kwh=round(sum(v.kwh for v in hours), 3),
            cost=round(sum(v.cost for v in hours), 2),
            savings=round(sum(v.savings or 0.0 for v in hours), 2),
        )

    def currency(self, asset_id: str) -> str | None:
        """The currency of the asset's prices: Enode's plan, else the stored, else the default.

        [?] Enode's charging statistics carry no currency (SMART.md 9): a smart charging plan
        names it (``currency``), the Location's own currency is not in the API, and API.md 8.3
        documents NOK/EUR by country unless a tariff was supplied.
        """
        # The asset's own plan first, then any other vehicle's (the same account's prices).
        smart = self._coordinator.data.smart
        statuses = sorted(smart.items(), key=lambda item: item[0] != asset_id)
        plans = [
            status.plan.currency
            for _, status in statuses
            if status.plan is not None and status.plan.currency
        ]
        if plans:
            return plans[0]
        progress = self.progress.get(asset_id)
        if progress is not None and progress.stored_currency:
            return progress.stored_currency
        return default_currency(self._hass.config.country)

    # --- importing ------------------------------------------------------------------------

    async def async_run(self) -> float | None:
        """Fetch and import what each vehicle and charger needs now (often nothing).

        Returns Enode's Retry-After (seconds) when it rate-limited the run.
        """
        delay: float | None = None
        async with self._runs.lock:
            now = dt_util.utcnow()
            if self._runs.paused(now):
                LOGGER.debug("Charging statistics paused by rate limit until %s", self.paused_until)
                return None
            self.last_run = now
            data = self._coordinator.data
            assets = [a for a in data.assets.values() if a.asset_type in CHARGING_TYPES]
            for asset in assets:
                progress = self.progress.setdefault(asset.id, AssetProgress())
                if progress.retry_at and now < progress.retry_at:
                    continue
                try:
                    await self._async_import_asset(asset, progress, now)
                except EnodeRateLimitError as err:
                    delay = self._runs.async_pause(now, err)
                    LOGGER.info("Enode rate-limited charging statistics; retrying in %ss", delay)
                    break
            self._async_publish()
        return delay

    async def _async_import_asset(
        self, asset: Asset, progress: AssetProgress, now: datetime
    ) -> None:
        energy_id = statistic_id(asset.id, ENERGY)
        cost_id = statistic_id(asset.id, COST)
        if not progress.loaded:
            progress.last_hour = await async_last_hour(self._hass, energy_id)
            progress.stored_currency = await self._async_stored_unit(cost_id)
            progress.loaded = True
        end = utc_hour(now - timedelta(minutes=FETCH_MINUTE))  # hours before it are complete
        days = min(
            int(self._entry.options.get(CONF_BACKFILL_DAYS, DEFAULT_BACKFILL_DAYS)),
            MAX_BACKFILL_DAYS,
        )
        local_midnight = dt_util.start_of_local_day(dt_util.as_local(now))
        oldest = dt_util.as_utc(local_midnight - timedelta(days=days))
        write_from = oldest if progress.last_hour is None else progress.last_hour + HOUR
        write_from = max(write_from, end - timedelta(days=MAX_BACKFILL_DAYS))
        since = now - progress.last_correction if progress.last_correction else None
        # A fetch the asset needs anyway takes the correction along once it is half due:
        # the same one request, and one fewer a day for an asset that charges daily.
        correct = (
            since is None
            or since >= CORRECTION_INTERVAL
            or (progress.charged and since >= CORRECTION_INTERVAL / 2)
        )
        if correct:
            write_from = min(write_from, end - CORRECTION_WINDOW)
        fetch_from = write_from
        if not progress.month_loaded:
            fetch_from = min(fetch_from, month_start(now))
        wanted = correct or progress.charged or not progress.month_loaded
        if not wanted or fetch_from >= end:
            return
        try:
            self.requests += 1
            buckets = await self._client.get_charging_statistics(
                self._user_id,
                asset_type=asset.asset_type,
                asset_id=asset.id,
                start=fetch_from,
                end=end,
                resolution=StatisticsResolution.HOUR,
            )
        except EnodeRateLimitError:
            raise
        except (EnodeAuthenticationError, EnodeForbiddenError, EnodeNotFoundError) as err:
            # Not ours to fix here (reauth and the device registry handle these): skip quietly.
            LOGGER.debug("Charging statistics of %s unavailable: %s", asset.id, err)
            # Until the next daily correction: no request every hour for an asset refused.
            progress.skipped = type(err).__name__
            progress.charged = False
            progress.month_loaded = True
            progress.last_correction = now
            return
        except EnodeError as err:
            progress.failures += 1
            backoff = min(BACKOFF_FIRST * 2 ** (progress.failures - 1), BACKOFF_MAX)
            progress.retry_at = now + backoff
            if progress.error is None:
                LOGGER.info("Enode charging statistics of %s unavailable (%s)", asset.id, err)
            progress.error = f"{type(err).__name__}: {err}"
            return
        if progress.error is not None:
            LOGGER.info("Enode charging statistics of %s available again", asset.id)
        progress.failures, progress.retry_at, progress.error, progress.skipped = 0, None, None, None
        values = {
            hour: value
            for hour, value in hourly_values(buckets).items()
            if fetch_from <= hour < end
        }
        self._remember_month(progress, values, fetch_from, end, now)
        await self._async_write(asset, progress, values, write_from, end)
        progress.last_hour = end - HOUR
        progress.charged = is_charging(asset)
        progress.month_loaded = True
        if correct:
            progress.last_correction = now

    @staticmethod
    def _remember_month(
        progress: AssetProgress,
        values: dict[datetime, HourValues],
        start: datetime,
        end: datetime,
        now: datetime,
    ) -> None:
        """Keep this month's fetched hours (a re-fetched hour replaces what was known)."""
        first = month_start(now)
        progress.hours = {h: v for h, v in progress.hours.items() if h >= first}
        for hour in _hours(max(start, first), end):
            if hour in values:
                progress.hours[hour] = values[hour]
            else:
                progress.hours.pop(hour, None)

    async def _async_write(
        self,
        asset: Asset,
        progress: AssetProgress,
        values: dict[datetime, HourValues],
        start: datetime,
        end: datetime,
    ) -> None:
        """Rows for every hour in [start, end) (zero without charging), sums from the row before."""
        hours = _hours(start, end)
        if not hours:
            return
        # Entry removal clears what the entry ever imported, devices removed earlier included.
        await async_remember_imported(self._hass, self._entry.entry_id, asset.id)
        name = device_name(asset)
        energy_id = statistic_id(asset.id, ENERGY)
        energy = {h: round(values[h].kwh, 6) if h in values else 0.0 for h in hours}
        base, _ = await async_stored(self._hass, energy_id, start)
        async_add_external_statistics(
            self._hass, metadata(energy_id, f"{name} charging energy"), cumulate(energy, base)
        )
        currency = self.currency(asset.id)
        if currency is None:
            progress.cost_skipped = "currency unknown"
            return
        progress.cost_skipped = None
        cost_id = statistic_id(asset.id, COST)
        cost = {h: round(values[h].cost, 6) if h in values else 0.0 for h in hours}
        base, _ = await async_stored(self._hass, cost_id, start)
        rows: list[StatisticData] = cumulate(cost, base)
        async_add_external_statistics(
            self._hass, cost_metadata(cost_id, f"{name} charging cost", currency), rows
        )
        progress.stored_currency = currency

    # --- reading the recorder -------------------------------------------------------------

    async def _async_stored_unit(self, statistic: str) -> str | None:
        found = await get_instance(self._hass).async_add_executor_job(
            lambda: get_metadata(self._hass, statistic_ids={statistic})
        )
        meta = found.get(statistic)
        return meta[1].get("unit_of_measurement") if meta else None

    # --- diagnostics ----------------------------------------------------------------------

    def as_diagnostics(self, aliases: dict[str, str]) -> dict[str, Any]:
        """Per asset (aliased): last imported hour, corrections, back-off, skipped cost."""
        assets: dict[str, Any] = {}
        for asset_id, alias in aliases.items():
            progress = self.progress.get(asset_id)
            if progress is None:
                continue
            assets[alias] = {
                "last_imported_hour": _iso(progress.last_hour),
                "last_correction": _iso(progress.last_correction),
                "charged_since_import": progress.charged,
                "currency": self.currency(asset_id),
                "cost_skipped": progress.cost_skipped,
                "skipped": progress.skipped,
                "error": progress.error,
                "retry_at": _iso(progress.retry_at),
            }
        return {
            "last_run": _iso(self.last_run),
            "requests": self.requests,
            "paused_until": _iso(self.paused_until),
            "assets": assets,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
