"""The worker's consent inbox, placed on /me/code/ by the certificates app's template."""

from django import template

from registry.selectors.access import worker_for_user

register = template.Library()


@register.inclusion_tag("consent/includes/inbox.html", takes_context=True)
def consent_inbox(context):
    """Requests waiting for the signed-in worker's answer, refreshed by consent/inbox.js."""
    from consent.views import inbox_context

    request = context["request"]
    worker = worker_for_user(request.user)
    if worker is None:
        return {"show": False}
    return {"show": True, **inbox_context(request, worker), "csrf_token": context.get("csrf_token")}
