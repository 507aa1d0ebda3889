"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router."""

from django.conf import settings

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="上海家政平台 API",
    version="1",
    description="证书查验与考试客户端接口。Verification of certificates and the exam client.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Routers are named by import path so this module imports no app upward of lms.
for prefix, router in getattr(settings, "API_ROUTERS", []):
    api.add_router(prefix, router)

__all__ = ["api", "django_auth"]
