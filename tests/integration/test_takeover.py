"""Taking over an entry of the other Enode integration (evilmarty/enode, same domain `enode`).

Its entries are made here exactly as that integration makes them: an OAuth2 flow over Home
Assistant's Application Credentials (data `auth_implementation` and `token`), the Enode user ID
(`user_id`), `webhook_id`/`webhook_secret` of the Enode webhook it created, unique ID = the client
ID, version 1; its entities' unique IDs are `vehicle_<vehicle id>_<key>` and its vehicle devices
are identified by the vehicle id and the VIN. Enode's production (and sandbox) hosts cannot be
reached from tests: their URLs lead to the emulator, which is the only stand-in.
"""

from __future__ import annotations

from collections.abc import Generator
import string
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode import takeover
from custom_components.enode.api import Environment, const as api_const
from custom_components.enode.client_factory import create_client
from custom_components.enode.const import (
    CONF_ENVIRONMENT,
    CONF_MAX_CHARGE_CURRENT,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from enode_emulator import Emulator

from .conftest import DEMO_USER, entry_data
from .platform_helpers import VEHICLE

VIN = "5YJ3E7EB2KF000001"
# The other integration's entities of the demo vehicle: (domain, key, suggested object id).
FOREIGN_ENTITIES = [
    ("sensor", "battery_level", "my_model_3_battery_level"),
    ("sensor", "range", "my_model_3_range"),
    ("sensor", "distance", "my_model_3_odometer_distance"),
    ("sensor", "max_current", "my_model_3_max_current"),  # a number here: removed
    ("sensor", "deadline", "my_model_3_smart_charging_deadline"),  # a time here: removed
    ("binary_sensor", "is_plugged_in", "my_model_3_plugged_in"),
    ("binary_sensor", "is_charging", "my_model_3_charging"),
    ("binary_sensor", "is_enabled", "my_model_3_smart_charging"),  # a switch here: removed
    ("switch", "is_charging", "my_model_3_charging"),
    ("button", "refresh", "my_model_3_refresh"),
    ("device_tracker", "location", "my_model_3_location"),
    ("geo_location", "location", "my_model_3_location"),  # not provided here: removed
]
MOVED = {
    "sensor.my_model_3_battery_level": f"{VEHICLE}_battery_level",
    "sensor.my_model_3_range": f"{VEHICLE}_range",
    "sensor.my_model_3_odometer_distance": f"{VEHICLE}_odometer",
    "binary_sensor.my_model_3_plugged_in": f"{VEHICLE}_plugged_in",
    "binary_sensor.my_model_3_charging": f"{VEHICLE}_charging",
    "switch.my_model_3_charging": f"{VEHICLE}_charging",
    "button.my_model_3_refresh": f"{VEHICLE}_refresh",
    "device_tracker.my_model_3_location": f"{VEHICLE}_location",
}
REMOVED = {
    "sensor.my_model_3_max_current",
    "sensor.my_model_3_smart_charging_deadline",
    "binary_sensor.my_model_3_smart_charging",
    "geo_location.my_model_3_location",
}


@pytest.fixture(autouse=True)
def enode_is_the_emulator(emulator: Emulator) -> Generator[None]:
    """Production and sandbox (all the other integration knew) lead to the emulator."""
    urls = {Environment.PRODUCTION: emulator.base_url, Environment.SANDBOX: emulator.base_url}
    tokens = {Environment.PRODUCTION: emulator.token_url, Environment.SANDBOX: emulator.token_url}
    with (
        patch.dict(api_const._API_URLS, urls),
        patch.dict(api_const._TOKEN_URLS, tokens),
    ):
        yield


def auth_domain(client_id: str) -> str:
    """The id Application Credentials gives a credential added in the UI (its auth domain)."""
    return slugify(f"{DOMAIN}.{client_id}")


async def store_credential(
    hass: HomeAssistant, hass_storage: dict[str, Any], client_id: str, secret: str
) -> None:
    """Application Credentials as the other integration's user left them in .storage."""
    hass_storage["application_credentials"] = {
        "version": 1,
        "minor_version": 1,
        "key": "application_credentials",
        "data": {
            "items": [
                {
                    "id": auth_domain(client_id),
                    "domain": DOMAIN,
                    "client_id": client_id,
                    "client_secret": secret,
                    "name": "Enode",
                }
            ]
        },
    }
    assert await async_setup_component(hass, "application_credentials", {})


async def foreign_entry(
    hass: HomeAssistant,
    emulator: Emulator,
    *,
    sandbox: bool = False,
    webhook_id: str | None = None,
) -> MockConfigEntry:
    """An entry exactly as the other integration's OAuth2 flow creates it, with its registry.

    Its user step stores `user_id` (and `sandbox` when chosen), AbstractOAuth2FlowHandler adds
    `auth_implementation` and `token`; its webhook menu adds `webhook_id` and `webhook_secret`.
    """
    data: dict[str, Any] = {CONF_USER_ID: DEMO_USER}
    if sandbox:
        data["sandbox"] = True
    data |= {
        "auth_implementation": auth_domain(emulator.client_id),
        "token": {
            "access_token": "an-old-token",
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "",
            "expires_at": 1_765_000_000.0,
        },
    }
    if webhook_id is not None:
        data |= {"webhook_id": webhook_id, "webhook_secret": "w" * 32}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Enode",
        version=1,
        minor_version=1,
        unique_id=emulator.client_id,
        data=data,
    )
    entry.add_to_hass(hass)
    devices = dr.async_get(hass)
    device = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, VEHICLE), (DOMAIN, VIN)},
        name="My Model 3",
        manufacturer="Tesla",
        model="Model 3",
        serial_number=VIN,
    )
    garage = ar.async_get(hass).async_create("Garage")
    devices.async_update_device(device.id, area_id=garage.id)
    registry = er.async_get(hass)
    for domain, key, object_id in FOREIGN_ENTITIES:
        registry.async_get_or_create(
            domain,
            DOMAIN,
            f"vehicle_{VEHICLE}_{key}",
            config_entry=entry,
            device_id=device.id,
            suggested_object_id=object_id,
        )
    return entry


