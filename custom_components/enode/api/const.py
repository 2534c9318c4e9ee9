"""Constants and enumerations of the Enode API (version 2024-10-01).

Source tags as in API.md; ``[S>SDK]`` marks where the seed reference (`shared/enode/seeds/`) and
the 2024-10-01 SDK (`enode` 0.2.6 on PyPI, test-only) disagree: the seed wins.
"""

from __future__ import annotations

from enum import Enum, StrEnum

API_VERSION = "2024-10-01"

DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_PAGE_SIZE = 50
# Refresh the token this long before Enode says it expires, so a request never races expiry.
TOKEN_EXPIRY_MARGIN = 60.0
# Used when the token response lacks ``expires_in``; Enode documents 3599 s.
DEFAULT_TOKEN_LIFETIME = 3599.0
MAX_GET_RETRIES = 2
DEFAULT_RETRY_BASE_DELAY = 0.5
# Enode sends at most 100 events per delivery; 1 MiB leaves ample headroom for that.
DEFAULT_MAX_WEBHOOK_BYTES = 1024 * 1024


class Environment(Enum):
    """An Enode environment: its API base URL and OAuth token URL."""

    PRODUCTION = "production"
    SANDBOX = "sandbox"
    CUSTOM = "custom"

    @property
    def api_url(self) -> str | None:
        """Return the API base URL, or None for a custom environment."""
        return _API_URLS.get(self)

    @property
    def token_url(self) -> str | None:
        """Return the OAuth2 token URL, or None for a custom environment."""
        return _TOKEN_URLS.get(self)


_API_URLS = {
    Environment.PRODUCTION: "https://enode-api.production.enode.io",
    Environment.SANDBOX: "https://enode-api.sandbox.enode.io",
}
_TOKEN_URLS = {
    Environment.PRODUCTION: "https://oauth.production.enode.io/oauth2/token",
    Environment.SANDBOX: "https://oauth.sandbox.enode.io/oauth2/token",
}


class AssetType(StrEnum):
    """An Enode asset type, valued as in ``targetType`` and ``vendorType``."""

    VEHICLE = "vehicle"
    CHARGER = "charger"
    BATTERY = "battery"
    HVAC = "hvac"
    INVERTER = "inverter"
    METER = "meter"
    HEM_SYSTEM = "hem-system"

    @property
    def path(self) -> str:
        """Return the URL path segment, e.g. ``vehicles`` or ``hem-systems``."""
        return _ASSET_PATHS[self]

    @property
    def payload_key(self) -> str:
        """Return the key that holds the asset in webhook events, e.g. ``hemSystem``."""
        return _ASSET_PAYLOAD_KEYS[self]

    @classmethod
    def from_event_segment(cls, segment: str) -> AssetType | None:
        """Return the asset type named in an event like ``user:hem-system:updated``."""
        try:
            return cls(segment)
        except ValueError:
            return None


_ASSET_PATHS = {
    AssetType.VEHICLE: "vehicles",
    AssetType.CHARGER: "chargers",
    AssetType.BATTERY: "batteries",
    AssetType.HVAC: "hvacs",
    AssetType.INVERTER: "inverters",
    AssetType.METER: "meters",
    AssetType.HEM_SYSTEM: "hem-systems",
}
_ASSET_PAYLOAD_KEYS = {
    AssetType.VEHICLE: "vehicle",
    AssetType.CHARGER: "charger",
    AssetType.BATTERY: "battery",
    AssetType.HVAC: "hvac",
    AssetType.INVERTER: "inverter",
    AssetType.METER: "meter",
    # The HEM event key is unconfirmed (API.md 9.3 [?]); parsing also tries "hem-system".
    # [S>SDK] user:hem-system:* events: the seed reference documents them, the SDK has no HEM
    # model at all; the seed wins.
    AssetType.HEM_SYSTEM: "hemSystem",
}

#: Asset types that accept charging, max-current and smart-override controls.
CHARGEABLE_ASSET_TYPES = frozenset({AssetType.VEHICLE, AssetType.CHARGER})
#: Asset types with vendor actions (``/{type}/actions/{id}``).
ACTION_ASSET_TYPES = frozenset(
    {AssetType.VEHICLE, AssetType.CHARGER, AssetType.BATTERY, AssetType.HVAC}
)


