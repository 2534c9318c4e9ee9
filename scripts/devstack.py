"""The Enode emulator and a real Home Assistant, side by side.

Serves `scripts/develop` (the one-command demo) and the browser end-to-end test: both start the
two processes, onboard Home Assistant, add the Enode integration through Home Assistant's own
config-flow API (Enode Link included) and install the "Enode" dashboard. Only the standard
library and aiohttp (a Home Assistant dependency) are used, so the .venv is enough.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass, field
import itertools
import json
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.request

import aiohttp
from yarl import URL

ROOT = Path(__file__).resolve().parent.parent
# Which Home Assistant runs the demo: the pinned release in .venv (Python 3.13), or the newest
# release in the Python 3.14 root that scripts/setup builds (run through scripts/newest, venv "ha").
HA_PINNED = "2026.2"
HA_NEWEST = "newest"
HA_CHOICES = (HA_PINNED, HA_NEWEST)
NEWEST = ROOT / "scripts" / "newest"
DEFAULT_CONFIG_DIR = ROOT / "config"
# The newest release migrates its storage forward; it gets a configuration directory of its own.
DEFAULT_CONFIG_DIRS = {HA_PINNED: DEFAULT_CONFIG_DIR, HA_NEWEST: ROOT / "config-newest"}
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "enode-demo"  # a local demo account, printed on purpose
DEMO_NAME = "Demo"
DEMO_ENODE_USER = "demo-user"  # the emulator's demo household
DEMO_LINK_VENDOR = "VOLKSWAGEN"
# The demo shows one intervention as a repair issue: the demo Tesla asks for mobile access
# (it blocks only the location capability, so every control of the demo keeps working).
DEMO_INTERVENTION_VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
DEMO_CHARGING_DAYS = 30  # fabricated charging history for the Energy dashboard
DEMO_INTERVENTION = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e02"
DEMO_CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"  # the demo household's Zaptec Go
DEMO_HEM_SYSTEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"
DASHBOARD_PATH = "enode-demo"
DASHBOARD_TITLE = "Enode"
EMULATOR_CLIENT_ID = "enode-emulator-client"
EMULATOR_CLIENT_SECRET = "enode-emulator-secret"

CONFIGURATION_YAML = """\
# Written by scripts/devstack.py for the Enode demo; rewritten on every start.
homeassistant:
  name: Enode demo
  latitude: 59.9139
  longitude: 10.7522
  elevation: 20
  unit_system: metric
  currency: EUR
  country: "NO"
  time_zone: Europe/Oslo
  internal_url: "{base_url}"

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
history:
logbook:
energy:
recorder:
  commit_interval: 1

logger:
  default: warning
  logs:
    custom_components.enode: debug
"""

# The emulator's state file inside the demo configuration directory.
EMULATOR_STATE = "enode_emulator_state.pickle"


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class StackSettings:
    """Where and how to run the demo."""

    config_dir: Path = DEFAULT_CONFIG_DIR
    ha_port: int = 8123
    emulator_port: int = 8765
    emulator_speed: float = 1.0
    # The emulator's household: "demo", `scale:ASSETS[:SMART]` or a JSON scenario file.
    emulator_scenario: str = "demo"
    python: str = sys.executable
    # HA_PINNED runs Home Assistant with `python` (the .venv); HA_NEWEST in the Python 3.14 root.
    ha: str = HA_PINNED
    # Tests forbid Home Assistant's run-time package installs: the .venv must already hold every
    # requirement (requirements_dev.txt), and a test must not depend on PyPI or change the venv.
    skip_pip: bool = False

    @property
    def ha_url(self) -> str:
        """Home Assistant's base URL."""
        return f"http://127.0.0.1:{self.ha_port}"

    @property
    def ha_python(self) -> list[str]:
        """The command that runs the Python of the selected Home Assistant."""
        if self.ha == HA_NEWEST:
            return ["bash", str(NEWEST), "--venv", "ha", "python"]
        return [self.python]

    @property
    def emulator_url(self) -> str:
        """The emulator's base URL (the Enode API root)."""
        return f"http://127.0.0.1:{self.emulator_port}"


