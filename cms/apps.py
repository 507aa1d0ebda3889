from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("门户内容")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from .cache import purge_all, purge_on_settings_change
        from .models import SiteSettings

        # Cache invalidation, not domain flow: any change to what the public
        # sees starts a new page-cache generation (see cms/cache.py).
        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(purge_all, dispatch_uid=f"cms-page-cache-{id(signal)}")
        post_delete.connect(purge_all, sender=Page, dispatch_uid="cms-page-cache-delete")
        post_save.connect(purge_all, sender=Site, dispatch_uid="cms-page-cache-site")
        # Routes carry their page's view restrictions (cms.cache.store_route).
        for signal in (post_save, post_delete):
            signal.connect(
                purge_all,
                sender=PageViewRestriction,
                dispatch_uid=f"cms-page-cache-restriction-{id(signal)}",
            )
        post_save.connect(
            purge_on_settings_change, sender=SiteSettings, dispatch_uid="cms-page-cache-settings"
        )
        # Pages show documents (attachments) and images by their current title and file.
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model

        for model in (get_document_model(), get_image_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    purge_all,
                    sender=model,
                    dispatch_uid=f"cms-page-cache-{model._meta.label_lower}-{id(signal)}",
                )
        # Scheduled publishing (go-live and expiry times editors set) happens
        # only when Wagtail's publish_scheduled runs: every minute, from beat.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                "cms-publish-scheduled", {"task": "cms.tasks.publish_scheduled", "schedule": 60}
            )