class ActionState(StrEnum):
    """State of a vendor action."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


FINAL_ACTION_STATES = frozenset({ActionState.CONFIRMED, ActionState.FAILED, ActionState.CANCELLED})


class ChargeActionKind(StrEnum):
    """Kind of a charge action."""

    START = "START"
    STOP = "STOP"


class FailureReasonType(StrEnum):
    """Why an action failed or was cancelled."""

    NO_RESPONSE = "NO_RESPONSE"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    UNNECESSARY = "UNNECESSARY"
    CONFLICT = "CONFLICT"
    REQUESTED_CANCELLATION = "REQUESTED_CANCELLATION"
    NOT_FOUND = "NOT_FOUND"


class PowerDeliveryState(StrEnum):
    """Power delivery state of a vehicle or charger."""

    UNKNOWN = "UNKNOWN"
    UNPLUGGED = "UNPLUGGED"
    INITIALIZING = "PLUGGED_IN:INITIALIZING"
    CHARGING = "PLUGGED_IN:CHARGING"
    COMPLETE = "PLUGGED_IN:COMPLETE"
    STOPPED = "PLUGGED_IN:STOPPED"
    NO_POWER = "PLUGGED_IN:NO_POWER"
    FAULT = "PLUGGED_IN:FAULT"
    DISCHARGING = "PLUGGED_IN:DISCHARGING"


class BatteryStatus(StrEnum):
    """Charge status of a home battery."""

    CHARGING = "CHARGING"
    DISCHARGING = "DISCHARGING"
    IDLE = "IDLE"
    FAULT = "FAULT"
    UNKNOWN = "UNKNOWN"


class BatteryOperationMode(StrEnum):
    """Operation mode of a home battery (UNKNOWN is read-only).

    [S>SDK] IDLE: the seed reference documents it; the 2024-10-01 SDK's enums lack it. The seed
    wins (tests/contract/allowlist.py).
    """

    IMPORT_FOCUS = "IMPORT_FOCUS"
    EXPORT_FOCUS = "EXPORT_FOCUS"
    TIME_OF_USE = "TIME_OF_USE"
    SELF_RELIANCE = "SELF_RELIANCE"
    IDLE = "IDLE"
    UNKNOWN = "UNKNOWN"


class HvacMode(StrEnum):
    """Thermostat mode of an HVAC unit (UNKNOWN is read-only)."""

    OFF = "OFF"
    AUTO = "AUTO"
    COOL = "COOL"
    HEAT = "HEAT"
    UNKNOWN = "UNKNOWN"


class HvacHoldType(StrEnum):
    """Hold type of an HVAC unit."""

    PERMANENT = "PERMANENT"
    SCHEDULED = "SCHEDULED"


class StatisticsResolution(StrEnum):
    """Resolution of charging statistics."""

    QUARTER_HOUR = "QUARTER_HOUR"
    HALF_HOUR = "HALF_HOUR"
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class WebhookEventType(StrEnum):
    """Webhook event names with dedicated handling."""

    HEARTBEAT = "system:heartbeat"
    TEST = "enode:webhook:test"
    VENDOR_ACTION_UPDATED = "user:vendor-action:updated"
    CREDENTIALS_INVALIDATED = "user:credentials:invalidated"
    SMART_CHARGING_STATUS_UPDATED = "user:vehicle:smart-charging-status-updated"
    SCHEDULE_EXECUTION_UPDATED = "user:schedule:execution-updated"


class SmartChargingState(StrEnum):
    """State of a vehicle's smart charging (SMART.md 2.2); unversioned, may grow."""

    DISABLED = "DISABLED"
    CONSIDERING = "CONSIDERING"
    UNKNOWN = "UNKNOWN"
    FULLY_CHARGED = "FULLY_CHARGED"
    PLAN_EXECUTING_STOPPING = "PLAN:EXECUTING:STOPPING"
    PLAN_EXECUTING_STOP_FAILED = "PLAN:EXECUTING:STOP_FAILED"
    PLAN_EXECUTING_STOPPED = "PLAN:EXECUTING:STOPPED"
    PLAN_EXECUTING_STOPPED_AWAITING_PRICES = "PLAN:EXECUTING:STOPPED:AWAITING_PRICES"
    PLAN_EXECUTING_STARTING = "PLAN:EXECUTING:STARTING"
    PLAN_EXECUTING_START_FAILED = "PLAN:EXECUTING:START_FAILED"
    PLAN_EXECUTING_STARTED = "PLAN:EXECUTING:STARTED"
    PLAN_EXECUTING_CHARGE_INTERRUPTED = "PLAN:EXECUTING:CHARGE_INTERRUPTED"
    PLAN_EXECUTING_OVERRIDDEN = "PLAN:EXECUTING:OVERRIDDEN"
    PLAN_ENDED_FINISHED = "PLAN:ENDED:FINISHED"
    PLAN_ENDED_UNPLUGGED = "PLAN:ENDED:UNPLUGGED"
    PLAN_ENDED_FAILED = "PLAN:ENDED:FAILED"
    PLAN_ENDED_DISABLED = "PLAN:ENDED:DISABLED"
    PLAN_ENDED_DEADLINE_CHANGED = "PLAN:ENDED:DEADLINE_CHANGED"


class SmartChargingFailureCondition(StrEnum):
    """Why a smart charging plan ended ``PLAN:ENDED:FAILED`` (SMART.md 2.3)."""

    STOP_FAILED = "STOP_FAILED"
    START_FAILED = "START_FAILED"
    FINISHED_LATE = "FINISHED_LATE"
    UNKNOWN = "UNKNOWN"
    CHARGE_INTERRUPTED = "CHARGE_INTERRUPTED"


class SmartChargingErrorCause(StrEnum):
    """Why Enode refused a smart charging policy (the 400 causes of SMART.md 1.1).

    The values are snake_case so an integration can use them directly as translation keys.
    """

    ENABLED_BY_OTHER_USER = "enabled_by_other_user"
    DEADLINE_MISSING = "deadline_missing"
    INVALID_DEADLINE = "invalid_deadline"
    MINIMUM_ABOVE_CHARGE_LIMIT = "minimum_above_charge_limit"
    MINIMUM_BELOW_VENDOR_THRESHOLD = "minimum_below_vendor_threshold"
    NO_PRICE_AREA_OR_TARIFF = "no_price_area_or_tariff"
    NOT_CAPABLE = "not_capable"
    UNKNOWN = "unknown"
