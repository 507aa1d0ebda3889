"""Project settings with the portal's page cache turned off, for benchmarks/cms_news.py's uncached run."""

from lms.settings import *  # noqa: F403

CMS_PAGE_CACHE_SECONDS = 0
