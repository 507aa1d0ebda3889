"""Project settings with the page cache and the route/fragment caches off, for benchmarks/cms_news.py's cold run."""

from lms.settings import *  # noqa: F403

CMS_PAGE_CACHE_SECONDS = 0
CMS_FRAGMENT_CACHE_SECONDS = 0
