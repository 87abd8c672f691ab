"""How revival plugs into the capabilities before it: its part of the cooperative's page (RAT
records, the offer to make it active again, the contact log and the timeline)."""

from portal.cooperatives.signals import registry_imported
from portal.revival import campaign, queries, services
from portal.revival.dates import office_today
from portal.revival.timeline import cooperative_timeline
from portal.seams import ATTACHMENT_NAMES, ATTACHMENT_RENDERERS, COOPERATIVE_PAGE_PARTS, register


def reactivation_offer(cooperative):
    return services.reactivation_evidence(cooperative, office_today())


def on_registry_imported(_actor, cooperative_ids=(), **_kwargs) -> None:
    services.record_registry_years(list(cooperative_ids))


def register_subscriptions(app) -> None:
    registry_imported.connect(on_registry_imported, weak=False)
    register(app, COOPERATIVE_PAGE_PARTS, "revival/_cooperative.html")
    register(app, ATTACHMENT_RENDERERS, (campaign.RENDERER, campaign.render_rat_letter))
    register(app, ATTACHMENT_NAMES, (campaign.RENDERER, campaign.ATTACHMENT_NAME))
    app.jinja_env.globals.update(rat_records_of=queries.rat_records_of, open_steps_of=queries.open_steps_of,
                                 reactivation_offer=reactivation_offer, cooperative_timeline=cooperative_timeline)
