"""`{% award_stage tender user %}`: the tender page's award-stage section. Procurement's page
includes it without importing this app (the tag library is found by name)."""

from django import template

from awards.views.stage import stage_context

register = template.Library()


@register.inclusion_tag("awards/_award_stage.html", takes_context=True)
def award_stage(context, tender, user):
    # A refused form of this section comes back bound (awards/views/bidders.py).
    return stage_context(tender, user, context.get("award_forms"))
