"""How revival plugs into the capabilities before it: its part of the cooperative's page."""

from portal.seams import COOPERATIVE_PAGE_PARTS, register


def register_subscriptions(app) -> None:
    register(app, COOPERATIVE_PAGE_PARTS, "revival/_cooperative.html")
