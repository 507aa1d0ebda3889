from wagtail import hooks

from . import cache as page_cache


@hooks.register("before_serve_page")
def mark_cacheable_page(page, request, serve_args, serve_kwargs):
    """Tell the page cache (cms/views.serve) whether this page type may be stored."""
    known = getattr(page, "cache_query_params", frozenset())
    request.cms_cache_page = bool(getattr(page, "cache_anonymous", False)) and all(
        name in known or page_cache.is_tracking_param(name) for name in request.GET
    )
