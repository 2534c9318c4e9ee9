"""OAuth2 client-credentials tokens that expire by the simulation clock."""

from __future__ import annotations

from datetime import datetime, timedelta
import secrets

from .clock import SimClock


class TokenStore:
    """Issues and checks bearer tokens."""

    def __init__(self, clock: SimClock, lifetime: int) -> None:
        """Initialise with a lifetime in simulated seconds."""
        self.clock = clock
        self.lifetime = lifetime
        self._tokens: dict[str, datetime] = {}

    def issue(self) -> str:
        """Issue a new token."""
        token = secrets.token_urlsafe(32)
        self._tokens[token] = self.clock.now() + timedelta(seconds=self.lifetime)
        return token

    def is_valid(self, token: str) -> bool:
        """Return whether a token exists and has not expired."""
        expires = self._tokens.get(token)
        return expires is not None and self.clock.now() < expires

    def expire_all(self) -> int:
        """Expire every token now and return how many there were."""
        count = len(self._tokens)
        self._tokens.clear()
        return count
