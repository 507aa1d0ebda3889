from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("门户内容")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from . import purge
        from .models import SiteSettings

        # Cache invalidation, not domain flow: what the public sees changed, so the
        # edge cache forgets the URLs that show it (cms/purge.py).
        for signal in (page_published, page_unpublished, page_slug_changed):
            signal.connect(purge.on_page_changed, dispatch_uid=f"cms-edge-page-{id(signal)}")
        post_page_move.connect(purge.on_page_moved, dispatch_uid="cms-edge-page-move")
        post_delete.connect(purge.on_page_changed, sender=Page, dispatch_uid="cms-edge-page-delete")
        # Shown on every page: the settings (footer, hotline), the site, view restrictions,
        # and the images and documents pages show by their current title and file.
        site_wide = [
            SiteSettings,
            Site,
            PageViewRestriction,
            get_document_model(),
            get_image_model(),
        ]
        for model in site_wide:
            for signal in (post_save, post_delete):
                signal.connect(
                    purge.on_site_wide_change,
                    sender=model,
                    dispatch_uid=f"cms-edge-{model._meta.label_lower}-{id(signal)}",
                )
        # Scheduled publishing (go-live and expiry times editors set) happens
        # only when Wagtail's publish_scheduled runs: every minute, from beat.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                "cms-publish-scheduled", {"task": "cms.tasks.publish_scheduled", "schedule": 60}
            )
