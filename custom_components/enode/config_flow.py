"""Config, options and link flows for Enode.

Step `user` asks for the client credentials and the environment; only the custom environment
(an emulator or a proxy) continues with step `custom` for its two URLs. The credentials are checked
by fetching a token. Step `link` opens an Enode Link session as an external step whose redirect
comes back to our callback view (see link.py). The same link steps serve the options flow ("Link
more devices") and the relink repair. Once devices are linked (Enode knows the user then), step
`home_location` offers to make Home Assistant's home an Enode Location; the options offer the
same step to create or update it later. Reconfigure mirrors the first two steps.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
import uuid

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntryBaseFlow,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
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
from yarl import URL

from .api import (
    EnodeClient,
    EnodeError,
    Environment,
    generate_webhook_secret,
)
from .client_factory import async_check_credentials
from .const import (
    CONF_API_URL,
    CONF_ASSET_TYPES,
    CONF_BACKFILL_DAYS,
    CONF_CONTROL,
    CONF_CREATE_HOME_LOCATION,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    CONF_ENVIRONMENT,
    CONF_HOME_LOCATION_ID,
    CONF_LOCATION,
    CONF_MAX_CHARGE_CURRENT,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DEFAULT_BACKFILL_DAYS,
    DEFAULT_MAX_CHARGE_CURRENT,
    DOMAIN,
    LINKABLE_ASSET_TYPES,
    LOGGER,
)
from .link import FlowKind, async_forget_flow, async_link_url, link_error, link_scopes
from .locations import HomeZone, async_sync_home_location
from .webhook import async_delete_enode_webhook

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_MAX_CHARGE_CURRENT: DEFAULT_MAX_CHARGE_CURRENT,
    CONF_BACKFILL_DAYS: DEFAULT_BACKFILL_DAYS,
}


# The optional Enode user ID lives in a collapsed section of the user step.
SECTION_ADVANCED = "advanced_options"
URL_KEYS = (CONF_API_URL, CONF_TOKEN_URL)


def _url_errors(urls: dict[str, str]) -> dict[str, str]:
    """Field errors for custom URLs that are not absolute http(s) URLs."""
    errors: dict[str, str] = {}
    for key, value in urls.items():
        try:
            url = URL(value)
        except ValueError:
            errors[key] = "invalid_url"
            continue
        if url.scheme not in ("http", "https") or not url.host:
            errors[key] = "invalid_url"
    return errors


def _credentials_schema(*, with_user: bool) -> vol.Schema:
    """Client ID, secret and environment; the config flow adds the optional user ID."""
    environments = [env.value for env in Environment]
    schema: dict[Any, Any] = {
        vol.Required(CONF_CLIENT_ID): TextSelector(),
        vol.Required(CONF_CLIENT_SECRET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        vol.Required(CONF_ENVIRONMENT, default=Environment.PRODUCTION.value): SelectSelector(
            SelectSelectorConfig(options=environments, translation_key=CONF_ENVIRONMENT)
        ),
    }
    if with_user:
        schema[vol.Required(SECTION_ADVANCED)] = section(
            vol.Schema({vol.Optional(CONF_USER_ID): TextSelector()}), {"collapsed": True}
        )
    return vol.Schema(schema)


URLS_SCHEMA = vol.Schema(
    {
        vol.Required(key): TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
        for key in URL_KEYS
    }
)


def _connection_data(user_input: dict[str, Any]) -> dict[str, Any]:
    """Normalise the credential fields (leading and trailing spaces are dropped)."""
    return {
        CONF_CLIENT_ID: user_input[CONF_CLIENT_ID].strip(),
        CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET].strip(),
        CONF_ENVIRONMENT: user_input[CONF_ENVIRONMENT],
    }


def _is_custom(data: dict[str, Any]) -> bool:
    return bool(data[CONF_ENVIRONMENT] == Environment.CUSTOM.value)


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

    @callback
    def async_remove(self) -> None:
        """The flow ended (finished or aborted): its Link state can never be used again."""
        async_forget_flow(self.hass, self.flow_id)


class EnodeHomeLocationStep(EnodeLinkSteps):
    """The home location step shared by the config flow (after linking) and the options flow."""

    @abstractmethod
    def _home_location_id(self) -> str | None:
        """The Enode Location remembered as home, if any."""

    @abstractmethod
    async def _async_home_location_done(self, location_id: str | None) -> ConfigFlowResult:
        """Finish with the home Location's id (None: the user skipped the step)."""

    async def async_step_home_location(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One click: make Home Assistant's home (name, coordinates, time zone) a Location."""
        home = HomeZone.from_hass(self.hass)
        errors: dict[str, str] = {}
        placeholders = home.placeholders()
        if user_input is not None:
            if not user_input[CONF_CREATE_HOME_LOCATION]:
                return await self._async_home_location_done(None)
            try:
                location = await async_sync_home_location(
                    self._link_client(), self._link_user_id(), home, self._home_location_id()
                )
            except EnodeError as err:
                LOGGER.debug("Could not save the home Location at Enode: %s", err)
                errors["base"] = "home_location_failed"
                placeholders["error"] = str(err)
            else:
                return await self._async_home_location_done(location.id)
        return self.async_show_form(
            step_id="home_location",
            data_schema=vol.Schema(
                {vol.Required(CONF_CREATE_HOME_LOCATION, default=True): BooleanSelector()}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )


class EnodeConfigFlow(EnodeHomeLocationStep, ConfigFlow, domain=DOMAIN):
    """Set up an Enode user: credentials (and custom URLs), then Enode Link."""

    VERSION = 1
    MINOR_VERSION = 2  # 1.2: the old "Smart charging" binary sensor entries are gone
    _link_kind: FlowKind = "config"

    def __init__(self) -> None:
        """Start with nothing stored."""
        # Connection data and user ID so far; the custom URLs typed last (kept when the
        # flow goes back to the credentials).
        self._data: dict[str, Any] = {}
        self._urls: dict[str, str] = {}
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
        """Ask for the Enode client credentials and the environment."""
        if user_input is None:
            return self._user_form()
        data = _connection_data(user_input)
        user_id = (user_input.get(SECTION_ADVANCED, {}).get(CONF_USER_ID) or "").strip()
        data[CONF_USER_ID] = user_id or str(uuid.uuid4())
        await self.async_set_unique_id(f"{data[CONF_CLIENT_ID]}_{data[CONF_USER_ID]}")
        self._abort_if_unique_id_configured()
        self._data = data
        if _is_custom(data):
            return await self.async_step_custom()
        errors, placeholders, client = await async_check_credentials(self.hass, data)
        if client is None:
            return self._user_form(errors, placeholders)
        return await self._async_credentials_work(client)

    async def async_step_custom(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Custom environment only: the URLs of the API and of its token endpoint."""
        return await self._async_urls_step(
            "custom", user_input, self._user_form, self._async_credentials_work
        )

    def _user_form(
        self, errors: dict[str, str] | None = None, placeholders: dict[str, str] | None = None
    ) -> ConfigFlowResult:
        suggested = {k: v for k, v in self._data.items() if k != CONF_CLIENT_SECRET}
        if user_id := suggested.pop(CONF_USER_ID, None):
            suggested[SECTION_ADVANCED] = {CONF_USER_ID: user_id}
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(with_user=True), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_urls_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        credentials_form: Callable[[dict[str, str], dict[str, str]], ConfigFlowResult],
        done: Callable[[EnodeClient], Awaitable[ConfigFlowResult]],
    ) -> ConfigFlowResult:
        """Ask for the custom URLs and check the credentials with them.

        Refused credentials send the user back to the credentials form; errors of the URLs
        (malformed, unreachable, not a token endpoint) stay on this form.
        """
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            self._urls = {key: str(user_input[key]).strip() for key in URL_KEYS}
            errors = _url_errors(self._urls)
            if not errors:
                data = {**self._data, **self._urls}
                errors, placeholders, client = await async_check_credentials(self.hass, data)
                if client is not None:
                    self._data = data
                    return await done(client)
                if errors["base"] == "invalid_auth":
                    return credentials_form(errors, placeholders)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(URLS_SCHEMA, self._urls),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_credentials_work(self, client: EnodeClient) -> ConfigFlowResult:
        self._client = client
        self._data = {
            **self._data,
            CONF_WEBHOOK_ID: webhook.async_generate_id(),
            CONF_WEBHOOK_SECRET: generate_webhook_secret(),
        }
        return await self.async_step_link_menu()

    async def async_step_link_menu(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Link devices now, or finish and link later."""
        return self.async_show_menu(step_id="link_menu", menu_options=["link", "finish"])

    async def async_step_link_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Devices are linked, so Enode knows the user: offer the home Location."""
        return await self.async_step_home_location()

    def _home_location_id(self) -> str | None:
        return self._data.get(CONF_HOME_LOCATION_ID)

    async def _async_home_location_done(self, location_id: str | None) -> ConfigFlowResult:
        if location_id is not None:
            self._data[CONF_HOME_LOCATION_ID] = location_id
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
        placeholders = {"client_id": entry.data[CONF_CLIENT_ID]}
        if user_input is not None:
            data = {**entry.data, CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET].strip()}
            errors, found, client = await async_check_credentials(self.hass, data)
            if client is not None:
                return self.async_update_reload_and_abort(entry, data=data)
            placeholders |= found
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
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials or the environment, keeping the same Enode user."""
        entry = self._get_reconfigure_entry()
        if user_input is None:
            self._urls = {key: entry.data[key] for key in URL_KEYS if entry.data.get(key)}
            self._data = dict(entry.data)
            return self._reconfigure_form()
        self._data = {**entry.data, **_connection_data(user_input)}
        if _is_custom(self._data):
            return await self.async_step_reconfigure_custom()
        for key in URL_KEYS:
            self._data.pop(key, None)
        errors, placeholders, client = await async_check_credentials(self.hass, self._data)
        if client is None:
            return self._reconfigure_form(errors, placeholders)
        return await self._async_reconfigured(client)

    async def async_step_reconfigure_custom(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure to the custom environment: its URLs, prefilled with the stored ones."""
        return await self._async_urls_step(
            "reconfigure_custom", user_input, self._reconfigure_form, self._async_reconfigured
        )

    def _reconfigure_form(
        self, errors: dict[str, str] | None = None, placeholders: dict[str, str] | None = None
    ) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=SOURCE_RECONFIGURE,
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(with_user=False),
                {k: v for k, v in self._data.items() if k != CONF_CLIENT_SECRET},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_reconfigured(self, client: EnodeClient) -> ConfigFlowResult:
        """The new credentials work: store them (the entry reloads)."""
        entry = self._get_reconfigure_entry()
        data = self._data
        unique_id = f"{data[CONF_CLIENT_ID]}_{data[CONF_USER_ID]}"
        if unique_id != entry.unique_id:
            await self.async_set_unique_id(unique_id)
            self._abort_if_unique_id_configured()
        if _endpoint(data) != _endpoint(dict(entry.data)):
            # The Enode webhook lives in the old client or environment: delete it there
            # while the old credentials are at hand, and start afresh.
            await async_delete_enode_webhook(self.hass, dict(entry.data))
            data.pop(CONF_ENODE_WEBHOOK_ID, None)
            data.pop(CONF_ENODE_WEBHOOK_URL, None)
        return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)


def _endpoint(data: dict[str, Any]) -> tuple[Any, ...]:
    return (data[CONF_CLIENT_ID], data[CONF_ENVIRONMENT], data.get(CONF_API_URL))


class EnodeOptionsFlow(EnodeHomeLocationStep, OptionsFlowWithReload):
    """Link more devices, the home Location, or the settings (saving them reloads the entry)."""

    _link_kind: FlowKind = "options"

    def _link_client(self) -> EnodeClient:
        entry: EnodeConfigEntry = self.config_entry
        return entry.runtime_data.client

    def _link_user_id(self) -> str:
        return str(self.config_entry.data[CONF_USER_ID])

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Menu: link more devices, the home Location or settings."""
        return self.async_show_menu(
            step_id="init", menu_options=["link", "home_location", "settings"]
        )

    def _home_location_id(self) -> str | None:
        return self.config_entry.data.get(CONF_HOME_LOCATION_ID)

    async def _async_home_location_done(self, location_id: str | None) -> ConfigFlowResult:
        """Remember the Location in the entry data and list it (options unchanged: no reload)."""
        entry: EnodeConfigEntry = self.config_entry
        if location_id is not None:
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_HOME_LOCATION_ID: location_id}
            )
            await entry.runtime_data.coordinator.async_request_refresh()
        return self.async_create_entry(data=dict(entry.options))

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
