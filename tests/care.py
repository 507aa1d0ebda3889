"""The care mode's (关怀版) scripts, which every page carries: tests about a page's own scripts leave them out."""

from lms.care import BOOT_SCRIPT

CARE_SCRIPTS = (
    f"<script>{BOOT_SCRIPT}</script>",
    '<script src="/static/js/care.js" defer></script>',
)


def without_care_scripts(html):
    """`html` (str or bytes) without the hashed head script and static/js/care.js."""
    for script in CARE_SCRIPTS:
        html = html.replace(script.encode() if isinstance(html, bytes) else script, type(html)())
    return html
