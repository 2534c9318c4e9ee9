"""Push, in one place: the webhook's lifecycle and its handler.

`EnodeWebhook` registers this entry's Home Assistant webhook with its own handler and keeps
exactly one Enode webhook pointing at it: the one stored in the entry is reused on restart
(updated when the URL changed, recreated when Enode no longer knows it), it moves to a cloudhook
when HA Cloud connects later, and it is deleted when the entry is removed. Without a usable URL
(webhook_url.py chooses) the integration polls and a repair issue explains how to enable push.

The handler verifies, parses (api/) and applies each delivery: a bounded read, the signature,
then every event on its own, so one that cannot be applied never stops the rest of its batch.
Each valid delivery marks push fresh; push health itself is PushState's (push.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    Asset,
    AssetEvent,
    CredentialsInvalidatedEvent,
    EnodeError,
    EnodeNotFoundError,
    EnodeWebhookPayloadError,
    HeartbeatEvent,
    Schedule,
    ScheduleExecutionEvent,
    SmartChargingStatusEvent,
    VendorActionEvent,
    WebhookEvent,
    WebhookTestEvent,
    parse_events,
    verify_signature,
)
from .client_factory import create_client
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LOGGER,
    MAX_WEBHOOK_BODY,
    SIGNAL_STATISTICS_UPDATED,
)
from .push import PushMode, PushState, UrlKind
from .repairs import async_raise_credentials_issue
from .webhook_url import (
    async_choose_url,
    async_delete_cloudhook,
    async_listen_cloud_connection,
    cloud_subscription_active,
)

if TYPE_CHECKING:
    from .actions import ActionTracker
    from .api import SmartChargingStatus
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

STATISTICS_EVENTS = frozenset({"user:hem-system:updated", "user:inverter:statistics-updated"})
# Bytes per read while streaming a delivery body (Content-Length or chunked).
READ_CHUNK = 64 * 1024


async def async_read_body(request: web.Request, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it exceeds ``limit`` bytes.

    ``request.content.read(n)`` returns only what has arrived so far, so one read can hand back
    part of a large (or chunked) body: read until the end of the stream instead.
    """
    content = request.content  # once: a cloudhook's MockRequest makes a new reader per access
    chunks: list[bytes] = []
    size = 0
    while chunk := await content.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(slots=True)