async def start_fix(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Set the entry up (it fails as foreign) and open its repair's fix flow."""
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}")
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "foreign_entry_takeover"
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return dict(
        await manager.async_init(DOMAIN, data={"issue_id": f"foreign_entry_{entry.entry_id}"})
    )


async def configure(hass: HomeAssistant, result: dict[str, Any], **user_input: Any) -> Any:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_configure(result["flow_id"], user_input)


async def rendered(hass: HomeAssistant, result: Any, kind: str) -> str:
    """The English text a form error (kind "error") or an abort shows, placeholders filled."""
    key = result["errors"]["base"] if kind == "error" else result["reason"]
    strings = await async_get_translations(hass, "en", "issues", [DOMAIN])
    template = strings[f"component.{DOMAIN}.issues.foreign_entry_takeover.fix_flow.{kind}.{key}"]
    placeholders = result["description_placeholders"] or {}
    wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    assert wanted <= set(placeholders), (template, placeholders)
    return template.format(**placeholders)


def fields(result: Any) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


def suggested(result: Any) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_takeover_with_the_stored_secret_keeps_user_devices_and_entities(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    ha_client: TestClient,
    emulator: Emulator,
) -> None:
    """The secret is read from Application Credentials; the entry becomes ours in place.

    The Enode user stays (so does every linked vehicle), the entities both integrations
    provide keep their entity IDs under our unique IDs, the others are removed, the device
    keeps its area, and the other integration's Enode webhook is deleted.
    """
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    old_hook = await create_client(hass, entry_data(emulator)).create_webhook(
        "https://ha.example/api/enode/webhook", "w" * 32
    )
    entry = await foreign_entry(hass, emulator, webhook_id=old_hook.id)
    result = await start_fix(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"  # no secret to ask for
    assert fields(result) == {CONF_CLIENT_ID, CONF_ENVIRONMENT}
    assert suggested(result) == {
        CONF_CLIENT_ID: emulator.client_id,
        CONF_ENVIRONMENT: "production",
    }
    assert result["description_placeholders"] == {"title": "Enode", "user_id": DEMO_USER}
    result = await configure(
        hass, result, **{CONF_CLIENT_ID: f" {emulator.client_id} ", CONF_ENVIRONMENT: "production"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    # The same entry, now ours, loaded with the same Enode user.
    assert hass.config_entries.async_entries(DOMAIN) == [entry]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.title == "Enode"
    assert entry.unique_id == f"{emulator.client_id}_{DEMO_USER}"
    assert entry.data[CONF_CLIENT_ID] == emulator.client_id
    assert entry.data[CONF_CLIENT_SECRET] == emulator.client_secret
    assert entry.data[CONF_ENVIRONMENT] == "production"
    assert entry.data[CONF_USER_ID] == DEMO_USER
    assert entry.data[CONF_WEBHOOK_ID]
    assert len(entry.data[CONF_WEBHOOK_SECRET]) >= 32
    assert "token" not in entry.data
    assert "auth_implementation" not in entry.data
    assert entry.options[CONF_MAX_CHARGE_CURRENT] == 32
    assert VEHICLE in entry.runtime_data.coordinator.data.assets
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}") is None

    # Entities: moved ones keep their entity id and show Enode's data; the others are gone.
    registry = er.async_get(hass)
    for entity_id, unique_id in MOVED.items():
        entity = registry.async_get(entity_id)
        assert entity is not None, entity_id
        assert entity.unique_id == unique_id
        assert entity.config_entry_id == entry.entry_id
    for entity_id in REMOVED:
        assert registry.async_get(entity_id) is None, entity_id
    battery = hass.states.get("sensor.my_model_3_battery_level")
    assert battery is not None
    level = emulator.asset(VEHICLE)["chargeState"]["batteryLevel"]
    assert float(battery.state) == pytest.approx(level)
    assert hass.states.get("switch.my_model_3_charging") is not None
    assert not any(e.endswith("_2") for e in hass.states.async_entity_ids())

    # The device is the same one, in its area.
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    vehicle = next(d for d in devices if (DOMAIN, VEHICLE) in d.identifiers)
    assert vehicle.area_id == ar.async_get(hass).async_get_area_by_name("Garage").id
    assert registry.async_get("sensor.my_model_3_battery_level").device_id == vehicle.id

    # The other integration's webhook (its view is gone) is deleted at Enode.
    assert old_hook.id not in emulator.core.webhooks.webhooks


async def test_secret_asked_when_not_stored_and_a_wrong_one_is_refused(
    hass: HomeAssistant, ha_client: TestClient, emulator: Emulator
) -> None:
    """Without Application Credentials: client ID from the entry, the secret asked for.

    A wrong secret is a form error naming the token host, and nothing changes until the
    right one is entered. A sandbox entry stays in the sandbox.
    """
    entry = await foreign_entry(hass, emulator, sandbox=True)
    before = dict(entry.data)
    result = await start_fix(hass, entry)
    assert result["step_id"] == "credentials"
    assert fields(result) == {CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_ENVIRONMENT}
    assert suggested(result) == {CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "sandbox"}
    selector = result["data_schema"].schema[CONF_ENVIRONMENT]
    assert selector.config["options"] == ["production", "sandbox"]
    form = {CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "sandbox"}
    result = await configure(hass, result, **form, **{CONF_CLIENT_SECRET: "not-the-secret"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "credentials"
    assert result["errors"] == {"base": "invalid_auth"}
    assert (await rendered(hass, result, "error")).startswith(
        "127.0.0.1 refused these client credentials."
    )
    assert entry.data == before
    assert entry.state is ConfigEntryState.SETUP_ERROR
    result = await configure(hass, result, **form, **{CONF_CLIENT_SECRET: emulator.client_secret})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.title == "Enode (sandbox)"
    assert entry.data[CONF_ENVIRONMENT] == "sandbox"
    assert entry.data[CONF_CLIENT_SECRET] == emulator.client_secret


async def test_stored_secret_refused_asks_for_it(
    hass: HomeAssistant, hass_storage: dict[str, Any], ha_client: TestClient, emulator: Emulator
) -> None:
    """A secret rotated since: the stored one is refused, then the form asks for the new one."""
    await store_credential(hass, hass_storage, emulator.client_id, "rotated-away")
    entry = await foreign_entry(hass, emulator)
    hass.config_entries.async_update_entry(entry, title="Family car")  # renamed by the user
    result = await start_fix(hass, entry)
    assert result["step_id"] == "confirm"
    form = {CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    result = await configure(hass, result, **form)
    assert result["step_id"] == "credentials"
    assert result["errors"] == {"base": "invalid_auth"}
    assert CONF_CLIENT_SECRET in fields(result)
    result = await configure(hass, result, **form, **{CONF_CLIENT_SECRET: emulator.client_secret})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.title == "Family car"


async def test_client_that_does_not_know_the_user_aborts(
    hass: HomeAssistant, hass_storage: dict[str, Any], ha_client: TestClient, emulator: Emulator
) -> None:
    """The user was deleted at Enode: a translated abort, the entry and entities unchanged."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator)
    before = dict(entry.data)
    await create_client(hass, entry_data(emulator)).delete_user(DEMO_USER)
    result = await start_fix(hass, entry)
    result = await configure(
        hass, result, **{CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unknown_user"
    assert await rendered(hass, result, "abort") == (
        f"The Enode client {emulator.client_id} does not know the user {DEMO_USER} any more, "
        "so the linked vehicles cannot be kept. Delete the entry Enode under Settings > "
        "Devices & services and add Enode again."
    )
    assert entry.data == before
    assert entry.unique_id == emulator.client_id
    registry = er.async_get(hass)
    assert len(er.async_entries_for_config_entry(registry, entry.entry_id)) == len(FOREIGN_ENTITIES)
    # An abort keeps the issue: the user can still delete the entry.
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}")


async def test_enode_unavailable_while_checking_the_user(
    hass: HomeAssistant, hass_storage: dict[str, Any], ha_client: TestClient, emulator: Emulator
) -> None:
    """A server error reading the user: a form error with Enode's reason; retry succeeds."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator)
    emulator.add_fault(path=f"/users/{DEMO_USER}", method="GET", status=500, count=1)
    result = await start_fix(hass, entry)
    form = {CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    result = await configure(hass, result, **form)
    assert result["errors"] == {"base": "user_check_failed"}
    assert (await rendered(hass, result, "error")).startswith(
        f"Enode did not answer about the user {DEMO_USER}: "
    )
    assert entry.state is ConfigEntryState.SETUP_ERROR
    result = await configure(hass, result, **form)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_already_configured_user_aborts(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    ha_client: TestClient,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """The same client and user already have an entry of ours: abort, nothing moved."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator)
    result = await start_fix(hass, entry)
    result = await configure(
        hass, result, **{CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    )
    assert result["reason"] == "already_configured"
    assert (await rendered(hass, result, "abort")).startswith(
        "This Enode client and user are already set up in this integration."
    )
    assert entry.unique_id == emulator.client_id
    assert er.async_get(hass).async_get("sensor.my_model_3_battery_level").unique_id == (
        f"vehicle_{VEHICLE}_battery_level"
    )


async def test_entry_gone_aborts(
    hass: HomeAssistant, ha_client: TestClient, emulator: Emulator
) -> None:
    """The entry was deleted while the flow was open (or before it started)."""
    entry = await foreign_entry(hass, emulator, webhook_id="already-gone-at-enode")
    result = await start_fix(hass, entry)
    issue_id = f"foreign_entry_{entry.entry_id}"
    assert await hass.config_entries.async_remove(entry.entry_id)
    result = await configure(
        hass,
        result,
        **{
            CONF_CLIENT_ID: emulator.client_id,
            CONF_CLIENT_SECRET: emulator.client_secret,
            CONF_ENVIRONMENT: "production",
        },
    )
    assert result["reason"] == "entry_not_found"
    assert await rendered(hass, result, "abort") == (
        "The entry no longer exists or was already taken over."
    )
    flow = takeover.TakeoverFlow(entry.entry_id)
    flow.hass = hass
    assert (await flow.async_step_init())["reason"] == "entry_not_found"
    assert (await flow.async_step_confirm())["reason"] == "entry_not_found"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_webhook_already_gone_and_a_registered_unique_id(
    hass: HomeAssistant, hass_storage: dict[str, Any], ha_client: TestClient, emulator: Emulator
) -> None:
    """A webhook Enode no longer has is no obstacle; an entity of ours already registered
    under the new unique ID (an earlier installation) wins over the other integration's."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator, webhook_id="already-gone-at-enode")
    registry = er.async_get(hass)
    earlier = registry.async_get_or_create(
        "sensor", DOMAIN, f"{VEHICLE}_range", suggested_object_id="earlier_range"
    )
    result = await start_fix(hass, entry)
    result = await configure(
        hass, result, **{CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert registry.async_get("sensor.my_model_3_range") is None
    assert registry.async_get(earlier.entity_id) is not None
    assert registry.async_get("sensor.my_model_3_battery_level") is not None


async def test_entries_of_unknown_shape_are_not_fixable(hass: HomeAssistant) -> None:
    """Only the other integration's shape is taken over; anything else keeps the explanation."""
    for data in [
        {"auth_implementation": "enode_x", "token": {}},  # no Enode user ID
        {"user_id": "u", "token": {}},  # not through Application Credentials
    ]:
        entry = MockConfigEntry(domain=DOMAIN, data=data)
        entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(entry.entry_id)
        issue = ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}")
        assert issue is not None
        assert not issue.is_fixable
        assert issue.translation_key == "foreign_entry"
    # A version it never wrote (Home Assistant refuses it before our setup; see test_init.py).
    newer = MockConfigEntry(
        domain=DOMAIN, version=2, data={"user_id": "u", "auth_implementation": "x"}
    )
    assert takeover.read_foreign_entry(newer) is None


@pytest.mark.parametrize(
    ("domain", "unique_id", "expected"),
    [
        ("sensor", "vehicle_abc-1_battery_level", "abc-1_battery_level"),
        ("sensor", "vehicle_abc-1_distance", "abc-1_odometer"),
        ("sensor", "vehicle_abc-1_charge_time_remaining", "abc-1_charge_time_remaining"),
        ("binary_sensor", "vehicle_abc-1_is_fully_charged", "abc-1_fully_charged"),
        ("switch", "vehicle_abc-1_is_charging", "abc-1_charging"),
        ("sensor", "vehicle_abc-1_is_charging", None),  # no such sensor there
        ("sensor", "vehicle_abc-1_max_current", None),
        ("sensor", "vehicle__battery_level", None),  # no vehicle id
        ("sensor", "charger_abc-1_battery_level", None),
        ("geo_location", "vehicle_abc-1_location", None),
    ],
)
def test_unique_id_mapping(domain: str, unique_id: str, expected: str | None) -> None:
    """The other integration's unique IDs map to ours by platform and key."""
    assert takeover.new_unique_id(domain, unique_id) == expected


async def test_token_endpoint_down_keeps_the_stored_secret(
    hass: HomeAssistant, hass_storage: dict[str, Any], ha_client: TestClient, emulator: Emulator
) -> None:
    """A server error is not a refusal: the stored secret is kept and the retry needs no typing."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator)
    emulator.add_fault(path="/oauth2/token", status=500, count=1)
    result = await start_fix(hass, entry)
    form = {CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
    result = await configure(hass, result, **form)
    assert result["step_id"] == "confirm"
    assert result["errors"] == {"base": "server_error"}
    assert (await rendered(hass, result, "error")).startswith("127.0.0.1 is unavailable right now")
    assert fields(result) == {CONF_CLIENT_ID, CONF_ENVIRONMENT}
    result = await configure(hass, result, **form)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_entry_without_unique_id_asks_for_the_client_id(
    hass: HomeAssistant, ha_client: TestClient, emulator: Emulator
) -> None:
    """Nothing to pre-fill but the environment when neither the entry nor storage names it."""
    entry = await foreign_entry(hass, emulator)
    hass.config_entries.async_update_entry(entry, unique_id=None)
    result = await start_fix(hass, entry)
    assert suggested(result) == {CONF_ENVIRONMENT: "production"}
    # A step entered without input shows its form again.
    flow = takeover.TakeoverFlow(entry.entry_id)
    flow.hass = hass
    again = await flow.async_step_credentials()
    assert again["type"] is FlowResultType.FORM
    assert again["step_id"] == "credentials"


TOKEN_ERRORS = {
    "cannot_connect": ("http://127.0.0.1:9/oauth2/token", "Could not reach 127.0.0.1."),
    "not_token_endpoint": ("{api}/no-token-here", "127.0.0.1 answered, but it is not an"),
}


@pytest.mark.parametrize("error", TOKEN_ERRORS)
async def test_token_endpoint_errors_are_named(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    ha_client: TestClient,
    emulator: Emulator,
    error: str,
) -> None:
    """Nothing answers at Enode's token URL, or something that is not a token endpoint."""
    await store_credential(hass, hass_storage, emulator.client_id, emulator.client_secret)
    entry = await foreign_entry(hass, emulator)
    result = await start_fix(hass, entry)
    token_url, text = TOKEN_ERRORS[error]
    url = token_url.format(api=emulator.base_url)
    with patch.dict(api_const._TOKEN_URLS, {Environment.PRODUCTION: url}):
        result = await configure(
            hass, result, **{CONF_CLIENT_ID: emulator.client_id, CONF_ENVIRONMENT: "production"}
        )
    assert result["errors"] == {"base": error}
    assert (await rendered(hass, result, "error")).startswith(text)
    assert entry.state is ConfigEntryState.SETUP_ERROR
