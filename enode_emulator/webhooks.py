"""Webhook subscriptions and signed, batched, retried delivery."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
import hmac
import ipaddress
import json
import re
from typing import Any
from urllib.parse import urlsplit
import uuid

import aiohttp

from .clock import SimClock, iso
from .config import API_VERSION, EmulatorConfig
from .models import JSON
from .problems import ProblemError

MAX_BATCH = 100
_HEADER_NAME = re.compile(r"^[a-z0-9-_]+$")
KNOWN_EVENTS = frozenset(
    {
        "*",
        "system:heartbeat",
        "enode:webhook:test",
        "user:vendor-action:updated",
        "user:credentials:invalidated",
        "user:inverter:statistics-updated",
        "user:vehicle:smart-charging-status-updated",
        "user:schedule:execution-updated",
        *(
            f"user:{kind}:{verb}"
            for kind in ("vehicle", "charger", "hvac", "battery", "inverter", "meter", "hem-system")
            for verb in ("discovered", "updated", "deleted")
        ),
    }
)


def sign(secret: str, body: bytes) -> str:
    """Return the `x-enode-signature` header value for a raw body."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


@dataclass
class Webhook:
    """A webhook subscription with its delivery queue."""

    id: str
    url: str
    secret: str
    events: list[str]
    api_version: str | None
    header_name: str | None
    header_value: str | None
    created_at: datetime
    seq: int
    is_active: bool = True
    last_success: datetime | None = None
    queue: list[JSON] = field(default_factory=list)
    failures: int = 0
    next_attempt: datetime | None = None
    last_heartbeat: datetime | None = None

    def to_json(self) -> JSON:
        """Return the Webhook object of the API (never the secret or header value)."""
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            # The spec's `lastSuccess` is a timestamp, never null: before the first delivery
            # it is the creation time.
            "lastSuccess": iso(self.last_success or self.created_at),
            "isActive": self.is_active,
            "createdAt": iso(self.created_at),
            "apiVersion": self.api_version,
            "authentication": {"headerName": self.header_name} if self.header_name else None,
        }

    def wants(self, event: str) -> bool:
        """Return whether the subscription covers an event."""
        return "*" in self.events or event in self.events


@dataclass
class DeliveryLogEntry:
    """One delivery attempt as observed by the emulator."""

    id: str
    webhook_id: str
    url: str
    time: str
    events: list[str]
    outcome: str  # delivered, failed, dropped, deactivated
    status: int | None = None
    error: str | None = None
    attempt: int = 1
    body: str = ""

    def to_json(self) -> JSON:
        """Return the entry as JSON."""
        return dict(self.__dict__)


@dataclass
class DeliveryFault:
    """An injected delivery fault: drop, delay, duplicate or reorder the next deliveries."""

    mode: str
    remaining: int
    delay: float = 0.0


