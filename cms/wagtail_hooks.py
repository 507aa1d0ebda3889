from wagtail import hooks


@hooks.register("before_serve_page")
def mark_cacheable_page(page, request, serve_args, serve_kwargs):
    """Tell the page cache (cms/views.serve) whether this page type may be stored."""
    request.cms_cache_page = bool(getattr(page, "cache_anonymous", False))
