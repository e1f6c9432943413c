"""Flow-run hooks: a failed or crashed scheduled run tells someone, through the alert channels.

Prefect calls these with the flow, the flow run and its final state (for a served run whose
process died, Prefect's runner calls ``on_crashed`` from the serve process). A hook must
never raise (it would hide the run's own failure), so every error here is swallowed after one log
line. The one message goes to the ``default`` alert channel exactly as alerts do (the rules file's
URLs for it, else ``NEWSMON_ALERT_URLS``, ``prefect-secret:`` references resolved) and carries the
state's message and a link to the run in the Prefect UI (derived from ``PREFECT_API_URL`` when
``PREFECT_UI_URL`` is unset), never an Apprise URL or its token.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from flows.alerts import SECRET_PREFIX, load_alert_config
from flows.settings import Settings
from tasks.alert_rules import DEFAULT_CHANNEL
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


def failure_channel(settings: Settings) -> tuple[list[str], Literal["markdown", "text"]]:
    """URLs and body format of the ``default`` alert channel.

    When the alert configuration itself cannot be loaded (perhaps the very reason the run failed)
    the plain ``NEWSMON_ALERT_URLS`` are used, without the secret references it could not read.
    """
    try:
        channel = load_alert_config(settings).channels[DEFAULT_CHANNEL]
    except Exception:
        LOGGER.warning("alert configuration unreadable; failure goes to NEWSMON_ALERT_URLS")
        return [u for u in settings.alert_urls if not u.startswith(SECRET_PREFIX)], "markdown"
    return list(channel.urls), channel.format


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """on_failure / on_crashed hook: one message to the default alert channel."""
    try:
        urls, body_format = failure_channel(Settings())
        if not urls:
            return
        title, body = failure_message(
            str(getattr(flow, "name", "flow")),
            str(getattr(flow_run, "name", "?")),
            str(getattr(flow_run, "id", "?")),
            state,
        )
        if body_format == "text":
            body = body.replace("**", "").replace("`", "").replace("> ", "")
        for result in deliver([("flow-failure", title, body)], urls, body_format):
            if not result.ok:
                LOGGER.warning("failure notification not delivered: %s", result.error)
    except Exception:  # a hook must not mask the run's own failure
        LOGGER.warning("failure notification raised", exc_info=True)