@dataclass
class Stack:
    """The two running processes."""

    settings: StackSettings
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> None:
        """Start the emulator and Home Assistant; returns once both answer HTTP."""
        settings = self.settings
        for port in (settings.ha_port, settings.emulator_port):
            if port_in_use(port):
                raise StackError(f"port {port} is already in use; stop what runs there first")
        prepare_config_dir(settings)
        logs = settings.config_dir
        self.processes.append(
            _spawn(
                [
                    settings.python,
                    "-m",
                    "enode_emulator",
                    "--port",
                    str(settings.emulator_port),
                    "--speed",
                    str(settings.emulator_speed),
                    "--scenario",
                    settings.emulator_scenario,
                    # Devices linked in one run are still there in the next (--reset clears it).
                    "--state",
                    str(settings.config_dir / EMULATOR_STATE),
                ],
                logs / "emulator.log",
            )
        )
        self.processes.append(
            _spawn(
                [
                    *settings.ha_python,
                    "-m",
                    "homeassistant",
                    "--config",
                    str(settings.config_dir),
                    *(["--skip-pip"] if settings.skip_pip else []),
                ],
                logs / "home-assistant.stdout.log",
            )
        )
        self.wait_http(f"{settings.emulator_url}/health/ready", accept=(200, 401), timeout=30)
        # The frontend's manifest answers once the frontend (and with it onboarding) is set up.
        self.wait_http(f"{settings.ha_url}/manifest.json", accept=(200,), timeout=240)

    def wait_http(self, url: str, *, accept: tuple[int, ...], timeout: float) -> None:
        """Poll a URL until it answers with an accepted status or a process dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise StackError(
                        f"{process.args!r} exited with {process.returncode}; "
                        f"see the logs in {self.settings.config_dir}"
                    )
            if _http_status(url) in accept:
                return
            time.sleep(0.25)
        raise StackError(f"{url} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop Home Assistant, then the emulator; SIGTERM first, SIGKILL after a grace time."""
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> Stack:
        """Start on entry."""
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop on exit, whatever happened."""
        self.stop()


class StackError(RuntimeError):
    """The demo stack could not start or be set up."""


def ha_version(settings: StackSettings) -> str:
    """The version of the Home Assistant the settings select (asks its Python)."""
    answer = subprocess.run(
        [
            *settings.ha_python,
            "-c",
            "from homeassistant.const import __version__; print(__version__)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        raise StackError(f"cannot run Home Assistant ({settings.ha}): {answer.stderr.strip()}")
    return answer.stdout.strip()


def prepare_config_dir(settings: StackSettings) -> None:
    """Write configuration.yaml and link the working tree's integration into the config dir."""
    config_dir = settings.config_dir
    if settings.ha == HA_NEWEST and not _visible_in_newest_root(config_dir):
        raise StackError(
            f"--ha newest sees only this repository and /tmp; {config_dir} is outside both"
        )
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(base_url=settings.ha_url, port=settings.ha_port)
    )
    _skip_onboarding_extras(config_dir)
    # Home Assistant 2026.11+ stores the HTTP settings and then ignores `http:` in YAML; forget
    # them so this run's port applies (confirm_http_config keeps it once Home Assistant is up).
    (config_dir / ".storage" / "http").unlink(missing_ok=True)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    target = custom / "enode"
    source = ROOT / "custom_components" / "enode"
    if target.is_symlink() and target.resolve() == source:
        return
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    target.symlink_to(source, target_is_directory=True)


def _visible_in_newest_root(path: Path) -> bool:
    # scripts/newest bind-mounts the repository (at its own path) and /tmp into the root.
    resolved = path.resolve()
    return resolved.is_relative_to(ROOT) or resolved.is_relative_to("/tmp")


