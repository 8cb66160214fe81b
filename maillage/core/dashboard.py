"""The dashboard's panels: each app adds what a working day starts with (issue 11, point 9).

A panel is a small function `build(request) -> dict | None` and one include that renders its dict
(as `panel`). The function decides, from the access policy, whether the user sees the panel at all
(None: not shown), reads its lists through scoped querysets, and writes the trail line of any list
of persons it shows (`audit.record_search`). Apps register their panels at start-up
(`AppConfig.ready`), as the timeline's sources, so that the core's view knows none of them:

    register_panel("coordinator", "casework/dashboard/_coordinator.html", coordinator_panel, order=20)
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    build: Callable
    order: int = 100


_PANELS: dict[str, DashboardPanel] = {}


def register_panel(key: str, template: str, build: Callable, *, order: int = 100) -> None:
    """Add (or replace, idempotently) the panel `key`; lower `order` comes first."""
    _PANELS[key] = DashboardPanel(key=key, template=template, build=build, order=order)


def panels_for(request) -> list[dict]:
    """The panels the request's user sees, in order: `{"key", "template", "data"}`."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        data = panel.build(request)
        if data is not None:
            shown.append({"key": panel.key, "template": panel.template, "data": data})
    return shown
