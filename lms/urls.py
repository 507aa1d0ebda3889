from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from certificates import credential_views
from lms import edge, views
from lms.api import api

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/live", views.live, name="live"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", edge.public()(sitemap), name="sitemap"),
    # did:web of the certificate issuer (certificates/credentials.py).
    path(".well-known/did.json", credential_views.did_document, name="did_document"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("lms.accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    # App URLs; the composition root is the one place that names every app.
    path("", include("registry.urls")),
    path("", include("courses.urls")),
    path("", include("exams.urls")),
    path("", include("sittings.urls")),
    path("", include("certificates.urls")),
    path("", include("complaints.urls")),
    path("", include("consent.urls")),
    path("", include("dashboards.urls")),
    path("", include("partners.urls")),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves everything else.
urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