def _skip_onboarding_extras(config_dir: Path) -> None:
    """Mark every onboarding step but the owner account as done, before the first start.

    configuration.yaml already sets location, units and time zone. Finishing the core-config step
    would also set up met, radio_browser, google_translate and shopping_list, which need the
    internet and pull packages Home Assistant installs at run time.
    """
    storage = config_dir / ".storage"
    onboarding = storage / "onboarding"
    if onboarding.exists():
        return
    storage.mkdir(exist_ok=True)
    onboarding.write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        )
    )


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    # A session of its own: Ctrl-C in the terminal reaches only us, and we stop the children
    # in order (Home Assistant first, so it can delete its Enode webhook while Enode is up).
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_end_with_parent,  # noqa: PLW1509 - prctl only, async-signal-safe
        )


def _end_with_parent() -> None:
    # Runs in the child before exec: on Linux, SIGTERM it when we die however we die (a test
    # runner killed hard must not leave Home Assistant running).
    if sys.platform == "linux":
        import ctypes  # noqa: PLC0415 - child-only, Linux-only

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def port_in_use(port: int) -> bool:
    """True while something listens on the loopback port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


# --- Home Assistant's HTTP and websocket APIs --------------------------------------------


@dataclass
class HomeAssistantApi:
    """An authenticated session against Home Assistant's REST and websocket APIs."""

    session: aiohttp.ClientSession
    base_url: str
    access_token: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def client_id(self) -> str:
        """OAuth client id for our own "app" (Home Assistant wants a URL)."""
        return f"{self.base_url}/"

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the REST API; raises StackError with Home Assistant's answer on failure."""
        headers = {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        async with self.session.request(
            method, f"{self.base_url}{path}", headers=headers, **kwargs
        ) as answer:
            text = await answer.text()
            if answer.status >= 400:
                raise StackError(f"{method} {path} answered {answer.status}: {text[:300]}")
            return json.loads(text) if text else None

    async def onboarded(self) -> bool:
        """True once the owner account exists."""
        async with self.session.get(f"{self.base_url}/api/onboarding") as answer:
            if answer.status == 404:  # the onboarding views go away once onboarding is done
                return True
            steps = await answer.json()
        return not any(step["step"] == "user" and not step["done"] for step in steps)

    async def onboard(self, username: str, password: str) -> None:
        """Create the owner account (the one onboarding step left); ends logged in."""
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": DEMO_NAME,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        await self._exchange_code(created["auth_code"])

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow (what the login page does)."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise StackError(f"logging in as {username} failed: {result.get('errors')}")
        await self._exchange_code(result["result"])

    async def _exchange_code(self, code: str) -> None:
        tokens = await self.request(
            "POST",
            "/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        self.access_token = tokens["access_token"]

    async def ws(self, messages: list[dict[str, Any]]) -> list[Any]:
        """Send websocket commands in order; returns their results, raises on an error."""
        results: list[Any] = []
        async with self.session.ws_connect(f"{self.base_url}/api/websocket") as socket_:
            await socket_.receive_json()  # auth_required
            await socket_.send_json({"type": "auth", "access_token": self.access_token})
            if (await socket_.receive_json())["type"] != "auth_ok":
                raise StackError("the websocket refused our access token")
            for message in messages:
                message_id = next(self._ids)
                await socket_.send_json({"id": message_id, **message})
                while True:
                    answer = await socket_.receive_json()
                    if answer.get("id") == message_id and answer.get("type") == "result":
                        break
                if not answer["success"]:
                    raise StackError(f"{message['type']} failed: {answer.get('error')}")
                results.append(answer.get("result"))
        return results


async def ensure_logged_in(api: HomeAssistantApi) -> None:
    """Onboard a fresh Home Assistant, or log in to one onboarded earlier."""
    if await api.onboarded():
        await api.login(DEMO_USERNAME, DEMO_PASSWORD)
    else:
        await api.onboard(DEMO_USERNAME, DEMO_PASSWORD)


async def confirm_http_config(api: HomeAssistantApi) -> None:
    """Keep the HTTP settings of configuration.yaml (Home Assistant 2026.11 and later).

    From 2026.11 on, Home Assistant moves `http:` from YAML into its storage as a *pending*
    configuration: the frontend asks to confirm it, and unconfirmed it reverts (port 8123) after
    five minutes. prepare_config_dir removes the stored HTTP settings before every start, so the
    YAML (with this run's port) is taken again; this confirms it as the frontend's dialog would.
    Older releases know no `http/config` command: nothing to do.
    """
    try:
        (config,) = await api.ws([{"type": "http/config"}])
    except StackError as err:
        if "unknown_command" in str(err):
            return
        raise
    if config.get("pending"):
        await api.ws([{"type": "http/config/promote"}])


async def enable_advanced_mode(api: HomeAssistantApi) -> None:
    """Turn on the profile's advanced mode (custom Enode URLs are an advanced option)."""
    await api.ws(
        [{"type": "frontend/set_user_data", "key": "core", "value": {"showAdvanced": True}}]
    )


async def enode_entry_ids(api: HomeAssistantApi) -> list[str]:
    """Config entry ids of the Enode integration."""
    entries = await api.request("GET", "/api/config/config_entries/entry?domain=enode")
    return [entry["entry_id"] for entry in entries]


async def add_enode_integration(
    api: HomeAssistantApi, emulator_url: str, *, vendor: str | None = None
) -> str:
    """Run the Enode config flow (Link and home Location included); returns the entry id.

    The person in the browser is played by plain HTTP: open the Link URL, pick a vendor, confirm,
    follow Enode's redirect back to Home Assistant's callback.
    """
    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        json={"handler": "enode"},
    )
    flow_path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    step = await api.request(
        "POST",
        flow_path,
        json={
            "client_id": EMULATOR_CLIENT_ID,
            "client_secret": EMULATOR_CLIENT_SECRET,
            "environment": "custom",
            "advanced_options": {"user_id": DEMO_ENODE_USER},
        },
    )
    # Only the custom environment asks for its URLs, in a step of its own.
    _expect_step(step, "form", "custom")
    step = await api.request(
        "POST",
        flow_path,
        json={"api_url": emulator_url, "token_url": f"{emulator_url}/oauth2/token"},
    )
    _expect_step(step, "menu", "link_menu")
    step = await api.request("POST", flow_path, json={"next_step_id": "link"})
    _expect_step(step, "form", "link")
    step = await api.request(
        "POST", flow_path, json={"asset_types": ["vehicle"], "control": True, "location": True}
    )
    _expect_step(step, "external", "link_open")
    await complete_enode_link(api.session, step["url"], vendor=vendor)
    step = await api.request("POST", flow_path, json={})
    # Home as an Enode Location: the demo's home is the emulator household's, so the
    # integration takes that Location over (renamed after Home Assistant) instead of a second.
    _expect_step(step, "form", "home_location")
    step = await api.request("POST", flow_path, json={"create_home_location": True})
    _expect_step(step, "create_entry", None)
    return str(step["result"]["entry_id"])


async def add_demo_schedule(api: HomeAssistantApi) -> str:
    """Give the demo charger a charging schedule through the integration; returns its id.

    Weekday nights, created disabled so the demo's own commands stay free (an enabled schedule
    makes Enode refuse them); its Schedule 1 switch enables it.
    """
    [devices] = await api.ws([{"type": "config/device_registry/list"}])
    charger = next(
        device["id"]
        for device in devices
        if ["enode", DEMO_CHARGER] in [list(pair) for pair in device["identifiers"]]
    )
    answer = await api.request(
        "POST",
        "/api/services/enode/create_schedule?return_response",
        json={
            "device_id": charger,
            "enabled": False,
            "default_should_charge": False,
            "rules": [
                {
                    "from": "01:00",
                    "to": "06:00",
                    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                    "should_charge": True,
                }
            ],
        },
    )
    return str(answer["service_response"]["schedule_id"])


async def complete_enode_link(
    session: aiohttp.ClientSession, link_url: str, *, vendor: str | None = None
) -> None:
    """Pick a vendor on the emulator's Enode Link page, confirm, follow the redirect back."""
    async with session.get(link_url) as page:
        html = await page.text()
        if page.status != 200:
            raise StackError(f"Enode Link answered {page.status}: {html[:300]}")
    if vendor is None:
        found = re.search(r'name="vendor" value="([^"]+)"', html)
        vendor = found.group(1) if found else ""
    async with session.post(
        link_url, data={"vendor": vendor, "action": "confirm"}, allow_redirects=False
    ) as answer:
        if answer.status != 302:
            raise StackError(f"Enode Link refused the vendor {vendor}: {await answer.text()}")
        redirect = URL(answer.headers["Location"])
    async with session.get(redirect) as callback:
        if callback.status != 200:
            raise StackError(f"Home Assistant's Link callback answered {callback.status}")


def _expect_step(step: dict[str, Any], kind: str, step_id: str | None) -> None:
    if step.get("type") != kind or (step_id is not None and step.get("step_id") != step_id):
        raise StackError(f"expected the {kind} step {step_id}, got {json.dumps(step)[:400]}")


async def add_demo_intervention(session: aiohttp.ClientSession, emulator_url: str) -> None:
    """Put the demo intervention on the demo Tesla (idempotent; the emulator's admin API)."""
    async with session.put(
        f"{emulator_url}/_emulator/assets/{DEMO_INTERVENTION_VEHICLE}/interventions",
        json={"interventionIds": [DEMO_INTERVENTION]},
    ) as answer:
        # 404: the user removed the demo Tesla in an earlier run (kept state): nothing to mark.
        if answer.status not in (200, 404):
            raise StackError(f"The emulator refused the demo intervention: {answer.status}")


async def seed_charging_history(session: aiohttp.ClientSession, emulator_url: str) -> None:
    """Give the demo household 30 days of past charging sessions (the emulator's admin API).

    The integration's first import backfills them, so the Energy dashboard can show the
    vehicle's charging (and its cost) from the first day of the demo.
    """
    async with session.post(
        f"{emulator_url}/_emulator/users/{DEMO_ENODE_USER}/charging-history",
        json={"days": DEMO_CHARGING_DAYS},
    ) as answer:
        if answer.status != 200:
            raise StackError(f"The emulator refused the charging history: {answer.status}")


def enode_statistic(asset_id: str, series: str) -> str:
    """The integration's external statistic id of one asset's series (statistics.statistic_id)."""
    slug = re.sub(r"[^a-z0-9]+", "_", f"{asset_id}_{series}".lower()).strip("_")
    return f"enode:{slug}"


def demo_energy_prefs(
    current: dict[str, Any] | None, *, unified_grid: bool = True
) -> dict[str, Any] | None:
    """Energy dashboard settings for the demo household, or None when some are set already.

    Grid import and export, solar and battery come from the HEM system's imported statistics (so
    Home Assistant's home consumption is the energy system's own), and the Tesla's charging
    energy is an individual device (its month of seeded history shows at once). The grid has two
    shapes: one source per connection (``unified_grid``, Home Assistant 2026.11) or the older
    ``flow_from``/``flow_to`` lists (2026.2). A dashboard the user configured is left alone.
    """
    if current and (current.get("energy_sources") or current.get("device_consumption")):
        return None

    def hem(series: str) -> str:
        return enode_statistic(DEMO_HEM_SYSTEM, series)

    grid: dict[str, Any] = {"type": "grid", "cost_adjustment_day": 0.0}
    if unified_grid:
        grid |= {"stat_energy_from": hem("import"), "stat_energy_to": hem("export")}
    else:
        no_price = {"entity_energy_price": None, "number_energy_price": None}
        grid |= {
            "flow_from": [{"stat_energy_from": hem("import"), "stat_cost": None, **no_price}],
            "flow_to": [{"stat_energy_to": hem("export"), "stat_compensation": None, **no_price}],
        }
    return {
        "energy_sources": [
            grid,
            {
                "type": "solar",
                "stat_energy_from": hem("generation"),
                "config_entry_solar_forecast": None,
            },
            {
                "type": "battery",
                "stat_energy_from": hem("discharge"),
                "stat_energy_to": hem("charge"),
            },
        ],
        "device_consumption": [
            {"stat_consumption": enode_statistic(DEMO_INTERVENTION_VEHICLE, "charging_energy")}
        ],
    }


# Home Assistant 2026.11 keeps the old grid shape only as LegacyGridSourceType (for migration).
UNIFIED_GRID_PROBE = (
    "from homeassistant.components.energy import data; print(hasattr(data, 'LegacyGridSourceType'))"
)


def has_unified_grid(settings: StackSettings) -> bool:
    """Whether the selected Home Assistant stores one grid source per connection (2026.11).

    Asked of its own code: a refused energy/save_prefs would log an error naming our statistics.
    """
    answer = subprocess.run(
        [
            *settings.ha_python,
            "-c",
            UNIFIED_GRID_PROBE,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        raise StackError(f"cannot run Home Assistant ({settings.ha}): {answer.stderr.strip()}")
    return answer.stdout.strip() == "True"


async def install_energy_prefs(api: HomeAssistantApi, *, unified_grid: bool) -> None:
    """Fill the Energy dashboard with the demo household (only when it is still empty)."""
    try:
        (current,) = await api.ws([{"type": "energy/get_prefs"}])
    except StackError:
        current = None  # "No prefs" until something was saved
    prefs = demo_energy_prefs(current, unified_grid=unified_grid)
    if prefs is not None:
        await api.ws([{"type": "energy/save_prefs", **prefs}])


async def install_dashboard(api: HomeAssistantApi) -> str:
    """Create (or refresh) the "Enode" dashboard with cards for every Enode device."""
    dashboards, devices, entities = await api.ws(
        [
            {"type": "lovelace/dashboards/list"},
            {"type": "config/device_registry/list"},
            {"type": "config/entity_registry/list"},
        ]
    )
    create = {
        "type": "lovelace/dashboards/create",
        "url_path": DASHBOARD_PATH,
        "title": DASHBOARD_TITLE,
        "icon": "mdi:home-lightning-bolt",
        "mode": "storage",
        "require_admin": False,
        "show_in_sidebar": True,
    }
    exists = any(board["url_path"] == DASHBOARD_PATH for board in dashboards)
    save = {
        "type": "lovelace/config/save",
        "url_path": DASHBOARD_PATH,
        "config": dashboard_config(devices, entities),
    }
    await api.ws([save] if exists else [create, save])
    return f"{api.base_url}/{DASHBOARD_PATH}/0"


def dashboard_config(
    devices: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> dict[str, Any]:
    """A dashboard view with one card per Enode device, thermostats and one map of trackers."""
    by_device: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        if entity.get("platform") == "enode" and not entity.get("disabled_by"):
            by_device.setdefault(entity.get("device_id") or "", []).append(entity)
    cards: list[dict[str, Any]] = []
    trackers: list[str] = []
    for device in sorted(devices, key=_device_name):
        members = by_device.get(device["id"])
        if not members:
            continue
        rows: list[dict[str, Any]] = []
        for entity in members:
            entity_id = entity["entity_id"]
            if entity_id.startswith("climate."):
                cards.append({"type": "thermostat", "entity": entity_id})
            if entity_id.startswith("device_tracker."):
                trackers.append(entity_id)
            # The card title names the device, so rows show the entity's own name only.
            own_name = entity.get("name") or entity.get("original_name")
            rows.append({"entity": entity_id, "name": own_name} if own_name else entity_id)
        # No header toggle: one click would switch Charge, Charge now and Smart charging at once.
        cards.append(
            {
                "type": "entities",
                "title": _device_name(device),
                "show_header_toggle": False,
                "entities": rows,
            }
        )
    if trackers:
        cards.append({"type": "map", "title": "Locations", "entities": trackers})
    return {
        "title": DASHBOARD_TITLE,
        "views": [{"title": "Devices", "path": "devices", "type": "masonry", "cards": cards}],
    }


def _device_name(device: dict[str, Any]) -> str:
    return str(device.get("name_by_user") or device["name"])


async def provision(settings: StackSettings) -> tuple[str, bool]:
    """Onboard, add Enode unless present, install the dashboard; returns (URL, added)."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await ensure_logged_in(api)
        await confirm_http_config(api)
        await enable_advanced_mode(api)
        added = False
        await add_demo_intervention(session, settings.emulator_url)
        if not await enode_entry_ids(api):
            await seed_charging_history(session, settings.emulator_url)
            # The demo household has a Tesla; link a second car so the Link step shows.
            await add_enode_integration(api, settings.emulator_url, vendor=DEMO_LINK_VENDOR)
            added = True
        await wait_for_entities(api)
        if added:
            await add_demo_schedule(api)
        unified_grid = await asyncio.to_thread(has_unified_grid, settings)
        await install_energy_prefs(api, unified_grid=unified_grid)
        return await install_dashboard(api), added


async def wait_for_entities(api: HomeAssistantApi) -> None:
    """Wait (up to a minute) until the Enode entry is loaded and its entities exist."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        entries = await api.request("GET", "/api/config/config_entries/entry?domain=enode")
        if entries and all(entry["state"] == "loaded" for entry in entries):
            states = await api.request("GET", "/api/states")
            if any(state["entity_id"].startswith("climate.") for state in states):
                return
        await asyncio.sleep(0.5)
    raise StackError("the Enode integration did not load within a minute; see home-assistant.log")


# --- scripts/develop ----------------------------------------------------------------------


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def develop(argv: list[str] | None = None) -> int:
    """Start the demo, set it up, print where to go and wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port")
    parser.add_argument("--emulator-port", type=int, default=8765)
    parser.add_argument("--speed", type=float, default=1.0, help="emulator seconds per second")
    parser.add_argument(
        "--ha",
        choices=HA_CHOICES,
        default=HA_PINNED,
        help="Home Assistant to run: the pinned 2026.2 (Python 3.13, .venv; the default) or the "
        "newest release (Python 3.14 root of scripts/setup)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="config dir (default ./config, or ./config-newest for --ha newest)",
    )
    parser.add_argument("--reset", action="store_true", help="start from an empty config dir")
    args = parser.parse_args(argv)
    config_dir: Path = args.config or DEFAULT_CONFIG_DIRS[args.ha]
    if args.reset and config_dir.exists():
        shutil.rmtree(config_dir)
    settings = StackSettings(
        config_dir=config_dir.resolve(),
        ha_port=args.port,
        emulator_port=args.emulator_port,
        emulator_speed=args.speed,
        ha=args.ha,
    )
    try:
        version = ha_version(settings)
    except StackError as err:
        print(f"develop: {err}", file=sys.stderr)
        return 1
    print(
        f"Starting the Enode emulator ({settings.emulator_url}) and Home Assistant {version} ...",
        flush=True,
    )
    # `kill` (SIGTERM) stops the demo as cleanly as Ctrl-C: the children run in sessions of
    # their own and would otherwise outlive us. SIGINT is set too because a shell starting us in
    # the background (`scripts/develop &`, CI) makes us inherit it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stack = Stack(settings)
    try:
        stack.start()
        url, added = asyncio.run(provision(settings))
        print(
            "\n".join(
                [
                    "",
                    f"The Enode demo is running (Home Assistant {version}).",
                    f"  Dashboard:   {url}",
                    f"  Username:    {DEMO_USERNAME}",
                    f"  Password:    {DEMO_PASSWORD}",
                    f"  Emulator:    {settings.emulator_url}/_emulator/state",
                    f"  Logs:        {settings.config_dir}/home-assistant.log",
                    "  Integration: "
                    + ("added (Enode Link step done)" if added else "already configured"),
                    "Press Ctrl-C to stop.",
                ]
            ),
            flush=True,
        )
        while all(process.poll() is None for process in stack.processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    except StackError as err:
        print(f"develop: {err}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    print("A process stopped on its own; see the logs.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(develop())
