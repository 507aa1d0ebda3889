from wagtail import hooks

from . import cache as page_cache


@hooks.register("before_serve_page")
def mark_cacheable_page(page, request, serve_args, serve_kwargs):
    """Tell the page cache (cms/views.serve) whether this page type may be stored.

    A page type that names the query parameters it reads (``cache_query_params``)
    is stored, and shares fragments, only for views without any other: made-up
    query strings must not fill the cache with copies. A page type that shares
    answers (``shares_answers``) also learns whether this view was asked before.
    """
    known = getattr(page, "cache_query_params", None)
    request.cms_query_known = known is None or all(name in known for name in request.GET)
    request.cms_cache_page = request.cms_query_known and bool(
        getattr(page, "cache_anonymous", False)
    )
    if getattr(page, "shares_answers", False):
        # Its answer is shared from the second asking on (cms/cache.py).
        key = getattr(request, "cms_page_key", None)
        request.cms_share_answer = page_cache.answer_asked_before(key)
