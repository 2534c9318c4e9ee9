"""The Enode webhook's lifecycle: register our HA webhook and point one Enode webhook at it.

On restart the Enode webhook stored in the entry is reused (updated when the URL changed,
recreated when Enode no longer knows it) and it is deleted when the entry is removed, so no
duplicates or orphans are left behind. Without a usable URL the integration runs on polling and a
repair issue explains how to enable push. When HA Cloud connects later (a subscription started
after us), the Enode webhook moves to a cloudhook.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .api import EnodeClient, EnodeError, EnodeNotFoundError
from .client_factory import create_client
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LOGGER,
)
from .push import PushMode, PushState, UrlKind
from .webhook_url import (
    async_choose_url,
    async_delete_cloudhook,
    async_listen_cloud_connection,
    cloud_subscription_active,
)

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

type WebhookHandler = Callable[[HomeAssistant, str, web.Request], Awaitable[web.Response | None]]


class EnodeWebhookSubscription:
    """Keeps exactly one Enode webhook pointing at this entry's HA webhook (or none: polling)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        push: PushState,
        handler: WebhookHandler,
    ) -> None:
        """Prepare; nothing is registered until async_start."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._push = push
        self._handler = handler
        self._secret: str = entry.data[CONF_WEBHOOK_SECRET]
        self._webhook_id: str = entry.data[CONF_WEBHOOK_ID]

    def _issue_id(self) -> str:
        return f"webhook_unavailable_{self._entry.entry_id}"

    async def async_start(self) -> None:
        """Register the HA webhook and point an Enode webhook at it (or stay on polling)."""
        webhook.async_register(
            self._hass,
            DOMAIN,
            "Enode",
            self._webhook_id,
            self._handler,
            allowed_methods=["POST"],
        )
        self._entry.async_on_unload(lambda: webhook.async_unregister(self._hass, self._webhook_id))
        unsubscribe = async_listen_cloud_connection(self._hass, self._async_cloud_connection)
        if unsubscribe is not None:
            self._entry.async_on_unload(unsubscribe)
        await self._async_point_enode_here()

    @callback
    def _async_cloud_connection(self, connected: bool) -> None:
        """HA Cloud connected after we started: move Enode's webhook to a cloudhook."""
        if (
            connected
            and self._push.url_kind is not UrlKind.CLOUDHOOK
            and cloud_subscription_active(self._hass)
        ):
            LOGGER.debug("Home Assistant Cloud connected; moving the Enode webhook to it")
            self._entry.async_create_background_task(
                self._hass, self._async_point_enode_here(), "enode webhook to cloudhook"
            )

    async def _async_point_enode_here(self) -> None:
        """Point an Enode webhook at the best URL we have, or stay on polling."""
        chosen = await async_choose_url(
            self._hass, self._entry, self._webhook_id, self._client.environment
        )
        if chosen is None:
            self._push.async_set_mode(PushMode.POLL)
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                self._issue_id(),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="webhook_unavailable",
                translation_placeholders={"title": self._entry.title},
                learn_more_url="https://github.com/enode-ha/ha-enode#webhooks-and-polling",
            )
            return
        url, url_kind = chosen
        self._push.url_kind = url_kind
        ir.async_delete_issue(self._hass, DOMAIN, self._issue_id())
        try:
            await self._async_ensure_enode_webhook(url)
        except EnodeError as err:
            # Push is an optimisation: keep running on polling and try again next start.
            LOGGER.warning("Could not register the Enode webhook, polling instead: %s", err)
            self._push.registration_error = type(err).__name__
            self._push.async_set_mode(PushMode.POLL)
            return
        self._push.async_set_mode(PushMode.PUSH)

    async def _async_ensure_enode_webhook(self, url: str) -> None:
        """Reuse the stored Enode webhook, update its URL, or create one; never leave duplicates."""
        webhook_id: str | None = self._entry.data.get(CONF_ENODE_WEBHOOK_ID)
        if webhook_id:
            try:
                if url != self._entry.data.get(CONF_ENODE_WEBHOOK_URL):
                    await self._client.update_webhook(webhook_id, url=url, secret=self._secret)
                    self._update_data({CONF_ENODE_WEBHOOK_URL: url})
                # A successful test also re-activates a webhook Enode deactivated.
                await self._client.test_webhook(webhook_id)
            except EnodeNotFoundError:
                LOGGER.info("The Enode webhook is gone; creating a new one")
            else:
                return
        # Remove leftovers pointing at this URL (e.g. after a crash between create and save).
        for existing in await self._client.list_webhooks():
            if existing.url == url:
                await self._client.delete_webhook(existing.id)
        created = await self._client.create_webhook(url, self._secret)
        self._update_data({CONF_ENODE_WEBHOOK_ID: created.id, CONF_ENODE_WEBHOOK_URL: url})
        await self._client.test_webhook(created.id)

    def _update_data(self, changes: dict[str, Any]) -> None:
        self._hass.config_entries.async_update_entry(
            self._entry, data={**self._entry.data, **changes}
        )


async def async_delete_enode_webhook(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """Delete the Enode webhook stored in entry data, with that data's client; best effort."""
    if webhook_id := data.get(CONF_ENODE_WEBHOOK_ID):
        try:
            await create_client(hass, data).delete_webhook(webhook_id)
        except EnodeNotFoundError:
            pass
        except EnodeError as err:
            LOGGER.warning("Could not delete the Enode webhook: %s", err)


async def async_remove_webhooks(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """Delete the Enode webhook and the cloudhook (entry removal); best effort."""
    await async_delete_enode_webhook(hass, dict(entry.data))
    if entry.data.get(CONF_CLOUDHOOK_URL):
        try:
            await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
        except HomeAssistantError:
            LOGGER.debug("HA Cloud is unavailable; its cloudhook stays until HA Cloud drops it")
