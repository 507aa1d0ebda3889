"""Reads of the portal: news lists, the site menu, site search."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.translation import gettext as _

from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page, Site
from wagtail.search.utils import normalise_query_string

from lms.search import query_terms

from .models import NewsIndexPage, NewsPage

SEARCH_PER_PAGE = 10
# Search results considered at most; nobody reads past the fifth page.
SEARCH_LIMIT = 50


def news_latest(*, index: Page | None = None, categories=None, limit: int = 5) -> list[NewsPage]:
    """The newest published news items, of `index` (else of every index), newest first."""
    qs = NewsPage.objects.live().public()
    if index is not None:
        qs = qs.descendant_of(index)
    if categories:
        qs = qs.filter(category__in=list(categories))
    return list(
        qs.order_by("-date", "-first_published_at").only(
            "id", "title", "url_path", "path", "depth", "category", "date", "summary", "locale_id"
        )[:limit]
    )


def _year(value: str) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1990 <= year <= 2100 else None


def news_index_listing(
    *, index: NewsIndexPage, category: str = "", year: str = "", page_number: str = "1"
) -> dict:
    """One page of an index's items, filtered by category and year, with the filter choices."""
    base = NewsPage.objects.live().public().child_of(index)
    qs = base
    if category not in NewsPage.Category.values:
        category = ""
    if category:
        qs = qs.filter(category=category)
    year_number = _year(year)
    if year_number:
        qs = qs.filter(date__year=year_number)
    qs = qs.order_by("-date", "-first_published_at").only(
        "id",
        "title",
        "url_path",
        "path",
        "depth",
        "category",
        "date",
        "summary",
        "document_number",
        "issuing_body",
        "locale_id",
        "superseded_by_id",
    )
    paginator = Paginator(qs, max(1, index.per_page))
    try:
        items = paginator.page(page_number)
    except PageNotAnInteger:
        items = paginator.page(1)
    except EmptyPage:
        items = paginator.page(paginator.num_pages)
    years = [d.year for d in base.dates("date", "year", order="DESC")]
    return {
        "items": items,
        "category": category,
        "year": year_number,
        "categories": NewsPage.Category.choices,
        "years": years,
    }


def menu_items(*, site: Site | None) -> list[dict]:
    """The site menu: live, public children of the home page marked "show in menus"."""
    if site is None:
        return []
    children = Page.objects.child_of(site.root_page).live().public().in_menu().order_by("path")
    return [{"title": page.title, "url": page.get_url()} for page in children]


@dataclass
class SearchHit:
    """One site-search result: the page, its title and URL, and an excerpt."""

    page: Page
    title: str
    url: str
    excerpt: str
    kind: str


def _excerpt(page: Page) -> str:
    for attr in ("meta_description", "summary", "intro"):
        value = getattr(page, attr, "")
        if callable(value):
            value = value()
        if value:
            text = str(value)
            return text[:140] + ("…" if len(text) > 140 else "")
    return page.search_description


def _backend_search(terms: list[str], operator: str) -> list[Page]:
    pages = Page.objects.live().public().exclude(depth=1).specific()
    return list(pages.search(" ".join(terms), operator=operator)[:SEARCH_LIMIT])


def search_site(*, query: str, page_number: str = "1") -> dict:
    """Pages matching `query`: the editors' promoted pages first, then the search index.

    The query is cut into words the way the index was (lms/search.py); every
    word must match, and if that finds nothing any word may. Pages of other
    apps whose text is not segmented are still found by their title.
    """
    if not query:
        return {"hits": None, "promoted": [], "total": 0}
    promoted = [
        promotion
        for promotion in SearchPromotion.objects.filter(
            query__query_string=normalise_query_string(query)
        ).select_related("page")
        if promotion.page is None or promotion.page.live
    ]
    terms = query_terms(query)
    results: list[Page] = []
    if terms:
        results = _backend_search(terms, "and")
        if not results and len(terms) > 1:
            results = _backend_search(terms, "or")
    # Pages with the words in their title first; otherwise the backend's order.
    results.sort(key=lambda page: not all(term in page.title.lower() for term in terms))
    promoted_ids = {p.page_id for p in promoted if p.page_id}
    results = [page for page in results if page.pk not in promoted_ids]
    seen = {page.pk for page in results} | promoted_ids
    by_title = (
        Page.objects.live()
        .public()
        .exclude(depth=1)
        .filter(title__icontains=query)
        .exclude(pk__in=seen)
        .specific()[:SEARCH_LIMIT]
    )
    results.extend(by_title)
    paginator = Paginator(results, SEARCH_PER_PAGE)
    try:
        page = paginator.page(page_number)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    page.object_list = [
        SearchHit(
            page=result,
            title=result.title,
            url=result.url or "",
            excerpt=_excerpt(result),
            kind=str(result.specific_class._meta.verbose_name)
            if result.specific_class
            else _("页面"),
        )
        for result in page.object_list
    ]
    return {"hits": page, "promoted": promoted, "total": paginator.count}
