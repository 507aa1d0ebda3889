"""Template tags of the care mode (关怀版): the inline boot script of every page's <head>."""

from django import template
from django.utils.safestring import mark_safe

from lms.care import BOOT_SCRIPT

register = template.Library()


@register.simple_tag
def care_boot_script():
    """The <script> that sets the care class before first paint; its hash is in the CSP."""
    # The text is a file of this project, not user input; the CSP hash must match it byte for byte.
    return mark_safe(f"<script>{BOOT_SCRIPT}</script>")
