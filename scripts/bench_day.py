"""Benchmark a simulated day: Enode requests, tokens, deliveries and command feedback.

The integration runs in Home Assistant's test harness (pytest-homeassistant-custom-component,
with the recorder, so the statistics import runs too) against the in-process emulator's demo
household. Home Assistant's clock (freezer) and the emulator's clock (`Emulator.advance`) move
together one simulated minute at a time (one second at a time around a command): 25 simulated
hours, the first one a warm-up, in a minute or two of real time per mode. Same seed, same start,
same figures on every run.

Modes:
- push healthy: Enode's webhook reaches Home Assistant all day;
- push down: Home Assistant has no URL for Enode (polling only);
- push flapping: healthy, but Home Assistant is unreachable for Enode from 10:00 to 11:00 (Enode
  queues and retries, as it does for about a day); the commands fall inside the outage.

In each mode the demo charger is started and stopped through its switch; the time from the
service call until its power delivery sensor shows the new state is measured in simulated
seconds, and every state of the switch is recorded to see whether it ever flipped back.

Prints a Markdown table ready to paste into the README (and the requests by endpoint).

    .venv/bin/python scripts/bench_day.py
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import re
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

MODES = ("push healthy", "push down", "push flapping")
START = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)  # a Monday; the demo's physics start here
WARM_UP = timedelta(hours=1)
DAY = timedelta(hours=24)
OUTAGE = (timedelta(hours=10), timedelta(hours=11))  # from the start of the measured day
RATE_LIMIT = (timedelta(hours=5), 900)  # push down: a 429 with Retry-After: 900 s at 05:00
COMMANDS = (timedelta(hours=10, minutes=20), timedelta(hours=10, minutes=40))  # start, stop
FEEDBACK_WINDOW = timedelta(minutes=10)  # one-second steps after a command
FLIP_WINDOW = timedelta(minutes=20)  # the switch is watched this long after each command
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
SWITCH = "switch.zaptec_go_charge"
POWER_DELIVERY = "sensor.zaptec_go_power_delivery"
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Enode retries a failed delivery at increasing intervals for about a day (API.md 9.2).
ENODE_RETRIES = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0)


@dataclass
class Feedback:
    """One command: seconds until the new state showed, and whether the switch flipped back."""

    command: str
    shown_after: float | None = None
    flipped_back: bool = False


@dataclass
class Result:
    """What one mode measured."""

    mode: str
    by_endpoint: Counter[str] = field(default_factory=Counter)
    per_hour: Counter[int] = field(default_factory=Counter)
    tokens: int = 0
    deliveries: int = 0
    feedback: list[Feedback] = field(default_factory=list)
    # (simulated time since the measured day began, push healthy?) at every change.
    health: list[tuple[timedelta, bool]] = field(default_factory=list)
    # Seconds from a 429 until the next request to Enode (push down only).
    after_rate_limit: float | None = None

    @property
    def per_hour_average(self) -> float:
        """Requests (tokens aside) per hour, over the measured day."""
        return sum(self.by_endpoint.values()) / (DAY / timedelta(hours=1))


RESULTS: dict[str, Result] = {}


def _fold(path: str) -> str:
    return ID.sub("{id}", path)


def _feedback(result: Feedback) -> str:
    if result.shown_after is None:
        return f"{result.command}: not shown in {FEEDBACK_WINDOW.total_seconds() / 60:.0f} min"
    return f"{result.command}: {result.shown_after:.0f} s"


def markdown() -> str:
    """The figures table (and the requests by endpoint per mode)."""
    lines = [
        (
            "| Mode | Enode requests/hour (average / busiest hour) | Tokens / day | Deliveries "
            "applied / day | Start, stop charging: confirmed state shown after | Flipped back |"
        ),
        "| --- | --- | --- | --- | --- | --- |",
        "| Peer integration (measured, vehicles only) | ~13 | - | - | ~4 min (next poll) | - |",
    ]
    for mode in MODES:
        result = RESULTS.get(mode)
        if result is None:
            continue
        busiest = max(result.per_hour.values(), default=0)
        lines.append(
            f"| {mode} | {result.per_hour_average:.2f} / {busiest} | {result.tokens} "
            f"| {result.deliveries} | {', '.join(_feedback(f) for f in result.feedback)} "
            f"| {'yes' if any(f.flipped_back for f in result.feedback) else 'no'} |"
        )
    down = RESULTS.get("push down")
    if down is not None and down.after_rate_limit is not None:
        lines.append("")
        lines.append(
            f"- push down: after a 429 with Retry-After: {RATE_LIMIT[1]} s the poll asked "
            f"again {down.after_rate_limit:.0f} s later"
        )
    flapping = RESULTS.get("push flapping")
    if flapping is not None:
        went = next((t for t, ok in flapping.health if not ok and t >= OUTAGE[0]), None)
        back = next((t for t, ok in flapping.health if ok and t >= OUTAGE[1]), None)
        lines.append("")
        lines.append(
            "- push flapping: the silent push was detected "
            + (f"{(went - OUTAGE[0]).total_seconds() / 60:.0f} min" if went else "never")
            + " after the outage began; push was healthy again "
            + (f"{(back - OUTAGE[1]).total_seconds() / 60:.0f} min" if back else "never")
            + " after it ended (Enode's next retry)"
        )
    lines.append("")
    for mode in MODES:
        result = RESULTS.get(mode)
        if result is None:
            continue
        hours = DAY / timedelta(hours=1)
        parts = ", ".join(
            f"{count / hours:.2f} {endpoint}"
            for endpoint, count in result.by_endpoint.most_common()
        )
        lines.append(f"- {mode}, requests/hour by endpoint: {parts or 'none'}")
    return "\n".join(lines)


def main() -> int:
    """Run the three modes under pytest (Home Assistant's harness) and print the table."""
    code = pytest.main(
        [
            str(Path(__file__).resolve()),
            "-p",
            "no:cacheprovider",
            "-q",
            "-s",
            "--rootdir",
            str(ROOT),
            "-o",
            "log_level=WARNING",
            "-W",
            "ignore",
        ]
    )
    # pytest imported this file again under its own module name: its RESULTS hold the figures.
    here = Path(__file__).resolve()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if module is not sys.modules[__name__] and path and Path(path).resolve() == here:
            RESULTS.update(module.RESULTS)
    print()
    print(markdown())
    return int(code)


# --- the benchmark, collected by pytest when main() runs this file -------------------------

if __name__ != "__main__":  # pytest imports it: Home Assistant after its test plugin
    from aiohttp.test_utils import TestClient
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.components.recorder import Recorder
    from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
    from homeassistant.const import (
        ATTR_ENTITY_ID,
        EVENT_STATE_CHANGED,
        SERVICE_TURN_OFF,
        SERVICE_TURN_ON,
    )
    from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
    from homeassistant.core_config import async_process_ha_core_config
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_fire_time_changed,
    )

    from custom_components.enode.config_flow import DEFAULT_OPTIONS
    from custom_components.enode.const import CONF_BACKFILL_DAYS, DOMAIN
    from custom_components.enode.link import async_register_view
    from enode_emulator import Emulator, EmulatorConfig
    from tests.integration.conftest import DEMO_USER, entry_data

    @pytest.fixture(autouse=True)
    def _harness(
        recorder_mock: Recorder, enable_custom_integrations: None, socket_enabled: None
    ) -> None:
        """The recorder first (statistics import), then the custom integration, sockets on."""
        for name in ("", "sqlalchemy", "sqlalchemy.engine", "homeassistant"):
            logging.getLogger(name).setLevel(logging.WARNING)  # figures, not logs

    @pytest.fixture
    async def emulator() -> AsyncGenerator[Emulator]:
        """The demo household; its clock moves only with advance()."""
        emulator = Emulator(
            EmulatorConfig(
                scenario="demo",
                seed=1,
                speed=0.0,
                action_delay=3.0,
                start_time=START,
                webhook_retry_delays=ENODE_RETRIES,
            )
        )
        await emulator.start()
        yield emulator
        await emulator.stop()

    class Day:
        """Both clocks, in step; what the switch and the power delivery sensor showed."""

        def __init__(
            self, hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory
        ) -> None:
            """Start watching the switch."""
            self.hass = hass
            self.emulator = emulator
            self.freezer = freezer
            self.elapsed = timedelta(0)
            self.switch: list[tuple[timedelta, str]] = []

            @callback
            def _changed(event: Event[EventStateChangedData]) -> None:
                new = event.data["new_state"]
                if event.data["entity_id"] == SWITCH and new is not None:
                    self.switch.append((self.elapsed, new.state))

            hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)

        async def step(self, delta: timedelta) -> None:
            """Move both clocks by delta; run what became due; wait for every request."""
            self.elapsed += delta
            self.freezer.tick(delta)
            await self.emulator.advance(delta.total_seconds())
            async_fire_time_changed(self.hass)
            await self.hass.async_block_till_done(wait_background_tasks=True)

        async def until(self, moment: timedelta, delta: timedelta = timedelta(minutes=1)) -> None:
            """Step to `moment` after the start."""
            while self.elapsed + delta <= moment:
                await self.step(delta)
            if self.elapsed < moment:
                await self.step(moment - self.elapsed)

    async def _command(day: Day, on: bool) -> Feedback:
        """Turn the charger's switch on or off; seconds until its power delivery shows it."""
        feedback = Feedback("start" if on else "stop")
        await day.hass.services.async_call(
            SWITCH_DOMAIN,
            SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
            {ATTR_ENTITY_ID: SWITCH},
            blocking=True,
        )
        sent = day.elapsed
        while day.elapsed - sent < FEEDBACK_WINDOW:
            await day.step(timedelta(seconds=1))
            state = day.hass.states.get(POWER_DELIVERY)
            charging = state is not None and state.state == "plugged_in_charging"
            if charging is on:
                feedback.shown_after = (day.elapsed - sent).total_seconds()
                break
        return feedback

    def _flipped(day: Day, sent: timedelta, on: bool) -> bool:
        """The switch showed the old state again after it had shown the new one."""
        states = [s for t, s in day.switch if sent <= t <= sent + FLIP_WINDOW]
        wanted, old = ("on", "off") if on else ("off", "on")
        return wanted in states and old in states[states.index(wanted) :]

    @pytest.mark.parametrize("mode", MODES)
    async def test_day(
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        emulator: Emulator,
        hass_client_no_auth: Any,
        mode: str,
    ) -> None:
        """Set up the demo household, then simulate 25 hours and record the figures."""
        freezer.move_to(START)
        assert await async_setup_component(hass, "http", {})
        assert await async_setup_component(hass, "webhook", {})
        async_register_view(hass)
        if mode == "push down":
            hass.config.api = None  # no URL for Enode to call: polling only
        else:
            hass.http.app._router.freeze = lambda: None  # noqa: SLF001 - as tests/integration
            client: TestClient = await hass_client_no_auth()
            await async_process_ha_core_config(
                hass, {"internal_url": f"http://127.0.0.1:{client.server.port}"}
            )
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Enode (custom)",
            unique_id=f"{emulator.client_id}_{DEMO_USER}",
            data=entry_data(emulator),
            options={**DEFAULT_OPTIONS, CONF_BACKFILL_DAYS: 1},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        runtime = entry.runtime_data
        runtime.client._retry_base_delay = 0  # noqa: SLF001 - a retry's sleep would wait for the frozen clock

        # The token cache on the simulated clock, as a real one runs on real time.
        def simulated() -> float:
            return (emulator.core.clock.now() - START).total_seconds()

        runtime.client._tokens._clock = simulated  # noqa: SLF001
        day = Day(hass, emulator, freezer)
        await day.until(WARM_UP)
        first = len(emulator.request_log)
        deliveries = runtime.webhook.health.deliveries
        measured = WARM_UP
        health: list[tuple[timedelta, bool]] = []
        runtime.push.async_add_listener(
            lambda: health.append((day.elapsed - measured, runtime.push.healthy))
        )
        hook = next(iter(emulator.core.webhooks.webhooks.values()), None)
        url = hook.url if hook else None
        feedback: list[Feedback] = []
        events: list[tuple[timedelta, Any]] = [
            (measured + OUTAGE[0], "outage"),
            (measured + OUTAGE[1], "back"),
            (measured + COMMANDS[0], True),
            (measured + COMMANDS[1], False),
            (measured + RATE_LIMIT[0], "rate limit"),
        ]
        for moment, what in sorted(events, key=lambda item: item[0]):
            await day.until(moment)
            if what == "outage" and mode == "push flapping" and hook is not None:
                hook.url = "http://127.0.0.1:9/unreachable"
            elif what == "rate limit" and mode == "push down":
                emulator.add_fault(path="/users/*", status=429, retryAfter=RATE_LIMIT[1], count=1)
            elif what == "back" and hook is not None:
                hook.url = url or hook.url
            elif isinstance(what, bool):
                sent = day.elapsed
                outcome = await _command(day, what)
                await day.until(sent + FLIP_WINDOW)
                outcome.flipped_back = _flipped(day, sent, what)
                feedback.append(outcome)
        await day.until(measured + DAY)
        result = Result(mode=mode, feedback=feedback, health=health)
        for item in emulator.request_log[first:]:
            if item.path.startswith(("/_emulator", "/health")):
                continue
            if (item.method, item.path) == ("POST", "/oauth2/token"):
                result.tokens += 1
                continue
            result.by_endpoint[f"{item.method} {_fold(item.path)}"] += 1
            stamp = datetime.fromisoformat(item.time.replace("Z", "+00:00"))
            result.per_hour[int((stamp - START - measured) / timedelta(hours=1))] += 1
        result.deliveries = runtime.webhook.health.deliveries - deliveries
        log = emulator.request_log[first:]
        limited = next((i for i, item in enumerate(log) if item.status == 429), None)
        # The next poll of the same path (statistics and other sources have their own clocks).
        path = log[limited].path if limited is not None else None
        later = log[limited + 1 :] if limited is not None else []
        retried = next((item for item in later if item.path == path), None)
        if limited is not None and retried is not None:
            was, then = (
                datetime.fromisoformat(item.time.replace("Z", "+00:00"))
                for item in (log[limited], retried)
            )
            result.after_rate_limit = (then - was).total_seconds()
        RESULTS[mode] = result
        print(f"\n{mode}: {result.per_hour_average:.2f} requests/hour", flush=True)


if __name__ == "__main__":
    sys.exit(main())