class WebhookManager:
    """Owns the webhooks, queues events and delivers them."""

    def __init__(self, clock: SimClock, config: EmulatorConfig) -> None:
        """Initialise the manager."""
        self.clock = clock
        self.config = config
        self.webhooks: dict[str, Webhook] = {}
        self.delivery_log: list[DeliveryLogEntry] = []
        self.faults: list[DeliveryFault] = []
        self._session: aiohttp.ClientSession | None = None
        self._seq = 0

    def __getstate__(self) -> dict[str, Any]:
        """Saved state (persistence.py): everything but the live HTTP session."""
        return {**self.__dict__, "_session": None}

    async def close(self) -> None:
        """Close the HTTP client session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # Management

    def get(self, webhook_id: str) -> Webhook:
        """Return a webhook or raise 404."""
        webhook = self.webhooks.get(webhook_id)
        if webhook is None:
            raise ProblemError(404, f"No webhook with id {webhook_id}", "Entity Not Found")
        return webhook

    def create(self, body: Any) -> Webhook:
        """Validate a create body and add the webhook."""
        fields = self._validate(body, partial=False)
        if any(hook.url == fields["url"] for hook in self.webhooks.values()):
            raise ProblemError(400, "A webhook with this URL already exists")
        self._seq += 1
        now = self.clock.now()
        webhook = Webhook(
            id=str(uuid.uuid4()),
            url=fields["url"],
            secret=fields["secret"],
            events=fields.get("events", ["*"]),
            api_version=fields.get("apiVersion"),
            header_name=None,
            header_value=None,
            created_at=now,
            seq=self._seq,
            last_heartbeat=now,
        )
        self._apply_auth(webhook, fields)
        self.webhooks[webhook.id] = webhook
        return webhook

    def update(self, webhook_id: str, body: Any) -> Webhook:
        """Apply a PATCH body; an update also reactivates the webhook."""
        webhook = self.get(webhook_id)
        fields = self._validate(body, partial=True)
        for key, attr in (("url", "url"), ("secret", "secret"), ("events", "events")):
            if key in fields:
                setattr(webhook, attr, fields[key])
        if "apiVersion" in fields:
            webhook.api_version = fields["apiVersion"]
        self._apply_auth(webhook, fields)
        webhook.is_active = True
        webhook.failures = 0
        return webhook

    def delete(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self.get(webhook_id)
        del self.webhooks[webhook_id]

    @staticmethod
    def _apply_auth(webhook: Webhook, fields: JSON) -> None:
        if "authentication" not in fields:
            return
        auth = fields["authentication"]
        webhook.header_name = auth["headerName"] if auth else None
        webhook.header_value = auth["headerValue"] if auth else None

    def _validate(self, body: Any, *, partial: bool) -> JSON:
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object", "Payload validation failed")
        fields: JSON = {}
        for key in ("url", "secret"):
            if key not in body:
                if not partial:
                    raise ProblemError(400, f'"{key}" is required', "Payload validation failed")
                continue
            fields[key] = body[key]
        if "url" in fields:
            self._check_url(fields["url"])
        if "secret" in fields and not (
            isinstance(fields["secret"], str) and 6 <= len(fields["secret"]) <= 256
        ):
            raise ProblemError(
                400, '"secret" must be 6-256 characters', "Payload validation failed"
            )
        if "events" in body:
            events = body["events"]
            if (
                not isinstance(events, list)
                or not events
                or not all(isinstance(item, str) and item in KNOWN_EVENTS for item in events)
            ):
                raise ProblemError(
                    400, '"events" must list known event names', "Payload validation failed"
                )
            fields["events"] = list(events)
        if "apiVersion" in body:
            if body["apiVersion"] not in (None, API_VERSION):
                raise ProblemError(
                    400, f'"apiVersion" must be {API_VERSION} or null', "Payload validation failed"
                )
            fields["apiVersion"] = body["apiVersion"]
        if "authentication" in body:
            fields["authentication"] = self._check_auth(body["authentication"])
        return fields

    def _check_url(self, url: Any) -> None:
        if not isinstance(url, str) or not 8 <= len(url) <= 200:
            raise ProblemError(400, '"url" must be 8-200 characters', "Payload validation failed")
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return
        loopback = False
        if parts.scheme == "http" and parts.hostname:
            try:
                loopback = ipaddress.ip_address(parts.hostname).is_loopback
            except ValueError:
                loopback = parts.hostname == "localhost"
        if not loopback or self.config.webhook_require_https:
            raise ProblemError(400, '"url" must be an HTTPS URL', "Payload validation failed")

    @staticmethod
    def _check_auth(auth: Any) -> JSON | None:
        if auth is None:
            return None
        name = auth.get("headerName") if isinstance(auth, dict) else None
        value = auth.get("headerValue") if isinstance(auth, dict) else None
        if not (
            isinstance(name, str)
            and _HEADER_NAME.match(name)
            and len(name) <= 128
            and isinstance(value, str)
            and len(value) <= 256
        ):
            raise ProblemError(
                400,
                '"authentication" needs a lower-case "headerName" and a "headerValue"',
                "Payload validation failed",
            )
        return {"headerName": name, "headerValue": value}

    # Queueing and delivery

    def enqueue(self, event: JSON) -> None:
        """Queue an event for every active webhook that subscribes to it."""
        for webhook in self.webhooks.values():
            if webhook.is_active and webhook.wants(str(event["event"])):
                item = copy.deepcopy(event)
                item["version"] = webhook.api_version or API_VERSION
                webhook.queue.append(item)

    def next_due(self) -> datetime | None:
        """Return the earliest time at which a delivery or heartbeat is due."""
        dues: list[datetime] = []
        interval = timedelta(seconds=self.config.heartbeat_interval)
        for webhook in self.webhooks.values():
            if not webhook.is_active:
                continue
            if webhook.queue:
                dues.append(webhook.next_attempt or self.clock.start)
            if webhook.last_heartbeat is not None:
                dues.append(webhook.last_heartbeat + interval)
        return min(dues) if dues else None

    async def process(self, now: datetime) -> None:
        """Queue due heartbeats and deliver every due batch."""
        interval = timedelta(seconds=self.config.heartbeat_interval)
        for webhook in list(self.webhooks.values()):
            if not webhook.is_active:
                continue
            if webhook.last_heartbeat is not None and webhook.last_heartbeat + interval <= now:
                webhook.last_heartbeat = now
                webhook.queue.append(
                    {
                        "event": "system:heartbeat",
                        "version": webhook.api_version or API_VERSION,
                        "createdAt": iso(now),
                        "pendingEvents": len(webhook.queue),
                    }
                )
            while webhook.queue and (webhook.next_attempt is None or webhook.next_attempt <= now):
                if not await self._deliver_batch(webhook, now):
                    break

    async def _deliver_batch(self, webhook: Webhook, now: datetime) -> bool:
        batch = webhook.queue[:MAX_BATCH]
        fault = self._take_fault()
        if fault is not None and fault.mode == "delay":
            webhook.next_attempt = now + timedelta(seconds=fault.delay)
            return False
        if fault is not None and fault.mode == "drop":
            del webhook.queue[: len(batch)]
            self._log(webhook, batch, "dropped", now)
            return True
        if fault is not None and fault.mode == "reorder":
            batch = list(reversed(batch))
        body = json.dumps(batch, separators=(",", ":")).encode()
        delivery_id = str(uuid.uuid4())
        sends = 2 if fault is not None and fault.mode == "duplicate" else 1
        ok = False
        for _ in range(sends):
            ok, status, error = await self._post(webhook, body, delivery_id)
            self._log(
                webhook,
                batch,
                "delivered" if ok else "failed",
                now,
                status=status,
                error=error,
                body=body,
                delivery_id=delivery_id,
            )
        if ok:
            del webhook.queue[: len(batch)]
            webhook.failures = 0
            webhook.next_attempt = None
            webhook.last_success = now
            return True
        webhook.failures += 1
        delays = self.config.webhook_retry_delays
        if webhook.failures > len(delays):
            # Enode drops the queue and deactivates the webhook after the last retry.
            self._log(webhook, webhook.queue, "deactivated", now)
            webhook.queue.clear()
            webhook.is_active = False
            webhook.next_attempt = None
            return False
        webhook.next_attempt = now + timedelta(seconds=delays[webhook.failures - 1])
        return False

    def _take_fault(self) -> DeliveryFault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self.faults.pop(0)
        return fault

    async def _post(
        self, webhook: Webhook, body: bytes, delivery_id: str
    ) -> tuple[bool, int | None, str | None]:
        status, _, _, error = await self._request(webhook, body, delivery_id)
        return status is not None and 200 <= status < 300, status, error

    async def _request(
        self, webhook: Webhook, body: bytes, delivery_id: str
    ) -> tuple[int | None, str, list[str], str | None]:
        """POST a signed body; return status, response text, headers and any error."""
        headers = {
            "Content-Type": "application/json",
            "x-enode-delivery": delivery_id,
            "x-enode-signature": sign(webhook.secret, body),
        }
        if webhook.header_name and webhook.header_value is not None:
            headers[webhook.header_name] = webhook.header_value
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.post(
                webhook.url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.config.webhook_timeout),
            ) as response:
                text = await response.text()
                lines = [f"{key}: {value}" for key, value in response.headers.items()]
                return response.status, text, lines, None
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            return None, "", [], f"{type(err).__name__}: {err}"

    async def send_test(self, webhook_id: str) -> JSON:
        """Deliver an `enode:webhook:test` event now; success reactivates the webhook."""
        webhook = self.get(webhook_id)
        now = self.clock.now()
        event = {
            "event": "enode:webhook:test",
            "version": webhook.api_version or API_VERSION,
            "createdAt": iso(now),
        }
        body = json.dumps([event], separators=(",", ":")).encode()
        delivery_id = str(uuid.uuid4())
        status, text, headers, error = await self._request(webhook, body, delivery_id)
        ok = status is not None and 200 <= status < 300
        self._log(
            webhook,
            [event],
            "delivered" if ok else "failed",
            now,
            status=status,
            error=error,
            body=body,
            delivery_id=delivery_id,
        )
        response = None if status is None else {"code": status, "body": text, "headers": headers}
        if ok:
            webhook.is_active = True
            webhook.failures = 0
            webhook.last_success = now
            return {
                "status": "SUCCESS",
                "description": "Test event delivered",
                "response": response,
            }
        return {
            "status": "FAILURE",
            "description": error or f"Webhook responded with HTTP {status}",
            "response": response,
        }

    def _log(
        self,
        webhook: Webhook,
        batch: list[JSON],
        outcome: str,
        now: datetime,
        *,
        status: int | None = None,
        error: str | None = None,
        body: bytes = b"",
        delivery_id: str | None = None,
    ) -> None:
        self.delivery_log.append(
            DeliveryLogEntry(
                id=delivery_id or str(uuid.uuid4()),
                webhook_id=webhook.id,
                url=webhook.url,
                time=iso(now),
                events=[str(item["event"]) for item in batch],
                outcome=outcome,
                status=status,
                error=error,
                attempt=webhook.failures + 1,
                body=body.decode(),
            )
        )
