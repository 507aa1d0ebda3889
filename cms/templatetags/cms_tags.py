from django import template

from wagtail.models import Site

from lms import fragments

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
        for item in menu_items(site=site, generation=getattr(request, "cms_generation", None))
    ]


class PortalFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        key = None
        if request is not None:
            name = self.name.resolve(context)
            key = fragments.fragment_key(request, name, *(v.resolve(context) for v in self.vary_on))
        return fragments.rendered(request, key, lambda: self.nodelist.render(context))


@register.tag
def portal_fragment(parser, token):
    """Render the enclosed template once per cache generation, language and `vary_on` values.

        {% portal_fragment "main" page.pk request.get_full_path %}…{% endportal_fragment %}

    For parts every visitor sees alike (the article, the footer). Used only on
    pages served by ``cms.views.serve``; previews and other views render the
    fragment every time (see ``lms.fragments.fragment_key``).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    nodelist = parser.parse(("endportal_fragment",))
    parser.delete_first_token()
    return PortalFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )


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
