"""Which URL Enode should deliver webhooks to: an HA Cloud cloudhook, else the external URL.

Only https on port 443 is offered to Enode, except in the custom (emulator) environment, which may
use a plain-http local URL. HA Cloud is an after-dependency: every cloud call checks it is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.network import NoURLAvailableError
from yarl import URL

from .api import Environment
from .const import CONF_CLOUDHOOK_URL, LOGGER
from .push import UrlKind

if TYPE_CHECKING:
    from .models import EnodeConfigEntry


def cloud_subscription_active(hass: HomeAssistant) -> bool:
    """True when HA Cloud is loaded and subscribed (cloud is only an after-dependency)."""
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - optional, heavy import

    return cloud.async_active_subscription(hass)


def async_listen_cloud_connection(
    hass: HomeAssistant, target: Callable[[bool], None]
) -> CALLBACK_TYPE | None:
    """Call target(connected) when HA Cloud connects or disconnects; None without cloud."""
    if "cloud" not in hass.config.components:
        return None
    from homeassistant.components import cloud  # noqa: PLC0415 - optional, heavy import

    @callback
    def _changed(state: cloud.CloudConnectionState) -> None:
        target(state is cloud.CloudConnectionState.CLOUD_CONNECTED)

    return cloud.async_listen_connection_change(hass, _changed)


async def async_get_cloudhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Get or create the cloudhook of our webhook."""
    from homeassistant.components import cloud  # noqa: PLC0415 - optional, heavy import

    return await cloud.async_get_or_create_cloudhook(hass, webhook_id)


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the cloudhook of our webhook."""
    if "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - optional, heavy import

    await cloud.async_delete_cloudhook(hass, webhook_id)


async def async_choose_url(
    hass: HomeAssistant, entry: EnodeConfigEntry, webhook_id: str, environment: Environment
) -> tuple[str, UrlKind] | None:
    """Cloudhook, else external https URL; plain http only for the custom environment.

    The cloudhook URL stored in the entry is reused; webhook.py stores a new one.
    """
    if cloud_subscription_active(hass):
        try:
            url = entry.data.get(CONF_CLOUDHOOK_URL) or (
                await async_get_cloudhook_url(hass, webhook_id)
            )
        except HomeAssistantError:
            LOGGER.debug("HA Cloud is not connected; trying the external URL")
        else:
            return str(url), UrlKind.CLOUDHOOK
    custom = environment is Environment.CUSTOM
    try:
        url = webhook.async_generate_url(
            hass, webhook_id, allow_internal=custom, prefer_external=True
        )
    except NoURLAvailableError:
        return None
    parsed = URL(url)
    if parsed.scheme == "https" and parsed.port in (443, None):
        return url, UrlKind.EXTERNAL
    if custom:
        return url, UrlKind.LOCAL
    return None
