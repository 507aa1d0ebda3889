"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router."""

from django.conf import settings
from django.http import Http404

from ninja import NinjaAPI, Router

from .api_errors import register_handlers

api = NinjaAPI(
    title="上海家政平台 API",
    version="1",
    description="证书查验与考试客户端接口。Verification of certificates and the exam client.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
register_handlers(api)

# Routers are named by import path so this module imports no app upward of lms.
for prefix, router in getattr(settings, "API_ROUTERS", []):
    api.add_router(prefix, router)

# Last: any other path under /api/v1/ is a JSON 404 too, not the site's HTML page.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request, rest: str):
    raise Http404


api.add_router("/", unknown)