class WebhookHealth:
    """What the intake saw, for diagnostics (no secrets, no payloads)."""

    deliveries: int = 0
    events: int = 0
    rejected: int = 0
    foreign_user_events: int = 0
    ignored_events: int = 0
    # Events of a delivery that could not be applied (the rest of the batch still was).
    stale_events: int = 0  # older than the asset held (updates never go backwards)
    mismatched_events: int = 0  # asset id already held under another asset type
    failed_events: int = 0  # an exception while applying
    last_error: str | None = None
    last_event_error: str | None = None  # "<event type>: <exception type>", no payload
    counts_by_event: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Diagnostics view."""
        return {
            "deliveries": self.deliveries,
            "events": self.events,
            "rejected": self.rejected,
            "foreign_user_events": self.foreign_user_events,
            "ignored_events": self.ignored_events,
            "stale_events": self.stale_events,
            "mismatched_events": self.mismatched_events,
            "failed_events": self.failed_events,
            "last_error": self.last_error,
            "last_event_error": self.last_event_error,
            "counts_by_event": dict(self.counts_by_event),
        }


class EnodeWebhook:
    """This entry's push: its HA webhook, the Enode webhook pointing at it, every delivery."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        coordinator: EnodeCoordinator,
        tracker: ActionTracker,
        push: PushState,
    ) -> None:
        """Prepare; nothing is registered until async_start."""
        self._hass = hass
        self._entry = entry
        self._client = coordinator.client
        self._coordinator = coordinator
        self._tracker = tracker
        self._push = push
        self.health = WebhookHealth()
        self._secret: str = entry.data[CONF_WEBHOOK_SECRET]
        self._webhook_id: str = entry.data[CONF_WEBHOOK_ID]
        self._user_id = coordinator.user_id
        # What was logged already, so a repeating bad event is logged once (and counted).
        self._failures_logged: set[str] = set()
        self._mismatches_logged: set[tuple[str, str]] = set()

    def _issue_id(self) -> str:
        return f"webhook_unavailable_{self._entry.entry_id}"

    async def async_start(self) -> None:
        """Register the HA webhook and point an Enode webhook at it (or stay on polling)."""
        webhook.async_register(
            self._hass,
            DOMAIN,
            "Enode",
            self._webhook_id,
            self.async_handle,
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
        if url_kind is UrlKind.CLOUDHOOK and url != self._entry.data.get(CONF_CLOUDHOOK_URL):
            self._update_data({CONF_CLOUDHOOK_URL: url})  # the next start reuses it
        ir.async_delete_issue(self._hass, DOMAIN, self._issue_id())
        try:
            await self._async_ensure_enode_webhook(url)
        except EnodeError as err:
            # Push is an optimisation: keep running on polling and try again next start.
            LOGGER.warning("Could not register the Enode webhook, polling instead: %s", err)
            self._push.async_set_mode(PushMode.POLL, url_kind, error=type(err).__name__)
            return
        self._push.async_set_mode(PushMode.PUSH, url_kind)

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
        """The one writer of the entry's push keys (Enode webhook id and URL, cloudhook URL)."""
        self._hass.config_entries.async_update_entry(
            self._entry, data={**self._entry.data, **changes}
        )

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Verify, parse and apply a delivery; answer quickly and make no Enode request."""
        # Refuse a declared oversized body before reading it; stream the rest with a bound.
        # HA Cloud relays cloudhook deliveries as a MockRequest, which has no content_length.
        declared: int | None = getattr(request, "content_length", None)
        if declared is not None and declared > MAX_WEBHOOK_BODY:
            return self._reject("oversized", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        raw = await async_read_body(request, MAX_WEBHOOK_BODY)
        if raw is None:
            return self._reject("oversized", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if not verify_signature(self._secret, raw, request.headers.get(SIGNATURE_HEADER)):
            return self._reject("bad_signature", HTTPStatus.UNAUTHORIZED)
        try:
            events = parse_events(raw, max_bytes=MAX_WEBHOOK_BODY)
        except EnodeWebhookPayloadError as err:
            LOGGER.debug("Malformed Enode webhook delivery: %s", err)
            return self._reject("malformed", HTTPStatus.BAD_REQUEST)
        self.health.deliveries += 1
        self._push.async_mark_delivery()
        self.async_apply_events(events, request.headers.get(DELIVERY_HEADER))
        return web.Response(status=HTTPStatus.OK)

    @callback
    def async_apply_events(self, events: list[WebhookEvent], delivery: str | None = None) -> None:
        """Apply every event of a delivery; one that cannot be applied never stops the rest.

        The coordinator notifies its listeners (entities, devices, repairs) once per delivery,
        not once per event: a 100-event batch writes each entity's state at most once.
        """
        with self._coordinator.async_batch():
            for index, event in enumerate(events):
                try:
                    if isinstance(event, HeartbeatEvent):
                        self._heartbeat(event, index)
                    self._apply(event)
                except Exception as err:  # noqa: BLE001 - one bad event must not stop the batch
                    self._event_failed(event, err, delivery)

    def _heartbeat(self, event: HeartbeatEvent, index: int) -> None:
        """Tell push.py; events before the heartbeat in this delivery are no longer pending.

        [?] API.md 9.2 says only that `pendingEvents` estimates the queue; the emulator counts
        the events queued with the heartbeat, which arrive in the same delivery.
        """
        pending = event.pending_events
        self._push.async_mark_heartbeat(None if pending is None else max(pending - index, 0))

    def _event_failed(self, event: WebhookEvent, err: Exception, delivery: str | None) -> None:
        """Count an event that raised while applying; log each kind of failure once."""
        self.health.failed_events += 1
        kind = f"{event.event_type or '<no event type>'}: {type(err).__name__}"
        self.health.last_event_error = kind
        first = kind not in self._failures_logged
        self._failures_logged.add(kind)
        asset = event.asset if isinstance(event, AssetEvent) else None
        (LOGGER.error if first else LOGGER.debug)(
            "Could not apply an Enode %s event (asset %s, delivery %s); the rest of the "
            "delivery was applied: %s",
            event.event_type,
            asset.id if asset is not None else None,
            delivery,
            err,
            exc_info=first,
        )

    def _reject(self, reason: str, status: HTTPStatus) -> web.Response:
        LOGGER.warning("Rejected an Enode webhook delivery: %s", reason)
        self.health.rejected += 1
        self.health.last_error = reason
        return web.Response(status=status)

    @callback
    def _apply(self, event: WebhookEvent) -> None:
        counts = self.health.counts_by_event
        counts[event.event_type] = counts.get(event.event_type, 0) + 1
        if isinstance(event, (HeartbeatEvent, WebhookTestEvent)):
            return  # their arrival already marked push healthy
        if event.user_id != self._user_id:
            # One Enode client can serve several users (or Home Assistant instances).
            self.health.foreign_user_events += 1
            return
        self.health.events += 1
        if isinstance(event, AssetEvent) and event.asset is not None:
            self._apply_asset_event(event, event.asset)
        elif isinstance(event, VendorActionEvent) and event.action is not None:
            self._tracker.async_handle_action(event.action)
        elif isinstance(event, CredentialsInvalidatedEvent) and event.vendor:
            self._coordinator.async_mark_credentials_invalid(event.vendor)
            async_raise_credentials_issue(self._hass, self._entry, event.vendor)
        elif event.event_type in STATISTICS_EVENTS:
            self._signal_statistics()
        elif isinstance(event, SmartChargingStatusEvent) and event.status is not None:
            self._apply_smart_status(event.status)
        elif isinstance(event, ScheduleExecutionEvent) and event.schedule is not None:
            self._apply_schedule_event(event, event.schedule)
        else:
            self.health.ignored_events += 1

    def _apply_schedule_event(self, event: ScheduleExecutionEvent, schedule: Schedule) -> None:
        """A schedule's status changed: hold it (a schedule created elsewhere appears too)."""
        if not schedule.id:
            self.health.ignored_events += 1
            return
        self._coordinator.async_put_schedule(schedule, event.status)

    def _apply_asset_event(self, event: AssetEvent, asset: Asset) -> None:
        held = self._coordinator.snapshot.assets
        current = held.get(asset.id)
        if current is not None and current.asset_type is not asset.asset_type:
            # Enode ids are unique across types: this event cannot be about the held asset.
            self._mismatched(event, current)
            return
        if event.change == "deleted":
            self._coordinator.async_remove_asset(asset.id)
            return
        # A discovered event carries only `information`; never let it blank a known asset.
        if event.change == "discovered" and asset.id in held:
            return
        if not self._coordinator.async_apply_asset(asset):
            self.health.stale_events += 1
        if event.event_type in STATISTICS_EVENTS:
            self._signal_statistics()

    def _apply_smart_status(self, status: SmartChargingStatus) -> None:
        vehicle_id = status.vehicle_id
        if not vehicle_id or not self._coordinator.async_apply_smart_status(vehicle_id, status):
            self.health.stale_events += 1

    def _mismatched(self, event: AssetEvent, held: Asset) -> None:
        """Ignore an event whose asset type differs from the asset held under its id."""
        self.health.mismatched_events += 1
        key = (held.id, str(event.asset_type))
        if key in self._mismatches_logged:
            return
        self._mismatches_logged.add(key)
        LOGGER.warning(
            "Ignoring Enode %s events for %s: that id belongs to a %s",
            event.event_type,
            held.id,
            held.asset_type,
        )

    def _signal_statistics(self) -> None:
        async_dispatcher_send(
            self._hass, SIGNAL_STATISTICS_UPDATED.format(entry_id=self._entry.entry_id)
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
