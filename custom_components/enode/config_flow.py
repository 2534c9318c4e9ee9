"""Config, options and link flows for Enode.

Step `user` checks the client credentials by fetching a token; step `link` opens an Enode Link
session as an external step whose redirect comes back to our callback view (see link.py). The
same link steps serve the options flow ("Link more devices") and the relink repair.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any
import uuid

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntryBaseFlow,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    EnodeAuthenticationError,
    EnodeClient,
    EnodeConnectionError,
    EnodeError,
    EnodeServerError,
    Environment,
    generate_webhook_secret,
)
from .const import (
    CONF_API_URL,
    CONF_ASSET_TYPES,
    CONF_BACKFILL_DAYS,
    CONF_CONTROL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    CONF_ENVIRONMENT,
    CONF_LOCATION,
    CONF_MAX_CHARGE_CURRENT,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    CONTROL_SCOPES,
    DEFAULT_BACKFILL_DAYS,
    DEFAULT_MAX_CHARGE_CURRENT,
    DOMAIN,
    LINKABLE_ASSET_TYPES,
    LOCATION_SCOPES,
    LOGGER,
)
from .link import FlowKind, async_link_url, link_error

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_MAX_CHARGE_CURRENT: DEFAULT_MAX_CHARGE_CURRENT,
    CONF_BACKFILL_DAYS: DEFAULT_BACKFILL_DAYS,
}


def create_client(hass: HomeAssistant, data: dict[str, Any]) -> EnodeClient:
    """Build the API client for the connection data of an entry (or of a flow)."""
    environment = Environment(data[CONF_ENVIRONMENT])
    return EnodeClient(
        async_get_clientsession(hass),
        data[CONF_CLIENT_ID],
        data[CONF_CLIENT_SECRET],
        environment=environment,
        api_url=data.get(CONF_API_URL) if environment is Environment.CUSTOM else None,
        token_url=data.get(CONF_TOKEN_URL) if environment is Environment.CUSTOM else None,
    )


async def _async_validate(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, str]:
    """Test-before-configure: obtain a token with the credentials."""
    return (await _async_validated_client(hass, data))[0]


async def _async_validated_client(
    hass: HomeAssistant, data: dict[str, Any]
) -> tuple[dict[str, str], EnodeClient | None]:
    """Errors for the form, or none and the client holding the token it just obtained."""
    if data[CONF_ENVIRONMENT] == Environment.CUSTOM.value and not (
        data.get(CONF_API_URL) and data.get(CONF_TOKEN_URL)
    ):
        return {"base": "custom_urls_required"}, None
    client = create_client(hass, data)
    try:
        await client.async_get_token()
    except EnodeAuthenticationError:
        return {"base": "invalid_auth"}, None
    except (EnodeConnectionError, EnodeServerError):
        return {"base": "cannot_connect"}, None
    except EnodeError:
        LOGGER.debug("Unexpected answer from the Enode token endpoint", exc_info=True)
        return {"base": "cannot_connect"}, None
    except Exception:  # noqa: BLE001 - test-before-configure reports anything as unknown
        LOGGER.exception("Unexpected error while checking Enode credentials")
        return {"base": "unknown"}, None
    return {}, client


def _credentials_schema(advanced: bool, defaults: dict[str, Any], *, with_user: bool) -> vol.Schema:
    environments = [Environment.PRODUCTION.value, Environment.SANDBOX.value]
    if advanced:
        environments.append(Environment.CUSTOM.value)
    schema: dict[Any, Any] = {
        vol.Required(CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, "")): TextSelector(),
        vol.Required(CONF_CLIENT_SECRET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        vol.Required(
            CONF_ENVIRONMENT, default=defaults.get(CONF_ENVIRONMENT, Environment.PRODUCTION.value)
        ): SelectSelector(
            SelectSelectorConfig(options=environments, translation_key=CONF_ENVIRONMENT)
        ),
    }
    if advanced:
        url = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
        for key in (CONF_API_URL, CONF_TOKEN_URL):
            schema[vol.Optional(key, description={"suggested_value": defaults.get(key)})] = url
        if with_user:
            schema[vol.Optional(CONF_USER_ID)] = TextSelector()
    return vol.Schema(schema)


def _connection_data(user_input: dict[str, Any]) -> dict[str, Any]:
    """Normalise the credential fields; URLs only matter for the custom environment."""
    data = {
        CONF_CLIENT_ID: user_input[CONF_CLIENT_ID].strip(),
        CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET].strip(),
        CONF_ENVIRONMENT: user_input[CONF_ENVIRONMENT],
    }
    if user_input[CONF_ENVIRONMENT] == Environment.CUSTOM.value:
        data[CONF_API_URL] = user_input.get(CONF_API_URL, "").strip()
        data[CONF_TOKEN_URL] = user_input.get(CONF_TOKEN_URL, "").strip()
    return data


def link_scopes(asset_types: list[str], control: bool, location: bool) -> list[str]:
    """Scopes for a Link session: read data always, control and location when granted."""
    scopes: list[str] = []
    for asset_type in asset_types:
        scopes.append(f"{asset_type}:read:data")
        if location and asset_type in LOCATION_SCOPES:
            scopes.append(LOCATION_SCOPES[asset_type])
        if control and asset_type in CONTROL_SCOPES:
            scopes.append(CONTROL_SCOPES[asset_type])
    return scopes


class EnodeLinkSteps(ConfigEntryBaseFlow):
    """The Link steps shared by the config flow, the options flow and the relink repair."""

    _link_kind: FlowKind
    _link_error: str | None = None
    _link_scopes: list[str]

    @abstractmethod
    def _link_client(self) -> EnodeClient:
        """Client to create the Link session with."""

    @abstractmethod
    def _link_user_id(self) -> str:
        """Enode user the devices are linked to."""

    @abstractmethod
    async def async_step_link_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The user linked devices (or the flow goes on after linking)."""

    async def async_step_link(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose what to link and which scopes to grant."""
        errors: dict[str, str] = {}
        placeholders = {"error": self._link_error or ""}
        if self._link_error is not None:
            errors["base"] = "link_failed"
            self._link_error = None
        if user_input is not None:
            if not user_input[CONF_ASSET_TYPES]:
                errors["base"] = "no_asset_types"
            else:
                self._link_scopes = link_scopes(
                    user_input[CONF_ASSET_TYPES],
                    user_input[CONF_CONTROL],
                    user_input[CONF_LOCATION],
                )
                return await self.async_step_link_open()
        return self.async_show_form(
            step_id="link",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_ASSET_TYPES, default=list(LINKABLE_ASSET_TYPES)): (
                        SelectSelector(
                            SelectSelectorConfig(
                                options=list(LINKABLE_ASSET_TYPES),
                                multiple=True,
                                translation_key=CONF_ASSET_TYPES,
                            )
                        )
                    ),
                    vol.Required(CONF_CONTROL, default=True): BooleanSelector(),
                    vol.Required(CONF_LOCATION, default=True): BooleanSelector(),
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_link_open(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Open Enode Link (external step); the callback view resumes this step."""
        if user_input is not None:
            self._link_error = link_error(user_input)
            next_step = "link_done" if self._link_error is None else "link_retry"
            return self.async_external_step_done(next_step_id=next_step)
        try:
            url = await async_link_url(
                self.hass,
                self._link_kind,
                self.flow_id,
                self._link_client(),
                self._link_user_id(),
                scopes=self._link_scopes,
            )
        except EnodeError as err:
            LOGGER.debug("Could not create an Enode Link session: %s", err)
            self._link_error = str(err)
            return await self.async_step_link_retry()
        return self.async_external_step(step_id="link_open", url=url)

    async def async_step_link_retry(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show Enode's error on the link form and let the user try again."""
        return await self.async_step_link()


class EnodeConfigFlow(EnodeLinkSteps, ConfigFlow, domain=DOMAIN):
    """Set up an Enode user: credentials, then Enode Link."""

    VERSION = 1
    MINOR_VERSION = 1
    _link_kind: FlowKind = "config"

    def __init__(self) -> None:
        """Start with nothing stored."""
        self._data: dict[str, Any] = {}
        # Set with the data by the user step, before any Link step can run.
        self._client: EnodeClient

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: EnodeConfigEntry) -> EnodeOptionsFlow:
        """Options: link more devices, settings."""
        return EnodeOptionsFlow()

    def _link_client(self) -> EnodeClient:
        # The client that checked the credentials already holds a token: no second request.
        return self._client

    def _link_user_id(self) -> str:
        return str(self._data[CONF_USER_ID])

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the Enode client credentials and check them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _connection_data(user_input)
            data[CONF_USER_ID] = (user_input.get(CONF_USER_ID) or "").strip() or str(uuid.uuid4())
            await self.async_set_unique_id(f"{data[CONF_CLIENT_ID]}_{data[CONF_USER_ID]}")
            self._abort_if_unique_id_configured()
            errors, client = await _async_validated_client(self.hass, data)
            if client is not None:
                self._client = client
                self._data = {
                    **data,
                    CONF_WEBHOOK_ID: webhook.async_generate_id(),
                    CONF_WEBHOOK_SECRET: generate_webhook_secret(),
                }
                return await self.async_step_link_menu()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(self.show_advanced_options, user_input or {}, with_user=True),
                user_input or {},
            ),
            errors=errors,
        )

    async def async_step_link_menu(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Link devices now, or finish and link later."""
        return self.async_show_menu(step_id="link_menu", menu_options=["link", "finish"])

    async def async_step_link_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Devices are linked: create the entry."""
        return await self.async_step_finish()

    async def async_step_finish(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the entry (linking can also happen later from the options)."""
        environment = self._data[CONF_ENVIRONMENT]
        title = "Enode" if environment == Environment.PRODUCTION.value else f"Enode ({environment})"
        return self.async_create_entry(title=title, data=self._data, options=DEFAULT_OPTIONS)

    async def async_step_reauth(self, entry_data: dict[str, Any]) -> ConfigFlowResult:
        """The client secret stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new client secret."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET].strip()}
            errors = await _async_validate(self.hass, data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_CLIENT_SECRET): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            errors=errors,
            description_placeholders={"client_id": entry.data[CONF_CLIENT_ID]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials or the environment, keeping the same Enode user."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **_connection_data(user_input)}
            if data[CONF_ENVIRONMENT] != Environment.CUSTOM.value:
                data.pop(CONF_API_URL, None)
                data.pop(CONF_TOKEN_URL, None)
            errors = await _async_validate(self.hass, data)
            if not errors:
                unique_id = f"{data[CONF_CLIENT_ID]}_{data[CONF_USER_ID]}"
                if unique_id != entry.unique_id:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                if _endpoint(data) != _endpoint(dict(entry.data)):
                    # The Enode webhook lives in the old client or environment: delete it there
                    # while the old credentials are at hand, and start afresh.
                    from .webhook import (  # noqa: PLC0415 - webhook -> repairs -> this module
                        async_delete_enode_webhook,
                    )

                    await async_delete_enode_webhook(self.hass, dict(entry.data))
                    data.pop(CONF_ENODE_WEBHOOK_ID, None)
                    data.pop(CONF_ENODE_WEBHOOK_URL, None)
                return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)
        defaults = {**entry.data, **(user_input or {})}
        advanced = (
            self.show_advanced_options or entry.data[CONF_ENVIRONMENT] == Environment.CUSTOM.value
        )
        return self.async_show_form(
            step_id=SOURCE_RECONFIGURE,
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(advanced, defaults, with_user=False),
                {k: v for k, v in defaults.items() if k != CONF_CLIENT_SECRET},
            ),
            errors=errors,
        )


def _endpoint(data: dict[str, Any]) -> tuple[Any, ...]:
    return (data[CONF_CLIENT_ID], data[CONF_ENVIRONMENT], data.get(CONF_API_URL))


class EnodeOptionsFlow(EnodeLinkSteps, OptionsFlow):
    """Link more devices, or change the integration's settings."""

    _link_kind: FlowKind = "options"

    def _link_client(self) -> EnodeClient:
        entry: EnodeConfigEntry = self.config_entry
        return entry.runtime_data.client

    def _link_user_id(self) -> str:
        return str(self.config_entry.data[CONF_USER_ID])

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Menu: link more devices or settings."""
        return self.async_show_menu(step_id="init", menu_options=["link", "settings"])

    async def async_step_link_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New devices appear once the coordinator has fetched them."""
        entry: EnodeConfigEntry = self.config_entry
        await entry.runtime_data.coordinator.async_request_refresh()
        return self.async_create_entry(data=dict(self.config_entry.options))

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The integration's settings."""
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        options = {**DEFAULT_OPTIONS, **self.config_entry.options}
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_MAX_CHARGE_CURRENT): NumberSelector(
                            NumberSelectorConfig(
                                min=6,
                                max=80,
                                step=1,
                                unit_of_measurement="A",
                                mode=NumberSelectorMode.BOX,
                            )
                        ),
                        vol.Required(CONF_BACKFILL_DAYS): NumberSelector(
                            NumberSelectorConfig(
                                min=0,
                                max=365,
                                step=1,
                                unit_of_measurement="d",
                                mode=NumberSelectorMode.BOX,
                            )
                        ),
                    }
                ),
                options,
            ),
        )
