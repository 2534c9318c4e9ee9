"""Configuration of the emulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_CLIENT_ID = "enode-emulator-client"
DEFAULT_CLIENT_SECRET = "enode-emulator-secret"  # noqa: S105 - fixed so the demo is reproducible
API_VERSION = "2024-10-01"


@dataclass
class EmulatorConfig:
    """Settings for one emulator instance.

    Attributes:
        scenario: "demo", a path to a JSON scenario file, or a scenario dict.
        seed: Seed for every random choice (statistics noise, random action outcomes).
        speed: Simulated seconds per real second. 0 freezes the clock so that only
            `Emulator.advance` moves it (useful for deterministic tests).
        action_delay: Simulated seconds until a pending action resolves.
        token_lifetime: Lifetime of access tokens in simulated seconds.
        client_id: OAuth client id accepted by the token endpoint.
        client_secret: OAuth client secret accepted by the token endpoint.
        heartbeat_interval: Simulated seconds between `system:heartbeat` events per webhook.
        physics_interval: Simulated seconds between physics updates ("polls" of the vendors).
        action_failure_rate: Probability that an action without a configured outcome fails.
        webhook_timeout: Real seconds before a webhook delivery counts as failed.
        webhook_retry_delays: Simulated seconds between delivery retries; once they are
            used up the queue is dropped and the webhook is deactivated.
        start_time: Simulation start (UTC); defaults to the real current time.
        tick_interval: Real seconds between background ticks.
        webhook_require_https: Reject non-HTTPS webhook URLs except loopback ones.
        state_file: Where the state is kept across restarts (persistence.py); None keeps it
            in memory only.
        save_interval: Real seconds between saves of the state file.
        charger_smart_override: Serve ``POST/DELETE /chargers/{id}/smart-override`` as
            2024-01-01 did. Off by default: 2024-10-01 (and the seed reference) has the
            vehicle route only, so the charger route answers 404 like any unknown path.
            Switchable at run time with ``PUT /_emulator/features``.
    """

    scenario: str | Path | dict[str, Any] = "demo"
    seed: int = 0
    speed: float = 1.0
    action_delay: float = 3.0
    token_lifetime: int = 3599
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    heartbeat_interval: float = 300.0
    physics_interval: float = 60.0
    action_failure_rate: float = 0.0
    webhook_timeout: float = 5.0
    webhook_retry_delays: tuple[float, ...] = field(default=(5.0, 15.0, 30.0, 60.0, 120.0, 300.0))
    start_time: datetime | None = None
    tick_interval: float = 0.5
    webhook_require_https: bool = False
    state_file: Path | None = None
    save_interval: float = 30.0
    charger_smart_override: bool = False
