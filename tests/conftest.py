"""Test session setup: no test may reach the Anthropic API or inherit the caller's settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for name in list(os.environ):
    if name.startswith(("ANTHROPIC_", "AGENT_MODEL")):
        del os.environ[name]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _no_api_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "AGENT_MODEL")):
            monkeypatch.delenv(name)
