"""Injected HTTP faults: failing statuses and added latency for matching requests."""

from __future__ import annotations

from dataclasses import dataclass
import fnmatch
import random
from typing import Any
import uuid

from .models import JSON
from .problems import ProblemError

# 400, 404 and 422 stand for what Enode refuses for one asset (e.g. a relink it does not offer).
FAULT_STATUSES = frozenset({400, 401, 403, 404, 422, 429, 500, 502, 503, 504})


@dataclass
class FaultRule:
    """Fail (or slow down) requests whose path matches a glob pattern."""

    id: str
    pattern: str
    method: str | None
    status: int | None
    remaining: int | None
    fraction: float | None
    retry_after: int | None
    latency: float

    def matches(self, method: str, path: str) -> bool:
        """Return whether a request falls under the rule."""
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(
            path, self.pattern
        )

    def to_json(self) -> JSON:
        """Return the rule as JSON."""
        return {
            "id": self.id,
            "pattern": self.pattern,
            "method": self.method,
            "status": self.status,
            "count": self.remaining,
            "fraction": self.fraction,
            "retryAfter": self.retry_after,
            "latency": self.latency,
        }


class FaultInjector:
    """Holds fault rules and decides what happens to each request."""

    def __init__(self, seed: int) -> None:
        """Initialise with a seed for fractional faults."""
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)

    def add(self, body: Any) -> FaultRule:
        """Add a rule from an admin body (see README)."""
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object")
        status = body.get("status")
        latency = float(body.get("latency", 0.0))
        if status is None and latency <= 0:
            raise ProblemError(400, "A fault needs a 'status' or a positive 'latency'")
        if status is not None and status not in FAULT_STATUSES:
            raise ProblemError(400, f"'status' must be one of {sorted(FAULT_STATUSES)}")
        count = body.get("count")
        fraction = body.get("fraction")
        if fraction is not None and not 0 < float(fraction) <= 1:
            raise ProblemError(400, "'fraction' must be in (0, 1]")
        rule = FaultRule(
            id=str(uuid.uuid4()),
            pattern=str(body.get("path", "*")),
            method=str(body["method"]).upper() if body.get("method") else None,
            status=status,
            remaining=int(count) if count is not None else None,
            fraction=float(fraction) if fraction is not None else None,
            retry_after=body.get("retryAfter", 1 if status == 429 else None),
            latency=latency,
        )
        self.rules.append(rule)
        return rule

    def check(self, method: str, path: str) -> tuple[float, FaultRule | None]:
        """Return the latency to add and the failing rule (if any) for a request."""
        latency = 0.0
        failing: FaultRule | None = None
        for rule in list(self.rules):
            if not rule.matches(method, path):
                continue
            if rule.fraction is not None and self.rng.random() >= rule.fraction:
                continue
            latency += rule.latency
            if rule.status is not None and failing is None:
                failing = rule
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
        return latency, failing

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()
