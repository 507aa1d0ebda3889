from django import template

from wagtail.models import Site

from ..selectors import menu_items

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context) -> list[dict]:
    """The header menu of the request's site, each item marked active when it holds this page."""
    request = context.get("request")
    if request is None:
        return []
    site = Site.find_for_request(request)
    path = request.path
    return [
        {
            **item,
            "active": bool(item["url"]) and item["url"] != "/" and path.startswith(item["url"]),
        }
        for item in menu_items(site=site)
    ]


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (or removed when empty)."""
    request = context["request"]
    params = request.GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def file_extension(document) -> str:
    return (document.file_extension or "").upper()
