"""Session-wide test settings: quiet, offline Prefect and no reading of a developer's .env."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# The local test site is ours: no need to space requests politely in tests.
os.environ.setdefault("NEWSMON_MIN_HOST_INTERVAL_S", "0")
