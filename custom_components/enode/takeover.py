"""Take over an entry of the other Enode integration, which also uses the domain `enode`.

The other integration (`evilmarty/enode`, vehicles only) keeps per entry: an Enode user ID
(`user_id`, one entry per client, the entry's unique ID is the client ID), OAuth data of Home
Assistant's Application Credentials (`auth_implementation`, `token`), `sandbox` when it talks to
Enode's sandbox, and the Enode webhook it made (`webhook_id`). Its entities' unique IDs are
`vehicle_<vehicle id>_<key>`; its devices are identified by `(enode, <vehicle id>)`, as ours.

After its files are replaced by ours, such an entry cannot load. The fix flow of its repair
issue turns it into an entry of ours in place: the same entry, so its devices (with their areas
and names) and every entity it moves keep their IDs, history and automations. It reuses the
Enode user, so every linked vehicle stays linked; it reads the client ID and secret from the
Application Credentials where Home Assistant still has them and asks only for what it cannot
read; it checks the credentials and the user with Enode before it changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components import application_credentials, webhook
from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    EnodeClient,
    EnodeError,
    EnodeNotFoundError,
    Environment,
    generate_webhook_secret,
)
from .client_factory import async_check_credentials
from .const import (
    CONF_BACKFILL_DAYS,
    CONF_ENVIRONMENT,
    CONF_MAX_CHARGE_CURRENT,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DEFAULT_BACKFILL_DAYS,
    DEFAULT_MAX_CHARGE_CURRENT,
    DOMAIN,
    LOGGER,
)

# Home Assistant 2026.3+ types repair results as RepairsFlowResult, which older releases lack;
# this alias is assignable from both (as in repairs.py, which imports this module).
type TakeoverResult = data_entry_flow.FlowResult[Any, str]

# The other integration's entry data.
FOREIGN_AUTH_IMPLEMENTATION = "auth_implementation"
FOREIGN_SANDBOX = "sandbox"
FOREIGN_WEBHOOK_ID = "webhook_id"  # an Enode webhook id there, a Home Assistant one here
FOREIGN_UNIQUE_ID_PREFIX = "vehicle_"

# (entity domain, the other integration's key) -> our key, for entities both provide on the
# same platform. The others (its max current, deadline and minimum charge sensors, its smart
# charging binary sensor, its geo location) are numbers, a time, a switch here or not provided:
# the entity domain cannot change, so they are removed.
ENTITY_KEYS: dict[tuple[str, str], str] = {
    ("sensor", "battery_level"): "battery_level",
    ("sensor", "battery_capacity"): "battery_capacity",
    ("sensor", "charge_limit"): "charge_limit",
    ("sensor", "charge_time_remaining"): "charge_time_remaining",
    ("sensor", "power_delivery_state"): "power_delivery_state",
    ("sensor", "range"): "range",
    ("sensor", "distance"): "odometer",
    ("binary_sensor", "is_plugged_in"): "plugged_in",
    ("binary_sensor", "is_charging"): "charging",
    ("binary_sensor", "is_fully_charged"): "fully_charged",
    ("switch", "is_charging"): "charging",
    ("button", "refresh"): "refresh",
    ("device_tracker", "location"): "location",
}
# The environments the other integration knew.
TAKEOVER_ENVIRONMENTS = (Environment.PRODUCTION.value, Environment.SANDBOX.value)


def foreign_issue_id(entry_id: str) -> str:
    """Issue id of an entry that is not ours (fixable or not)."""
    return f"foreign_entry_{entry_id}"


@dataclass(frozen=True)
class ForeignEntry:
    """What an entry of the other integration tells about its Enode connection."""

    user_id: str
    client_id: str | None
    environment: str
    auth_implementation: str
    enode_webhook_id: str | None


def read_foreign_entry(entry: ConfigEntry) -> ForeignEntry | None:
    """The other integration's entry, or None for an entry we cannot take over."""
    data = entry.data
    user_id = data.get(CONF_USER_ID)
    auth = data.get(FOREIGN_AUTH_IMPLEMENTATION)
    if entry.version != 1 or not isinstance(user_id, str) or not user_id.strip():
        return None
    if not isinstance(auth, str) or not auth:
        return None
    webhook_id = data.get(FOREIGN_WEBHOOK_ID)
    return ForeignEntry(
        user_id=user_id.strip(),
        client_id=entry.unique_id or None,
        environment=(
            Environment.SANDBOX.value if data.get(FOREIGN_SANDBOX) else Environment.PRODUCTION.value
        ),
        auth_implementation=auth,
        enode_webhook_id=webhook_id if isinstance(webhook_id, str) and webhook_id else None,
    )


