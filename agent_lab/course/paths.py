"""Where the course keeps things: the repository root, the model cache, build outputs.

Introduced in notebook 01 (`01_why_agent_tuning`). Every path is derived from this file's
location, so notebooks work whether Jupyter starts them in `notebooks/` or at the root.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MEASUREMENTS = REPO_ROOT / "docs" / "measurements"  # generated figures, committed


def cache_dir() -> Path:
    """The git-ignored cache (converted models live here); `AGENT_LAB_CACHE` overrides it."""
    return Path(os.environ.get("AGENT_LAB_CACHE", REPO_ROOT / ".cache")).resolve()


def build_dir() -> Path:
    """The git-ignored build folder (executed notebooks, metrics, logs); `AGENT_LAB_BUILD` overrides
    it."""
    return Path(os.environ.get("AGENT_LAB_BUILD", REPO_ROOT / "build")).resolve()


def metrics_dir() -> Path:
    """Where notebooks write their key figures; `AGENT_LAB_METRICS_DIR` overrides it (tests do)."""
    default = build_dir() / "metrics"
    return Path(os.environ.get("AGENT_LAB_METRICS_DIR", default)).resolve()


def logs_dir() -> Path:
    path = build_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
