"""Tests of the Enode API client, imported as the distribution it is published as (`aioenode`).

The client lives in custom_components/enode/api/ but must not need Home Assistant or the
integration package: loading it under its own name (not `custom_components.enode.api`) keeps the
integration's `__init__` (which imports Home Assistant) out of these tests.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys

API_DIR = Path(__file__).resolve().parents[2] / "custom_components" / "enode" / "api"

if "aioenode" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "aioenode", API_DIR / "__init__.py", submodule_search_locations=[str(API_DIR)]
    )
    assert _spec is not None
    assert _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["aioenode"] = _module
    _spec.loader.exec_module(_module)
