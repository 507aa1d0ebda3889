"""django-csp's middleware with a second policy for the Wagtail admin and the API docs.

The site's pages run under ``CONTENT_SECURITY_POLICY``, plus one inline
script allowed by its hash: the care mode's boot script in every page's
``<head>`` (lms/care.py), which must run before first paint and so cannot be
a file. The Wagtail admin
cannot: its page explorer and edit views run inline ``<script>`` blocks that
differ per form, and its image previews use ``blob:`` and ``data:`` images.
Under ``CONTENT_SECURITY_POLICY_ADMIN`` (the admin and ninja's Swagger page)
scripts and styles still come only from this site, no plugin or foreign frame
loads, and no form posts elsewhere.
"""

from django.conf import settings

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

from .care import BOOT_SCRIPT_HASH


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefixes = tuple(getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_PREFIXES", ()))
        if not report_only and parts.config is None:
            if request.path_info.startswith(prefixes):
                parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN
            else:
                # The same hash on every page: cached copies stay identical (no nonce).
                update = dict(parts.update or {})
                update["script-src"] = [*update.get("script-src", ()), BOOT_SCRIPT_HASH]
                parts.update = update
        return parts
