"""The home page's panels: each role lands on its own page, made of panels that the capabilities
register at the ``HOME_PANELS`` seam (``portal/seams.py``) from their ``subscriptions.py``. A
capability adds a panel in one line::

    register(app, HOME_PANELS, HomePanel("follow_ups", ORGANISER_HOME, "minutes/_home_follow_ups.html",
                                         load_follow_ups_due, order=25))

``load(actor)`` runs a fixed number of queries and returns the template's ``data``; None hides
the panel. Panels show in ``order``, then by name."""

from collections.abc import Callable
from dataclasses import dataclass

from portal.seams import HOME_PANELS, registered

VISITOR = "visitor"  # someone not logged in
ORGANISER_HOME = ("organiser", "admin", "leader")  # the organiser's page: the administrator's and the leader's too


@dataclass(frozen=True)
class HomePanel:
    name: str
    roles: tuple[str, ...]  # role values, or VISITOR
    template: str  # renders ``data`` (what ``load`` returned) and ``panel``
    load: Callable
    order: int = 50


def panels_for(actor) -> list[tuple[HomePanel, object]]:
    """The panels of ``actor``'s home page (None: a visitor), each with what it loaded."""
    role = VISITOR if actor is None else str(actor.role)
    shown = []
    for panel in sorted(registered(HOME_PANELS), key=lambda p: (p.order, p.name)):
        if role in panel.roles:
            data = panel.load(actor)
            if data is not None:
                shown.append((panel, data))
    return shown