@callback
def async_raise_foreign_entry_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """An entry we never wrote: a fix flow takes it over when it is the other integration's."""
    placeholders = {"title": entry.title}
    if read_foreign_entry(entry) is None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            foreign_issue_id(entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="foreign_entry",
            translation_placeholders=placeholders,
        )
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        foreign_issue_id(entry.entry_id),
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="foreign_entry_takeover",
        translation_placeholders=placeholders,
        data={"entry_id": entry.entry_id},
    )


def stored_credential(
    hass: HomeAssistant, auth_implementation: str
) -> application_credentials.ClientCredential | None:
    """The Application Credential the other integration's entry used, while Home Assistant has it.

    Application Credentials has no public lookup by entry; its storage collection lists the
    credentials of a domain by their auth domain, which the entry names.
    """
    if application_credentials.DOMAIN not in hass.config.components:
        return None
    storage = hass.data[application_credentials.DATA_COMPONENT]
    return storage.async_client_credentials(DOMAIN).get(auth_implementation)


def new_unique_id(domain: str, unique_id: str) -> str | None:
    """Our unique ID for one of the other integration's entities (None: we have no such one)."""
    if not unique_id.startswith(FOREIGN_UNIQUE_ID_PREFIX):
        return None
    rest = unique_id.removeprefix(FOREIGN_UNIQUE_ID_PREFIX)
    for (entity_domain, key), ours in ENTITY_KEYS.items():
        if entity_domain == domain and rest.endswith(f"_{key}") and len(rest) > len(key) + 1:
            return f"{rest.removesuffix(f'_{key}')}_{ours}"
    return None


@callback
def async_move_entities(hass: HomeAssistant, entry: ConfigEntry) -> tuple[int, int]:
    """Give the entry's entities our unique IDs; remove those we do not provide.

    Returns (moved, removed). An entity whose new unique ID is already registered (left by an
    earlier installation of ours) gives way to that one.
    """
    registry = er.async_get(hass)
    moved = removed = 0
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        unique_id = new_unique_id(entity.domain, entity.unique_id)
        taken = unique_id is not None and registry.async_get_entity_id(
            entity.domain, DOMAIN, unique_id
        )
        if unique_id is None or taken:
            LOGGER.info("Removing %s: this integration does not provide it", entity.entity_id)
            registry.async_remove(entity.entity_id)
            removed += 1
            continue
        registry.async_update_entity(entity.entity_id, new_unique_id=unique_id)
        moved += 1
    return moved, removed


