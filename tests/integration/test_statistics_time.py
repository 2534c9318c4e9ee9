"""Property-based tests of the statistics import's time handling, over zones and offsets.

Hypothesis drives the importer's own pure functions (``plan_days``, ``covered_hours``,
``hourly_rows``, ``_merge``, ``cumulate``, ``energy_on``) through simulated hourly runs against a
fake Enode that answers local days in the zone's 5- or 15-minute buckets, as the contract and
the emulator do. Rows must start on whole UTC hours (the recorder's rule), every closed hour must
hold exactly the energy of the buckets that start in it (nothing lost or counted twice across
local midnight, whatever the offset), and each run must cost one request per closed hour (two
when the hour that closed straddles local midnight in a half-hour zone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
import itertools
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.enode.api import StatisticsPoint
from custom_components.enode.statistics import (
    CORRECTION_INTERVAL,
    CORRECTION_SLACK,
    HOUR,
    REFETCH_DAYS,
    RUN_MINUTE,
    _merge,
    covered_hours,
    cumulate,
    energy_on,
    hourly_rows,
    plan_days,
)

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ZONES = [
    "Asia/Kolkata",  # +05:30
    "Australia/Adelaide",  # +09:30 / +10:30
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30 / -02:30
    "Australia/Lord_Howe",  # +10:30 / +11:00: a half-hour daylight-saving shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Marquesas",  # -09:30
    "Europe/Oslo",
    "Pacific/Kiritimati",  # +14
    "UTC",
]


def floor_hour(moment: datetime) -> datetime:
    """The UTC hour containing ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def kw(moment: datetime) -> float:
    """A deterministic power curve (kW), different in every bucket."""
    return ((int(moment.timestamp()) // 60 * 7919) % 1000) / 250


class FakeEnode:
    """Local days of buckets in one zone; a bucket is null before it starts or in ``nulls``."""

    def __init__(self, tz: ZoneInfo, minutes: int, nulls: set[datetime]) -> None:
        self.tz, self.minutes, self.nulls = tz, minutes, nulls

    def day(self, day: date, now: datetime) -> list[StatisticsPoint]:
        moment = datetime.combine(day, time(), self.tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(), self.tz).astimezone(UTC)
        points = []
        while moment < end:
            missing = moment >= now or moment in self.nulls
            points.append(
                StatisticsPoint(moment.astimezone(self.tz), None if missing else kw(moment))
            )
            moment += timedelta(minutes=self.minutes)
        return points

    def truth(self, hour: datetime) -> float | None:
        """The energy (kWh) of the valued buckets starting in the UTC hour; None without any."""
        values = [
            kw(moment) * self.minutes / 60
            for n in range(60 // self.minutes)
            if (moment := hour + timedelta(minutes=n * self.minutes)) not in self.nulls
        ]
        return sum(values) if values else None


def simulate(
    enode: FakeEnode, setup: datetime, runs: int, backfill: int
) -> tuple[dict[datetime, float | None], dict[datetime, float], list[tuple[datetime, int, bool]]]:
    """Runs as the importer does them: at setup, then RUN_MINUTE after every UTC hour."""
    tz = enode.tz
    first = setup.astimezone(tz).date() - timedelta(days=backfill)
    states: dict[datetime, float | None] = {}
    sums: dict[datetime, float] = {}
    log: list[tuple[datetime, int, bool]] = []
    correct_at: datetime | None = None
    hourly = floor_hour(setup) + timedelta(minutes=RUN_MINUTE)
    if hourly <= setup:
        hourly += HOUR
    times = [setup, *(hourly + n * HOUR for n in range(runs))]
    for now in times:
        newest = max(states) if states else None
        correct = newest is None or correct_at is None or now >= correct_at
        days = plan_days(now=now, tz=tz, first=first, newest=newest, correct=correct)
        log.append((now, len(days), correct))
        if correct:
            correct_at = now + CORRECTION_INTERVAL - CORRECTION_SLACK
        points = [point for day in days for point in enode.day(day, now)]
        values = hourly_rows(
            points, enode.minutes, power=True, hours=covered_hours(days, tz, floor_hour(now))
        )
        if not values:
            continue
        start = min(values)
        base = max(((h, s) for h, s in sums.items() if h < start), default=(None, 0.0))[1]
        merged = _merge(values, {h: s for h, s in states.items() if h >= start})
        for row in cumulate(merged, base):
            states[row["start"]] = row.get("state")
            sums[row["start"]] = row["sum"]
    return states, sums, log


runs_strategy = st.builds(
    lambda zone, minutes, start, offset: (ZoneInfo(zone), minutes, start, offset),
    st.sampled_from(ZONES),
    st.sampled_from([5, 15]),
    st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - made aware below
        max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    ),
    st.integers(min_value=0, max_value=3599),
)


def _setup_time(start: datetime, offset: int) -> datetime:
    return start.replace(minute=0, second=0, microsecond=0, tzinfo=UTC) + timedelta(seconds=offset)


@PROPERTY
@given(case=runs_strategy, runs=st.integers(min_value=20, max_value=50))
def test_every_closed_hour_once_and_whole(
    case: tuple[ZoneInfo, int, datetime, int], runs: int
) -> None:
    """Without gaps: each closed hour exactly its buckets' energy, one request per hour."""
    tz, minutes, start, offset = case
    setup = _setup_time(start, offset)
    enode = FakeEnode(tz, minutes, set())
    states, sums, log = simulate(enode, setup, runs, backfill=1)
    last_run = log[-1][0]
    local_start = datetime.combine(
        setup.astimezone(tz).date() - timedelta(days=1), time(), tz
    ).astimezone(UTC)
    first_hour = floor_hour(local_start)  # the first UTC hour wholly inside the backfill
    if first_hour < local_start:
        first_hour += HOUR
    expected = {
        first_hour + n * HOUR: enode.truth(first_hour + n * HOUR)
        for n in range(int((floor_hour(last_run) - first_hour) / HOUR))
    }
    assert all(h.minute == h.second == h.microsecond == 0 for h in states)
    assert all(h.utcoffset() == timedelta(0) for h in states)
    assert states == pytest.approx(expected, abs=1e-5)  # nothing lost, nothing twice
    ordered = sorted(sums)
    for before, after in itertools.pairwise(ordered):
        assert sums[after] == pytest.approx(sums[before] + (states[after] or 0.0), abs=1e-5)

    for now, requests, correct in log[1:]:
        if correct:
            assert requests <= REFETCH_DAYS + 2
            continue
        closed = floor_hour(now) - HOUR
        ends = closed + HOUR - timedelta(microseconds=1)
        straddles = closed.astimezone(tz).date() != ends.astimezone(tz).date()
        # Right after setup nothing may have closed yet; otherwise one day, two across midnight.
        assert requests in ({2} if straddles else {1}) or (requests == 0 and now < setup + HOUR), (
            now
        )
    corrections = [now for now, _, correct in log if correct]
    for before, after in itertools.pairwise(corrections):
        assert (
            CORRECTION_INTERVAL - CORRECTION_SLACK <= after - before <= CORRECTION_INTERVAL + HOUR
        )


@PROPERTY
@given(
    case=runs_strategy,
    gaps=st.lists(st.integers(min_value=0, max_value=24 * 12 - 1), max_size=40),
)
def test_gaps_stay_gaps_and_partial_hours_count_what_arrived(
    case: tuple[ZoneInfo, int, datetime, int], gaps: list[int]
) -> None:
    """Null buckets (in the day before the last three hours) add nothing and make no rows."""
    tz, minutes, start, offset = case
    setup = _setup_time(start, offset)
    runs = 30
    end = floor_hour(setup) + (runs - 3) * HOUR
    nulls = {end - timedelta(minutes=minutes * (n + 1)) for n in gaps if n < 24 * 60 // minutes}
    enode = FakeEnode(tz, minutes, nulls)
    states, _, log = simulate(enode, setup, runs, backfill=1)
    for hour, state in states.items():
        truth = enode.truth(hour)
        if state is None:
            pytest.fail(f"{hour} written without data but never imported with any")
        assert truth is not None
        assert state == pytest.approx(truth, abs=1e-5), hour
    last_closed = floor_hour(log[-1][0]) - HOUR
    assert last_closed in states


@PROPERTY
@given(case=runs_strategy)
def test_energy_today_adds_up_the_local_days(case: tuple[ZoneInfo, int, datetime, int]) -> None:
    """Two fetched local days split into their days' energies: the total stays the same."""
    tz, minutes, start, offset = case
    now = _setup_time(start, offset)
    enode = FakeEnode(tz, minutes, set())
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=1), today]
    points = [point for day in days for point in enode.day(day, now)]
    total = sum(p.value * minutes / 60 for p in points if p.value is not None)
    parts = [energy_on(points, minutes, power=True, day=day, tz=tz) or 0.0 for day in days]
    assert sum(parts) == pytest.approx(total, abs=1e-4)
    midnight = datetime.combine(today, time(), tz)
    assert parts[1] == pytest.approx(
        sum(p.value * minutes / 60 for p in points if p.value is not None and p.time >= midnight),
        abs=1e-4,
    )


def test_the_hour_across_a_half_hour_midnight_needs_both_days() -> None:
    """Asia/Kolkata: 18:00-19:00 UTC is 23:30-00:30 local, covered only by both days."""
    tz = ZoneInfo("Asia/Kolkata")
    end = datetime(2025, 10, 28, tzinfo=UTC)
    hour = datetime(2025, 10, 26, 18, tzinfo=UTC)
    assert hour not in covered_hours([date(2025, 10, 26)], tz, end)
    assert hour not in covered_hours([date(2025, 10, 27)], tz, end)
    assert hour in covered_hours([date(2025, 10, 26), date(2025, 10, 27)], tz, end)
    assert len(covered_hours([date(2025, 10, 27)], tz, end)) == 23
