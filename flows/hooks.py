"""Flow-run hooks: a failed or crashed scheduled run tells someone, through the alert channels.

Prefect calls these with the flow, the flow run and its final state. A hook must never raise (it
would hide the run's own failure), so every error here is swallowed after one log line; the message
carries the state's message and a link to the run when a Prefect UI URL is configured, and never an
Apprise URL or its token.
"""

from __future__ import annotations

import logging
from typing import Any

from flows.settings import Settings
from tasks.alerting import deliver

LOGGER = logging.getLogger(__name__)


def failure_message(flow_name: str, run_name: str, run_id: str, state: Any) -> tuple[str, str]:
    """Title and Markdown body for a failed or crashed run."""
    from prefect.settings import PREFECT_UI_URL

    kind = "crashed" if getattr(state, "is_crashed", lambda: False)() else "failed"
    reason = (getattr(state, "message", None) or "no message").strip()
    lines = [f"**{flow_name}** run `{run_name}` {kind}.", f"> {reason[:1500]}"]
    ui = PREFECT_UI_URL.value()
    if ui:
        lines.append(f"{ui.rstrip('/')}/runs/flow-run/{run_id}")
    else:
        lines.append(f"flow run id: {run_id}")
    return f"newsmon: {flow_name} run {kind}", "\n\n".join(lines)


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """on_failure / on_crashed hook: one message to the default alert channels."""
    try:
        urls = Settings().alert_urls
        if not urls:
            return
        title, body = failure_message(
            str(getattr(flow, "name", "flow")),
            str(getattr(flow_run, "name", "?")),
            str(getattr(flow_run, "id", "?")),
            state,
        )
        for result in deliver([("flow-failure", title, body)], urls):
            if not result.ok:
                LOGGER.warning("failure notification not delivered: %s", result.error)
    except Exception:  # a hook must not mask the run's own failure
        LOGGER.warning("failure notification raised", exc_info=True)
