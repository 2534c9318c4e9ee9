"""The pure helpers of scripts/bench_memory.py (the benchmark itself is slow and not a test)."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.bench_memory import (
    MIB,
    Result,
    marginal,
    parse_status,
    table,
    unavailable_entities,
)

STATUS = "Name:\tpython3\nVmHWM:\t  512000 kB\nVmRSS:\t  409600 kB\nThreads:\t12\n"


def test_parse_status_reads_the_key_in_bytes() -> None:
    """VmRSS and VmHWM are read from their own lines, kB turned into bytes."""
    assert parse_status(STATUS, "VmRSS") == 409600 * 1024
    assert parse_status(STATUS, "VmHWM") == 512000 * 1024


def test_parse_status_refuses_a_missing_key_or_unit() -> None:
    """A key that is not there, or a unit that is not kB, is an error, never a zero."""
    with pytest.raises(KeyError, match="VmSwap"):
        parse_status(STATUS, "VmSwap")
    with pytest.raises(ValueError, match="unexpected unit 'MB' for VmRSS"):
        parse_status("VmRSS:\t400 MB\n", "VmRSS")


def test_unavailable_entities_counts_enabled_enode_entities_only() -> None:
    """Disabled and foreign entities do not count; a missing state is unavailable."""
    registry: list[dict[str, Any]] = [
        {"entity_id": "sensor.a", "platform": "enode", "disabled_by": None},
        {"entity_id": "sensor.b", "platform": "enode", "disabled_by": None},
        {"entity_id": "sensor.c", "platform": "enode", "disabled_by": None},
        {"entity_id": "sensor.off", "platform": "enode", "disabled_by": "integration"},
        {"entity_id": "sensor.sun", "platform": "sun", "disabled_by": None},
    ]
    states: list[dict[str, Any]] = [
        {"entity_id": "sensor.a", "state": "12"},
        {"entity_id": "sensor.b", "state": "unavailable"},
        {"entity_id": "sensor.sun", "state": "unavailable"},
    ]
    assert unavailable_entities(registry, states) == (3, ["sensor.b", "sensor.c"])


def test_memory_per_asset_and_marginal() -> None:
    """Per asset divides Enode's growth by the assets; marginal leaves the fixed cost out."""
    small = Result("demo", assets=8, rss_before=180 * MIB, rss_after=190 * MIB)
    large = Result("scale:300", assets=308, rss_before=180 * MIB, rss_after=490 * MIB)
    assert small.per_asset(small.rss_after) == 10 * MIB / 8
    assert marginal(small, large, small.rss_after, large.rss_after) == 300 * MIB / 300
    assert "Marginal memory per asset from demo to scale:300" in table([small, large])
    assert "| scale:300 | 308 |" in table([small, large])
