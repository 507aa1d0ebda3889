"""django-csp's middleware with a second policy for the Wagtail admin and the API docs.

The site's pages run under ``CONTENT_SECURITY_POLICY``. The Wagtail admin
cannot: its page explorer and edit views run inline ``<script>`` blocks that
differ per form, and its image previews use ``blob:`` and ``data:`` images.
Under ``CONTENT_SECURITY_POLICY_ADMIN`` (the admin and ninja's Swagger page)
scripts and styles still come only from this site, no plugin or foreign frame
loads, and no form posts elsewhere.
"""

from django.conf import settings

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefixes = tuple(getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_PREFIXES", ()))
        if not report_only and parts.config is None and request.path_info.startswith(prefixes):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN
        return parts
