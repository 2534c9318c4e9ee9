"""Constants for the Enode integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "enode"
LOGGER = logging.getLogger(__package__)

# Config entry data (connection); client id/secret use homeassistant.const names.
CONF_ENVIRONMENT: Final = "environment"
CONF_API_URL: Final = "api_url"
CONF_TOKEN_URL: Final = "token_url"
CONF_USER_ID: Final = "user_id"
CONF_WEBHOOK_SECRET: Final = "webhook_secret"
CONF_ENODE_WEBHOOK_ID: Final = "enode_webhook_id"
CONF_ENODE_WEBHOOK_URL: Final = "enode_webhook_url"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
# The Enode Location made from Home Assistant's home (config flow or options).
CONF_HOME_LOCATION_ID: Final = "home_location_id"

# Config entry options (settings).
CONF_MAX_CHARGE_CURRENT: Final = "max_charge_current"
CONF_BACKFILL_DAYS: Final = "backfill_days"
DEFAULT_MAX_CHARGE_CURRENT: Final = 32
DEFAULT_BACKFILL_DAYS: Final = 30

# Link step fields.
CONF_ASSET_TYPES: Final = "asset_types"
CONF_CONTROL: Final = "control"
CONF_LOCATION: Final = "location"
LINKABLE_ASSET_TYPES: Final = ("vehicle", "charger", "battery", "hvac", "inverter", "meter")
CONTROL_SCOPES: Final = {
    "vehicle": "vehicle:control:charging",
    "charger": "charger:control:charging",
    "battery": "battery:control:operation_mode",
    "hvac": "hvac:control:mode",
}
LOCATION_SCOPES: Final = {
    "vehicle": "vehicle:read:location",
    "battery": "battery:read:location",
    "inverter": "inverter:read:location",
    "meter": "meter:read:location",
}
# Home location step field.
CONF_CREATE_HOME_LOCATION: Final = "create_home_location"
# State of the location sensor while an asset is at none of the user's Enode Locations.
LOCATION_AWAY: Final = "away"
LINK_CALLBACK_PATH: Final = "/api/enode/link/callback"
LINK_STATE_LIFETIME: Final = timedelta(hours=24)

# Polling is a safety net while push is healthy; without push it is the main source.
# Every asset event carries the whole asset, so a lost event is corrected by that asset's next
# one; Enode retries a failed delivery for about a day (API.md 9.2); heartbeats prove push is
# alive, and every setup polls in full. So one safety poll a day is enough (coordinator.py's
# SafetyPoll, its own coordinator: deliveries do not postpone it); its requests (the user, one
# list per asset type, Locations, schedules: about ten for the demo household) come at once:
# ~0.4 requests an hour on average, as when they were spread over the day.
POLL_INTERVAL_PUSH: Final = timedelta(hours=24)
POLL_INTERVAL_NO_PUSH: Final = timedelta(minutes=5)
# Without push, Locations are listed at most this often: only the user changes them (Home
# Assistant's own changes apply at once, and an asset at an unknown Location lists them again),
# while device data changes by the minute.
POLL_INTERVAL_LOCATIONS: Final = timedelta(minutes=30)
# Push counts as healthy while a valid delivery (heartbeat, test or event) arrived within a few
# heartbeat periods (push.py learns the period; the emulator sends a heartbeat every 5 minutes).
PUSH_HEARTBEATS_MISSED: Final = 3
PUSH_STALE_AFTER: Final = timedelta(
    minutes=15
)  # also the floor, and the default before two heartbeats
PUSH_STALE_MAX: Final = timedelta(hours=1)
# Heartbeats reporting queued events (`pendingEvents` > 0) this long: Enode queues, poll once.
PUSH_QUEUEING_AFTER: Final = timedelta(minutes=10)
# Action tracking without push: poll the action with backoff for about ten minutes.
ACTION_POLL_FIRST: Final = 5.0
ACTION_POLL_MAX: Final = 60.0
ACTION_TIMEOUT: Final = timedelta(minutes=10)
# After CONFIRMED the requested value stays until the asset data shows it (without push, the
# asset is fetched once right after the confirmation). Only data that never agrees (a vendor
# reporting late) lets go, after this long and one more fetch of the asset.
CONFIRMED_HOLD: Final = timedelta(minutes=15)
# Largest webhook body we accept. Enode sends at most 100 events per delivery; 100 of the largest
# known events (vehicle updates of 2-3 kB, inverter statistics with 96 quarter hours, ~6 kB) stay
# near 600 kB. 1 MiB leaves headroom and bounds what an unsigned request makes us read: the body
# must be read whole before its signature can be checked.
MAX_WEBHOOK_BODY: Final = 1024 * 1024

EVENT_ACTION_FAILED: Final = "enode_action_failed"
SIGNAL_STATISTICS_UPDATED: Final = "enode_statistics_updated_{entry_id}"
# A pending command's overlay on one asset started or ended: its entities re-render.
SIGNAL_OVERLAY_CHANGED: Final = "enode_overlay_{entry_id}_{asset_id}"
# Sent by the statistics importer with a HEM system's id when its energy so far today changed.
SIGNAL_ENERGY_TODAY: Final = "enode_energy_today_{entry_id}"
# Sent by the charging statistics importer after each run and at the month change.
SIGNAL_CHARGING_STATISTICS: Final = "enode_charging_statistics_{entry_id}"

# Action enode.set_tariff.
SERVICE_SET_TARIFF: Final = "set_tariff"