class TakeoverFlow(RepairsFlow):
    """Turn the other integration's entry into one of ours, keeping its Enode user."""

    def __init__(self, entry_id: str) -> None:
        """Remember the entry to take over."""
        self._entry_id = entry_id
        self._secret: str | None = None
        self._suggested: dict[str, str] = {}

    def _entry(self) -> tuple[ConfigEntry, ForeignEntry] | None:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        foreign = read_foreign_entry(entry) if entry is not None else None
        if entry is None or foreign is None:
            return None
        return entry, foreign

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> TakeoverResult:
        """Read what Home Assistant still knows; ask for the secret only when it is gone."""
        if (found := self._entry()) is None:
            return self.async_abort(reason="entry_not_found")
        entry, foreign = found
        credential = stored_credential(self.hass, foreign.auth_implementation)
        client_id = credential.client_id if credential else foreign.client_id
        self._secret = credential.client_secret if credential else None
        self._suggested = {CONF_ENVIRONMENT: foreign.environment}
        if client_id:
            self._suggested[CONF_CLIENT_ID] = client_id
        LOGGER.debug(
            "Taking over %s: the client secret is %s",
            entry.title,
            "in the application credentials" if self._secret else "not stored any more",
        )
        return self._form(entry, foreign)

    async def async_step_confirm(self, user_input: dict[str, Any] | None = None) -> TakeoverResult:
        """The secret was read: confirm the client ID and environment."""
        return await self._async_submit(user_input)

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> TakeoverResult:
        """The secret is not stored any more (or was refused): ask for it."""
        return await self._async_submit(user_input)

    def _form(
        self,
        entry: ConfigEntry,
        foreign: ForeignEntry,
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> TakeoverResult:
        schema: dict[Any, Any] = {vol.Required(CONF_CLIENT_ID): TextSelector()}
        if self._secret is None:
            schema[vol.Required(CONF_CLIENT_SECRET)] = TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            )
        schema[vol.Required(CONF_ENVIRONMENT)] = SelectSelector(
            SelectSelectorConfig(
                options=list(TAKEOVER_ENVIRONMENTS), translation_key=CONF_ENVIRONMENT
            )
        )
        return self.async_show_form(
            step_id="confirm" if self._secret is not None else "credentials",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(schema), self._suggested),
            errors=errors,
            description_placeholders={
                "title": entry.title,
                "user_id": foreign.user_id,
                **(placeholders or {}),
            },
        )

    async def _async_submit(self, user_input: dict[str, Any] | None) -> TakeoverResult:
        if (found := self._entry()) is None:
            return self.async_abort(reason="entry_not_found")
        entry, foreign = found
        if user_input is None:
            return self._form(entry, foreign)
        self._suggested = {
            CONF_CLIENT_ID: str(user_input[CONF_CLIENT_ID]).strip(),
            CONF_ENVIRONMENT: str(user_input[CONF_ENVIRONMENT]),
        }
        secret = str(user_input.get(CONF_CLIENT_SECRET) or self._secret or "").strip()
        data: dict[str, Any] = {
            **self._suggested,
            CONF_CLIENT_SECRET: secret,
            CONF_USER_ID: foreign.user_id,
        }
        errors, placeholders, client = await async_check_credentials(self.hass, data)
        if client is None:
            if errors["base"] == "invalid_auth":
                self._secret = None  # the stored secret (if any) was refused: ask for it
            return self._form(entry, foreign, errors, placeholders)
        abort_placeholders = {
            "title": entry.title,
            "user_id": foreign.user_id,
            "client_id": data[CONF_CLIENT_ID],
        }
        try:
            await client.get_user(foreign.user_id)
        except EnodeNotFoundError:
            return self.async_abort(
                reason="unknown_user", description_placeholders=abort_placeholders
            )
        except EnodeError as err:
            LOGGER.debug("Could not read the Enode user %s: %s", foreign.user_id, err)
            return self._form(entry, foreign, {"base": "user_check_failed"}, {"error": str(err)})
        unique_id = f"{data[CONF_CLIENT_ID]}_{foreign.user_id}"
        if any(
            other.unique_id == unique_id and other.entry_id != entry.entry_id
            for other in self.hass.config_entries.async_entries(DOMAIN)
        ):
            return self.async_abort(
                reason="already_configured", description_placeholders=abort_placeholders
            )
        await _async_delete_foreign_webhook(client, foreign)
        await self._async_take_over(entry, data, unique_id)
        return self.async_create_entry(data={})

    async def _async_take_over(
        self, entry: ConfigEntry, data: dict[str, Any], unique_id: str
    ) -> None:
        """The same entry with our data; its entities moved; then it loads as ours."""
        moved, removed = async_move_entities(self.hass, entry)
        environment = data[CONF_ENVIRONMENT]
        # The other integration titles every entry "Enode": a title the user chose stays.
        title = entry.title
        if title == "Enode" and environment != Environment.PRODUCTION.value:
            title = f"Enode ({environment})"
        self.hass.config_entries.async_update_entry(
            entry,
            title=title,
            unique_id=unique_id,
            data={
                **data,
                CONF_WEBHOOK_ID: webhook.async_generate_id(),
                CONF_WEBHOOK_SECRET: generate_webhook_secret(),
            },
            options={
                CONF_MAX_CHARGE_CURRENT: DEFAULT_MAX_CHARGE_CURRENT,
                CONF_BACKFILL_DAYS: DEFAULT_BACKFILL_DAYS,
            },
            version=1,
            minor_version=1,
        )
        LOGGER.info(
            "Took over the entry %s of the other Enode integration: %d entities moved, %d removed",
            entry.entry_id,
            moved,
            removed,
        )
        # It failed to set up as a foreign entry (a recoverable state): now it loads as ours.
        await self.hass.config_entries.async_reload(entry.entry_id)


async def _async_delete_foreign_webhook(client: EnodeClient, foreign: ForeignEntry) -> None:
    """The other integration's Enode webhook points at a view that is gone: delete it."""
    if foreign.enode_webhook_id is None:
        return
    try:
        await client.delete_webhook(foreign.enode_webhook_id)
    except EnodeError as err:
        LOGGER.debug("Could not delete the Enode webhook of the other integration: %s", err)
