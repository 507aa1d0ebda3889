"""What public Wagtail pages of every app share."""

from django.utils.html import strip_tags


class IntroDescribed:
    """A page whose meta description falls back to its rich-text ``intro``.

    Used by the lookup pages of the registry and certificates, which editors
    place in the portal's tree and introduce (templates/includes/lookup_meta.html).
    """

    def meta_description(self) -> str:
        return self.search_description or " ".join(strip_tags(self.intro or "").split())
